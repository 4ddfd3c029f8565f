"""In-memory state of the simulated OVH API: applications, consumer keys, SMS accounts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
import re
from typing import Any, Final
import uuid
from zoneinfo import ZoneInfo

PARIS: Final = ZoneInfo("Europe/Paris")
"""OVH renders SMS datetimes in the Europe/Paris offset."""

DEMO_APPLICATION_KEY: Final = "demo-app-key"
DEMO_APPLICATION_SECRET: Final = "demo-app-secret"  # noqa: S105 - public demo value
DEMO_CONSUMER_KEY: Final = "demo-consumer-key"
DEMO_SERVICE: Final = "sms-demo12345-1"
DEMO_NUMBER: Final = "0033612345678"
DEMO_CREDITS: Final = 100.0

FULL_SMS_RULES: Final[tuple[tuple[str, str], ...]] = tuple(
    (method, path) for method in ("GET", "POST", "PUT", "DELETE") for path in ("/sms", "/sms/*")
)
"""Access rules of the demo consumer key: every method on ``/sms`` and ``/sms/*``."""

CONSUMER_KEY_STATES: Final = frozenset({"validated", "pendingValidation", "expired", "refused"})


def format_ovh_datetime(epoch: float) -> str:
    """Render ``epoch`` like OVH does: ISO 8601, seconds, Europe/Paris offset."""
    return (
        datetime.fromtimestamp(int(epoch), PARIS)
        .replace(microsecond=0)
        .isoformat(timespec="seconds")
    )


def format_callback_date(epoch: float) -> str:
    """Render ``epoch`` as the DLR callback ``date`` (``2026-11-27 10:12:05``, Paris).

    Assumed: OVH documents a ``date`` parameter but not its format.
    """
    return datetime.fromtimestamp(int(epoch), PARIS).strftime("%Y-%m-%d %H:%M:%S")


def parse_ovh_datetime(value: str) -> float:
    """Parse an ISO 8601 datetime filter into epoch seconds.

    A ``+`` that arrived unencoded in a query string shows up as a space; it is
    restored. A value without offset is taken as Europe/Paris local time, the
    API's own zone. Raises ``ValueError`` when the value is not a datetime.
    """
    text = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T]", r"\1T", value.strip())
    text = text.replace(" ", "+")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PARIS)
    return parsed.timestamp()


def to_epoch(value: datetime | float | None, default: float) -> float:
    """Convert a datetime (naive means UTC) or epoch seconds; None gives ``default``."""
    if value is None:
        return default
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    return float(value)


def e164_from_path_number(number: str) -> str:
    """Turn a ``0033612345678`` path number into ``+33612345678``."""
    return "+" + number[2:] if number.startswith("00") else number


@dataclass(slots=True)
class Application:
    """An OVH API application (application key and secret)."""

    key: str
    secret: str
    app_id: int


@dataclass(slots=True)
class ConsumerKey:
    """A consumer key (credential) bound to one application."""

    key: str
    application_key: str
    rules: list[tuple[str, str]]
    state: str
    credential_id: int
    created: float
    expiration: float | None = None
    redirection: str | None = None
    validation_token: str | None = None
    last_use: float | None = None


@dataclass(slots=True)
class IncomingSms:
    """An SMS received on a virtual number (``sms.Incoming``)."""

    id: int
    created: float
    message: str
    sender: str
    tag: str = ""
    credits: float = 0.0

    def to_api(self) -> dict[str, Any]:
        """Return the ``sms.Incoming`` JSON object."""
        return {
            "id": self.id,
            "creationDatetime": format_ovh_datetime(self.created),
            "credits": self.credits,
            "message": self.message,
            "sender": self.sender,
            "tag": self.tag,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an outgoing record shows once an SMS reached a state (``sms.Outgoing`` fields)."""

    delivery_receipt: int
    """The DLR id, as the status-change callback's ``description`` numbers it."""
    ptt: int
    delivered: bool
    """Whether ``deliveredAt`` is set."""


OUTCOMES: Final = {
    "pending": Outcome(0, 0, delivered=False),
    "buffered": Outcome(8, 3, delivered=False),
    "delivered": Outcome(1, 4, delivered=True),
    "failed": Outcome(2, 5, delivered=False),
}
"""The states an outgoing SMS can be given, by name.

Assumed: OVH's schema says ``deliveryReceipt`` is the operator's "delivery receipt" and
``ptt`` a "code representing SMS state"; that they use the callback's numbering (DLR ids 0
pending, 1 delivered, 2 failed, 8 buffered; ptt 3 accepted by the operator, 4 delivered,
5 undelivered) is inferred from third-party code, and a record waiting for the operator is
assumed to show 0 and 0.
"""


@dataclass(slots=True)
class OutgoingSms:
    """An SMS sent from a virtual number (``sms.Outgoing``).

    It is created pending (``deliveryReceipt`` 0, ``ptt`` 0, no ``deliveredAt``) and takes
    ``outcome`` once the simulator clock reaches ``settles_at`` (None: it stays as it is).
    Records are brought up to date when they are read.
    """

    id: int
    service: str
    number: str
    created: float
    message: str
    receiver: str
    sender: str
    tag: str
    credits: float
    number_of_sms: int
    message_length: int
    differed_delivery: int = 0
    ptt: int = 0
    delivery_receipt: int = 0
    sent_at: float | None = None
    delivered_at: float | None = None
    tariff_code: str | None = None
    message_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    batch_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    outcome: str = "delivered"
    settles_at: float | None = None

    def show(self, outcome: str, at: float) -> None:
        """Show ``outcome`` (a name of ``OUTCOMES``) from ``at`` (epoch seconds) on."""
        state = OUTCOMES[outcome]
        self.delivery_receipt = state.delivery_receipt
        self.ptt = state.ptt
        if state.delivered and self.delivered_at is None:
            self.delivered_at = float(int(at))
        self.outcome = outcome
        self.settles_at = None

    def settle(self, now: float) -> None:
        """Take the planned outcome when its time has come."""
        if self.settles_at is not None and now >= self.settles_at:
            self.show(self.outcome, self.settles_at)

    def to_api(self) -> dict[str, Any]:
        """Return the ``sms.Outgoing`` JSON object."""
        return {
            "id": self.id,
            "creationDatetime": format_ovh_datetime(self.created),
            "message": self.message,
            "receiver": self.receiver,
            "sender": self.sender,
            "tag": self.tag,
            "credits": self.credits,
            "ptt": self.ptt,
            "deliveryReceipt": self.delivery_receipt,
            "numberOfSms": self.number_of_sms,
            "messageLength": self.message_length,
            "differedDelivery": self.differed_delivery,
            "sentAt": None if self.sent_at is None else format_ovh_datetime(self.sent_at),
            "deliveredAt": None
            if self.delivered_at is None
            else format_ovh_datetime(self.delivered_at),
            "tariffCode": self.tariff_code,
            "messageID": self.message_uuid,
            "batchID": self.batch_uuid,
        }


@dataclass(slots=True)
class VirtualNumber:
    """A virtual number attached to an SMS account, with its message history."""

    number: str
    country_code: str = "fr"
    incoming: dict[int, IncomingSms] = field(default_factory=dict)
    outgoing: dict[int, OutgoingSms] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        """Return the ``sms.VirtualNumber`` JSON object."""
        return {"countryCode": self.country_code, "number": self.number}


def default_account(name: str, credits_left: float, description: str) -> dict[str, Any]:
    """Return the ``sms.AccountWithIAM`` fields of a fresh SMS account."""
    return {
        "name": name,
        "description": description,
        "creditsLeft": float(credits_left),
        "creditsHoldByQuota": 0.0,
        "status": "enable",
        "channel": "both",
        "smpp": False,
        "callBack": None,
        "stopCallBack": None,
        "smsResponse": {
            "responseType": "none",
            "cgiUrl": None,
            "text": None,
            "trackingDefaultSmsSender": None,
            "trackingOptions": [],
        },
        "automaticRecreditAmount": None,
        "creditThresholdForAutomaticRecredit": 0.0,
        "iam": {
            "displayName": name,
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ovh-sim/sms/{name}")),
            "tags": {},
            # Assumed: the URN shape OVH's IAM uses for other products.
            "urn": f"urn:v1:eu:resource:sms:{name}",
        },
        "userQuantityWithQuota": 0,
        "templates": {
            "customizedEmailMode": False,
            "customizedSmsMode": False,
            "emailBody": None,
            "emailFrom": None,
            "emailSubject": None,
            "smsBody": None,
        },
    }


@dataclass(slots=True)
class Service:
    """An SMS account (``sms-xx12345-1``) and its virtual numbers."""

    name: str
    account: dict[str, Any]
    numbers: dict[str, VirtualNumber] = field(default_factory=dict)


@dataclass(slots=True)
class SimState:
    """Everything the simulator knows; deep-copied for ``reset()``."""

    applications: dict[str, Application] = field(default_factory=dict)
    consumer_keys: dict[str, ConsumerKey] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    clock_offset: float = 0.0
    delivery_outcome: str = "delivered"
    """The outcome (a name of ``OUTCOMES``) a new outgoing SMS takes ``delivery_delay``..."""
    delivery_delay: float | None = 5.0
    """...seconds after it was sent; None: it stays pending."""
    next_job_id: int = 26929925
    next_incoming_id: int = 57957204
    next_app_id: int = 1001
    next_credential_id: int = 500001

    def find_outgoing(self, message_id: int) -> OutgoingSms | None:
        """Return the outgoing record with ``message_id`` in any account, or None."""
        for service in self.services.values():
            for number in service.numbers.values():
                if message_id in number.outgoing:
                    return number.outgoing[message_id]
        return None

    def outgoing_records(self) -> list[OutgoingSms]:
        """Every outgoing record of every account."""
        return [
            sms
            for service in self.services.values()
            for number in service.numbers.values()
            for sms in number.outgoing.values()
        ]

    def describe(self) -> dict[str, Any]:
        """Return a JSON-able summary (accounts, numbers, messages) for ``/_sim/state``."""
        return {
            "clock_offset": self.clock_offset,
            "applications": [app.key for app in self.applications.values()],
            "consumer_keys": {
                ck.key: {
                    "application": ck.application_key,
                    "state": ck.state,
                    "rules": [{"method": m, "path": p} for m, p in ck.rules],
                }
                for ck in self.consumer_keys.values()
            },
            "services": {
                service.name: {
                    "account": service.account,
                    "numbers": {
                        vn.number: {
                            "incoming": [sms.to_api() for sms in vn.incoming.values()],
                            "outgoing": [sms.to_api() for sms in vn.outgoing.values()],
                        }
                        for vn in service.numbers.values()
                    },
                }
                for service in self.services.values()
            },
        }


@dataclass(slots=True)
class RecordedRequest:
    """One API request the simulator received (control endpoints are not recorded)."""

    method: str
    path: str
    """Decoded path without the ``/1.0`` prefix and without the query string."""
    query: dict[str, str]
    body: Any
    """The parsed JSON body, or None (no body or not JSON)."""
    raw_url: str
    """The full URL exactly as sent on the wire (what the client signed)."""
    status: int | None
    """Response status; None while in flight or when the connection was dropped."""
    consumer_key: str | None
    received_at: float
    """When the request arrived (simulator clock, epoch seconds)."""
    answered_at: float | None = None
    """When the simulator answered it; None while in flight or when the connection was dropped."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return asdict(self)
