"""Delivery status: published from the webhook's reports, or read from OVH when none can come.

OVH reports each status change of a sent SMS by calling the account's ``callBack`` URL.
That works only when the entry's webhook has a URL reachable from the internet *and* the
account's ``callBack`` points at it. Otherwise no report can arrive, so the status of each
SMS sent through the entry is read from OVH (``GET .../outgoing/{id}``) for a bounded time:

- each tracked SMS is read on a schedule that backs off (``CHECK_INTERVALS``, then every
  ``LATER_INTERVAL``) until it reaches a final status (delivered or failed) or its validity
  period has passed (``validityPeriod``, OVH's default 2880 minutes at most, plus
  ``GRACE``); a 404 means OVH has not recorded it yet, never a failure;
- one call per due SMS, none when nothing is due, at most ``MAX_CALLS_PER_MINUTE`` calls a
  minute for all of them, at most ``MAX_TRACKED`` SMS tracked;
- an event fires only when the status or the DLR id differs from the last one published
  for that SMS (by either path), so polling never repeats a status;
- the tracked SMS and their last status live in the entry's store: a restart or a reload
  goes on where it stopped.

Both paths publish through ``async_publish_report``, so their events carry the same fields.
"""

import asyncio
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
import math
from typing import Any, Final
from urllib.parse import urlsplit

from homeassistant.components.webhook import async_generate_path
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .api import (
    OutgoingSms,
    OvhSmsAuthError,
    OvhSmsClient,
    OvhSmsError,
    OvhSmsNotFoundError,
    SmsJob,
)
from .const import (
    CONF_NUMBER,
    CONF_SERVICE_NAME,
    CONF_WEBHOOK_ID,
    DELIVERY_STATUSES,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    LOGGER,
    SIGNAL_DELIVERY,
)
from .coordinator import OvhSmsAccountCoordinator, OvhSmsConfigEntry, backoff
from .delivery_report import (
    FINAL_STATUSES,
    MAX_CODE,
    MAX_MESSAGE_ID,
    STATUS_FAILED,
    DeliveryReport,
    bounded_int,
    outgoing_report,
)
from .store import OvhSmsStore

MODE_WEBHOOK: Final = "webhook"
MODE_POLLING: Final = "polling"

# Seconds from the send to the first read, then between reads; then LATER_INTERVAL.
CHECK_INTERVALS: Final = (15, 30, 60, 120, 300, 900, 1800)
LATER_INTERVAL: Final = 3600
# OVH's default validity period, also the longest one followed (minutes).
MAX_VALIDITY: Final = 2880
# OVH may report an expiry (DLR 2 or 16) a little after the validity period.
GRACE: Final = 3600
# SMS deferred further than this (minutes) are not followed.
MAX_DIFFERED: Final = 7 * 24 * 60
MAX_WINDOW: Final = MAX_DIFFERED * 60 + MAX_VALIDITY * 60 + GRACE
MAX_TRACKED: Final = 500
MAX_CALLS_PER_MINUTE: Final = 20
# While OVH fails: 30 s, then twice as long each time, up to 30 minutes.
FAILURE_BACKOFF: Final = 30
MAX_FAILURE_BACKOFF: Final = 1800
# Texts of the SMS last reported failed, kept for the "delivery failed" triggers.
MAX_FAILED_TEXTS: Final = 32


@callback
def async_publish_report(
    hass: HomeAssistant, entry: OvhSmsConfigEntry, report: DeliveryReport, receiver: str | None
) -> None:
    """Fire the bus event and update the delivery-status entity."""
    attributes: dict[str, Any] = {
        "message_id": report.message_id,
        "receiver": receiver,
        "dlr": report.dlr,
        "ptt": report.ptt,
        "description": report.description,
    }
    hass.bus.async_fire(
        EVENT_DELIVERY_STATUS,
        {
            "entry_id": entry.entry_id,
            "service_name": entry.data[CONF_SERVICE_NAME],
            "number": entry.data[CONF_NUMBER],
            **attributes,
            "status": report.status,
            "date": report.date,
        },
    )
    async_dispatcher_send(hass, SIGNAL_DELIVERY.format(entry.entry_id), report.status, attributes)


def _now() -> float:
    return dt_util.utcnow().timestamp()


def _interval(checks: int) -> int:
    """Seconds to wait after the ``checks``-th read of an SMS."""
    return CHECK_INTERVALS[checks] if checks < len(CHECK_INTERVALS) else LATER_INTERVAL


def _moment(value: object) -> float | None:
    """A stored timestamp, else None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


@dataclass(slots=True)
class _Tracked:
    """A sent SMS whose status is read from OVH, and the last status published for it."""

    message_id: int
    until: float
    due: float
    checks: int = 0
    status: str | None = None
    dlr: int | None = None

    def as_stored(self) -> dict[str, Any]:
        return {
            "id": self.message_id,
            "until": self.until,
            "due": self.due,
            "checks": self.checks,
            "status": self.status,
            "dlr": self.dlr,
        }

    @classmethod
    def from_stored(cls, data: dict[str, Any], now: float) -> _Tracked | None:
        """Read one stored SMS back; None when it is unreadable or no longer followed.

        The times are kept within what a send can ask for, so a damaged file cannot
        schedule a read beyond what a date can hold.
        """
        message_id = bounded_int(data.get("id"), MAX_MESSAGE_ID)
        until = _moment(data.get("until"))
        due = _moment(data.get("due"))
        if message_id is None or until is None or due is None or until <= now:
            return None
        until = min(until, now + MAX_WINDOW)
        status = data.get("status")
        return cls(
            message_id=message_id,
            until=until,
            due=min(due, until),
            checks=bounded_int(data.get("checks"), 2**31) or 0,
            status=status if status in DELIVERY_STATUSES else None,
            dlr=bounded_int(data.get("dlr"), MAX_CODE),
        )


def _points_here(callback_url: str, account_callback: str, webhook_id: str) -> bool:
    """Whether the account's ``callBack`` reaches this entry's webhook.

    It does when it is the entry's URL, or another address of the same webhook (a name
    the user gave the same Home Assistant).
    """
    if account_callback == callback_url:
        return True
    return urlsplit(account_callback).path.rstrip("/") == async_generate_path(webhook_id)


class OvhSmsDeliveryTracker:
    """Publishes the delivery reports of one entry, and reads them from OVH when needed."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OvhSmsConfigEntry,
        client: OvhSmsClient,
        store: OvhSmsStore,
        account: OvhSmsAccountCoordinator,
    ) -> None:
        """Bind to the entry and take back what the store kept."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.store = store
        self.account = account
        self._service: str = entry.data[CONF_SERVICE_NAME]
        self._number: str = entry.data[CONF_NUMBER]
        self._tracked: dict[int, _Tracked] = {}
        now = _now()
        for data in store.deliveries[-MAX_TRACKED:]:
            if (tracked := _Tracked.from_stored(data, now)) is not None:
                self._tracked[tracked.message_id] = tracked
        self._calls: deque[float] = deque()
        # Failed reads since the last one that worked.
        self._failures = 0
        self._resume_at = 0.0
        self._auth_failed = False
        self._overflowed = False
        self._stopped = False
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._timer_at = 0.0
        self._run_task: asyncio.Task[None] | None = None
        # The text of each SMS last reported failed: read, or being read, once for all.
        self._failed_texts: dict[int, asyncio.Future[str | None]] = {}

    @property
    def mode(self) -> str:
        """``webhook`` when OVH's reports reach this entry, else ``polling``."""
        url = self.entry.runtime_data.callback_url
        account = self.account.data
        if url is None or account is None or account.callback is None:
            return MODE_POLLING
        if _points_here(url, account.callback, self.entry.data[CONF_WEBHOOK_ID]):
            return MODE_WEBHOOK
        return MODE_POLLING

    @property
    def tracked_count(self) -> int:
        """How many sent SMS are being followed."""
        return len(self._tracked)

    @property
    def failing(self) -> bool:
        """Whether reading from OVH fails (no read has worked since the last failure)."""
        return self._failures > 0

    @callback
    def async_start(self) -> None:
        """Schedule the reads of what the store kept; stop them when the entry unloads."""
        self.entry.async_on_unload(self._async_stop)
        self._async_schedule()

    async def _async_stop(self) -> None:
        """No more reads; hand the store what is known now, before it is written.

        The store's final write runs alongside this (unload callbacks start one after
        the other without waiting), so the state goes to the store first; a read cut
        short changes nothing after that.
        """
        self._stopped = True
        self._cancel_timer()
        self._save()
        if (task := self._run_task) is not None:
            task.cancel()
            await asyncio.wait([task])

    @callback
    def async_track(self, message_ids: Iterable[int], job: SmsJob) -> None:
        """Follow the SMS of a job just accepted, unless their reports reach the webhook."""
        differed = job.differed_period or 0
        if self._stopped or self.mode == MODE_WEBHOOK or differed > MAX_DIFFERED:
            return
        start = _now() + differed * 60
        until = start + min(job.validity_period or MAX_VALIDITY, MAX_VALIDITY) * 60 + GRACE
        for message_id in message_ids:
            self._tracked[message_id] = _Tracked(
                message_id, until=until, due=start + CHECK_INTERVALS[0]
            )
        while len(self._tracked) > MAX_TRACKED:
            del self._tracked[next(iter(self._tracked))]
            if not self._overflowed:
                LOGGER.warning(
                    "More than %s sent SMS wait for a delivery status: the oldest are no "
                    "longer followed",
                    MAX_TRACKED,
                )
                self._overflowed = True
        self._save()
        # A timer set already wakes up no later than these SMS are due.
        if self._unsub_timer is None or start + CHECK_INTERVALS[0] < self._timer_at:
            self._async_schedule()

    @callback
    def async_webhook_report(self, report: DeliveryReport) -> None:
        """Publish a report OVH sent to the webhook; a followed SMS needs no read for it."""
        async_publish_report(
            self.hass, self.entry, report, self.store.receiver_for(report.message_id)
        )
        if (tracked := self._tracked.get(report.message_id)) is None:
            return
        tracked.status, tracked.dlr = report.status, report.dlr
        if report.status in FINAL_STATUSES:
            del self._tracked[report.message_id]
        self._save()
        self._async_schedule()

    async def async_failed_text(self, message_id: int) -> str | None:
        """The text of an SMS reported failed, as OVH keeps it (None when OVH cannot say).

        Every trigger that fires for the report shares one read; a status read from OVH
        came with the text, and needs none.
        """
        if (text := self._failed_texts.get(message_id)) is None:
            text = self.hass.async_create_task(self._async_read_failed_text(message_id))
            self._keep_failed_text(message_id, text)
        # A caller cancelled does not cancel the read the others wait for.
        return await asyncio.shield(text)

    async def _async_read_failed_text(self, message_id: int) -> str | None:
        try:
            outgoing = await self.client.async_get_outgoing(self._service, self._number, message_id)
        except OvhSmsError as err:
            LOGGER.warning(
                "Cannot read the text of undelivered SMS %s from OVHcloud: %s",
                message_id,
                err.message,
            )
            # A later report reads it again.
            if self._failed_texts.get(message_id) is asyncio.current_task():
                del self._failed_texts[message_id]
            return None
        return outgoing.message

    def _keep_failed_text(self, message_id: int, text: asyncio.Future[str | None]) -> None:
        self._failed_texts.pop(message_id, None)
        self._failed_texts[message_id] = text
        while len(self._failed_texts) > MAX_FAILED_TEXTS:
            del self._failed_texts[next(iter(self._failed_texts))]

    def _save(self) -> None:
        # Once stopped, what is known is handed over as a list: the store, which outlives
        # this load of the entry, must not keep the tracker alive.
        self.store.save_deliveries(self._stored().copy if self._stopped else self._stored)

    def _stored(self) -> list[dict[str, Any]]:
        return [tracked.as_stored() for tracked in self._tracked.values()]

    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    def _budget_free_at(self, now: float) -> float:
        """When another call fits in the per-minute budget (``now`` or earlier: at once)."""
        while self._calls and self._calls[0] <= now - 60:
            self._calls.popleft()
        return self._calls[0] + 60 if len(self._calls) >= MAX_CALLS_PER_MINUTE else now

    @callback
    def _async_schedule(self) -> None:
        """Wake up when the next read is due (a run under way schedules when it ends)."""
        self._cancel_timer()
        if self._stopped or self._auth_failed or self._run_task is not None:
            return
        if not self._tracked:
            return
        now = _now()
        when = max(
            min(tracked.due for tracked in self._tracked.values()),
            self._resume_at,
            self._budget_free_at(now),
        )
        self._timer_at = when
        self._unsub_timer = async_track_point_in_utc_time(
            self.hass, self._async_wake_up, dt_util.utc_from_timestamp(when)
        )

    @callback
    def _async_wake_up(self, _when: datetime) -> None:
        self._unsub_timer = None
        task = self.entry.async_create_background_task(
            self.hass, self._async_run(), f"{DOMAIN} delivery status"
        )
        # The task starts eagerly and may already be over (its end rescheduled).
        if not task.done():
            self._run_task = task

    async def _async_run(self) -> None:
        try:
            await self._async_read_due()
        finally:
            self._run_task = None
            self._save()
            self._async_schedule()

    async def _async_read_due(self) -> None:
        """Read each due SMS once, oldest due first, within the budget.

        A failure ends the run: the other due SMS wait for the back-off.
        """
        now = _now()
        due = sorted(
            (tracked for tracked in self._tracked.values() if tracked.due <= now),
            key=lambda tracked: (tracked.due, tracked.message_id),
        )
        if self.mode == MODE_WEBHOOK:
            # OVH reports to the webhook now: the SMS followed before stop costing calls.
            for tracked in due:
                self._advance(tracked, now)
            return
        for tracked in due:
            if not self._follows(tracked):
                continue  # A webhook report ended it during an earlier read of this run.
            now = _now()
            if self._budget_free_at(now) > now:
                return
            self._calls.append(now)
            try:
                outgoing = await self.client.async_get_outgoing(
                    self._service, self._number, tracked.message_id
                )
            except OvhSmsNotFoundError:
                outgoing = None  # Not recorded by OVH yet.
            except OvhSmsAuthError as err:
                self._auth_failed = True
                LOGGER.warning(
                    "OVHcloud refused the API keys while reading delivery statuses: %s",
                    err.message,
                )
                self.entry.async_start_reauth(self.hass)
                return
            except OvhSmsError as err:
                if self._follows(tracked):
                    self._advance(tracked, _now())
                self._failed(err)
                return
            self._recovered()
            # A webhook report may have ended the tracking during the call.
            if not self._follows(tracked):
                continue
            if outgoing is not None and self._observe(tracked, outgoing):
                continue
            self._advance(tracked, _now())

    def _follows(self, tracked: _Tracked) -> bool:
        """Whether the SMS is still followed (a webhook report may have ended it)."""
        return self._tracked.get(tracked.message_id) is tracked

    def _observe(self, tracked: _Tracked, outgoing: OutgoingSms) -> bool:
        """Publish what OVH's record says if it changed; True when the status is final."""
        report = outgoing_report(
            tracked.message_id, outgoing.delivery_receipt, outgoing.ptt, outgoing.delivered_at
        )
        if (report.status, report.dlr) != (tracked.status, tracked.dlr):
            tracked.status, tracked.dlr = report.status, report.dlr
            receiver = self.store.receiver_for(tracked.message_id) or outgoing.receiver
            if report.status == STATUS_FAILED:
                text: asyncio.Future[str | None] = self.hass.loop.create_future()
                text.set_result(outgoing.message)
                self._keep_failed_text(tracked.message_id, text)
            async_publish_report(self.hass, self.entry, report, receiver)
            self._save()
        if report.status in FINAL_STATUSES:
            del self._tracked[tracked.message_id]
            return True
        return False

    def _advance(self, tracked: _Tracked, now: float) -> None:
        """Plan the next read of an SMS just read, or stop once its time is up."""
        tracked.checks += 1
        if now >= tracked.until:
            del self._tracked[tracked.message_id]
            return
        tracked.due = min(now + _interval(tracked.checks), tracked.until)

    def _failed(self, err: OvhSmsError) -> None:
        if not self.failing:
            LOGGER.warning(
                "Cannot read the delivery status of sent SMS from OVHcloud, trying again later: %s",
                err.message,
            )
        self._failures += 1
        self._resume_at = _now() + backoff(FAILURE_BACKOFF, self._failures, MAX_FAILURE_BACKOFF)

    def _recovered(self) -> None:
        if self.failing:
            LOGGER.info("Reading the delivery status of sent SMS from OVHcloud works again")
        self._failures = 0
        self._resume_at = 0.0
