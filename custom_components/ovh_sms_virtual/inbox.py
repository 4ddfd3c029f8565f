"""Received SMS: poll the virtual number's inbox and fire each message exactly once."""

from datetime import timedelta
from typing import Any, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .api import (
    IncomingSms,
    OvhSmsAuthError,
    OvhSmsClient,
    OvhSmsError,
    OvhSmsNotFoundError,
)
from .const import (
    CONF_DELETE_RECEIVED,
    CONF_SCAN_INTERVAL,
    DEFAULT_DELETE_RECEIVED,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    EVENT_RECEIVED,
    LOGGER,
    MIN_SCAN_INTERVAL,
    SIGNAL_RECEIVED,
)
from .coordinator import OvhSmsConfigEntry, OvhSmsCoordinator
from .store import OvhSmsStore


class OvhSmsInboxCoordinator(OvhSmsCoordinator[list[IncomingSms]]):
    """Polls the virtual number's inbox; its data is the SMS fired by the last poll.

    A poll lists the inbox (one call), reads each new message (one call each), fires
    them oldest first, records each one as handled on disk, and only then deletes them
    on OVH when deletion is on. A failed read fires nothing: the messages already read
    wait in memory for the next poll, so the order holds and nothing is read twice. A
    failed delete is retried at the next poll without firing the message again.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OvhSmsConfigEntry,
        client: OvhSmsClient,
        store: OvhSmsStore,
    ) -> None:
        """Poll at the interval and with the deletion setting of the entry's options."""
        seconds = max(
            int(entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)), MIN_SCAN_INTERVAL
        )
        super().__init__(
            hass, entry, client, name=f"{DOMAIN} inbox", update_interval=timedelta(seconds=seconds)
        )
        self.store = store
        self.delete_received: bool = entry.options.get(
            CONF_DELETE_RECEIVED, DEFAULT_DELETE_RECEIVED
        )
        self._read: dict[int, IncomingSms] = {}
        self._delete_failing = False

    @override
    async def _async_fetch(self) -> list[IncomingSms]:
        # Home Assistant runs one refresh at a time (scheduled or requested by an entity),
        # so two polls never fire the same SMS.
        listed = set(await self.client.async_list_incoming(self.service_name, self.number))
        self.store.prune_handled(listed)
        new = await self._async_read_new(listed)
        for sms in new:
            del self._read[sms.id]
            # Nothing awaits between the event and the record in memory, which is all
            # a later poll looks at; the record is on disk before any delete.
            self._async_fire(sms)
            await self.store.async_mark_handled(sms.id)
        if self.delete_received:
            await self._async_delete_handled(listed)
        return new

    async def _async_read_new(self, listed: set[int]) -> list[IncomingSms]:
        """Read the listed messages not handled yet; all unfired ones, oldest first.

        Raises on the first failed read (a vanished message is skipped): the messages
        read before it stay in memory, so the next poll reads only what is missing. A
        message read but deleted on OVH before it could be fired is still fired.
        """
        for sms_id in sorted(listed - self.store.handled - self._read.keys()):
            try:
                self._read[sms_id] = await self.client.async_get_incoming(
                    self.service_name, self.number, sms_id
                )
            except OvhSmsNotFoundError:
                LOGGER.debug("Received SMS %s was deleted on OVHcloud before it was read", sms_id)
        return sorted(self._read.values(), key=lambda sms: (sms.created, sms.id))

    @callback
    def _async_fire(self, sms: IncomingSms) -> None:
        """Fire the bus event and feed the event entity."""
        received_at = sms.created.isoformat()
        self.hass.bus.async_fire(
            EVENT_RECEIVED,
            {
                "entry_id": self.config_entry.entry_id,
                "service_name": self.service_name,
                "number": self.number,
                "message_id": sms.id,
                "sender": sms.sender,
                "message": sms.message,
                "received_at": received_at,
                "tag": sms.tag,
            },
        )
        attributes: dict[str, Any] = {
            "sender": sms.sender,
            "message": sms.message,
            "received_at": received_at,
            "message_id": sms.id,
        }
        async_dispatcher_send(
            self.hass, SIGNAL_RECEIVED.format(self.config_entry.entry_id), attributes
        )

    async def _async_delete_handled(self, listed: set[int]) -> None:
        """Delete on OVH the handled messages it still lists, oldest id first.

        A failed delete does not fail the poll (the messages were delivered): it is
        logged once and retried at the next poll, and the other deletes wait too, so
        a struggling API gets one failing call per poll. Refused keys still start
        reauthentication.
        """
        for sms_id in sorted(listed & self.store.handled):
            try:
                await self.client.async_delete_incoming(self.service_name, self.number, sms_id)
            except OvhSmsNotFoundError:
                pass  # Already gone: what the delete wanted.
            except OvhSmsAuthError:
                raise
            except OvhSmsError as err:
                if not self._delete_failing:
                    LOGGER.warning(
                        "Cannot delete received SMS %s on OVHcloud, retrying at the next poll: %s",
                        sms_id,
                        err.message,
                    )
                self._delete_failing = True
                return
            if self._delete_failing:
                LOGGER.info("Deleting received SMS on OVHcloud works again")
                self._delete_failing = False
