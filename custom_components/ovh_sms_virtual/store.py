"""What an entry remembers across restarts: handled SMS ids and recent sends."""

from collections import OrderedDict
from typing import Final, TypedDict

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


class OvhSmsStore:
    """Persisted state of one config entry.

    ``handled`` holds the ids of received SMS already fired. An id is saved to disk before
    the message is deleted on OVH, so a failure or restart between the two never fires a
    message twice; ids are pruned once they leave OVH's list, which keeps the set bounded.
    ``sent`` maps the ids of recently sent SMS to their receiver, bounded to the newest
    ``MAX_RECENT_SENDS``, so delivery reports can name the receiver.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for one entry."""
        self._store: Store[_StoredData] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}", private=True, atomic_writes=True
        )
        self.handled: set[int] = set()
        self._sent: OrderedDict[int, str] = OrderedDict()

    async def async_load(self) -> None:
        """Read what was saved (nothing on the first start)."""
        data = await self._store.async_load()
        if data is None:
            return
        self.handled = {int(i) for i in data.get("handled", [])}
        self._sent = OrderedDict((int(k), v) for k, v in data.get("sent", {}).items())

    def _data(self) -> _StoredData:
        return {
            "handled": sorted(self.handled),
            "sent": {str(k): v for k, v in self._sent.items()},
        }

    async def async_mark_handled(self, sms_id: int) -> None:
        """Record an SMS as handled and write it to disk now."""
        self.handled.add(sms_id)
        await self._store.async_save(self._data())

    def prune_handled(self, listed: set[int]) -> None:
        """Forget handled ids that OVH no longer lists (they cannot come back)."""
        if gone := self.handled - listed:
            self.handled -= gone
            self._store.async_delay_save(self._data, SAVE_DELAY)

    def record_sent(self, receivers: dict[int, str]) -> None:
        """Remember the receiver of each sent message id."""
        for message_id, receiver in receivers.items():
            self._sent[message_id] = receiver
            self._sent.move_to_end(message_id)
        while len(self._sent) > MAX_RECENT_SENDS:
            self._sent.popitem(last=False)
        self._store.async_delay_save(self._data, SAVE_DELAY)

    def receiver_for(self, message_id: int) -> str | None:
        """The receiver of a message sent by this entry, if it is among the recent ones."""
        return self._sent.get(message_id)

    async def async_remove(self) -> None:
        """Delete the stored data (the entry is being removed)."""
        await self._store.async_remove()
