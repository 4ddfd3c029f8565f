"""Phone numbers as people write them, as E.164 and as OVH writes a virtual number.

``phonenumbers`` reads its per-country metadata from disk the first time a country is
used: call these functions in the executor.
"""

import phonenumbers


def _parse(value: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The number, when ``value`` is a valid phone number (national ones of ``region``).

    Only what people write in a phone number is read: phonenumbers would find a number
    in a URL or in any text around one, which is not what was meant.
    """
    if not set(value) <= frozenset("0123456789+ .-()\u00a0"):
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def to_e164(value: str, region: str) -> str | None:
    """``+33612345678`` for "06 12 34 56 78" in France, "+33 6 12…" or "0033 6 12…"."""
    number = _parse(value, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def to_ovh_path_number(value: str, region: str) -> str | None:
    """``0033612345678``: how OVH names a virtual number in its API paths."""
    number = _parse(value, region)
    if number is None:
        return None
    return f"00{number.country_code}{phonenumbers.national_significant_number(number)}"


def is_premium_rate(e164: str) -> bool:
    """Whether an E.164 number is premium rate (in France, the 08 9x numbers among others)."""
    number = phonenumbers.parse(e164)
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.PREMIUM_RATE
