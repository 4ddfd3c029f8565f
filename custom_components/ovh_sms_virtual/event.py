"""Event entities: received SMS and delivery reports."""

from typing import Any, override

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DELIVERY_STATUSES, EVENT_TYPE_RECEIVED, SIGNAL_DELIVERY, SIGNAL_RECEIVED
from .coordinator import OvhSmsConfigEntry
from .entity import OvhSmsEntity
from .inbox import OvhSmsInboxCoordinator

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OvhSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the received-SMS and delivery-status event entities."""
    async_add_entities([OvhSmsReceivedEvent(entry), OvhSmsDeliveryEvent(entry)])


class OvhSmsReceivedEvent(OvhSmsEntity, CoordinatorEntity[OvhSmsInboxCoordinator], EventEntity):
    """Fires ``received`` for each SMS the inbox coordinator hands over."""

    _attr_event_types = [EVENT_TYPE_RECEIVED]

    def __init__(self, entry: OvhSmsConfigEntry) -> None:
        """Follow the entry's inbox coordinator."""
        CoordinatorEntity.__init__(self, entry.runtime_data.inbox)
        OvhSmsEntity.__init__(self, entry, "received_sms")
        self._signal = SIGNAL_RECEIVED.format(entry.entry_id)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(async_dispatcher_connect(self.hass, self._signal, self._received))

    @callback
    def _received(self, attributes: dict[str, Any]) -> None:
        self._trigger_event(EVENT_TYPE_RECEIVED, attributes)
        self.async_write_ha_state()


class OvhSmsDeliveryEvent(OvhSmsEntity, EventEntity):
    """Fires each delivery status: reported by OVH to the webhook, or read from OVH."""

    _attr_event_types = list(DELIVERY_STATUSES)
    _attr_should_poll = False

    def __init__(self, entry: OvhSmsConfigEntry) -> None:
        """Listen to the entry's delivery reports."""
        super().__init__(entry, "delivery_status")
        self._signal = SIGNAL_DELIVERY.format(entry.entry_id)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(async_dispatcher_connect(self.hass, self._signal, self._reported))

    @callback
    def _reported(self, status: str, attributes: dict[str, Any]) -> None:
        self._trigger_event(status, attributes)
        self.async_write_ha_state()
