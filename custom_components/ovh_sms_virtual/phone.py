"""Phone numbers as people write them, as E.164 and as OVH writes a virtual number.

``phonenumbers`` reads its per-country metadata from disk the first time a country is
used: call these functions in the executor. It is imported there too, on first use, rather
than with the integration: 58 modules and about 10 ms that Home Assistant's start would
pay for an entry that may never send an SMS.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber


def _parse(value: str, region: str) -> PhoneNumber | None:
    """The number, when ``value`` is a valid phone number (national ones of ``region``).

    Only what people write in a phone number is read: phonenumbers would find a number
    in a URL or in any text around one, which is not what was meant.
    """
    if not set(value) <= frozenset("0123456789+ .-()\u00a0"):
        return None
    import phonenumbers  # noqa: PLC0415 - see the module's docstring

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def to_e164(value: str, region: str) -> str | None:
    """``+33612345678`` for "06 12 34 56 78" in France, "+33 6 12…" or "0033 6 12…"."""
    import phonenumbers  # noqa: PLC0415 - see the module's docstring

    number = _parse(value, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def to_ovh_path_number(value: str, region: str) -> str | None:
    """``0033612345678``: how OVH names a virtual number in its API paths."""
    import phonenumbers  # noqa: PLC0415 - see the module's docstring

    number = _parse(value, region)
    if number is None:
        return None
    return f"00{number.country_code}{phonenumbers.national_significant_number(number)}"


def is_premium_rate(e164: str) -> bool:
    """Whether an E.164 number is premium rate (in France, the 08 9x numbers among others)."""
    import phonenumbers  # noqa: PLC0415 - see the module's docstring

    number = phonenumbers.parse(e164)
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.PREMIUM_RATE


def country_name(region: str, language: str) -> str:
    """``France`` for "FR" in English and French, ``Frankreich`` in German.

    ``language`` is a language tag such as "fr" or "en-GB"; English when ``phonenumbers``
    has no names in that language, the code itself for a country it does not know.
    """
    import phonenumbers  # noqa: PLC0415 - see the module's docstring
    from phonenumbers import geocoder  # noqa: PLC0415 - see the module's docstring

    example = phonenumbers.example_number(region)
    if example is None:
        return region
    return (
        geocoder.country_name_for_number(example, language.partition("-")[0])
        or geocoder.country_name_for_number(example, "en")
        or region
    )


def ovh_number_to_e164(number: str) -> str:
    """``+33612345678`` for a virtual number as OVH writes it (``0033612345678``)."""
    return "+" + number.lstrip("+").removeprefix("00")
