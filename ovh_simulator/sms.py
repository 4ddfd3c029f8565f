"""SMS length and segment counting (GSM 03.38 7-bit or UCS-2), as OVH bills it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""Characters of the GSM 03.38 basic table (one septet each)."""

GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")
"""Characters of the GSM 03.38 extension table (escape + character: two septets)."""

GSM7_SINGLE: Final = 160
GSM7_PART: Final = 153
UCS2_SINGLE: Final = 70
UCS2_PART: Final = 67
MAX_SEGMENTS: Final = 6
"""OVH sends a message in at most 6 concatenated SMS (918 GSM-7 or 402 UCS-2 characters).

Documented in OVH's FAQ; that a longer job is refused with a 400 is assumed.
"""


@dataclass(frozen=True, slots=True)
class SmsEncoding:
    """How a message is encoded and how many SMS segments it costs."""

    encoding: Literal["gsm7", "ucs2"]
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2) in the whole message."""
    segments: int


def is_gsm7(message: str) -> bool:
    """Return True when every character of ``message`` fits the GSM 03.38 tables."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in message)


def _pack(sizes: list[int], single: int, part: int) -> int:
    """Count segments, never splitting one character (escape pair, surrogate pair)."""
    total = sum(sizes)
    if total <= single:
        return 1
    segments = 1
    used = 0
    for size in sizes:
        if used + size > part:
            segments += 1
            used = 0
        used += size
    return segments


def count_segments(message: str) -> SmsEncoding:
    r"""Return the encoding, length in units and segment count of ``message``.

    GSM-7: 160 septets in a single SMS, 153 per part when concatenated; extension
    characters (``^{}\\[~]|€`` and form feed) take two septets. Anything outside
    the GSM tables switches the whole message to UCS-2: 70 UTF-16 code units in a
    single SMS, 67 per part (an emoji outside the BMP takes two units). An empty
    message still costs one segment.
    """
    if is_gsm7(message):
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in message]
        return SmsEncoding("gsm7", sum(sizes), _pack(sizes, GSM7_SINGLE, GSM7_PART))
    sizes = [2 if ord(char) > 0xFFFF else 1 for char in message]
    return SmsEncoding("ucs2", sum(sizes), _pack(sizes, UCS2_SINGLE, UCS2_PART))
