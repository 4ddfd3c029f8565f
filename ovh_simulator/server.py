"""An aiohttp server that behaves like OVH API v1 for the SMS virtual-number routes.

Point the real ``ovh`` client at it with::

    ovh.client.ENDPOINTS["ovh-sim"] = sim.endpoint   # "http://127.0.0.1:PORT/1.0"
    client = ovh.Client(endpoint="ovh-sim", application_key="demo-app-key",
                        application_secret="demo-app-secret",
                        consumer_key="demo-consumer-key")

Every API call except ``GET /auth/time`` (and ``POST /auth/credential``, which only
needs the application key) is signed and checked as OVH does. Control endpoints live
under ``/_sim/`` and need no authentication.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
import concurrent.futures
import contextlib
import copy
from dataclasses import dataclass
from datetime import datetime
from functools import partial
import hashlib
import hmac
import itertools
import json
import logging
import re
import threading
import time
from typing import Any, Final, TypedDict, Unpack
import urllib.error
import urllib.request
import uuid

import aiohttp
from aiohttp import web
from yarl import URL

from . import errors
from .errors import ApiError, bad_request, not_found
from .push import PushResult, async_post_form, on_origin, push_form, with_params
from .sms import MAX_SEGMENTS, count_segments
from .state import (
    CONSUMER_KEY_STATES,
    DEMO_APPLICATION_KEY,
    DEMO_APPLICATION_SECRET,
    DEMO_CONSUMER_KEY,
    DEMO_CREDITS,
    DEMO_NUMBER,
    DEMO_SERVICE,
    FULL_SMS_RULES,
    OUTCOMES,
    Application,
    ConsumerKey,
    IncomingSms,
    OutgoingSms,
    RecordedRequest,
    Service,
    SimState,
    VirtualNumber,
    default_account,
    e164_from_path_number,
    format_callback_date,
    format_ovh_datetime,
    parse_ovh_datetime,
    to_epoch,
)
from .validation import (
    apply_account_update,
    receiver_accepted,
    require_object,
    validate_account_update,
    validate_job,
)

_LOGGER = logging.getLogger(__name__)

API_PREFIX: Final = "/1.0"
MAX_CLOCK_SKEW: Final = 300
"""Seconds a request timestamp may differ from the simulator clock (assumed: OVH's own
tolerance is not published)."""
PUSH_TIMEOUT: Final = 10.0
"""Seconds a push of a received SMS may take."""
QUERY_ID_HEADER: Final = "X-OVH-QUERYID"
_RULE_EXEMPT: Final = frozenset({("GET", "/auth/currentCredential"), ("POST", "/auth/logout")})
_SEG: Final = r"(?P<{}>[^/]+)"
_VN: Final = "/sms/" + _SEG.format("service") + "/virtualNumbers/" + _SEG.format("number")


class StatusReport(TypedDict, total=False):
    """What a status-change callback reports about a sent SMS (every key optional)."""

    dlr: int
    """The DLR id, sent as ``description`` (1 delivered, 2 failed, 8 buffered...)."""
    ptt: int
    description_dlr: str
    """Sent as ``descriptionDlr``."""
    date: datetime | str | None
    """A datetime, or the text to send as is; None: now, on the simulator clock."""
    via: str | None
    """Call this origin (``http://127.0.0.1:8123``) instead of the callBack URL's."""


@dataclass(slots=True)
class Fault:
    """An injected fault, consumed by the next ``remaining`` matching API calls."""

    method: str
    pattern: re.Pattern[str]
    status: int | None
    body: Any
    delay: float
    drop: bool
    remaining: int | None
    """None: until ``clear_faults()``."""
    hold: bool = False
    """Keep each matching call waiting until ``release_held()``."""

    def matches(self, method: str, path: str) -> bool:
        """Return True when the fault applies to ``method`` and API ``path``."""
        return self.method in ("*", method) and self.pattern.search(path) is not None


@dataclass(slots=True)
class _Call:
    """What a route handler gets."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    body_present: bool
    credential: ConsumerKey


_Handler = Callable[[_Call], Any]


def _rule_matches(pattern: str, path: str) -> bool:
    """OVH access-rule match: ``*`` matches anything, ``/`` included."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, path) is not None


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _json_response(status: int, payload: Any, query_id: str) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(payload),
        content_type="application/json",
        charset="utf-8",
        headers={QUERY_ID_HEADER: query_id},
    )


def _parse_json(raw: bytes) -> tuple[Any, bool, bool]:
    """Return (value, present, valid) for a request body."""
    if not raw.strip():
        return None, False, True
    try:
        return json.loads(raw.decode("utf-8")), True, True
    except ValueError:
        return None, True, False


class OvhSimulator:
    """A simulated OVH API v1 (SMS virtual numbers) with control methods for tests.

    All control methods are thread-safe: the server may run in its own thread
    (``start_in_thread``) or in the caller's event loop (``start``).
    """

    def __init__(self, *, demo: bool = True) -> None:
        """Create a simulator; with ``demo`` it holds the demo account.

        The demo account: application ``demo-app-key`` / ``demo-app-secret``,
        validated consumer key ``demo-consumer-key`` with GET/POST/PUT/DELETE on
        ``/sms`` and ``/sms/*``, service ``sms-demo12345-1`` with 100.0 credits and
        the virtual number ``0033612345678``.
        """
        self._lock = threading.RLock()
        self._state = SimState()
        self._records: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        # Calls kept waiting by a ``hold`` fault: how many, and what lets each go on.
        self._held = 0
        self._held_changed = threading.Condition(self._lock)
        self._holds: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._query_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._pushes: dict[int, concurrent.futures.Future[PushResult]] = {}
        self._push_tasks: set[asyncio.Task[None]] = set()
        self._routes: list[tuple[str, re.Pattern[str], _Handler]] = self._build_routes()
        if demo:
            self.add_application(DEMO_APPLICATION_KEY, DEMO_APPLICATION_SECRET)
            self.add_consumer_key(DEMO_CONSUMER_KEY, DEMO_APPLICATION_KEY)
            self.add_service(DEMO_SERVICE, credits_left=DEMO_CREDITS, numbers=[DEMO_NUMBER])
        self._initial = copy.deepcopy(self._state)

    @classmethod
    def default(cls) -> OvhSimulator:
        """Return a simulator holding the demo account."""
        return cls(demo=True)

    # ------------------------------------------------------------------ clock

    def now(self) -> float:
        """Return the simulator clock (epoch seconds, offset included)."""
        with self._lock:
            return time.time() + self._state.clock_offset

    def set_clock_offset(self, seconds: float) -> None:
        """Shift the simulator clock by ``seconds`` from the host clock."""
        with self._lock:
            self._state.clock_offset = float(seconds)

    # --------------------------------------------------------------- accounts

    def add_application(self, application_key: str, application_secret: str) -> None:
        """Register an application key and its secret."""
        with self._lock:
            state = self._state
            state.applications[application_key] = Application(
                application_key, application_secret, state.next_app_id
            )
            state.next_app_id += 1

    def add_consumer_key(
        self,
        consumer_key: str,
        application_key: str = DEMO_APPLICATION_KEY,
        rules: Iterable[tuple[str, str]] = FULL_SMS_RULES,
        *,
        state: str = "validated",
        expiration: datetime | float | None = None,
    ) -> None:
        """Register a consumer key of ``application_key``.

        ``rules`` are (method, path pattern) pairs, ``*`` matching any characters.
        ``state`` is one of validated, pendingValidation, expired, refused.
        ``expiration`` (datetime or epoch seconds on the simulator clock) makes the
        key invalid from that instant.
        """
        if state not in CONSUMER_KEY_STATES:
            raise ValueError(f"unknown consumer key state {state!r}")
        with self._lock:
            if application_key not in self._state.applications:
                raise KeyError(f"unknown application key {application_key!r}")
            now = self.now()
            self._state.consumer_keys[consumer_key] = ConsumerKey(
                key=consumer_key,
                application_key=application_key,
                rules=[(method.upper(), path) for method, path in rules],
                state=state,
                credential_id=self._state.next_credential_id,
                created=now,
                expiration=None if expiration is None else to_epoch(expiration, now),
            )
            self._state.next_credential_id += 1

    def set_consumer_key_state(self, consumer_key: str, state: str) -> None:
        """Set a consumer key's state (validated, pendingValidation, expired, refused)."""
        if state not in CONSUMER_KEY_STATES:
            raise ValueError(f"unknown consumer key state {state!r}")
        with self._lock:
            self._consumer_key(consumer_key).state = state

    def validate_consumer_key(self, consumer_key: str) -> None:
        """Validate a consumer key, as the user does on OVH's validation page."""
        self.set_consumer_key_state(consumer_key, "validated")

    def revoke_consumer_key(self, consumer_key: str) -> None:
        """Revoke a consumer key: its calls now fail with INVALID_CREDENTIAL."""
        self.set_consumer_key_state(consumer_key, "expired")

    def add_service(
        self,
        service: str,
        *,
        credits_left: float = 100.0,
        description: str = "",
        numbers: Iterable[str] = (),
    ) -> None:
        """Create an SMS account, optionally with virtual numbers (``0033…`` form)."""
        with self._lock:
            self._state.services[service] = Service(
                service, default_account(service, credits_left, description)
            )
            for number in numbers:
                self.add_virtual_number(service, number)

    def add_virtual_number(self, service: str, number: str, *, country_code: str = "fr") -> None:
        """Attach a virtual number (as OVH lists it, e.g. ``0033612345678``)."""
        with self._lock:
            self._service(service).numbers[number] = VirtualNumber(number, country_code)

    def set_credits(self, service: str, value: float) -> None:
        """Set an account's ``creditsLeft``."""
        with self._lock:
            self._service(service).account["creditsLeft"] = float(value)

    def get_credits(self, service: str) -> float:
        """Return an account's ``creditsLeft``."""
        with self._lock:
            return float(self._service(service).account["creditsLeft"])

    def set_callback_url(self, service: str, url: str | None) -> None:
        """Set an account's ``callBack`` (status-change URL) without an API call."""
        with self._lock:
            self._service(service).account["callBack"] = url

    def set_push_url(self, service: str, url: str | None) -> None:
        """Set an account's ``smsResponse`` to push received SMS to ``url`` (None: stop).

        The same as ``PUT /sms/{service}`` with ``{"smsResponse": {"responseType": "cgi",
        "cgiUrl": url}}`` (or ``"none"``), without an API call.
        """
        with self._lock:
            self._service(service).account["smsResponse"] |= {
                "responseType": "none" if url is None else "cgi",
                "cgiUrl": url,
            }

    def set_auto_reply(self, service: str, text: str) -> None:
        """Make an account answer each received SMS with ``text`` (``responseType`` text).

        The same as ``PUT /sms/{service}`` with ``{"smsResponse": {"responseType": "text",
        "text": text}}``, without an API call. Not simulated: nothing is sent back, only the
        setting is kept.
        """
        with self._lock:
            self._service(service).account["smsResponse"] |= {
                "responseType": "text",
                "text": text,
            }

    def account(self, service: str) -> dict[str, Any]:
        """Return a copy of an account object, as ``GET /sms/{service}`` does."""
        with self._lock:
            return copy.deepcopy(self._service(service).account)

    # --------------------------------------------------------------- messages

    def add_incoming(  # noqa: PLR0917 - the documented signature
        self,
        service: str,
        number: str,
        sender: str,
        message: str,
        tag: str = "",
        created: datetime | float | None = None,
        *,
        push_via: str | None = None,
    ) -> int:
        """Record an SMS received on ``number`` and return its id.

        ``created``: datetime (naive means UTC) or epoch seconds; default now on
        the simulator clock. It is truncated to the second, like OVH.

        When the account's ``smsResponse`` is ``cgi`` with a ``cgiUrl``, the SMS is also
        pushed there, as OVH does (see ``ovh_simulator.push``): from the simulator's own
        event loop, without waiting for it here. ``push_via`` calls the same path on
        another origin (see ``on_origin``). The SMS stays in the inbox whatever the push
        gives; ``wait_push`` or ``async_wait_push`` return its result.
        """
        with self._lock:
            vn = self._virtual_number(service, number)
            sms_id = self._state.next_incoming_id
            self._state.next_incoming_id += 1
            sms = IncomingSms(
                id=sms_id,
                created=float(int(to_epoch(created, self.now()))),
                message=message,
                sender=sender,
                tag=tag,
            )
            vn.incoming[sms_id] = sms
            sms_response = self._service(service).account["smsResponse"]
            if sms_response.get("responseType") == "cgi" and sms_response.get("cgiUrl"):
                url = on_origin(str(sms_response["cgiUrl"]), push_via)
                self._schedule_push(PushResult(sms_id, url, push_form(sms, vn.number)))
            return sms_id

    def incoming(self, service: str, number: str) -> list[dict[str, Any]]:
        """Return the incoming records of a number (``sms.Incoming`` objects)."""
        with self._lock:
            vn = self._virtual_number(service, number)
            return [sms.to_api() for _, sms in sorted(vn.incoming.items())]

    def outgoing(
        self, service: str | None = None, number: str | None = None
    ) -> list[dict[str, Any]]:
        """Return sent messages (``sms.Outgoing`` objects), optionally filtered."""
        with self._lock:
            found = [
                sms
                for svc in self._state.services.values()
                if service is None or svc.name == service
                for vn in svc.numbers.values()
                if number is None or vn.number == number
                for sms in vn.outgoing.values()
            ]
            now = self.now()
            for sms in found:
                sms.settle(now)
            return [sms.to_api() for sms in sorted(found, key=lambda sms: sms.id)]

    # ------------------------------------------------------ delivery lifecycle

    def set_delivery_lifecycle(self, outcome: str = "delivered", delay: float | None = 5.0) -> None:
        """Make each SMS sent from now on take ``outcome`` ``delay`` seconds after its send.

        ``outcome`` is a name of ``OUTCOMES`` (pending, buffered, delivered, failed);
        ``delay`` counts on the simulator clock; None keeps new SMS pending. What
        ``GET .../outgoing/{id}`` shows (``deliveryReceipt``, ``ptt``, ``deliveredAt``)
        follows. By default an SMS is delivered 5 seconds after it was sent.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if delay is not None and delay < 0:
            raise ValueError("delay must be >= 0 or None")
        with self._lock:
            self._state.delivery_outcome = outcome
            self._state.delivery_delay = None if delay is None else float(delay)

    def set_outgoing_outcome(
        self, message_id: int, outcome: str, *, delay: float = 0.0
    ) -> dict[str, Any]:
        """Make a sent SMS take ``outcome`` in ``delay`` seconds; return its record then.

        Raises ``KeyError`` for an unknown id and ``ValueError`` for an unknown outcome.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if delay < 0:
            raise ValueError("delay must be >= 0")
        with self._lock:
            sms = self._state.find_outgoing(message_id)
            if sms is None:
                raise KeyError(f"no outgoing message with id {message_id}")
            now = self.now()
            sms.outcome = outcome
            sms.settles_at = now + delay
            sms.settle(now)
            return sms.to_api()

    # ----------------------------------------------------------------- faults

    def inject_fault(
        self,
        method: str,
        path_regex: str,
        *,
        status: int | None = None,
        body: Any = None,
        delay: float = 0.0,
        drop: bool = False,
        count: int | None = 1,
        hold: bool = False,
    ) -> None:
        """Make the next ``count`` matching API calls misbehave.

        ``method`` is an HTTP method or ``*``; ``path_regex`` is searched
        (``re.search``) in the decoded API path without ``/1.0`` and without the
        query, e.g. ``/jobs$``. The fault first waits ``delay`` seconds, then
        drops the connection (``drop``), or answers ``status`` with ``body``
        (default: an OVH-like ``{"message": ...}``; a ``str`` body is sent as
        ``text/html``), or else lets the call proceed normally. The fault is
        consumed before authentication. ``count=None`` keeps it until
        ``clear_faults()``.

        ``hold`` keeps each matching call waiting, before anything else, until
        ``release_held()``: a call in flight for as long as a test needs, whatever the clock
        (a ``delay`` counts on the host's monotonic clock, which a frozen test clock stops).
        ``wait_held`` tells when a call is being held.
        """
        if status is None and not drop and delay <= 0 and not hold:
            raise ValueError("a fault needs a status, a delay, drop=True or hold=True")
        if count is not None and count < 1:
            raise ValueError("count must be >= 1 or None")
        fault = Fault(
            method=method.upper(),
            pattern=re.compile(path_regex),
            status=status,
            body=errors.default_fault_body(status) if body is None and status is not None else body,
            delay=float(delay),
            drop=drop,
            remaining=count,
            hold=hold,
        )
        with self._lock:
            self._faults.append(fault)

    def wait_held(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until ``count`` calls are held by ``hold`` faults; False after ``timeout``."""
        with self._held_changed:
            return self._held_changed.wait_for(lambda: self._held >= count, timeout)

    def release_held(self) -> None:
        """Let every held call go on (with the rest of its fault, if any)."""
        with self._lock:
            holds, self._holds = self._holds, []
            self._held = 0
        for loop, future in holds:
            with contextlib.suppress(RuntimeError):  # That loop has closed.
                loop.call_soon_threadsafe(_resolve, future)

    async def _async_hold(self) -> None:
        """Wait until ``release_held()`` (or the server closes)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._held_changed:
            self._holds.append((asyncio.get_running_loop(), future))
            self._held += 1
            self._held_changed.notify_all()
        await future

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._faults.clear()

    # -------------------------------------------------------- status callback

    def _prepare_status_callback(
        self,
        message_id: int,
        *,
        dlr: int = 1,
        ptt: int = 4,
        description_dlr: str = "Success",
        date: datetime | str | None = None,
        via: str | None = None,
    ) -> str:
        """Update the outgoing record; return the URL to call (see ``send_status_callback``)."""
        with self._lock:
            sms = self._state.find_outgoing(message_id)
            if sms is None:
                raise KeyError(f"no outgoing message with id {message_id}")
            url = self._state.services[sms.service].account.get("callBack")
            if not url:
                raise ValueError(f"account {sms.service} has no callBack URL")
            now = self.now()
            sms.delivery_receipt = dlr
            sms.ptt = ptt
            sms.settles_at = None  # what OVH reported is what the record shows from now
            if dlr == 1 and sms.delivered_at is None:
                sms.delivered_at = float(int(now))
            if isinstance(date, datetime):
                date_text = format_callback_date(to_epoch(date, now))
            else:
                date_text = date or format_callback_date(now)
        # Assumed: OVH documents "query string" parameters, hence a GET.
        return with_params(
            on_origin(str(url), via),
            [
                ("id", str(message_id)),
                ("ptt", str(ptt)),
                ("date", date_text),
                ("description", str(dlr)),
                ("descriptionDlr", description_dlr),
            ],
        )

    def send_status_callback(
        self, message_id: int, *, timeout: float = 10.0, **report: Unpack[StatusReport]
    ) -> int:
        """Call the account's ``callBack`` URL for a sent message; return the HTTP status.

        Performs ``GET callBack?id=&ptt=&date=&description=&descriptionDlr=``
        (``description`` carries the DLR id) with urllib in the calling thread, and
        updates the outgoing record (``deliveryReceipt``, ``ptt``, ``deliveredAt``).
        ``report`` (see ``StatusReport``) defaults to a delivered SMS: DLR 1, ptt 4,
        ``Success``, dated now. Do not call it from an event loop that also serves the
        receiver: use ``async_send_status_callback`` there. Raises ``KeyError`` (unknown
        id), ``ValueError`` (no callBack) or ``OSError`` (receiver unreachable).
        """
        url = self._prepare_status_callback(message_id, **report)
        request = urllib.request.Request(url, method="GET")  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as err:
            return int(err.code)

    async def async_send_status_callback(
        self,
        message_id: int,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors the sync variant
        **report: Unpack[StatusReport],
    ) -> int:
        """Async variant of ``send_status_callback`` (aiohttp, in the running loop)."""
        url = self._prepare_status_callback(message_id, **report)
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                URL(url, encoded=True),
                timeout=aiohttp.ClientTimeout(total=timeout),
                allow_redirects=False,
            ) as response,
        ):
            return response.status

    # ------------------------------------------------------ received-SMS push

    def _schedule_push(self, result: PushResult) -> None:
        """Start a push from the simulator's loop; never waits, never raises."""
        future: concurrent.futures.Future[PushResult] = concurrent.futures.Future()
        self._pushes[result.sms_id] = future
        loop = self._loop
        if loop is None:
            result.error = "the simulator is not running"
            future.set_result(result)
            return
        try:
            loop.call_soon_threadsafe(self._start_push, result, future)
        except RuntimeError:  # the loop closed meanwhile
            result.error = "the simulator is not running"
            future.set_result(result)

    def _start_push(
        self, result: PushResult, future: concurrent.futures.Future[PushResult]
    ) -> None:
        """In the simulator's loop: run the push as a task that ``close()`` can end."""
        if self._runner is None:  # closing: ``close()`` would not see a task started now
            result.error = "the simulator is not running"
            future.set_result(result)
            return

        def _ended(task: asyncio.Task[None]) -> None:
            self._push_tasks.discard(task)
            if task.cancelled():
                result.error = "the simulator stopped"
            future.set_result(result)

        task = asyncio.get_running_loop().create_task(self._async_push(result))
        self._push_tasks.add(task)
        task.add_done_callback(_ended)

    @staticmethod
    async def _async_push(result: PushResult) -> None:
        """POST the received SMS to the push URL; a failure is recorded, never raised."""
        try:
            result.status = await async_post_form(result.url, result.form, PUSH_TIMEOUT)
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as err:
            result.error = f"{type(err).__name__}: {err}"

    def _push_future(self, sms_id: int) -> concurrent.futures.Future[PushResult]:
        with self._lock:
            future = self._pushes.get(sms_id)
        if future is None:
            raise KeyError(f"no push for the received SMS {sms_id}")
        return future

    def wait_push(self, sms_id: int, timeout: float = PUSH_TIMEOUT + 1) -> PushResult:
        """Wait for the push of a received SMS (see ``add_incoming``); return its result.

        Blocks the calling thread: never call it from the simulator's loop, nor from a loop
        that serves the push URL (use ``async_wait_push``). Raises ``KeyError`` when that
        SMS was not pushed (the account does not push), ``TimeoutError`` after ``timeout``.
        """
        return self._push_future(sms_id).result(timeout)

    async def async_wait_push(
        self,
        sms_id: int,
        timeout: float = PUSH_TIMEOUT + 1,  # noqa: ASYNC109 - mirrors the sync variant
    ) -> PushResult:
        """Async variant of ``wait_push``, for any event loop (the simulator's included)."""
        future = asyncio.wrap_future(self._push_future(sms_id))
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    @property
    def pushes(self) -> list[PushResult]:
        """The pushes of received SMS that have ended, oldest first."""
        with self._lock:
            futures = list(self._pushes.values())
        return [copy.deepcopy(future.result()) for future in futures if future.done()]

    # -------------------------------------------------------------- recording

    @property
    def requests(self) -> list[RecordedRequest]:
        """Copies of every API request received, in arrival order."""
        with self._lock:
            return [copy.deepcopy(record) for record in self._records]

    def calls(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[RecordedRequest]:
        """Return recorded requests with ``method`` whose path matches ``path_regex``.

        The regex is searched (``re.search``) in the API path (no ``/1.0``, no query).
        """
        pattern = None if path_regex is None else re.compile(path_regex)
        return [
            record
            for record in self.requests
            if (method is None or record.method == method.upper())
            and (pattern is None or pattern.search(record.path))
        ]

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._records.clear()

    def save_initial_state(self) -> None:
        """Make the current accounts and messages what ``reset()`` restores."""
        with self._lock:
            self._initial = copy.deepcopy(self._state)

    def reset(self) -> None:
        """Restore the initial state (see ``save_initial_state``); clear records and faults."""
        with self._lock:
            self._state = copy.deepcopy(self._initial)
            self._records.clear()
            self._faults.clear()
            self._pushes.clear()
        self.release_held()

    def describe(self) -> dict[str, Any]:
        """Return a JSON-able dump of accounts, keys and messages."""
        with self._lock:
            now = self.now()
            for sms in self._state.outgoing_records():
                sms.settle(now)
            return copy.deepcopy(self._state.describe())

    # ---------------------------------------------------------------- running

    @property
    def base_url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:54321``."""
        if self._base_url is None:
            raise RuntimeError("the simulator is not running")
        return self._base_url

    @property
    def url(self) -> str:
        """Alias of ``base_url``."""
        return self.base_url

    @property
    def endpoint(self) -> str:
        """API endpoint for ``ovh.client.ENDPOINTS``: ``base_url + "/1.0"``."""
        return self.base_url + API_PREFIX

    def build_app(self) -> web.Application:
        """Return the aiohttp application (API under ``/1.0``, control under ``/_sim``)."""
        app = web.Application()
        app.router.add_route("*", API_PREFIX + "{tail:.*}", self._handle_api)
        control: list[tuple[str, str, Callable[[web.Request], Any]]] = [
            ("GET", "/_sim/state", self._sim_state),
            ("GET", "/_sim/requests", self._sim_requests),
            ("DELETE", "/_sim/requests", self._sim_clear_requests),
            ("POST", "/_sim/incoming", self._sim_incoming),
            ("POST", "/_sim/deliver", self._sim_deliver),
            ("POST", "/_sim/outgoing/{id}", self._sim_outgoing),
            ("POST", "/_sim/delivery", self._sim_delivery),
            ("GET", "/_sim/credits", self._sim_credits),
            ("POST", "/_sim/credits", self._sim_credits),
            ("POST", "/_sim/clock", self._sim_clock),
            ("POST", "/_sim/faults", self._sim_add_fault),
            ("DELETE", "/_sim/faults", self._sim_clear_faults),
            ("POST", "/_sim/reset", self._sim_reset),
            ("GET", "/_sim/validate", self._sim_validate),
        ]
        for method, path, handler in control:
            app.router.add_route(method, path, handler)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in the running event loop; return the base URL."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        bound = runner.addresses[0]
        url_host = f"[{bound[0]}]" if ":" in str(bound[0]) else str(bound[0])
        self._runner = runner
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._base_url = f"http://{url_host}:{bound[1]}"
        return self._base_url

    async def close(self) -> None:
        """Stop serving (counterpart of ``start``)."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if self._wake is not None:
            self._wake.set()
        self.release_held()
        tasks = list(self._push_tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await runner.cleanup()
        self._base_url = None
        self._loop = None
        self._wake = None

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve from a daemon thread with its own event loop; return the base URL."""
        if self._thread is not None:
            raise RuntimeError("the simulator is already running")
        ready = threading.Event()
        outcome: list[str | BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                outcome.append(loop.run_until_complete(self.start(host, port)))
            except BaseException as err:  # noqa: BLE001 - handed to the caller
                outcome.append(err)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.close())
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name="ovh-simulator", daemon=True)
        thread.start()
        ready.wait()
        result = outcome[0]
        if isinstance(result, BaseException):
            thread.join()
            raise result
        self._thread = thread
        return result

    def stop(self) -> None:
        """Stop a server started with ``start_in_thread`` and join its thread."""
        thread, self._thread = self._thread, None
        loop = self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    # ------------------------------------------------------------- internals

    def _service(self, name: str) -> Service:
        service = self._state.services.get(name)
        if service is None:
            raise KeyError(f"unknown service {name!r}")
        return service

    def _virtual_number(self, service: str, number: str) -> VirtualNumber:
        vn = self._service(service).numbers.get(number)
        if vn is None:
            raise KeyError(f"unknown virtual number {number!r} in {service!r}")
        return vn

    def _consumer_key(self, consumer_key: str) -> ConsumerKey:
        ck = self._state.consumer_keys.get(consumer_key)
        if ck is None:
            raise KeyError(f"unknown consumer key {consumer_key!r}")
        return ck

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _new_query_id(self) -> str:
        return f"EU.ext-sim.{uuid.uuid4().hex[:8]}.{next(self._query_ids)}"

    async def _sleep(self, seconds: float) -> None:
        """Sleep, cut short when the server closes."""
        wake = self._wake
        if wake is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), seconds)

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        error = errors.invalid_url()
        return _json_response(error.status, error.body, self._new_query_id())

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        raw_body = await request.read()
        api_path = request.path[len(API_PREFIX) :]
        body, present, valid = _parse_json(raw_body)
        record = RecordedRequest(
            method=request.method,
            path=api_path,
            query=dict(request.query),
            body=body,
            raw_url=f"{request.scheme}://{request.host}{request.raw_path}",
            status=None,
            consumer_key=request.headers.get("X-Ovh-Consumer"),
            received_at=self.now(),
        )
        with self._lock:
            self._records.append(record)
        fault = self._take_fault(request.method, api_path)
        query_id = self._new_query_id()
        if fault is not None:
            if fault.hold:
                await self._async_hold()
            if fault.delay > 0:
                await self._sleep(fault.delay)
            if fault.drop:
                _LOGGER.debug("dropping %s %s", request.method, request.path)
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=499)
            if fault.status is not None:
                with self._lock:
                    record.status = fault.status
                    record.answered_at = self.now()
                if isinstance(fault.body, str):
                    return web.Response(
                        status=fault.status,
                        text=fault.body,
                        content_type="text/html",
                        headers={QUERY_ID_HEADER: query_id},
                    )
                return _json_response(fault.status, fault.body, query_id)
        try:
            if not valid:
                raise bad_request("Invalid JSON body")
            status, payload = 200, self._process(request, api_path, raw_body, body, present)
        except ApiError as err:
            status, payload = err.status, err.body
        with self._lock:
            record.status = status
            record.answered_at = self.now()
        return _json_response(status, payload, query_id)

    def _process(
        self,
        request: web.Request,
        api_path: str,
        raw_body: bytes,
        body: Any,
        present: bool,
    ) -> Any:
        method = request.method.upper()
        if not api_path.startswith("/"):
            raise errors.invalid_url()
        if api_path == "/auth/time":
            if method != "GET":
                raise errors.method_not_allowed(method)
            return int(self.now())
        if api_path == "/auth/credential":
            if method != "POST":
                raise errors.method_not_allowed(method)
            return self._request_credential(request, body, present)
        with self._lock:
            credential = self._authenticate(request, raw_body)
            if (method, api_path) not in _RULE_EXEMPT and not any(
                rule_method == method and _rule_matches(rule_path, api_path)
                for rule_method, rule_path in credential.rules
            ):
                raise errors.not_granted_call()
            path_known = False
            for route_method, pattern, handler in self._routes:
                match = pattern.fullmatch(api_path)
                if match is None:
                    continue
                path_known = True
                if route_method == method:
                    return handler(
                        _Call(
                            method=method,
                            path=api_path,
                            params=match.groupdict(),
                            query=dict(request.query),
                            body=body,
                            body_present=present,
                            credential=credential,
                        )
                    )
            if path_known:
                raise errors.method_not_allowed(method)
            raise errors.invalid_url()

    def _authenticate(self, request: web.Request, raw_body: bytes) -> ConsumerKey:
        """Check the OVH signature headers; return the consumer key (lock held)."""
        headers = request.headers
        app = self._state.applications.get(headers.get("X-Ovh-Application", ""))
        if app is None:
            raise errors.invalid_key()
        credential = self._state.consumer_keys.get(headers.get("X-Ovh-Consumer", ""))
        if credential is None or credential.application_key != app.key:
            raise errors.not_credential()
        timestamp = headers.get("X-Ovh-Timestamp", "")
        signature = headers.get("X-Ovh-Signature", "")
        now = self.now()
        if not timestamp.isdigit() or abs(int(timestamp) - int(now)) > MAX_CLOCK_SKEW:
            raise errors.invalid_signature()
        full_url = f"{request.scheme}://{request.host}{request.raw_path}"
        signed = b"+".join(
            [
                part.encode("utf-8", "surrogateescape")
                for part in (app.secret, credential.key, request.method.upper(), full_url)
            ]
            + [raw_body, timestamp.encode()]
        )
        expected = "$1$" + hashlib.sha1(signed, usedforsecurity=False).hexdigest()
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            raise errors.invalid_signature()
        if credential.state != "validated" or (
            credential.expiration is not None and credential.expiration <= now
        ):
            raise errors.invalid_credential()
        credential.last_use = now
        return credential

    def _request_credential(self, request: web.Request, body: Any, present: bool) -> dict[str, Any]:
        """``POST /auth/credential``: create a pendingValidation consumer key."""
        data = require_object(body, present=present)
        rules = data.get("accessRules")
        if not isinstance(rules, list) or not rules:
            raise bad_request("Missing parameter: accessRules")
        parsed: list[tuple[str, str]] = []
        for rule in rules:
            if (
                not isinstance(rule, dict)
                or rule.get("method") not in ("GET", "POST", "PUT", "DELETE")
                or not isinstance(rule.get("path"), str)
                or not rule["path"].startswith("/")
            ):
                raise bad_request("Invalid value for parameter accessRules")
            parsed.append((rule["method"], rule["path"]))
        redirection = data.get("redirection")
        if redirection is not None and not isinstance(redirection, str):
            raise bad_request("Invalid type for parameter redirection")
        with self._lock:
            app = self._state.applications.get(request.headers.get("X-Ovh-Application", ""))
            if app is None:
                raise errors.invalid_key()
            key = uuid.uuid4().hex
            token = uuid.uuid4().hex
            self.add_consumer_key(key, app.key, parsed, state="pendingValidation")
            credential = self._state.consumer_keys[key]
            credential.redirection = redirection
            credential.validation_token = token
        base = f"{request.scheme}://{request.host}"
        return {
            "consumerKey": key,
            "state": "pendingValidation",
            "validationUrl": f"{base}/_sim/validate?credentialToken={token}",
        }

    # ------------------------------------------------------- route handlers

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], _Handler]]:
        item = "/" + _SEG.format("id")
        table: list[tuple[str, str, _Handler]] = [
            ("GET", "/auth/currentCredential", self._get_current_credential),
            ("POST", "/auth/logout", self._logout),
            ("GET", "/sms", self._list_services),
            ("GET", "/sms/" + _SEG.format("service"), self._get_account),
            ("PUT", "/sms/" + _SEG.format("service"), self._put_account),
            ("GET", "/sms/" + _SEG.format("service") + "/virtualNumbers", self._list_numbers),
            ("GET", _VN, self._get_number),
            ("GET", _VN + "/jobs", self._list_jobs),
            ("POST", _VN + "/jobs", self._create_job),
            ("GET", _VN + "/outgoing", self._list_outgoing),
            ("GET", _VN + "/outgoing" + item, partial(self._get_message, box="outgoing")),
            ("DELETE", _VN + "/outgoing" + item, partial(self._delete_message, box="outgoing")),
            ("GET", _VN + "/incoming", self._list_incoming),
            ("GET", _VN + "/incoming" + item, partial(self._get_message, box="incoming")),
            ("DELETE", _VN + "/incoming" + item, partial(self._delete_message, box="incoming")),
        ]
        return [(method, re.compile(path), handler) for method, path, handler in table]

    def _api_service(self, call: _Call) -> Service:
        name = call.params["service"]
        service = self._state.services.get(name)
        if service is None:
            raise not_found(f"serviceName = {name}")
        return service

    def _api_number(self, call: _Call) -> VirtualNumber:
        service = self._api_service(call)
        number = call.params["number"]
        vn = service.numbers.get(number)
        if vn is None:
            raise not_found(f"number = {number}")
        return vn

    @staticmethod
    def _api_id(call: _Call) -> int:
        raw = call.params["id"]
        if not raw.isdigit():
            raise bad_request(f"Invalid value for parameter id: {raw!r} is not a long")
        return int(raw)

    @staticmethod
    def _datetime_filters(query: dict[str, str]) -> tuple[float | None, float | None]:
        # Assumed: a value without an offset is Paris time (see ``parse_ovh_datetime``).
        bounds: list[float | None] = []
        for name in ("creationDatetime.from", "creationDatetime.to"):
            value = query.get(name)
            if value is None:
                bounds.append(None)
                continue
            try:
                bounds.append(parse_ovh_datetime(value))
            except ValueError:
                raise bad_request(
                    f"Invalid value for parameter {name}: {value!r} is not a datetime"
                ) from None
        return bounds[0], bounds[1]

    def _get_current_credential(self, call: _Call) -> dict[str, Any]:
        ck = call.credential
        app = self._state.applications[ck.application_key]
        return {
            "allowedIPs": None,
            "applicationId": app.app_id,
            "creation": format_ovh_datetime(ck.created),
            "credentialId": ck.credential_id,
            "expiration": None if ck.expiration is None else format_ovh_datetime(ck.expiration),
            "lastUse": None if ck.last_use is None else format_ovh_datetime(ck.last_use),
            "ovhSupport": False,
            "rules": [{"method": method, "path": path} for method, path in ck.rules],
            "status": ck.state,
        }

    def _logout(self, call: _Call) -> None:
        call.credential.state = "expired"

    def _list_services(self, call: _Call) -> list[str]:
        return list(self._state.services)

    def _get_account(self, call: _Call) -> dict[str, Any]:
        return copy.deepcopy(self._api_service(call).account)

    def _put_account(self, call: _Call) -> None:
        service = self._api_service(call)
        body = require_object(call.body, present=call.body_present)
        validate_account_update(body)
        apply_account_update(service.account, body)

    def _list_numbers(self, call: _Call) -> list[str]:
        return list(self._api_service(call).numbers)

    def _get_number(self, call: _Call) -> dict[str, Any]:
        return self._api_number(call).to_api()

    def _list_jobs(self, call: _Call) -> list[int]:
        self._api_number(call)
        # Not simulated: deferred sending. Jobs leave the queue at once.
        return []

    def _create_job(self, call: _Call) -> dict[str, Any]:
        service = self._api_service(call)
        vn = self._api_number(call)
        job = validate_job(require_object(call.body, present=call.body_present))
        encoding = count_segments(job.message)
        # Assumed: OVH's FAQ says a message goes in at most 6 SMS; that a longer one is
        # refused with a 400 (rather than cut or billed) is not documented.
        if encoding.segments > MAX_SEGMENTS:
            raise bad_request(
                f"Invalid value for parameter message: {encoding.segments} SMS needed, "
                f"at most {MAX_SEGMENTS} are sent"
            )
        valid: list[str] = []
        invalid: list[str] = []
        for receiver in job.receivers:
            accepted = receiver_accepted(receiver, vn.country_code)
            (valid if accepted else invalid).append(receiver)
        # Assumed: one credit per SMS segment and receiver, and a refusal of the whole
        # job (status and body: see ``errors.not_enough_credits``) when credits are short.
        total = float(encoding.segments * len(valid))
        if total > service.account["creditsLeft"]:
            raise errors.not_enough_credits()
        service.account["creditsLeft"] = float(service.account["creditsLeft"]) - total
        now = float(int(self.now()))
        batch = str(uuid.uuid4())
        delay = self._state.delivery_delay
        ids: list[int] = []
        # Assumed (as RaspiSMS and others do): each id the job returns is the id of its
        # outgoing record and of the status-change callback.
        for receiver in valid:
            sms_id = self._state.next_job_id
            self._state.next_job_id += 1
            ids.append(sms_id)
            vn.outgoing[sms_id] = OutgoingSms(
                id=sms_id,
                service=service.name,
                number=vn.number,
                created=now,
                message=job.message,
                receiver=receiver,
                sender=e164_from_path_number(vn.number),
                tag=job.tag,
                credits=float(encoding.segments),
                number_of_sms=encoding.segments,
                message_length=len(job.message),
                differed_delivery=job.differed_period,
                sent_at=now,
                batch_uuid=batch,
                outcome=self._state.delivery_outcome,
                settles_at=None if delay is None else now + delay,
            )
        return {
            "ids": ids,
            "invalidReceivers": invalid,
            "validReceivers": valid,
            "totalCreditsRemoved": total,
            "tag": job.tag,
        }

    def _list_outgoing(self, call: _Call) -> list[int]:
        vn = self._api_number(call)
        now = self.now()
        for sms in vn.outgoing.values():
            sms.settle(now)
        start, end = self._datetime_filters(call.query)
        query = call.query
        int_filters: dict[str, int] = {}
        for name in ("deliveryReceipt", "differedDelivery", "ptt"):
            if name in query:
                if not query[name].lstrip("-").isdigit():
                    raise bad_request(f"Invalid value for parameter {name}: not a long")
                int_filters[name] = int(query[name])
        return sorted(
            sms.id
            for sms in vn.outgoing.values()
            if (start is None or sms.created >= start)
            and (end is None or sms.created <= end)
            and query.get("receiver", sms.receiver) == sms.receiver
            and query.get("sender", sms.sender) == sms.sender
            and query.get("tag", sms.tag) == sms.tag
            and int_filters.get("deliveryReceipt", sms.delivery_receipt) == sms.delivery_receipt
            and int_filters.get("differedDelivery", sms.differed_delivery) == sms.differed_delivery
            and int_filters.get("ptt", sms.ptt) == sms.ptt
        )

    def _message(self, call: _Call, box: str) -> tuple[dict[int, Any], int]:
        """The number's ``incoming`` or ``outgoing`` messages, and the id in the path."""
        messages: dict[int, Any] = getattr(self._api_number(call), box)
        sms_id = self._api_id(call)
        if sms_id not in messages:
            raise not_found(f"id = {sms_id}")
        return messages, sms_id

    def _get_message(self, call: _Call, *, box: str) -> dict[str, Any]:
        messages, sms_id = self._message(call, box)
        record = messages[sms_id]
        if isinstance(record, OutgoingSms):
            record.settle(self.now())
        result: dict[str, Any] = record.to_api()
        return result

    def _delete_message(self, call: _Call, *, box: str) -> None:
        messages, sms_id = self._message(call, box)
        del messages[sms_id]

    def _list_incoming(self, call: _Call) -> list[int]:
        vn = self._api_number(call)
        start, end = self._datetime_filters(call.query)
        query = call.query
        return sorted(
            sms.id
            for sms in vn.incoming.values()
            if (start is None or sms.created >= start)
            and (end is None or sms.created <= end)
            and query.get("sender", sms.sender) == sms.sender
            and query.get("tag", sms.tag) == sms.tag
        )

    # ----------------------------------------------------- control endpoints

    @staticmethod
    def _sim_error(status: int, message: str) -> web.Response:
        return web.json_response({"error": message}, status=status)

    @staticmethod
    async def _sim_body(request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        if not raw.strip():
            return {}
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise TypeError("a JSON object is expected")
        return data

    def _default_target(self, data: dict[str, Any]) -> tuple[str, str]:
        """Service and number from ``data``, defaulting to the first ones."""
        with self._lock:
            service = data.get("service") or next(iter(self._state.services), None)
            if service is None:
                raise KeyError("no SMS account")
            number = data.get("number") or next(iter(self._service(str(service)).numbers), None)
            if number is None:
                raise KeyError(f"no virtual number in {service}")
            return str(service), str(number)

    async def _sim_state(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.describe())

    async def _sim_requests(self, request: web.Request) -> web.StreamResponse:
        return web.json_response([record.to_dict() for record in self.requests])

    async def _sim_clear_requests(self, request: web.Request) -> web.StreamResponse:
        self.clear_requests()
        return web.json_response(None)

    async def _sim_incoming(self, request: web.Request) -> web.StreamResponse:
        try:
            data = await self._sim_body(request)
            service, number = self._default_target(data)
            created = data.get("created")
            sms_id = self.add_incoming(
                service,
                number,
                str(data["sender"]),
                str(data["message"]),
                tag=str(data.get("tag") or ""),
                created=None if created is None else parse_ovh_datetime(str(created)),
                push_via=data.get("via") or None,
            )
        except KeyError as err:
            return self._sim_error(404, f"missing or unknown: {err.args[0] if err.args else err}")
        except (ValueError, TypeError) as err:
            return self._sim_error(400, str(err))
        answer: dict[str, Any] = {"id": sms_id, "service": service, "number": number}
        with contextlib.suppress(KeyError):
            # The SMS is in the inbox already: the push's outcome is only reported.
            answer["push"] = (await self.async_wait_push(sms_id)).to_dict()
        return web.json_response(answer)

    async def _sim_outgoing(self, request: web.Request) -> web.StreamResponse:
        try:
            data = await self._sim_body(request)
            record = self.set_outgoing_outcome(
                int(request.match_info["id"]),
                str(data.get("outcome", "delivered")),
                delay=float(data.get("delay", 0.0)),
            )
        except KeyError as err:
            return self._sim_error(404, str(err.args[0] if err.args else err))
        except (ValueError, TypeError) as err:
            return self._sim_error(400, str(err))
        return web.json_response(record)

    async def _sim_delivery(self, request: web.Request) -> web.StreamResponse:
        try:
            data = await self._sim_body(request)
            delay = data.get("delay", 5.0)
            outcome = str(data.get("outcome", "delivered"))
            self.set_delivery_lifecycle(outcome, None if delay is None else float(delay))
        except (ValueError, TypeError) as err:
            return self._sim_error(400, str(err))
        return web.json_response({"outcome": outcome, "delay": delay})

    async def _sim_deliver(self, request: web.Request) -> web.StreamResponse:
        try:
            data = await self._sim_body(request)
            message_id = int(data["id"])
        except (KeyError, ValueError, TypeError) as err:
            return self._sim_error(400, f"invalid body: {err}")
        try:
            status = await self.async_send_status_callback(
                message_id,
                dlr=int(data.get("dlr", 1)),
                ptt=int(data.get("ptt", 4)),
                description_dlr=str(data.get("descriptionDlr", "Success")),
                date=data.get("date"),
                via=data.get("via"),
            )
        except KeyError as err:
            return self._sim_error(404, str(err.args[0] if err.args else err))
        except ValueError as err:
            return self._sim_error(409, str(err))
        except (aiohttp.ClientError, OSError) as err:
            return self._sim_error(502, f"callback failed: {err!r}")
        return web.json_response({"id": message_id, "status": status})

    async def _sim_credits(self, request: web.Request) -> web.StreamResponse:
        try:
            data = await self._sim_body(request)
            service = str(
                data.get("service") or request.query.get("service") or self._default_target({})[0]
            )
            if request.method == "POST":
                self.set_credits(service, float(data["value"]))
            credits_left = self.get_credits(service)
        except KeyError as err:
            return self._sim_error(404, f"missing or unknown: {err.args[0] if err.args else err}")
        except (ValueError, TypeError) as err:
            return self._sim_error(400, str(err))
        return web.json_response({"service": service, "creditsLeft": credits_left})

    async def _sim_clock(self, request: web.Request) -> web.StreamResponse:
        try:
            data = await self._sim_body(request)
            self.set_clock_offset(float(data["offset"]))
        except (KeyError, ValueError, TypeError) as err:
            return self._sim_error(400, f"invalid body: {err}")
        return web.json_response({"offset": float(data["offset"]), "now": self.now()})

    async def _sim_add_fault(self, request: web.Request) -> web.StreamResponse:
        try:
            data = await self._sim_body(request)
            count = data.get("count", 1)
            self.inject_fault(
                str(data.get("method", "*")),
                str(data.get("path_regex", "")),
                status=None if data.get("status") is None else int(data["status"]),
                body=data.get("body"),
                delay=float(data.get("delay", 0.0)),
                drop=bool(data.get("drop", False)),
                count=None if count is None else int(count),
            )
        except (ValueError, TypeError, re.error) as err:
            return self._sim_error(400, str(err))
        return web.json_response(None)

    async def _sim_clear_faults(self, request: web.Request) -> web.StreamResponse:
        self.clear_faults()
        return web.json_response(None)

    async def _sim_reset(self, request: web.Request) -> web.StreamResponse:
        self.reset()
        return web.json_response(None)

    async def _sim_validate(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("credentialToken", "")
        with self._lock:
            credential = next(
                (
                    ck
                    for ck in self._state.consumer_keys.values()
                    if token and ck.validation_token == token
                ),
                None,
            )
            if credential is None:
                return self._sim_error(404, "unknown credentialToken")
            credential.state = "validated"
            redirection = credential.redirection
            key = credential.key
        if redirection:
            raise web.HTTPFound(redirection)
        return web.json_response({"consumerKey": key, "state": "validated"})
