"""Phone numbers as people write them, as E.164 and as OVH writes a virtual number.

``phonenumbers`` reads its per-country metadata from disk the first time a country is
used: call these functions in the executor. It is imported there too, on first use, rather
than with the integration: 58 modules and about 10 ms that Home Assistant's start would
pay for an entry that may never send an SMS.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber


def _parse(value: str, region: str) -> tuple[PhoneNumber, int] | None:
    """The number and its ``PhoneNumberType``, when ``value`` is a valid phone number.

    National numbers are read as numbers of ``region``. Only what people write in a phone
    number is read: phonenumbers would find a number in a URL or in any text around one,
    which is not what was meant. A number is valid exactly when its type is known (both
    match it against its country's patterns): one look gives both.
    """
    if not set(value) <= frozenset("0123456789+ .-()\u00a0"):
        return None
    import phonenumbers  # noqa: PLC0415 - see the module's docstring

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    kind = phonenumbers.number_type(number)
    return None if kind == phonenumbers.PhoneNumberType.UNKNOWN else (number, kind)


def to_e164(value: str, region: str) -> str | None:
    """``+33612345678`` for "06 12 34 56 78" in France, "+33 6 12…" or "0033 6 12…"."""
    if (read := read_number(value, region)) is None:
        return None
    return read[0]


def read_number(value: str, region: str) -> tuple[str, bool] | None:
    """The number in E.164, and whether it is premium rate (in France, 08 9x among others)."""
    import phonenumbers  # noqa: PLC0415 - see the module's docstring

    if (parsed := _parse(value, region)) is None:
        return None
    number, kind = parsed
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, kind == phonenumbers.PhoneNumberType.PREMIUM_RATE


def to_ovh_path_number(value: str, region: str) -> str | None:
    """``0033612345678``: how OVH names a virtual number in its API paths."""
    import phonenumbers  # noqa: PLC0415 - see the module's docstring

    if (parsed := _parse(value, region)) is None:
        return None
    number, _ = parsed
    return f"00{number.country_code}{phonenumbers.national_significant_number(number)}"


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


def is_number(value: str, ovh_number: str) -> bool:
    """Whether ``value`` names the virtual number ``ovh_number`` (``0033612345678``).

    ``value`` may be written ``+33612345678``, ``0033612345678``, ``33612345678`` or in the
    number's national form, ``0612345678``.
    """
    import phonenumbers  # noqa: PLC0415 - see the module's docstring

    own = ovh_number_to_e164(ovh_number)
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(own))
    except phonenumbers.NumberParseException:
        return False
    if region is None:
        return False
    text = value.strip()
    if to_e164(text, region) == own:
        return True
    # Digits with the country code but no "+" nor "00" read as a national number first.
    return text.isdigit() and not text.startswith("0") and to_e164(f"+{text}", region) == own
