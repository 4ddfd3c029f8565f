"""Delivery reports: what OVH's status-change callback or its outgoing record says.

OVH documents ``id``, ``ptt``, ``date``, ``description`` (the DLR id) and ``descriptionDlr``
(its text); RaspiSMS reads a ``dlr`` parameter. The exact wire format was never published,
so only ``id`` must have a given shape: every other value that is not what was expected is
set aside, never a reason to lose the report. Each value that reaches an event or a state
is bounded in type and size, so that one call cannot store what Home Assistant cannot
serialise (an integer beyond 64 bits, say).
"""

from dataclasses import dataclass
from typing import Final

from .const import DELIVERY_STATUSES

# OVH's ids are ``long``s.
MAX_MESSAGE_ID: Final = 2**63 - 1
# DLR ids (0 to 16) and ptt codes (up to 3 digits) are small: five digits leave room.
MAX_CODE: Final = 99_999
MAX_DATE_LENGTH: Final = 64
MAX_TEXT_LENGTH: Final = 255

# OVH's DLR ids (the bits of Kannel's dlr-mask): 1 delivered to the phone, 2 not delivered
# to the phone, 4 queued, 8 delivered to the operator, 16 not delivered to the operator.
STATUS_BY_DLR: Final = {
    0: "pending",
    1: "delivered",
    2: "failed",
    4: "pending",
    8: "pending",
    16: "failed",
}
# OVH's ptt code for "delivered" (its FAQ: 1 in progress, 4 delivered, 5 failed).
PTT_DELIVERED: Final = 4
STATUS_DELIVERED, STATUS_FAILED, STATUS_PENDING, STATUS_UNKNOWN = DELIVERY_STATUSES
# No later report follows these.
FINAL_STATUSES: Final = frozenset({STATUS_DELIVERED, STATUS_FAILED})


class InvalidReportError(ValueError):
    """The call is not a report that can be accepted; ``reason`` is a fixed text."""

    def __init__(self, reason: str) -> None:
        """Keep the reason (never a value or a name taken from the call)."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """One status change of a sent SMS, as the event and the entity carry it."""

    message_id: int
    status: str
    dlr: int | None
    ptt: int | None
    description: str | None
    date: str | None


def bounded_int(value: object, maximum: int, minimum: int = 0) -> int | None:
    """``value`` when it is an integer (a bool is not) from ``minimum`` to ``maximum``."""
    if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
        return value
    return None


def whole_number(value: str | None, maximum: int) -> int | None:
    """``value`` as an integer when it is a whole number from 0 to ``maximum``, else None.

    Surrounding blanks are allowed; signs, decimals and non-ASCII digits are not.
    """
    if value is None:
        return None
    text = value.strip()
    # ASCII digits only: ``isdigit`` alone accepts other scripts' digits and superscripts.
    if not (text.isascii() and text.isdigit()):
        return None
    # Compare lengths before converting: a long run of digits is refused without building
    # a huge integer.
    significant = text.lstrip("0")
    if len(significant) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def delivery_status(dlr: int | None, ptt: int | None) -> str:
    """The status a DLR id gives, else what ptt 4 (delivered) gives, else ``unknown``."""
    if dlr is not None:
        return STATUS_BY_DLR.get(dlr, STATUS_UNKNOWN)
    return STATUS_DELIVERED if ptt == PTT_DELIVERED else STATUS_UNKNOWN


def _bounded_text(value: str | None, max_length: int) -> str | None:
    """``value`` when it is not blank; a 4xx when it is longer than ``max_length``."""
    if value is None or not value.strip():
        return None
    if len(value) > max_length:
        raise InvalidReportError("value too long")
    return value


def message_id(params: dict[str, str]) -> int:
    """The call's ``id``: ``InvalidReportError`` when absent or not within OVH's range."""
    raw_id = params.get("id")
    if raw_id is None:
        raise InvalidReportError("missing id")
    found = whole_number(raw_id, MAX_MESSAGE_ID)
    if found is None:
        raise InvalidReportError("invalid id")
    return found


def parse_report(params: dict[str, str]) -> DeliveryReport:
    """The report a call's parameters (blank values already left out) make.

    Raises ``InvalidReportError`` when there is no whole-number ``id`` within OVH's range,
    or a text is longer than an event can reasonably carry.

    The DLR id is the first of ``dlr`` and ``description`` that is a small whole number.
    ``description`` is OVH's ``descriptionDlr``, or, when there is none, the
    ``description`` parameter if that is not the DLR id (a text such as ``Delivered``).
    """
    report_id = message_id(params)
    from_dlr = whole_number(params.get("dlr"), MAX_CODE)
    from_description = whole_number(params.get("description"), MAX_CODE)
    dlr = from_dlr if from_dlr is not None else from_description
    ptt = whole_number(params.get("ptt"), MAX_CODE)
    text = params.get("descriptionDlr")
    if text is None and from_description is None:
        text = params.get("description")
    return DeliveryReport(
        message_id=report_id,
        status=delivery_status(dlr, ptt),
        dlr=dlr,
        ptt=ptt,
        description=_bounded_text(text, MAX_TEXT_LENGTH),
        date=_bounded_text(params.get("date"), MAX_DATE_LENGTH),
    )


def outgoing_report(
    message_id: int, dlr: int | None, ptt: int | None, delivered_at: str | None
) -> DeliveryReport:
    """The report that OVH's record of a sent SMS (``GET .../outgoing/{id}``) makes.

    ``deliveryReceipt`` is read as the DLR id and mapped like the callback's. A record
    with a ``deliveredAt`` is delivered unless its DLR id says it failed (as other
    clients of this API read it). The record has no text: ``description`` is None, and
    ``date`` is ``deliveredAt`` as OVH wrote it (None until the SMS is delivered).
    """
    status = delivery_status(dlr, ptt)
    if delivered_at is not None and status != STATUS_FAILED:
        status = STATUS_DELIVERED
    return DeliveryReport(
        message_id=message_id,
        status=status,
        dlr=dlr,
        ptt=ptt,
        description=None,
        date=delivered_at,
    )
