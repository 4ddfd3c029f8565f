"""What an entry remembers across restarts: handled SMS ids, recent sends, tracked deliveries."""

import asyncio
from collections import OrderedDict
from typing import Any, Final, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN

STORAGE_VERSION: Final = 1
# Delivery reports come minutes, at most days, after a send: the last sends are enough.
MAX_RECENT_SENDS: Final = 1000
SAVE_DELAY: Final = 10


class _StoredData(TypedDict):
    handled: list[int]
    sent: dict[str, str]
    deliveries: list[dict[str, Any]]


class OvhSmsStore:
    """Persisted state of one config entry.

    ``handled`` holds the ids of received SMS already fired. The inbox fires a message and
    at once calls ``async_mark_handled``, which adds the id here before it awaits anything
    and writes it to disk before the message is deleted on OVH. A failure or a restart
    after that write never fires the message again. Only if Home Assistant dies between
    the event and the disk write (a few milliseconds) is the message fired again after the
    restart: at least once in that window, never lost. Ids are pruned once they leave OVH's
    list, which keeps the set as small as the OVH inbox.

    ``sent`` maps the ids of recently sent SMS to their receiver, bounded to the newest
    ``MAX_RECENT_SENDS``, so delivery reports can name the receiver.

    ``deliveries`` holds the sent SMS whose delivery status is read from OVH; their shape
    belongs to ``delivery``, which reads them back leniently.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for one entry."""
        self._hass = hass
        self._store: Store[_StoredData] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}", private=True, atomic_writes=True
        )
        self.handled: set[int] = set()
        self._sent: OrderedDict[int, str] = OrderedDict()
        self.deliveries: list[dict[str, Any]] = []
        self._unsaved = False
        # The last write started, which a cancelled caller leaves running.
        self._saving: asyncio.Task[None] | None = None
        # Set once the entry unloads: no more delayed writes from this object.
        self._flushed = False

    async def async_load(self) -> None:
        """Read what was saved (nothing on the first start)."""
        data = await self._store.async_load()
        if data is None:
            return
        self.handled = {int(i) for i in data.get("handled", [])}
        self._sent = OrderedDict((int(k), v) for k, v in data.get("sent", {}).items())
        self.deliveries = [d for d in data.get("deliveries", []) if isinstance(d, dict)]

    def _data(self) -> _StoredData:
        return {
            "handled": sorted(self.handled),
            "sent": {str(k): v for k, v in self._sent.items()},
            "deliveries": self.deliveries,
        }

    async def _async_save(self) -> None:
        """Write everything now; a cancelled caller does not interrupt the write."""
        self._unsaved = False
        self._saving = self._hass.async_create_task(
            self._store.async_save(self._data()), f"{self._store.key} save", eager_start=True
        )
        await asyncio.shield(self._saving)

    def _delay_save(self) -> None:
        self._unsaved = True
        if not self._flushed:
            self._store.async_delay_save(self._data, SAVE_DELAY)

    async def async_mark_handled(self, sms_id: int) -> None:
        """Record an SMS as handled: in memory at once, on disk when this returns."""
        self.handled.add(sms_id)
        await self._async_save()

    def prune_handled(self, listed: set[int]) -> None:
        """Forget handled ids that OVH no longer lists (they cannot come back)."""
        if gone := self.handled - listed:
            self.handled -= gone
            self._delay_save()

    def record_sent(self, receivers: dict[int, str]) -> None:
        """Remember the receiver of each sent message id."""
        for message_id, receiver in receivers.items():
            self._sent[message_id] = receiver
            self._sent.move_to_end(message_id)
        while len(self._sent) > MAX_RECENT_SENDS:
            self._sent.popitem(last=False)
        self._delay_save()

    def save_deliveries(self, deliveries: list[dict[str, Any]]) -> None:
        """Replace the tracked deliveries; written with the next delayed save."""
        self.deliveries = deliveries
        self._delay_save()

    def receiver_for(self, message_id: int) -> str | None:
        """The receiver of a message sent by this entry, if it is among the recent ones."""
        return self._sent.get(message_id)

    @property
    def sent_count(self) -> int:
        """How many recent sends are remembered (for diagnostics)."""
        return len(self._sent)

    async def async_flush(self) -> None:
        """The entry is unloading: write what is pending and let no later write land.

        A poll cancelled by the unload may leave its write running: it is awaited, so the
        reloaded entry reads it. A send that finishes after the unload only changes this
        object; a delayed write from it would overwrite what the reloaded entry saved.
        """
        self._flushed = True
        if self._unsaved:
            await self._async_save()
        elif self._saving is not None:
            await asyncio.wait([self._saving])

    async def async_remove(self) -> None:
        """Delete the stored data (the entry is being removed)."""
        await self._store.async_remove()
