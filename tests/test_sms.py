"""Phone-number normalisation and SMS segment counting."""

import pytest

from custom_components.ovh_sms_virtual.sms import (
    GSM7,
    MAX_SEGMENTS,
    UCS2,
    InvalidPhoneNumberError,
    SegmentCount,
    count_segments,
    normalize_phone_number,
)


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06.12.34.56.78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "FR", "+33612345678"),
        ("0033612345678", "FR", "+33612345678"),
        ("612345678", "FR", "+33612345678"),
        ("+33612345678", None, "+33612345678"),
        ("+32 470 12 34 56", "FR", "+32470123456"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("+1 650-253-0000", "FR", "+16502530000"),
    ],
)
def test_normalize_phone_number(value: str, region: str | None, expected: str) -> None:
    assert normalize_phone_number(value, region) == expected


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("", "FR"),
        ("garage", "FR"),
        ("06 12", "FR"),
        ("06 12 34 56 78", None),  # a national number needs a region
        ("+44 7700 900123", "FR"),  # possible but not assigned (reserved for fiction)
        ("+33 6 12 34 56 78 90 12", "FR"),
    ],
)
def test_normalize_phone_number_rejects(value: str, region: str | None) -> None:
    with pytest.raises(InvalidPhoneNumberError) as err:
        normalize_phone_number(value, region)
    assert isinstance(err.value, ValueError)
    assert str(err.value) == value


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", SegmentCount(GSM7, 0, 1)),
        ("Hello", SegmentCount(GSM7, 5, 1)),
        ("a" * 160, SegmentCount(GSM7, 160, 1)),
        ("a" * 161, SegmentCount(GSM7, 161, 2)),
        ("a" * 306, SegmentCount(GSM7, 306, 2)),
        ("a" * 307, SegmentCount(GSM7, 307, 3)),
        ("a" * 918, SegmentCount(GSM7, 918, 6)),
        ("a" * 919, SegmentCount(GSM7, 919, 7)),
        # French accents of the GSM table stay GSM-7.
        ("Porte du garage ouverte à 22 h, élan", SegmentCount(GSM7, 36, 1)),
        # Extension table: escape + character, two septets each.
        ("€" * 80, SegmentCount(GSM7, 160, 1)),
        ("[]{}" * 20 + "a", SegmentCount(GSM7, 161, 2)),
        ("\f", SegmentCount(GSM7, 2, 1)),
        # An escape pair is never split: 152 septets + "€" needs a new part.
        ("a" * 152 + "€" + "a" * 10, SegmentCount(GSM7, 164, 2)),
        ("a" * 152 + "€" + "a" * 152, SegmentCount(GSM7, 306, 3)),
        # One character outside GSM switches everything to UCS-2.
        ("ç" + "a" * 69, SegmentCount(UCS2, 70, 1)),
        ("ç" + "a" * 70, SegmentCount(UCS2, 71, 2)),
        ("Привет", SegmentCount(UCS2, 6, 1)),
        ("ê" * 402, SegmentCount(UCS2, 402, 6)),
        ("ê" * 403, SegmentCount(UCS2, 403, 7)),
        # An emoji outside the BMP takes two UTF-16 code units.
        ("🚨" * 35, SegmentCount(UCS2, 70, 1)),
        ("🚨" * 36, SegmentCount(UCS2, 72, 2)),
        # A surrogate pair is never split either: 66 units + an emoji needs a new part.
        ("é" * 66 + "🚨" + "é" * 3, SegmentCount(UCS2, 71, 2)),
        ("é" * 66 + "🚨" + "é" * 66, SegmentCount(UCS2, 134, 3)),
    ],
)
def test_count_segments(message: str, expected: SegmentCount) -> None:
    assert count_segments(message) == expected


def test_limits() -> None:
    assert MAX_SEGMENTS == 6
    assert count_segments("a" * 918).max_characters == 918
    assert count_segments("ê").max_characters == 402
    assert not count_segments("a" * 918).too_long
    assert count_segments("a" * 919).too_long
    assert not count_segments("ê" * 402).too_long
    assert count_segments("ê" * 403).too_long
