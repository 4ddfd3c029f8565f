"""Base entity and the devices: one per virtual number, one per contact."""

from typing import Final

from homeassistant.config_entries import ConfigSubentry
from homeassistant.helpers.device_registry import DeviceEntry, DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .compat import get_subentries_of_type, via_device
from .const import (
    CONF_NAME,
    CONF_NUMBER,
    CONF_PHONE_NUMBER,
    CONF_SERVICE_NAME,
    DOMAIN,
    SUBENTRY_CONTACT,
)
from .coordinator import OvhSmsConfigEntry

MANUFACTURER: Final = "OVHcloud"


def entry_key(entry: OvhSmsConfigEntry) -> str:
    """What the entry's unique ids and device identifiers start with."""
    return entry.unique_id or entry.entry_id


def device_info(entry: OvhSmsConfigEntry) -> DeviceInfo:
    """The virtual number's device."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry_key(entry))},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer=MANUFACTURER,
        model="SMS virtual number",
        model_id=entry.data[CONF_SERVICE_NAME],
        name=entry.data.get(CONF_NAME) or entry.title,
        serial_number=entry.data[CONF_NUMBER],
    )


def contact_with_number(entry: OvhSmsConfigEntry, number: str) -> ConfigSubentry | None:
    """The entry's contact with this phone number (in E.164), if any: one at most."""
    return next(
        (
            contact
            for contact in get_subentries_of_type(entry, SUBENTRY_CONTACT)
            if contact.data[CONF_PHONE_NUMBER] == number
        ),
        None,
    )


def contact_device_info(
    unique_id: str, subentry: ConfigSubentry, number: DeviceEntry
) -> DeviceInfo:
    """A contact's device, linked to the virtual number's device."""
    return DeviceInfo(
        identifiers={(DOMAIN, unique_id)},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer=MANUFACTURER,
        model="SMS contact",
        name=subentry.title,
        **via_device(number),
    )


class OvhSmsEntity(Entity):
    """An entity of the virtual number's device."""

    _attr_has_entity_name = True

    def __init__(self, entry: OvhSmsConfigEntry, key: str) -> None:
        """Name the entity by its translation key, under the entry's device."""
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry_key(entry)}_{key}"
        self._attr_device_info = device_info(entry)
