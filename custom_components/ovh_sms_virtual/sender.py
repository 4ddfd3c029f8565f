"""Sending SMS (being written for the sending issue)."""

from homeassistant.core import HomeAssistant

from .api import OvhSmsClient
from .coordinator import OvhSmsAccountCoordinator, OvhSmsConfigEntry
from .store import OvhSmsStore


class OvhSmsSender:
    """Sends SMS for one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OvhSmsConfigEntry,
        client: OvhSmsClient,
        store: OvhSmsStore,
        account: OvhSmsAccountCoordinator,
    ) -> None:
        """Bind to the entry."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.store = store
        self.account = account
