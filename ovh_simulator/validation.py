"""Body validation for the simulated routes (field names and types from OVH's schema)."""

from __future__ import annotations

from dataclasses import dataclass
import math
import re
from typing import Any, Final

from .errors import bad_request

TAG_MAX_LENGTH: Final = 20
"""Assumed: OVH documents 20 characters for http2sms tags; the API's limit is not published."""
DESTINATIONS: Final = {
    "fr": re.compile(r"\+33[1-9]\d{8}"),
    **{
        country: re.compile(rf"\+{code}\d{{6,12}}")
        for country, code in (("be", 32), ("ch", 41), ("de", 49), ("es", 34), ("uk", 44))
    },
}
"""What a virtual number of each country (``sms.VirtualNumber.countryCode``) sends to.

OVH's FAQ says a (French) virtual number sends to French numbers only. Assumed: that other
receivers come back in ``invalidReceivers`` (rather than failing the job), the shape of a
valid number, and that other countries follow the same rule.
"""

_JOB_ENUMS: Final[dict[str, frozenset[str]]] = {
    "charset": frozenset({"UTF-8"}),
    "class": frozenset({"flash", "phoneDisplay", "sim", "toolkit"}),
    "coding": frozenset({"7bit", "8bit"}),
    "priority": frozenset({"high", "low", "medium", "veryLow"}),
}
_JOB_STRINGS: Final = frozenset({"message", "receiversDocumentUrl", "receiversSlotId", "tag"})
_JOB_INTS: Final = frozenset({"differedPeriod", "validityPeriod"})
JOB_FIELDS: Final = _JOB_STRINGS | _JOB_INTS | frozenset(_JOB_ENUMS) | frozenset({"receivers"})
"""Body fields of ``POST /sms/{serviceName}/virtualNumbers/{number}/jobs``."""

ACCOUNT_READ_ONLY: Final = frozenset(
    {
        "name",
        "creditsLeft",
        "creditsHoldByQuota",
        "status",
        "channel",
        "smpp",
        "userQuantityWithQuota",
        "iam",
    }
)
_SMS_RESPONSE_FIELDS: Final = frozenset(
    {"responseType", "cgiUrl", "text", "trackingDefaultSmsSender", "trackingOptions"}
)
_TEMPLATE_BOOLS: Final = frozenset({"customizedEmailMode", "customizedSmsMode"})
_TEMPLATE_STRINGS: Final = frozenset({"emailBody", "emailFrom", "emailSubject", "smsBody"})


def is_int(value: object) -> bool:
    """Return True for a JSON integer (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """Return True for a JSON number, integer or not (not a boolean)."""
    return is_int(value) or isinstance(value, float)


def require_object(body: Any, *, present: bool) -> dict[str, Any]:
    """Return ``body`` if it is a JSON object, else raise a 400."""
    if not present:
        raise bad_request("Missing body")
    if not isinstance(body, dict):
        raise bad_request("Invalid body: a JSON object is expected")
    return body


def receiver_accepted(receiver: str, country_code: str) -> bool:
    """Whether a virtual number of ``country_code`` sends to ``receiver`` (E.164 only)."""
    pattern = DESTINATIONS.get(country_code)
    return pattern is not None and pattern.fullmatch(receiver) is not None


def _expect_str(name: str, value: Any, *, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise bad_request(f"Invalid type for parameter {name}: a string is expected")


@dataclass(frozen=True, slots=True)
class JobRequest:
    """A validated job body."""

    message: str
    receivers: list[str]
    tag: str
    differed_period: int


def validate_job(body: dict[str, Any]) -> JobRequest:
    """Validate a virtual-number job body; raise a 400 naming the faulty field.

    The fields and their types are OVH's schema; the error texts are assumed (OVH answers
    "Received not described parameters" for an unknown field, as seen in third-party code).
    """
    for name in body:
        if name not in JOB_FIELDS:
            raise bad_request(f"Invalid parameter {name}: unknown property for this call")
    if body.get("message") is None:
        raise bad_request("Missing parameter: message")
    for name, value in body.items():
        if value is None:
            continue
        if name in _JOB_STRINGS:
            _expect_str(name, value)
        elif name in _JOB_INTS:
            if not is_int(value) or value < 0:
                raise bad_request(f"Invalid type for parameter {name}: a positive long is expected")
        elif name in _JOB_ENUMS:
            if value not in _JOB_ENUMS[name]:
                allowed = ", ".join(sorted(_JOB_ENUMS[name]))
                raise bad_request(f"Invalid value for parameter {name}: expected one of {allowed}")
        elif name == "receivers" and (
            not isinstance(value, list) or not all(isinstance(item, str) for item in value)
        ):
            raise bad_request("Invalid type for parameter receivers: a list of strings is expected")
    message: str = body["message"]
    if not message:
        raise bad_request("Invalid value for parameter message: empty message")
    tag: str = body.get("tag") or ""
    if len(tag) > TAG_MAX_LENGTH:
        raise bad_request(f"Invalid value for parameter tag: at most {TAG_MAX_LENGTH} characters")
    receivers: list[str] = body.get("receivers") or []
    if not receivers:
        if body.get("receiversDocumentUrl") or body.get("receiversSlotId"):
            raise bad_request(
                "receiversDocumentUrl and receiversSlotId are not supported by "
                "the simulator: use receivers"
            )
        raise bad_request("Missing parameter: receivers")
    return JobRequest(
        message=message,
        receivers=list(receivers),
        tag=tag,
        differed_period=body.get("differedPeriod") or 0,
    )


def _validate_sms_response(value: Any) -> None:
    if not isinstance(value, dict):
        raise bad_request("Invalid type for parameter smsResponse: an object is expected")
    for name, item in value.items():
        if name not in _SMS_RESPONSE_FIELDS:
            raise bad_request(f"Invalid parameter smsResponse.{name}: unknown property")
        if name == "responseType":
            if item not in ("cgi", "none", "text"):
                raise bad_request(
                    "Invalid value for parameter smsResponse.responseType: "
                    "expected one of cgi, none, text"
                )
        elif name == "trackingOptions":
            if not isinstance(item, list) or not all(isinstance(option, dict) for option in item):
                raise bad_request(
                    "Invalid type for parameter smsResponse.trackingOptions: "
                    "a list of objects is expected"
                )
        else:
            _expect_str(f"smsResponse.{name}", item, nullable=True)


def _validate_templates(value: Any) -> None:
    if not isinstance(value, dict):
        raise bad_request("Invalid type for parameter templates: an object is expected")
    for name, item in value.items():
        if name in _TEMPLATE_BOOLS:
            if not isinstance(item, bool):
                raise bad_request(
                    f"Invalid type for parameter templates.{name}: a boolean is expected"
                )
        elif name in _TEMPLATE_STRINGS:
            _expect_str(f"templates.{name}", item, nullable=True)
        else:
            raise bad_request(f"Invalid parameter templates.{name}: unknown property")


def validate_account_update(body: dict[str, Any]) -> None:
    """Validate a partial ``PUT /sms/{serviceName}`` body (``sms.Account``); 400 on error.

    Assumed: that OVH accepts a partial body (third-party code does it), refuses read-only
    and unknown fields, and the error texts.
    """
    for name, value in body.items():
        if name in ACCOUNT_READ_ONLY:
            raise bad_request(f"Invalid parameter {name}: property is read-only")
        if name in ("callBack", "stopCallBack"):
            _expect_str(name, value, nullable=True)
        elif name == "description":
            _expect_str(name, value)
        elif name == "smsResponse":
            _validate_sms_response(value)
        elif name == "templates":
            _validate_templates(value)
        elif name == "automaticRecreditAmount":
            if value is not None and (not is_int(value) or value <= 0):
                raise bad_request(
                    "Invalid type for parameter automaticRecreditAmount: "
                    "a positive long or null is expected"
                )
        elif name == "creditThresholdForAutomaticRecredit":
            # A double in OVH's schema; assumed: not negative.
            if not is_number(value) or not math.isfinite(value) or value < 0:
                raise bad_request(
                    "Invalid type for parameter creditThresholdForAutomaticRecredit: "
                    "a positive double is expected"
                )
        else:
            raise bad_request(f"Invalid parameter {name}: unknown property")


def apply_account_update(account: dict[str, Any], body: dict[str, Any]) -> None:
    """Apply a validated partial update; nested objects are merged, not replaced.

    Assumed: that OVH keeps the fields a partial ``smsResponse`` or ``templates`` leaves out
    (the integration writes only ``responseType`` and ``cgiUrl`` of ``smsResponse``).
    """
    for name, value in body.items():
        if name in ("smsResponse", "templates"):
            account[name] = {**account[name], **value}
        elif name == "creditThresholdForAutomaticRecredit":
            account[name] = float(value)
        else:
            account[name] = value
