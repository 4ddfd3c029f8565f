"""The integration's actions: ``ovh_sms_virtual.send_sms``."""

from typing import Any, Final

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
import voluptuous as vol

from .const import DOMAIN, SERVICE_SEND_SMS
from .coordinator import OvhSmsConfigEntry

ATTR_RECIPIENTS: Final = "recipients"
ATTR_MESSAGE: Final = "message"
ATTR_PRIORITY: Final = "priority"
ATTR_VALIDITY_PERIOD: Final = "validity_period"
ATTR_DIFFERED_PERIOD: Final = "differed_period"
ATTR_FLASH: Final = "flash"
ATTR_TAG: Final = "tag"

# OVH's priorities, as automations write them, and OVH's name for each. The UI's selector
# offers ``very_low`` (translated option keys must be lower case): OVH's ``veryLow`` too.
PRIORITIES: Final = {
    "high": "high",
    "medium": "medium",
    "low": "low",
    "veryLow": "veryLow",
    "very_low": "veryLow",
}


def _recipients(value: Any) -> list[str]:
    """A list of numbers, one number, or numbers separated by commas."""
    return [
        number.strip()
        for item in cv.ensure_list(value)
        for number in str(item).split(",")
        if number.strip()
    ]


_MINUTES = vol.All(vol.Coerce(int), vol.Range(min=1))

SEND_SMS_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_RECIPIENTS): _recipients,
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_PRIORITY): vol.All(vol.In(PRIORITIES), PRIORITIES.__getitem__),
        vol.Optional(ATTR_VALIDITY_PERIOD): _MINUTES,
        vol.Optional(ATTR_DIFFERED_PERIOD): _MINUTES,
        vol.Optional(ATTR_FLASH, default=False): cv.boolean,
        vol.Optional(ATTR_TAG): cv.string,
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_SMS,
        _async_send_sms,
        # Home Assistant's signature names probatio, which stands in for voluptuous at run time.
        schema=SEND_SMS_SCHEMA,  # type: ignore[arg-type]
        supports_response=SupportsResponse.OPTIONAL,
    )


def _config_entry(hass: HomeAssistant, entry_id: str | None) -> OvhSmsConfigEntry:
    """The entry to send with; without an id, the only loaded one."""
    if entry_id is None:
        loaded = hass.config_entries.async_loaded_entries(DOMAIN)
        # None loaded: the only entry, named so that Home Assistant says it is not loaded
        # (it does so itself for a missing id since 2026.7; before, that reads as unknown).
        candidates = loaded or hass.config_entries.async_entries(
            DOMAIN, include_ignore=False, include_disabled=False
        )
        if len(candidates) > 1:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="config_entry_required"
            )
        if loaded:
            return loaded[0]
        if candidates:
            entry_id = candidates[0].entry_id
    # Home Assistant's own translated errors: unknown, not loaded, other integration.
    return service.async_get_config_entry(hass, DOMAIN, entry_id)


async def _async_send_sms(call: ServiceCall) -> ServiceResponse:
    """Send one SMS job; its report is the response."""
    entry = _config_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    report = await entry.runtime_data.sender.async_send(
        call.data[ATTR_RECIPIENTS],
        call.data[ATTR_MESSAGE],
        priority=call.data.get(ATTR_PRIORITY),
        validity_period=call.data.get(ATTR_VALIDITY_PERIOD),
        differed_period=call.data.get(ATTR_DIFFERED_PERIOD),
        flash=call.data[ATTR_FLASH],
        tag=call.data.get(ATTR_TAG),
    )
    if not call.return_response:
        return None
    return {
        "message_ids": list(report.ids),
        "valid_recipients": list(report.valid_receivers),
        "invalid_recipients": list(report.invalid_receivers),
        "credits_removed": report.credits_removed,
        "tag": report.tag,
    }
