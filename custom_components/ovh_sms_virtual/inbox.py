"""Received SMS: the inbox coordinator (being written for the receiving issue)."""

from datetime import timedelta
from typing import override

from homeassistant.core import HomeAssistant

from .api import OvhSmsClient
from .const import DEFAULT_SCAN_INTERVAL, DOMAIN
from .coordinator import OvhSmsConfigEntry, OvhSmsCoordinator
from .store import OvhSmsStore


class OvhSmsInboxCoordinator(OvhSmsCoordinator[None]):
    """Polls the virtual number's inbox."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OvhSmsConfigEntry,
        client: OvhSmsClient,
        store: OvhSmsStore,
    ) -> None:
        """Poll at the configured interval."""
        super().__init__(
            hass,
            entry,
            client,
            name=f"{DOMAIN} inbox",
            update_interval=timedelta(seconds=DEFAULT_SCAN_INTERVAL),
        )
        self.store = store

    @override
    async def _async_fetch(self) -> None:
        await self.client.async_list_incoming(self.service_name, self.number)
