"""Triggers of the automation editor: "SMS received" and "SMS delivery failed".

They follow the bus events (``ovh_sms_virtual_received`` and a failed
``ovh_sms_virtual_delivery_status``), filtered by virtual number, by contact (a contact's
device, so it is picked by name and follows a change of number), by phone number and,
for received SMS, by text. The ``trigger`` variables carry the event's fields and the
contact's name.
"""

from abc import abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, cast, override

from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, CONF_OPTIONS
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.trigger import Trigger, TriggerActionRunner, TriggerConfig
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .compat import device_subentry_ids
from .const import (
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_RECEIVED,
)
from .coordinator import OvhSmsConfigEntry
from .entity import contact_with_number
from .sms import InvalidPhoneNumberError, normalize_phone_number

if TYPE_CHECKING:
    # Newer than the oldest Home Assistant this integration supports (2026.3).
    from homeassistant.helpers.trigger import TriggerNotTriggeredReporter

TRIGGER_RECEIVED: Final = "received"
TRIGGER_DELIVERY_FAILED: Final = "delivery_failed"

ATTR_CONTACT: Final = "contact"
ATTR_NUMBER: Final = "number"
ATTR_TEXT: Final = "text"
ATTR_MATCH: Final = "match"
MATCH_EQUALS: Final = "equals"
MATCH_CONTAINS: Final = "contains"

_FILTERS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_CONTACT, default=list): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_NUMBER, default=list): vol.All(cv.ensure_list, [cv.string]),
}
RECEIVED_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_OPTIONS, default=dict): {
            **_FILTERS,
            vol.Optional(ATTR_TEXT): cv.string,
            vol.Optional(ATTR_MATCH, default=MATCH_EQUALS): vol.In([MATCH_EQUALS, MATCH_CONTAINS]),
        }
    }
)
DELIVERY_FAILED_SCHEMA: Final = vol.Schema({vol.Required(CONF_OPTIONS, default=dict): _FILTERS})


def _normalized(numbers: list[str], region: str | None) -> list[str]:
    """The numbers in E.164 (blocking: phonenumbers reads its metadata from disk)."""
    try:
        return [normalize_phone_number(number, region) for number in numbers]
    except InvalidPhoneNumberError as err:
        raise vol.Invalid(f"not a phone number: {err}", path=[ATTR_NUMBER]) from err


def _contact(hass: HomeAssistant, data: Mapping[str, Any], party: str) -> ConfigSubentry | None:
    """The contact of the event's entry that is its ``party`` (sender or receiver), if any."""
    number = data.get(party)
    entry = hass.config_entries.async_get_entry(str(data.get("entry_id", "")))
    if not isinstance(number, str) or entry is None or entry.domain != DOMAIN:
        return None
    return contact_with_number(entry, number)


def _contact_subentries(hass: HomeAssistant, device_ids: list[str]) -> set[str]:
    """The contacts (subentry ids) of the chosen devices."""
    registry = dr.async_get(hass)
    return {
        subentry_id
        for device_id in device_ids
        if (device := registry.async_get(device_id)) is not None
        for subentry_id in device_subentry_ids(device)
    }


class _SmsTrigger(Trigger):
    """Follows one bus event of the integration; the subclasses say which and how."""

    _schema: vol.Schema
    _event_type: str
    # The event field holding the contact's side of the SMS.
    _party: str

    @override
    @classmethod
    async def async_validate_config(cls, hass: HomeAssistant, config: ConfigType) -> ConfigType:
        config = cast(ConfigType, cls._schema(config))
        options = config[CONF_OPTIONS]
        options[ATTR_NUMBER] = await hass.async_add_executor_job(
            _normalized, options[ATTR_NUMBER], hass.config.country
        )
        return config

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Keep the validated options."""
        super().__init__(hass, config)
        self._options: Mapping[str, Any] = config.options or {}

    @override
    async def async_attach_runner(
        self,
        run_action: TriggerActionRunner,
        did_not_trigger: TriggerNotTriggeredReporter | None = None,
    ) -> CALLBACK_TYPE:
        @callback
        def fired(event: Event[dict[str, Any]]) -> None:
            self._async_run(run_action, event)

        return self._hass.bus.async_listen(self._event_type, fired, self._matches)

    @callback
    def _matches(self, data: Mapping[str, Any]) -> bool:
        options = self._options
        if (entry_id := options.get(ATTR_CONFIG_ENTRY_ID)) and data.get("entry_id") != entry_id:
            return False
        numbers: list[str] = options[ATTR_NUMBER]
        devices: list[str] = options[ATTR_CONTACT]
        if not numbers and not devices:
            return True
        if data.get(self._party) in numbers:
            return True
        if not devices:
            return False
        contact = _contact(self._hass, data, self._party)
        return contact is not None and contact.subentry_id in _contact_subentries(
            self._hass, devices
        )

    @callback
    def _async_run(self, run_action: TriggerActionRunner, event: Event[dict[str, Any]]) -> None:
        variables = self._variables(event.data)
        run_action(variables, self._description(event.data), event.context)

    def _variables(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The event's fields and the name of the contact (None for another number)."""
        contact = _contact(self._hass, data, self._party)
        return {**data, ATTR_CONTACT: None if contact is None else contact.title}

    @abstractmethod
    def _description(self, data: Mapping[str, Any]) -> str:
        """What the trace and the logbook say fired the automation."""


class ReceivedTrigger(_SmsTrigger):
    """An SMS arrived; optionally from given contacts or numbers, with a given text."""

    _schema = RECEIVED_SCHEMA
    _event_type = EVENT_RECEIVED
    _party = "sender"

    @override
    @callback
    def _matches(self, data: Mapping[str, Any]) -> bool:
        if (text := self._options.get(ATTR_TEXT)) is not None:
            expected = text.strip().casefold()
            message = str(data.get("message", "")).strip().casefold()
            if self._options[ATTR_MATCH] == MATCH_CONTAINS:
                found = expected in message
            else:
                found = message == expected
            if not found:
                return False
        return super()._matches(data)

    @override
    def _description(self, data: Mapping[str, Any]) -> str:
        return f"SMS from {data.get('sender')}"


class DeliveryFailedTrigger(_SmsTrigger):
    """OVH reported that an SMS was not delivered; optionally to given contacts or numbers.

    ``trigger.message`` is the text of that SMS, read from OVH (None when it cannot be
    read), so an automation can send it again another way. OVH's ``description`` is
    ``trigger.ovh_description``: ``trigger.description`` describes the trigger.
    """

    _schema = DELIVERY_FAILED_SCHEMA
    _event_type = EVENT_DELIVERY_STATUS
    _party = "receiver"

    @override
    @callback
    def _matches(self, data: Mapping[str, Any]) -> bool:
        return data.get("status") == "failed" and super()._matches(data)

    @override
    @callback
    def _async_run(self, run_action: TriggerActionRunner, event: Event[dict[str, Any]]) -> None:
        self._hass.async_create_task(self._async_run_with_text(run_action, event))

    async def _async_run_with_text(
        self, run_action: TriggerActionRunner, event: Event[dict[str, Any]]
    ) -> None:
        variables = self._variables(event.data)
        variables["ovh_description"] = variables.pop("description", None)
        variables["message"] = await self._async_text(event.data)
        run_action(variables, self._description(event.data), event.context)

    async def _async_text(self, data: Mapping[str, Any]) -> str | None:
        """The failed SMS's text as OVH keeps it, when the entry is loaded and OVH answers."""
        entry: OvhSmsConfigEntry | None = self._hass.config_entries.async_get_entry(
            str(data.get("entry_id"))
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        return await entry.runtime_data.delivery.async_failed_text(int(data["message_id"]))

    @override
    def _description(self, data: Mapping[str, Any]) -> str:
        return f"SMS to {data.get('receiver')} not delivered"


TRIGGERS: Final[dict[str, type[Trigger]]] = {
    TRIGGER_RECEIVED: ReceivedTrigger,
    TRIGGER_DELIVERY_FAILED: DeliveryFailedTrigger,
}


async def async_get_triggers(hass: HomeAssistant) -> dict[str, type[Trigger]]:
    """The integration's triggers."""
    return TRIGGERS
