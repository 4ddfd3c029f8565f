"""The one module that talks to OVHcloud's API.

OVHcloud's official ``ovh`` package is synchronous (requests) and its constructor reads
configuration files, so the client is built and called in the executor. Calls through one
client are serialised by a lock because a ``requests.Session`` is not thread-safe, and every
call uses a short timeout instead of the package's 180 s default. OVH errors are mapped once,
here, onto this module's exception tree; nothing outside this module imports ``ovh``.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
import re
from typing import Any, Final, cast
from urllib.parse import quote

from homeassistant.core import HomeAssistant
import ovh
from ovh import exceptions as ovh_exc
import requests

from .const import STANDARD_ENDPOINTS
from .delivery_report import MAX_CODE, MAX_DATE_LENGTH, whole_number

# Connect and read timeouts, in seconds.
TIMEOUT: Final = (5.0, 15.0)

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


class OvhSmsRateLimitError(OvhSmsError):
    """OVH answered 429: too many requests."""


class OvhSmsServerError(OvhSmsError):
    """OVH answered with a 5xx status or something that is not its API."""


class OvhSmsConnectionError(OvhSmsError):
    """OVH could not be reached; the request was not processed."""


class OvhSmsTimeoutError(OvhSmsConnectionError):
    """No answer in time: OVH may or may not have processed the request."""


class OvhSmsConfigurationError(OvhSmsError):
    """The client could not be built (unknown region, conflicting environment)."""


@dataclass(frozen=True, slots=True)
class SmsAccount:
    """The parts of ``sms.Account`` this integration uses."""

    name: str
    description: str
    credits_left: float
    callback: str | None
    status: str


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

    @classmethod
    def from_api(cls, data: JsonDict) -> IncomingSms:
        """Build from OVH's record; the creation time is converted to UTC.

        A record without a readable creation time still counts: it is dated now rather
        than left to block the inbox.
        """
        try:
            created = datetime.fromisoformat(str(data["creationDatetime"]))
        except KeyError, ValueError:
            created = datetime.now(UTC)
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return cls(
            id=int(data["id"]),
            sender=str(data.get("sender") or ""),
            message=str(data.get("message") or ""),
            created=created.astimezone(UTC),
            tag=str(data.get("tag") or ""),
        )


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    """``sms.Outgoing``: what OVH knows of a sent SMS's delivery.

    Read leniently: a value of another type or out of range is left out (None), never a
    reason to lose the record.
    """

    id: int
    receiver: str | None
    """E.164, when OVH gives a phone number."""
    delivery_receipt: int | None
    """The operator's DLR id, as the status-change callback numbers it."""
    ptt: int | None
    delivered_at: str | None
    """As OVH wrote it (at most ``MAX_DATE_LENGTH`` characters)."""

    @classmethod
    def from_api(cls, sms_id: int, data: JsonDict) -> OutgoingSms:
        """Build from OVH's record of the SMS ``sms_id``."""
        delivered_at = data.get("deliveredAt")
        if not isinstance(delivered_at, str) or len(delivered_at) > MAX_DATE_LENGTH:
            delivered_at = None
        return cls(
            id=sms_id,
            receiver=_e164(data.get("receiver")),
            delivery_receipt=_code(data.get("deliveryReceipt")),
            ptt=_code(data.get("ptt")),
            delivered_at=(delivered_at or "").strip() or None,
        )


def _code(value: object) -> int | None:
    """A DLR id or ptt code: a whole number from 0 to ``MAX_CODE``, as a number or text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 0 <= value <= MAX_CODE else None
    return whole_number(value, MAX_CODE) if isinstance(value, str) else None


_E164: Final = re.compile(r"\+[1-9][0-9]{5,14}")


def _e164(value: object) -> str | None:
    """A phone number in E.164 (``00`` read as ``+``), else None."""
    if not isinstance(value, str):
        return None
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
            body["class"] = "flash"
        if self.tag:
            body["tag"] = self.tag
        return body


def api_regions() -> list[str]:
    """The regions the ``ovh`` package can reach, OVHcloud's own first.

    Kimsufi and So you Start have no SMS API. Read at call time: a region registered
    later (a local OVH API simulator, for instance) is offered too.
    """
    others = sorted(
        region
        for region in ovh.client.ENDPOINTS
        if region not in STANDARD_ENDPOINTS and not region.startswith(("kimsufi", "soyoustart"))
    )
    return [*STANDARD_ENDPOINTS, *others]


def _segment(value: str | int) -> str:
    """Quote one path segment (service names and numbers are signed as sent)."""
    return quote(str(value), safe="")


def _number_path(service: str, number: str) -> str:
    """``/sms/{service}/virtualNumbers/{number}``, the root of every per-number call."""
    return f"/sms/{_segment(service)}/virtualNumbers/{_segment(number)}"


def _map_error(err: ovh_exc.APIError, method: str, path: str) -> OvhSmsError:
    """Turn an ``ovh`` exception into this module's exception."""
    response: requests.Response | None = getattr(err, "response", None)
    status = response.status_code if response is not None else None
    body = _error_body(response)
    # OVH's own message, without the query id that python-ovh appends to the exception.
    message = str(body.get("message") or (err.args[0] if err.args else type(err).__name__))
    if isinstance(err, ovh_exc.HTTPError):
        cause = err.args[1] if len(err.args) > 1 else None
        if _never_sent(cause):
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
        case ovh_exc.BadParametersError() if body.get("errorCode") == "INVALID_SIGNATURE":
            return OvhSmsSignatureError(message, status=status)
        case ovh_exc.BadParametersError():
            return OvhSmsBadRequestError(message, status=status)
        case ovh_exc.InvalidResponse() | ovh_exc.NetworkError():
            return OvhSmsServerError(message, status=status)
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
    ) -> None:
        """Remember the credentials; the ``ovh.Client`` is built on first use."""
        self._hass = hass
        self._endpoint = endpoint
        self._application_key = application_key
        self._application_secret = application_secret
        self._consumer_key = consumer_key
        self._client: ovh.Client | None = None
        self._lock = asyncio.Lock()

    def _get_client(self) -> ovh.Client:
        """Build the ``ovh.Client`` (reads config files: executor only)."""
        if self._client is None:
            try:
                self._client = ovh.Client(
                    endpoint=self._endpoint,
                    application_key=self._application_key,
                    application_secret=self._application_secret,
                    consumer_key=self._consumer_key,
                    timeout=TIMEOUT,
                )
            except (ovh_exc.InvalidRegion, ovh_exc.InvalidConfiguration) as err:
                raise OvhSmsConfigurationError(str(err)) from err
        return self._client

    def _call_sync(self, method: str, path: str, kwargs: JsonDict) -> Any:
        """Run one call in the executor thread."""
        client = self._get_client()
        func: Callable[..., Any] = getattr(client, method.lower())
        try:
            return func(path, **kwargs)
        except ovh_exc.APIError as err:
            raise _map_error(err, method, path) from err
        except AttributeError as err:
            # python-ovh reads every error body as a JSON object: an error status with
            # other JSON (a proxy's list, ``null``) breaks inside the package.
            raise OvhSmsServerError("OVH answered with something that is not its API") from err

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Serialise calls through this client and run them off the event loop."""
        async with self._lock:
            return await self._hass.async_add_executor_job(self._call_sync, method, path, kwargs)

    async def async_list_services(self) -> list[str]:
        """``GET /sms``: the SMS accounts the key can see."""
        return [str(name) for name in await self._call("GET", "/sms")]

    async def async_get_account(self, service: str) -> SmsAccount:
        """``GET /sms/{service}``."""
        data: JsonDict = await self._call("GET", f"/sms/{_segment(service)}")
        return SmsAccount(
            name=str(data.get("name") or service),
            description=str(data.get("description") or ""),
            credits_left=float(data.get("creditsLeft") or 0.0),
            callback=cast(str | None, data.get("callBack")) or None,
            status=str(data.get("status") or ""),
        )

    async def async_set_callback(self, service: str, url: str) -> None:
        """``PUT /sms/{service}``: write the account-wide status-change callback URL."""
        await self._call("PUT", f"/sms/{_segment(service)}", callBack=url)

    async def async_list_virtual_numbers(self, service: str) -> list[str]:
        """``GET /sms/{service}/virtualNumbers``, as OVH writes the numbers."""
        path = f"/sms/{_segment(service)}/virtualNumbers"
        return [str(number) for number in await self._call("GET", path)]

    async def async_get_virtual_number(self, service: str, number: str) -> str:
        """``GET /sms/{service}/virtualNumbers/{number}``: the number as OVH writes it."""
        data: JsonDict = await self._call("GET", _number_path(service, number))
        return str(data.get("number") or number)

    async def async_send(self, service: str, number: str, job: SmsJob) -> SendReport:
        """``POST .../virtualNumbers/{number}/jobs``: one job for every receiver."""
        data: JsonDict = await self._call(
            "POST", f"{_number_path(service, number)}/jobs", **job.as_body()
        )
        return SendReport(
            ids=[int(i) for i in data.get("ids") or []],
            valid_receivers=[str(r) for r in data.get("validReceivers") or []],
            invalid_receivers=[str(r) for r in data.get("invalidReceivers") or []],
            credits_removed=float(data.get("totalCreditsRemoved") or 0.0),
            tag=str(data.get("tag") or job.tag or ""),
        )

    async def async_list_incoming(self, service: str, number: str) -> list[int]:
        """``GET .../virtualNumbers/{number}/incoming``: ids of received SMS."""
        path = f"{_number_path(service, number)}/incoming"
        return [int(i) for i in await self._call("GET", path)]

    async def async_get_incoming(self, service: str, number: str, sms_id: int) -> IncomingSms:
        """``GET .../incoming/{id}``."""
        path = f"{_number_path(service, number)}/incoming/{sms_id}"
        return IncomingSms.from_api(await self._call("GET", path))

    async def async_delete_incoming(self, service: str, number: str, sms_id: int) -> None:
        """``DELETE .../incoming/{id}``."""
        await self._call("DELETE", f"{_number_path(service, number)}/incoming/{sms_id}")

    async def async_get_outgoing(self, service: str, number: str, sms_id: int) -> OutgoingSms:
        """``GET .../outgoing/{id}``: a sent SMS and its delivery state.

        A 404 (``OvhSmsNotFoundError``) may only mean that OVH has not recorded it yet.
        """
        data = await self._call("GET", f"{_number_path(service, number)}/outgoing/{sms_id}")
        if not isinstance(data, dict):
            raise OvhSmsServerError("OVH answered with something that is not its API")
        return OutgoingSms.from_api(sms_id, data)
