"""What an entry keeps across reloads and restarts: handled SMS, recent sends, deliveries."""

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

STORAGE_VERSION: Final = 1
# Delivery reports come minutes, at most days, after a send: the last sends are enough.
MAX_RECENT_SENDS: Final = 1000
SAVE_DELAY: Final = 10
# A handled SMS that OVH stops listing is forgotten only after this long: an answer that
# leaves it out for a while (a glitch, a partial list) must not make it new again.
FORGET_AFTER: Final = timedelta(days=1)

DATA_STORES: Final[HassKey[dict[str, OvhSmsStore]]] = HassKey(f"{DOMAIN}_stores")


class _StoredData(TypedDict, total=False):
    handled: list[int]
    # Handled ids OVH no longer lists, and since when (epoch seconds).
    missing: dict[str, float]
    listed_from: str | None
    sent: dict[str, str]
    deliveries: list[dict[str, Any]]


async def async_get_store(hass: HomeAssistant, entry_id: str) -> OvhSmsStore:
    """The entry's store, loaded once and shared by every load of the entry.

    A poll of an unloading entry may still run while the reloaded entry polls: both see
    the same handled ids, and one poll runs at a time (``inbox_lock``).
    """
    stores = hass.data.setdefault(DATA_STORES, {})
    if (store := stores.get(entry_id)) is None:
        store = OvhSmsStore(hass, entry_id)
        await store.async_load()
        stores[entry_id] = store
    return store


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Forget the entry's store and delete its file (the entry is being removed)."""
    store = hass.data.get(DATA_STORES, {}).pop(entry_id, None) or OvhSmsStore(hass, entry_id)
    await store.async_remove()


@dataclass(slots=True)
class PushStats:
    """What OVH's pushes of received SMS gave since Home Assistant started (not on disk)."""

    verified: int = 0
    """Pushes of an SMS that OVH holds, or held, for this number."""
    forged: int = 0
    """Pushes to this entry's URL of an SMS that OVH holds for no number it could be for."""
    unread: int = 0
    """Pushes that could not be checked with OVH (left to the next poll)."""
    last_verified: datetime | None = None
    in_flight: int = 0
    """Pushes to this entry's URL being checked now."""


class OvhSmsStore:
    """Persisted state of one config entry.

    ``handled`` holds the ids of received SMS already fired. The inbox fires a batch of
    messages, adds each id here as it fires it (nothing is awaited in between), and writes
    the batch to disk once, before any of them is deleted on OVH. A failure or a restart
    after that write never fires them again. Only if Home Assistant dies between the
    events and the write is the batch fired again after the restart: at least once in
    that window, never lost. An id is forgotten when it is certainly gone: deleted by the
    inbox, or left out of OVH's list for ``FORGET_AFTER``.

    ``listed_from`` is where the inbox's listing window starts (see the inbox).

    ``sent`` maps the ids of recently sent SMS to their receiver, bounded to the newest
    ``MAX_RECENT_SENDS``, so delivery reports can name the receiver.

    ``deliveries`` holds the sent SMS whose delivery status is read from OVH; their shape
    belongs to ``delivery``, which reads them back leniently. The tracker hands over a
    function rather than a list: the list is built when the file is written (or read back
    by a reloaded tracker), not at every send.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for one entry."""
        self._hass = hass
        self._store: Store[_StoredData] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}", private=True, atomic_writes=True
        )
        # Handled id -> since when OVH no longer lists it (None while it does).
        self._handled: dict[int, float | None] = {}
        self.listed_from: datetime | None = None
        self._sent: OrderedDict[int, str] = OrderedDict()
        self._deliveries: Callable[[], list[dict[str, Any]]] = list
        self._unsaved = False
        # The last write started, which a cancelled caller leaves running.
        self._saving: asyncio.Task[None] | None = None
        # One inbox poll at a time, across reloads of the entry.
        self.inbox_lock = asyncio.Lock()
        # Kept across reloads (saving the options reloads), so the options still show them.
        self.push = PushStats()

    async def async_load(self) -> None:
        """Read what was saved (nothing on the first start)."""
        data = await self._store.async_load()
        if data is None:
            return
        missing = data.get("missing", {})
        self._handled = {
            int(sms_id): missing.get(str(sms_id)) for sms_id in data.get("handled", [])
        }
        if listed_from := data.get("listed_from"):
            self.listed_from = dt_util.parse_datetime(listed_from)
        self._sent = OrderedDict((int(k), v) for k, v in data.get("sent", {}).items())
        deliveries = [d for d in data.get("deliveries", []) if isinstance(d, dict)]
        self._deliveries = deliveries.copy

    def _data(self) -> _StoredData:
        return {
            "handled": sorted(self._handled),
            "missing": {str(k): since for k, since in self._handled.items() if since is not None},
            "listed_from": self.listed_from.isoformat() if self.listed_from else None,
            "sent": {str(k): v for k, v in self._sent.items()},
            "deliveries": self.deliveries,
        }

    @property
    def deliveries(self) -> list[dict[str, Any]]:
        """The sent SMS whose delivery status is read from OVH, as stored."""
        return self._deliveries()

    async def async_save(self) -> None:
        """Write everything now; a cancelled caller does not interrupt the write."""
        self._unsaved = False
        self._saving = self._hass.async_create_task(
            self._store.async_save(self._data()), f"{self._store.key} save", eager_start=True
        )
        await asyncio.shield(self._saving)

    def _delay_save(self) -> None:
        self._unsaved = True
        self._store.async_delay_save(self._data, SAVE_DELAY)

    @property
    def handled(self) -> set[int]:
        """Ids of the received SMS already fired and not known to be gone."""
        return set(self._handled)

    def is_handled(self, sms_id: int) -> bool:
        """Whether this SMS was fired."""
        return sms_id in self._handled

    def mark_handled(self, sms_id: int) -> None:
        """Record an SMS as handled, in memory: ``async_save`` puts it on disk."""
        self._handled[sms_id] = None

    def forget(self, sms_ids: set[int]) -> None:
        """These SMS are gone from OVH for good (deleted): they cannot come back.

        Written with the next write only: an id still on disk after a restart costs one
        more delete, answered 404, and a poll that fires nothing writes nothing.
        """
        if gone := sms_ids & self._handled.keys():
            for sms_id in gone:
                del self._handled[sms_id]
            self._unsaved = True

    def note_listed(self, listed: set[int]) -> None:
        """OVH listed ``listed``: forget handled ids it has left out for long enough."""
        now = dt_util.utcnow().timestamp()
        changed = False
        for sms_id, missing_since in list(self._handled.items()):
            if sms_id in listed:
                if missing_since is not None:
                    self._handled[sms_id] = None
                    changed = True
            elif missing_since is None:
                self._handled[sms_id] = now
                changed = True
            elif now - missing_since >= FORGET_AFTER.total_seconds():
                del self._handled[sms_id]
                changed = True
        if changed:
            self._delay_save()

    def move_window(self, start: datetime) -> None:
        """List from ``start`` on from now; the window never moves back.

        Written with the next write (the batch the inbox fires next): a window lost to a
        restart only makes the next list longer.
        """
        if self.listed_from is None or start > self.listed_from:
            self.listed_from = start
            self._unsaved = True

    def record_sent(self, receivers: dict[int, str]) -> None:
        """Remember the receiver of each sent message id."""
        for message_id, receiver in receivers.items():
            self._sent[message_id] = receiver
            self._sent.move_to_end(message_id)
        while len(self._sent) > MAX_RECENT_SENDS:
            self._sent.popitem(last=False)
        self._delay_save()

    def save_deliveries(self, deliveries: Callable[[], list[dict[str, Any]]]) -> None:
        """Store what ``deliveries`` returns from now on; written with the next delayed save."""
        self._deliveries = deliveries
        self._delay_save()

    def receiver_for(self, message_id: int) -> str | None:
        """The receiver of a message sent by this entry, if it is among the recent ones."""
        return self._sent.get(message_id)

    @property
    def sent_count(self) -> int:
        """How many recent sends are remembered (for diagnostics)."""
        return len(self._sent)

    async def async_flush(self) -> None:
        """The entry is unloading: write what is pending, and wait for a running write.

        A poll cancelled by the unload may leave its write running: it is awaited, so the
        file is complete when the entry is reloaded or removed.
        """
        if self._unsaved:
            await self.async_save()
        elif self._saving is not None:
            await asyncio.wait([self._saving])

    async def async_remove(self) -> None:
        """Delete the stored data (the entry is being removed)."""
        await self.async_flush()
        await self._store.async_remove()
