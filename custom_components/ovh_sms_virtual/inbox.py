"""Received SMS, polled or pushed by OVH: each message fired exactly once, in order."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .api import (
    IncomingSms,
    OvhSmsAuthError,
    OvhSmsClient,
    OvhSmsError,
    OvhSmsMalformedError,
    OvhSmsNotFoundError,
)
from .const import (
    CONF_DELETE_RECEIVED,
    CONF_PUSH_SCAN_INTERVAL,
    CONF_SCAN_INTERVAL,
    DEFAULT_DELETE_RECEIVED,
    DEFAULT_PUSH_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    EVENT_RECEIVED,
    LOGGER,
    MIN_SCAN_INTERVAL,
    SIGNAL_RECEIVED,
)
from .coordinator import OvhSmsConfigEntry, OvhSmsCoordinator, backoff
from .push import PushOutcome, PushPace, push_reaches
from .store import OvhSmsStore

# A poll's calls are bounded, so that it ends and a backlog moves on at every poll.
MAX_READS_PER_POLL: Final = 100
MAX_DELETES_PER_POLL: Final = 100
# Failed calls in a row that end a poll's reads or deletes: OVH is struggling or asks to
# slow down (429), the next poll goes on.
MAX_FAILED_IN_A_ROW: Final = 3
# A message OVH keeps failing to serve holds the newer ones back this long, and this many
# tries (a few failures in a row, or polls that never got to it, are not enough).
MAX_HOLD: Final = timedelta(minutes=10)
MAX_HOLD_TRIES: Final = 10
# Polls between two tries of a message that no longer holds the others back, at most.
MAX_RETRY_POLLS: Final = 64
# How far back the listing window reaches behind the newest SMS fired.
WINDOW_MARGIN: Final = timedelta(days=1)


@dataclass(slots=True)
class _Failing:
    """A listed message that could not be read yet."""

    since: datetime
    tries: int = 0
    given_up_waiting: bool = False
    """The newer messages no longer wait for it; it is still tried now and then."""
    tries_since: int = 0
    """Failed tries since then: each one doubles the polls until the next one."""
    next_poll: int = 0


class OvhSmsInboxCoordinator(OvhSmsCoordinator[None]):
    """Polls the virtual number's inbox and fires each SMS once, oldest first.

    A poll lists the inbox (one call), reads at most ``MAX_READS_PER_POLL`` new messages,
    oldest id first, and fires, in creation order, those read messages that no unread
    older one precedes: a failed read holds back only the newer messages, never the
    poll, and the next poll reads only what is missing. The fired batch is recorded as
    handled in one write, then handled messages are deleted on OVH when deletion is on.

    A message OVH fails to serve for ``MAX_HOLD`` and ``MAX_HOLD_TRIES`` (or at once, when
    its record is not its record at all) is reported once and stops holding the others
    back; it is still tried now and then while OVH lists it, and fired late if it can be
    read one day.

    The list reaches back to ``WINDOW_MARGIN`` before the newest message fired, once
    every older listed message is handled: with deletion off, OVH keeps months of
    history, and an idle poll stays one small call.

    A push of a received SMS (``async_verify_push``) is read from OVH by its id, kept with
    the read messages, and followed by a poll at once: the same rules then fire it, after
    any older message. While the account pushes to Home Assistant and the pushes are
    relied on (``PushPace``), the poll runs at the slower push interval.
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
        self._normal_interval = timedelta(seconds=seconds)
        # Never faster than the normal pace.
        self._push_interval = timedelta(
            seconds=max(
                int(entry.options.get(CONF_PUSH_SCAN_INTERVAL, DEFAULT_PUSH_SCAN_INTERVAL)),
                seconds,
            )
        )
        super().__init__(
            hass, entry, client, name=f"{DOMAIN} inbox", update_interval=self._normal_interval
        )
        self.store = store
        self.delete_received: bool = entry.options.get(
            CONF_DELETE_RECEIVED, DEFAULT_DELETE_RECEIVED
        )
        self._read: dict[int, IncomingSms] = {}
        self._failing: dict[int, _Failing] = {}
        self._polls = 0
        self._newest: datetime | None = None
        self._delete_failing = False
        self._stopping = False
        self.pace = PushPace()
        self._verifying: set[int] = set()
        self._poll_after_push = False
        self._polling_after_push = False

    @override
    async def async_shutdown(self) -> None:
        """The entry unloads: a poll still running fires nothing more (the next load will)."""
        self._stopping = True
        await super().async_shutdown()

    @override
    async def _async_fetch(self) -> None:
        # One poll at a time, also across a reload: a poll an entity asked for may still
        # run in the unloading entry while the reloaded one starts.
        async with self.store.inbox_lock:
            if not self._stopping:
                await self._async_poll()

    async def _async_poll(self) -> None:
        self._polls += 1
        listed = set(
            await self.client.async_list_incoming(
                self.service_name, self.number, self.store.listed_from
            )
        )
        self.store.note_listed(listed)
        for sms_id in self._failing.keys() - listed:
            del self._failing[sms_id]
        holding = await self._async_read_new(listed)
        ready = [sms for sms in self._read.values() if holding is None or sms.id < holding]
        for sms in ready:
            del self._read[sms.id]
        if self._stopping:
            return
        if holding is None:
            # Every message read is in the batch (and written with it).
            self._move_window(ready)
        fired = await self.async_deliver(sorted(ready, key=lambda sms: (sms.created, sms.id)))
        if not self._stopping:
            reaches = push_reaches(self.hass, self.config_entry)
            self.pace.polled([sms.id for sms in fired], watching=reaches)
            # Messages read but not fired, or failing reads the others wait for, exist
            # only behind ``holding``.
            self._set_pace(waiting=holding is not None, reaches=reaches)
            if self.delete_received:
                await self._async_delete_handled()

    async def _async_read_new(self, listed: set[int]) -> int | None:
        """Read listed messages not read yet, oldest id first, within the poll's bounds.

        Returns the oldest id still unread that the newer messages wait for, if any. A
        message deleted on OVH before it could be read is skipped. Refused keys fail the
        poll (and start reauthentication).
        """
        unread = sorted(
            sms_id
            for sms_id in listed
            if sms_id not in self._read and not self.store.is_handled(sms_id)
        )
        holding: int | None = None
        reads = failed_in_a_row = 0
        for sms_id in unread:
            failing = self._failing.get(sms_id)
            waited_for = failing is None or not failing.given_up_waiting
            if failing is not None and not waited_for and failing.next_poll > self._polls:
                continue
            if reads >= MAX_READS_PER_POLL or failed_in_a_row >= MAX_FAILED_IN_A_ROW:
                if waited_for:
                    return sms_id if holding is None else holding
                continue
            reads += 1
            try:
                sms = await self.client.async_get_incoming(self.service_name, self.number, sms_id)
            except OvhSmsNotFoundError:
                LOGGER.debug("Received SMS %s was deleted on OVHcloud before it was read", sms_id)
                self._failing.pop(sms_id, None)
                continue
            except OvhSmsAuthError:
                raise
            except OvhSmsError as err:
                # A record OVH served, however odd, says nothing about how OVH is doing.
                if not isinstance(err, OvhSmsMalformedError):
                    failed_in_a_row += 1
                if self._read_failed(sms_id, err) and holding is None:
                    holding = sms_id
                continue
            failed_in_a_row = 0
            if not waited_for:
                LOGGER.warning("Received SMS %s could be read at last: it is fired late", sms_id)
            self._failing.pop(sms_id, None)
            self._read[sms_id] = sms
        return holding

    def _read_failed(self, sms_id: int, err: OvhSmsError) -> bool:
        """Count a failed read; whether the newer messages still wait for this one."""
        now = dt_util.utcnow()
        failing = self._failing.setdefault(sms_id, _Failing(since=now))
        failing.tries += 1
        if not failing.given_up_waiting and (
            isinstance(err, OvhSmsMalformedError)
            or (now - failing.since >= MAX_HOLD and failing.tries >= MAX_HOLD_TRIES)
        ):
            failing.given_up_waiting = True
            LOGGER.warning(
                "Received SMS %s cannot be read from OVHcloud (%s): the newer SMS no longer "
                "wait for it. It is tried again now and then, and fired late if it can be read",
                sms_id,
                err.message,
            )
        if not failing.given_up_waiting:
            LOGGER.debug("Cannot read received SMS %s yet: %s", sms_id, err.message)
            return True
        failing.tries_since += 1
        failing.next_poll = self._polls + int(backoff(2, failing.tries_since, MAX_RETRY_POLLS))
        return False

    async def async_deliver(self, batch: Iterable[IncomingSms]) -> list[IncomingSms]:
        """Fire each SMS of ``batch`` not handled yet, in order; record them in one write.

        The one path by which a received SMS is fired. The handled record is consulted
        and updated as each SMS fires, with nothing awaited in between, so a concurrent
        poll (or push) cannot fire it again; it is on disk when this returns, before any
        delete. An unloading entry fires nothing: the reloaded one will. Returns the SMS
        fired.
        """
        if self._stopping:
            return []
        fired: list[IncomingSms] = []
        for sms in batch:
            if self.store.is_handled(sms.id):
                continue
            self._async_fire(sms)
            self.store.mark_handled(sms.id)
            fired.append(sms)
            if sms.oddities:
                LOGGER.warning(
                    "Received SMS %s had an odd record on OVHcloud: %s",
                    sms.id,
                    "; ".join(sms.oddities),
                )
        if fired:
            await self.store.async_save()
        return fired

    async def async_verify_push(self, sms_id: int) -> PushOutcome:
        """OVH pushed SMS ``sms_id``, maybe for this number: read it, then poll at once.

        One ``GET .../incoming/{id}`` at most, none for an SMS this entry has already: an id
        OVH does not hold for this number costs that one call and fires nothing. The SMS
        read is kept with the messages a poll read, and the poll that follows fires it
        after any older message still waiting. A failed read leaves it to the next poll.
        """
        stats = self.store.push
        if self._has(sms_id):
            return self._known_pushed(sms_id)
        self._verifying.add(sms_id)
        try:
            async with self.store.inbox_lock:
                if self._stopping:
                    stats.unread += 1
                    return PushOutcome.UNREAD
                # A poll may have read or fired it while this push waited.
                if self._fired(sms_id) or sms_id in self._read:
                    return self._known_pushed(sms_id)
                try:
                    sms = await self.client.async_get_incoming(
                        self.service_name, self.number, sms_id
                    )
                except OvhSmsNotFoundError:
                    return PushOutcome.NOT_HELD
                except OvhSmsError as err:
                    LOGGER.debug(
                        "Cannot read pushed SMS %s, left to the next poll: %s",
                        sms_id,
                        err.message,
                    )
                    stats.unread += 1
                    return PushOutcome.UNREAD
                self._failing.pop(sms_id, None)
                self._read[sms_id] = sms
                self._count_verified()
                self.pace.pushed(sms_id, fired=False)
        finally:
            self._verifying.discard(sms_id)
        self._async_poll_after_push()
        return PushOutcome.CONFIRMED

    def _fired(self, sms_id: int) -> bool:
        """Whether this SMS was fired (a deleted one is no longer in the handled ids)."""
        return self.store.is_handled(sms_id) or self.pace.was_fired(sms_id)

    def _has(self, sms_id: int) -> bool:
        """Whether this SMS is fired, read, or being checked after another push."""
        return self._fired(sms_id) or sms_id in self._read or sms_id in self._verifying

    def _known_pushed(self, sms_id: int) -> PushOutcome:
        """A push of an SMS this entry has: it was real, and maybe later than a poll."""
        self._count_verified()
        self.pace.pushed(sms_id, fired=self._fired(sms_id))
        return PushOutcome.KNOWN

    def _count_verified(self) -> None:
        stats = self.store.push
        stats.verified += 1
        stats.last_verified = dt_util.utcnow()

    @callback
    def _async_poll_after_push(self) -> None:
        """Poll now, once more after a poll that runs (pushes in a burst share polls)."""
        self._poll_after_push = True
        if self._polling_after_push or self._stopping:
            return
        self._polling_after_push = True
        self.config_entry.async_create_background_task(
            self.hass, self._async_polls_after_push(), f"{DOMAIN} poll after a push"
        )

    async def _async_polls_after_push(self) -> None:
        try:
            while self._poll_after_push and not self._stopping:
                self._poll_after_push = False
                await self.async_refresh()
        finally:
            self._polling_after_push = False

    def _set_pace(self, *, waiting: bool, reaches: bool) -> None:
        """The slower interval while pushes reach Home Assistant (``reaches``), relied on.

        Never while SMS wait (``waiting``: a backlog, a read failing): no push comes for
        them. Set during a poll, so the next one is scheduled with it.
        """
        slow = not waiting and self.pace.reliable() and reaches
        interval = self._push_interval if slow else self._normal_interval
        if interval != self.update_interval:
            LOGGER.debug("The inbox is polled every %d s now", interval.total_seconds())
            self.update_interval = interval

    def _move_window(self, ready: list[IncomingSms]) -> None:
        """Every listed SMS is handled: list from ``WINDOW_MARGIN`` before the newest on.

        Creation times are OVH's clock; Home Assistant's clock only caps a date that lies
        in the future. Before any SMS is fired, the window starts once, from now.
        """
        for sms in ready:
            if self._newest is None or sms.created > self._newest:
                self._newest = sms.created
        if self._newest is None and self.store.listed_from is not None:
            return
        now = dt_util.utcnow()
        newest = now if self._newest is None else min(self._newest, now)
        self.store.move_window(newest - WINDOW_MARGIN)

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

    async def _async_delete_handled(self) -> None:
        """Delete on OVH the handled messages, oldest id first, listed or not.

        A delete answered 2xx or 404 proves the message gone: it is forgotten. A failed
        delete does not fail the poll (the messages were delivered): it is retried at the
        next poll, and a few failures in a row end this poll's deletes. The first failure
        is logged, and the return to normal. Refused keys still start reauthentication.
        """
        gone: set[int] = set()
        failed = failed_in_a_row = 0
        try:
            for sms_id in sorted(self.store.handled)[:MAX_DELETES_PER_POLL]:
                if failed_in_a_row >= MAX_FAILED_IN_A_ROW:
                    break
                try:
                    await self.client.async_delete_incoming(self.service_name, self.number, sms_id)
                except OvhSmsNotFoundError:
                    pass  # Already gone: what the delete wanted.
                except OvhSmsAuthError:
                    raise
                except OvhSmsError as err:
                    if not self._delete_failing:
                        LOGGER.warning(
                            "Cannot delete received SMS %s on OVHcloud, retrying at the next "
                            "poll: %s",
                            sms_id,
                            err.message,
                        )
                    self._delete_failing = True
                    failed += 1
                    failed_in_a_row += 1
                    continue
                failed_in_a_row = 0
                gone.add(sms_id)
        finally:
            self.store.forget(gone)
        if self._delete_failing and not failed:
            LOGGER.info("Deleting received SMS on OVHcloud works again")
            self._delete_failing = False
