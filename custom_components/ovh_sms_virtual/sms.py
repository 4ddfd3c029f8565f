"""Recipients and SMS lengths, as OVH counts them.

Functions without Home Assistant or network: the sender checks everything with them
before anything reaches OVH. Phone-number parsing itself lives in ``phone``.
"""

from dataclasses import dataclass
from typing import Final, Literal

from .phone import read_number

# GSM 03.38 basic table: one septet each.
GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM 03.38 extension table: an escape septet plus the character, two septets each.
GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")

GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"
type Encoding = Literal["GSM-7", "UCS-2"]

# Units in a single SMS, and per part once the message is split (the rest of each part
# carries the concatenation header).
GSM7_SINGLE: Final = 160
GSM7_PART: Final = 153
UCS2_SINGLE: Final = 70
UCS2_PART: Final = 67

# OVH refuses messages longer than 6 concatenated SMS (918 GSM-7 / 402 UCS-2 units).
MAX_SEGMENTS: Final = 6
MAX_CHARACTERS: Final[dict[Encoding, int]] = {
    GSM7: MAX_SEGMENTS * GSM7_PART,
    UCS2: MAX_SEGMENTS * UCS2_PART,
}


class InvalidPhoneNumberError(ValueError):
    """The value is not a phone number that can receive an SMS."""


class PremiumRateNumberError(InvalidPhoneNumberError):
    """The number is premium rate: an SMS to it may cost far more than a credit."""


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """How a message is encoded and how many SMS it takes."""

    encoding: Encoding
    characters: int
    """Septets (GSM-7, extension characters count twice) or UTF-16 code units (UCS-2)."""
    segments: int

    @property
    def max_characters(self) -> int:
        """The longest message OVH accepts in this encoding."""
        return MAX_CHARACTERS[self.encoding]

    @property
    def too_long(self) -> bool:
        """Whether OVH would refuse the message for its length."""
        return self.segments > MAX_SEGMENTS


def normalize_phone_number(value: str, region: str | None) -> str:
    """The number in E.164 (``+33612345678``); blocking (see ``phone``), use the executor.

    Accepts the usual written forms (digits, spaces, dots, dashes, parentheses, a
    national number of ``region``, an international ``00`` or ``+`` prefix), nothing
    else. Without a region, only international numbers are understood. Premium-rate
    numbers are refused (``PremiumRateNumberError``).
    """
    import phonenumbers  # noqa: PLC0415 - imported on first use, see ``phone``

    if (read := read_number(value, region or phonenumbers.UNKNOWN_REGION)) is None:
        raise InvalidPhoneNumberError(value)
    number, premium_rate = read
    if premium_rate:
        raise PremiumRateNumberError(value)
    return number


def count_segments(message: str) -> SegmentCount:
    """Encoding, length and number of SMS of a message (GSM 03.38 or UCS-2).

    A character outside both GSM tables switches the whole message to UCS-2, where a
    character outside the Basic Multilingual Plane (most emoji) takes two code units.
    """
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in message):
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in message]
        return SegmentCount(GSM7, sum(sizes), _segments(sizes, GSM7_SINGLE, GSM7_PART))
    sizes = [2 if ord(char) > 0xFFFF else 1 for char in message]
    return SegmentCount(UCS2, sum(sizes), _segments(sizes, UCS2_SINGLE, UCS2_PART))


def _segments(sizes: list[int], single: int, part: int) -> int:
    """Parts needed; an escape or surrogate pair is never split across two parts."""
    if sum(sizes) <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments += 1
            used = 0
        used += size
    return segments
