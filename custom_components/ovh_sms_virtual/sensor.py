"""Credits left on the SMS account."""

from typing import override

from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import OvhSmsAccountCoordinator, OvhSmsConfigEntry
from .entity import OvhSmsEntity

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OvhSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the credits sensor."""
    async_add_entities([OvhSmsCreditsSensor(entry)])


class OvhSmsCreditsSensor(OvhSmsEntity, CoordinatorEntity[OvhSmsAccountCoordinator], SensorEntity):
    """``creditsLeft`` of the SMS account."""

    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_native_unit_of_measurement = "credits"
    _attr_suggested_display_precision = 1

    def __init__(self, entry: OvhSmsConfigEntry) -> None:
        """Follow the entry's account coordinator."""
        CoordinatorEntity.__init__(self, entry.runtime_data.account)
        OvhSmsEntity.__init__(self, entry, "credits_left")

    @property
    @override
    def native_value(self) -> float | None:
        # Unknown until OVH's account was read, and while it holds no readable number.
        account = self.coordinator.data
        return None if account is None else account.credits_left
