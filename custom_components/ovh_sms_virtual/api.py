"""The one module that talks to OVHcloud's API.

OVHcloud's official ``ovh`` package is synchronous (requests) and its constructor reads
configuration files, so the client is built and called in the executor. Calls through one
client are serialised by a lock because a ``requests.Session`` is not thread-safe. Every
request uses a short timeout instead of the package's 180 s default, and a whole call has a
deadline too: a server that drips its answer never trips a read timeout.

OVH errors are mapped once, here, onto this module's exception tree. Answers are read
leniently (OVH's wire formats are partly undocumented), and any text taken from an answer
has the client's secrets cut out first: proxies and gateways echo request headers in their
error pages. Nothing outside this module imports ``ovh``, and this module imports it in the
executor, when the first client is built: with its OAuth2 support it is about 80 modules that
Home Assistant's start would otherwise load in the event loop.
"""

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import math
import re
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlsplit

from homeassistant.core import HomeAssistant
from homeassistant.helpers.importlib import async_import_module
import requests

from .const import (
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_CLOUDHOOK_URL,
    CONF_CONSUMER_KEY,
    CONF_ENDPOINT,
    CONF_WEBHOOK_ID,
    DEFAULT_ENDPOINT,
    STANDARD_ENDPOINTS,
)
from .delivery_report import MAX_CODE, MAX_DATE_LENGTH, MAX_MESSAGE_ID, bounded_int, whole_number

if TYPE_CHECKING:
    import ovh
    from ovh import exceptions as ovh_exc

# Connect and read timeouts of each request, in seconds.
TIMEOUT: Final = (5.0, 15.0)
# The longest a whole call may take, OVH's time included when the client first reads it.
CALL_DEADLINE: Final = 30.0
REDACTED: Final = "**REDACTED**"
# Shorter values are no secrets worth hiding, and replacing them would garble any text.
MIN_SECRET_LENGTH: Final = 8

type JsonDict = dict[str, Any]


class OvhSmsError(Exception):
    """Base of every error raised by this module."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        """Keep OVH's message and the HTTP status when there is one."""
        super().__init__(message)
        self.message = message
        self.status = status


class OvhSmsAuthError(OvhSmsError):
    """OVH refused the keys: unknown application key or consumer key."""


class OvhSmsCredentialInvalidError(OvhSmsAuthError):
    """The consumer key exists but is not validated, has expired or was revoked."""


class OvhSmsInvalidKeyError(OvhSmsAuthError):
    """OVH does not know the application key."""


class OvhSmsSignatureError(OvhSmsError):
    """OVH refused the request signature: wrong application secret or clock skew."""


class OvhSmsNotGrantedError(OvhSmsError):
    """The consumer key's rights do not include this call."""

    def __init__(self, message: str, *, method: str, path: str) -> None:
        """Remember which call was refused."""
        super().__init__(message, status=403)
        self.method = method
        self.path = path

    @property
    def call(self) -> str:
        """The refused call, as OVH's rights name it (``GET /sms``)."""
        return f"{self.method} {self.path}"


class OvhSmsNotFoundError(OvhSmsError):
    """The service, number or message does not exist."""


class OvhSmsBadRequestError(OvhSmsError):
    """OVH rejected the request's parameters."""


class OvhSmsCreditsError(OvhSmsError):
    """The SMS account has not enough credits."""


class OvhSmsServiceExpiredError(OvhSmsError):
    """OVH answered 460: the SMS service has expired and must be renewed."""


class OvhSmsRateLimitError(OvhSmsError):
    """OVH answered 429: too many requests."""


class OvhSmsServerError(OvhSmsError):
    """OVH answered with a 5xx status or something that is not its API."""


class OvhSmsMalformedError(OvhSmsError):
    """OVH answered with JSON, but not of the shape its API documents."""


class OvhSmsConnectionError(OvhSmsError):
    """OVH could not be reached; the request was not processed."""


class OvhSmsTimeoutError(OvhSmsConnectionError):
    """No answer in time: OVH may or may not have processed the request."""


class OvhSmsUnknownOutcomeError(OvhSmsError):
    """A job reached OVH but no readable answer came back: it may or may not have been sent."""


class OvhSmsConfigurationError(OvhSmsError):
    """The client could not be built (unknown region, conflicting environment)."""


@dataclass(frozen=True, slots=True)
class SmsAccount:
    """The parts of ``sms.Account`` this integration uses."""

    name: str
    description: str
    credits_left: float | None
    """None when OVH's value is not a finite number."""
    callback: str | None
    status: str
    push_type: str | None = None
    """``smsResponse.responseType``: ``cgi`` (push to ``push_url``), ``none``, ``text``."""
    push_url: str | None = None
    """``smsResponse.cgiUrl``, where OVH pushes each received SMS when the type is cgi."""


@dataclass(frozen=True, slots=True)
class SendReport:
    """``sms.SmsSendingReport``: what OVH did with a job."""

    ids: list[int]
    valid_receivers: list[str]
    invalid_receivers: list[str]
    credits_removed: float
    tag: str


@dataclass(frozen=True, slots=True)
class IncomingSms:
    """``sms.Incoming``: an SMS received by the virtual number."""

    id: int
    sender: str
    message: str
    created: datetime
    tag: str
    oddities: tuple[str, ...] = ()
    """What was wrong with OVH's record and was worked around, for the log."""

    @classmethod
    def from_api(cls, data: object, sms_id: int, redact: Callable[[str], str] = str) -> IncomingSms:
        """Build from OVH's record of ``sms_id``; the creation time is converted to UTC.

        Raises ``OvhSmsMalformedError`` when the answer is not this message's record (not
        an object, or another id or none in it): firing it could deliver garbage under
        this id. A record without a readable creation time still counts: it is dated now
        rather than left to block the inbox.
        """
        if not isinstance(data, dict):
            raise OvhSmsMalformedError(f"the record of received SMS {sms_id} is not an object")
        if _as_id(data.get("id")) != sms_id:
            raise OvhSmsMalformedError(
                f"the record of received SMS {sms_id} has another id or none"
            )
        oddities: list[str] = []
        if (created := _as_utc(data.get("creationDatetime"))) is None:
            oddities.append("its creationDatetime is missing or unreadable, it is dated now")
            created = datetime.now(UTC)
        return cls(
            id=sms_id,
            sender=redact(_text(data.get("sender"))),
            message=redact(_text(data.get("message"))),
            created=created,
            tag=redact(_text(data.get("tag"))),
            oddities=tuple(oddities),
        )


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    """``sms.Outgoing``: a sent SMS, its text and what OVH knows of its delivery.

    Read leniently: a value of another type or out of range is left out (None or ""),
    never a reason to lose the record.
    """

    id: int
    message: str
    receiver: str | None
    """E.164, when OVH gives a phone number."""
    delivery_receipt: int | None
    """The operator's DLR id, as the status-change callback numbers it."""
    ptt: int | None
    delivered_at: str | None
    """As OVH wrote it (at most ``MAX_DATE_LENGTH`` characters)."""

    @classmethod
    def from_api(cls, data: object, sms_id: int, redact: Callable[[str], str] = str) -> OutgoingSms:
        """Build from OVH's record of the SMS ``sms_id``.

        Raises ``OvhSmsMalformedError`` when the answer is not a record, or is the record
        of another SMS: its status would be published under the wrong id. A record
        without an id is taken as this one's (the path named it).
        """
        if not isinstance(data, dict):
            raise OvhSmsMalformedError(f"the record of sent SMS {sms_id} is not an object")
        if data.get("id") is not None and _as_id(data.get("id")) != sms_id:
            raise OvhSmsMalformedError(f"the record of sent SMS {sms_id} has another id")
        delivered_at = data.get("deliveredAt")
        delivered_at = redact(delivered_at.strip()) if isinstance(delivered_at, str) else ""
        if len(delivered_at) > MAX_DATE_LENGTH:
            delivered_at = ""
        return cls(
            id=sms_id,
            message=redact(_text(data.get("message"))),
            receiver=_e164(redact(_text(data.get("receiver")))),
            delivery_receipt=_code(data.get("deliveryReceipt")),
            ptt=_code(data.get("ptt")),
            delivered_at=delivered_at or None,
        )


def _code(value: object) -> int | None:
    """A DLR id or ptt code: a whole number from 0 to ``MAX_CODE``, as a number or text."""
    if isinstance(value, str):
        return whole_number(value, MAX_CODE)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return bounded_int(value, MAX_CODE)


_E164: Final = re.compile(r"\+[1-9][0-9]{5,14}")


def _e164(value: str) -> str | None:
    """A phone number in E.164 (``00`` read as ``+``), else None."""
    number = value.strip()
    if number.startswith("00"):
        number = f"+{number[2:]}"
    return number if _E164.fullmatch(number) else None


@dataclass(frozen=True, slots=True)
class SmsJob:
    """The body of ``POST /sms/{service}/virtualNumbers/{number}/jobs``."""

    message: str
    receivers: list[str]
    priority: str | None = None
    validity_period: int | None = None
    differed_period: int | None = None
    flash: bool = False
    tag: str | None = None

    def as_body(self) -> JsonDict:
        """Only fields that OVH accepts on the virtual-number route."""
        body: JsonDict = {"message": self.message, "receivers": list(self.receivers)}
        if self.priority is not None:
            body["priority"] = self.priority
        if self.validity_period is not None:
            body["validityPeriod"] = self.validity_period
        if self.differed_period is not None:
            body["differedPeriod"] = self.differed_period
        if self.flash:
            # Deprecated by OVH, which may ignore it on a virtual number: sent all the same.
            body["class"] = "flash"
        if self.tag:
            body["tag"] = self.tag
        return body


def entry_client(hass: HomeAssistant, data: Mapping[str, Any]) -> OvhSmsClient:
    """A client for the region and keys of an entry's ``data``.

    The entry's webhook id and cloudhook URL, once it has them, are secrets too.
    """
    return OvhSmsClient(
        hass,
        endpoint=data[CONF_ENDPOINT],
        application_key=data[CONF_APPLICATION_KEY],
        application_secret=data[CONF_APPLICATION_SECRET],
        consumer_key=data[CONF_CONSUMER_KEY],
        secrets=[data.get(CONF_WEBHOOK_ID) or "", data.get(CONF_CLOUDHOOK_URL) or ""],
    )


async def async_api_regions(hass: HomeAssistant) -> list[str]:
    """The regions that have the SMS API: Europe, then any registered beyond OVH's own.

    OVHcloud's SMS API exists in ``ovh-eu`` only (Canada, the US, Kimsufi and So you Start
    have none). Read at call time: a region registered later (a local OVH API simulator,
    for instance) is offered too. ``ovh`` is imported in the executor when it is not yet.
    """
    ovh_client = await async_import_module(hass, "ovh.client")
    endpoints: dict[str, str] = ovh_client.ENDPOINTS
    others = sorted(
        region
        for region in endpoints
        if region not in STANDARD_ENDPOINTS and not region.startswith(("kimsufi", "soyoustart"))
    )
    return [DEFAULT_ENDPOINT, *others]


def _segment(value: str | int) -> str:
    """Quote one path segment (service names and numbers are signed as sent)."""
    return quote(str(value), safe="")


def _number_path(service: str, number: str) -> str:
    """``/sms/{service}/virtualNumbers/{number}``, the root of every per-number call."""
    return f"/sms/{_segment(service)}/virtualNumbers/{_segment(number)}"


def _as_id(value: object) -> int | None:
    """An OVH id (a positive long) from a JSON number or its digits; None otherwise."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    return bounded_int(value, MAX_MESSAGE_ID, minimum=1)


def _as_float(value: object) -> float | None:
    """A finite number from a JSON number or text (``12.5``, ``12,5``); None otherwise."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip().replace(",", "."))
        else:
            return None
    except ValueError, OverflowError:
        return None
    return number if math.isfinite(number) else None


def _as_utc(value: object) -> datetime | None:
    """An ISO 8601 time in UTC (naive means UTC); None when unreadable or out of range."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except ValueError, OverflowError:
        return None


def _text(value: object) -> str:
    """A text field; a number stands for its digits, nothing for an empty text."""
    return "" if value is None else str(value)


def _strings(value: object) -> list[str] | None:
    """A list of texts (an absent list is empty); None when it is not a list."""
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    return [_text(item) for item in value]


def _send_report(data: object, job: SmsJob, redact: Callable[[str], str]) -> SendReport | None:
    """The report of a job; None when the answer does not say what OVH did."""
    if not isinstance(data, dict) or not isinstance(data.get("ids"), list):
        return None
    ids = [_as_id(item) for item in data["ids"]]
    valid = _strings(data.get("validReceivers"))
    invalid = _strings(data.get("invalidReceivers"))
    if valid is None or invalid is None or None in ids:
        return None
    tag = data.get("tag")
    return SendReport(
        ids=[sms_id for sms_id in ids if sms_id is not None],
        valid_receivers=[redact(receiver) for receiver in valid],
        invalid_receivers=[redact(receiver) for receiver in invalid],
        credits_removed=_as_float(data.get("totalCreditsRemoved")) or 0.0,
        tag=redact(tag) if isinstance(tag, str) and tag else job.tag or "",
    )


def _map_error(
    err: ovh_exc.APIError, method: str, path: str, redact: Callable[[str], str]
) -> OvhSmsError:
    """Turn an ``ovh`` exception into this module's exception, without any secret."""
    from ovh import exceptions as ovh_exc  # noqa: PLC0415 - executor only, see the docstring

    response: requests.Response | None = getattr(err, "response", None)
    status = response.status_code if response is not None else None
    body = _error_body(response)
    # OVH's own message, without the query id that python-ovh appends to the exception.
    message = redact(str(body.get("message") or (err.args[0] if err.args else type(err).__name__)))
    if isinstance(err, ovh_exc.HTTPError):
        cause = redact(str(err.args[1])) if len(err.args) > 1 else ""
        if _never_sent(err.args[1] if len(err.args) > 1 else None):
            return OvhSmsConnectionError(f"cannot connect to OVH: {cause}")
        return OvhSmsTimeoutError(f"no answer from OVH: {cause}")
    match err:
        case ovh_exc.NotGrantedCall():
            return OvhSmsNotGrantedError(message, method=method, path=path)
        case ovh_exc.InvalidCredential():
            return OvhSmsCredentialInvalidError(message, status=status)
        case ovh_exc.InvalidKey():
            return OvhSmsInvalidKeyError(message, status=status)
        case ovh_exc.NotCredential() | ovh_exc.Forbidden():
            return OvhSmsAuthError(message, status=status)
        case ovh_exc.ResourceNotFoundError():
            return OvhSmsNotFoundError(message, status=status)
        case ovh_exc.ResourceExpiredError():
            return OvhSmsServiceExpiredError(message, status=status)
        case ovh_exc.BadParametersError() if body.get("errorCode") == "INVALID_SIGNATURE":
            return OvhSmsSignatureError(message, status=status)
        case ovh_exc.BadParametersError():
            return OvhSmsBadRequestError(message, status=status)
        case ovh_exc.InvalidResponse() | ovh_exc.NetworkError():
            return OvhSmsServerError(message, status=status)
    # No source gives OVH's answer to a job beyond the credits: a code naming credits, or
    # 402, is taken first, and the message's text only when neither is there.
    if status == 402 or "CREDIT" in str(body.get("errorCode") or "").upper():
        return OvhSmsCreditsError(message, status=status)
    if status == 429:
        return OvhSmsRateLimitError(message, status=status)
    if status is not None and status >= 500:
        return OvhSmsServerError(message, status=status)
    if "credit" in message.lower():
        return OvhSmsCreditsError(message, status=status)
    if status == 401:
        return OvhSmsAuthError(message, status=status)
    return OvhSmsError(message, status=status)


def _never_sent(cause: object) -> bool:
    """Whether a transport failure happened before OVH could process the request.

    A read timeout or a connection dropped after the request went out leaves the outcome
    unknown; only a failure to connect proves that nothing was sent.
    """
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(cause, requests.exceptions.Timeout):
        return False
    return isinstance(cause, requests.ConnectionError) and "aborted" not in str(cause).lower()


def _error_body(response: requests.Response | None) -> JsonDict:
    """OVH's JSON error body (``message``, ``errorCode``); empty when there is none."""
    if response is None:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class OvhSmsClient:
    """Asynchronous facade over one ``ovh.Client``."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        endpoint: str,
        application_key: str,
        application_secret: str,
        consumer_key: str,
        secrets: Iterable[str] = (),
    ) -> None:
        """Remember the credentials; the ``ovh.Client`` is built on first use.

        ``secrets`` are other values no text from OVH may carry on (a webhook id).
        """
        self._hass = hass
        self._endpoint = endpoint
        self._application_key = application_key
        self._application_secret = application_secret
        self._consumer_key = consumer_key
        self._secrets: set[str] = set()
        self._add_secrets(application_key, application_secret, consumer_key, *secrets)
        self._client: ovh.Client | None = None
        self._lock = asyncio.Lock()

    def _add_secrets(self, *values: str) -> None:
        self._secrets.update(value for value in values if len(value) >= MIN_SECRET_LENGTH)

    def _add_url_secrets(self, url: str) -> None:
        """An error page that echoes a body must not show this URL or its secret part."""
        self._add_secrets(url, urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])

    def redact(self, text: str) -> str:
        """``text`` without any of this client's secrets."""
        # Longest first: a secret that contains another one is hidden whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def _build_client(self) -> ovh.Client:
        """Build an ``ovh.Client`` (reads config files: executor only)."""
        import ovh  # noqa: PLC0415 - executor only, see the module's docstring
        from ovh import exceptions as ovh_exc  # noqa: PLC0415

        try:
            return ovh.Client(
                endpoint=self._endpoint,
                application_key=self._application_key,
                application_secret=self._application_secret,
                consumer_key=self._consumer_key,
                timeout=TIMEOUT,
            )
        except (ovh_exc.InvalidRegion, ovh_exc.InvalidConfiguration) as err:
            raise OvhSmsConfigurationError(self.redact(str(err))) from None

    def _call_sync(self, client: ovh.Client, method: str, path: str, kwargs: JsonDict) -> Any:
        """Run one call in the executor thread.

        Mapped errors do not chain python-ovh's exception: its text carries the raw
        answer, which a traceback in the log would show.
        """
        from ovh.exceptions import APIError  # noqa: PLC0415 - executor only, loaded already

        func: Callable[..., Any] = getattr(client, method.lower())
        try:
            return func(path, **kwargs)
        except APIError as err:
            raise _map_error(err, method, path, self.redact) from None
        except AttributeError, TypeError, ValueError:
            # python-ovh reads every error body as a JSON object and OVH's time as a
            # number: other JSON (a proxy's list, ``null``) breaks inside the package.
            raise OvhSmsServerError("OVH answered with something that is not its API") from None

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Serialise calls through this client and run them off the event loop.

        A refused signature most often means the clock jumped: python-ovh measures the
        offset to OVH's clock once per client, so a new client measures it again. The
        call is then tried once more, except a job: it is never posted twice.
        """
        async with self._lock:
            try:
                return await self._async_call_once(method, path, kwargs)
            except OvhSmsSignatureError:
                self._client = None
                if method == "POST":
                    raise
            return await self._async_call_once(method, path, kwargs)

    async def _async_call_once(self, method: str, path: str, kwargs: JsonDict) -> Any:
        """One call within ``CALL_DEADLINE``; the lock is held."""
        if self._client is None:
            self._client = await self._hass.async_add_executor_job(self._build_client)
        client = self._client
        try:
            async with asyncio.timeout(CALL_DEADLINE):
                return await self._hass.async_add_executor_job(
                    self._call_sync, client, method, path, kwargs
                )
        except TimeoutError:
            # The worker thread may still be reading: it keeps that client and its
            # session, and the next call builds its own, so no session is shared.
            self._client = None
            raise OvhSmsTimeoutError(
                f"no complete answer from OVH within {CALL_DEADLINE:.0f} s"
            ) from None

    async def async_list_services(self) -> list[str]:
        """``GET /sms``: the SMS accounts the key can see."""
        return [self.redact(name) for name in _checked_strings(await self._call("GET", "/sms"))]

    async def async_get_account(self, service: str) -> SmsAccount:
        """``GET /sms/{service}``, read leniently: odd values never fail the read."""
        data = await self._call("GET", f"/sms/{_segment(service)}")
        if not isinstance(data, dict):
            data = {}
        callback = data.get("callBack")
        response = data.get("smsResponse")
        if not isinstance(response, dict):
            response = {}
        push_type, push_url = response.get("responseType"), response.get("cgiUrl")
        return SmsAccount(
            name=self.redact(_text(data.get("name")) or service),
            description=self.redact(_text(data.get("description"))),
            credits_left=_as_float(data.get("creditsLeft")),
            # Not redacted: it is compared with this entry's own URL, never logged.
            callback=callback if isinstance(callback, str) and callback else None,
            status=self.redact(_text(data.get("status"))),
            push_type=push_type if isinstance(push_type, str) else None,
            # Not redacted either, for the same reason.
            push_url=push_url if isinstance(push_url, str) and push_url else None,
        )

    async def async_set_callback(self, service: str, url: str) -> None:
        """``PUT /sms/{service}``: write the account-wide status-change callback URL."""
        self._add_url_secrets(url)
        await self._call("PUT", f"/sms/{_segment(service)}", callBack=url)

    async def async_set_push(self, service: str, url: str) -> None:
        """``PUT /sms/{service}``: push each received SMS of the account to ``url``.

        Only ``responseType`` and ``cgiUrl`` are sent: the account's other reply settings
        (its tracking options, a reply text) are left as they are.
        """
        self._add_url_secrets(url)
        await self._call(
            "PUT",
            f"/sms/{_segment(service)}",
            smsResponse={"responseType": "cgi", "cgiUrl": url},
        )

    async def async_list_virtual_numbers(self, service: str) -> list[str]:
        """``GET /sms/{service}/virtualNumbers``, as OVH writes the numbers."""
        path = f"/sms/{_segment(service)}/virtualNumbers"
        return [self.redact(number) for number in _checked_strings(await self._call("GET", path))]

    async def async_get_virtual_number(self, service: str, number: str) -> str:
        """``GET /sms/{service}/virtualNumbers/{number}``: the number as OVH writes it."""
        data = await self._call("GET", _number_path(service, number))
        if not isinstance(data, dict):
            raise OvhSmsMalformedError("OVH's answer is not a virtual number")
        found = data.get("number")
        return self.redact(found) if isinstance(found, str) and found else number

    async def async_send(self, service: str, number: str, job: SmsJob) -> SendReport:
        """``POST .../virtualNumbers/{number}/jobs``: one job for every receiver.

        A gateway's 502 or 504, an answer that is not OVH's JSON, or a report that does
        not say what was sent leaves the outcome unknown: ``OvhSmsUnknownOutcomeError``.
        """
        try:
            data = await self._call(
                "POST", f"{_number_path(service, number)}/jobs", **job.as_body()
            )
        except OvhSmsServerError as err:
            if err.status in {None, 502, 504}:
                raise OvhSmsUnknownOutcomeError(err.message, status=err.status) from None
            raise
        if (report := _send_report(data, job, self.redact)) is None:
            raise OvhSmsUnknownOutcomeError("OVH's report of the job cannot be read")
        return report

    async def async_list_incoming(
        self, service: str, number: str, since: datetime | None = None
    ) -> list[int]:
        """``GET .../virtualNumbers/{number}/incoming``: ids of received SMS.

        ``since`` lists only SMS created from then on. Entries that are not ids are left
        out: they name no message that could be read.
        """
        path = f"{_number_path(service, number)}/incoming"
        query = {} if since is None else {"creationDatetime.from": since.isoformat()}
        listed = await self._call("GET", path, **query)
        if not isinstance(listed, list):
            raise OvhSmsMalformedError("the list of received SMS is not a list")
        return [sms_id for item in listed if (sms_id := _as_id(item)) is not None]

    async def async_get_incoming(self, service: str, number: str, sms_id: int) -> IncomingSms:
        """``GET .../incoming/{id}``."""
        path = f"{_number_path(service, number)}/incoming/{sms_id}"
        return IncomingSms.from_api(await self._call("GET", path), sms_id, self.redact)

    async def async_delete_incoming(self, service: str, number: str, sms_id: int) -> None:
        """``DELETE .../incoming/{id}``."""
        await self._call("DELETE", f"{_number_path(service, number)}/incoming/{sms_id}")

    async def async_get_outgoing(self, service: str, number: str, sms_id: int) -> OutgoingSms:
        """``GET .../outgoing/{id}``: a sent SMS, its text and its delivery state.

        A 404 (``OvhSmsNotFoundError``) may only mean that OVH has not recorded it yet.
        """
        path = f"{_number_path(service, number)}/outgoing/{sms_id}"
        return OutgoingSms.from_api(await self._call("GET", path), sms_id, self.redact)


def _checked_strings(value: object) -> list[str]:
    """A list of names; ``OvhSmsMalformedError`` when the answer is not a list."""
    if not isinstance(value, list):
        raise OvhSmsMalformedError("OVH's answer is not a list")
    return [_text(item) for item in value]
