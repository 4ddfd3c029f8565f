"""Base entity: one device per virtual number."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import CONF_NAME, CONF_NUMBER, CONF_SERVICE_NAME, DOMAIN
from .coordinator import OvhSmsConfigEntry


def device_info(entry: OvhSmsConfigEntry) -> DeviceInfo:
    """The virtual number's device."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.unique_id or entry.entry_id)},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer="OVHcloud",
        model="SMS virtual number",
        model_id=entry.data[CONF_SERVICE_NAME],
        name=entry.data.get(CONF_NAME) or entry.title,
        serial_number=entry.data[CONF_NUMBER],
    )


class OvhSmsEntity(Entity):
    """An entity of the virtual number's device."""

    _attr_has_entity_name = True

    def __init__(self, entry: OvhSmsConfigEntry, key: str) -> None:
        """Name the entity by its translation key, under the entry's device."""
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry.unique_id or entry.entry_id}_{key}"
        self._attr_device_info = device_info(entry)
