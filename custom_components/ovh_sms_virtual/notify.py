"""Notify entities, one per contact: ``notify.send_message`` sends the contact an SMS.

Each contact (a config subentry) is its own device, linked to the virtual number's
device: a device belongs to at most one subentry. Home Assistant does not reload an
entry when a subentry is added, so contacts added later get their entity from a
listener; a removed contact's entities leave with its registry entries.
"""

from typing import override

from homeassistant.components.notify import NotifyEntity
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigSubentry,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import NotifyEntityFeature, get_subentries_of_type
from .const import CONF_PHONE_NUMBER, SUBENTRY_CONTACT
from .coordinator import OvhSmsConfigEntry
from .entity import contact_device_info, device_info, entry_key

# One send at a time through these entities (the client serialises OVH calls anyway).
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OvhSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a notify entity per contact, now and whenever a contact is added."""
    # The contacts' devices point at the number's device, which may not exist yet.
    number_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **device_info(entry)
    )
    added: set[str] = set()

    @callback
    def add_new_contacts() -> None:
        for subentry in get_subentries_of_type(entry, SUBENTRY_CONTACT):
            if subentry.subentry_id in added:
                continue
            added.add(subentry.subentry_id)
            async_add_entities(
                [OvhSmsContactNotify(entry, subentry, number_device)],
                config_subentry_id=subentry.subentry_id,
            )

    @callback
    def entry_changed(change: ConfigEntryChange, changed: ConfigEntry) -> None:
        if change is ConfigEntryChange.UPDATED and changed.entry_id == entry.entry_id:
            add_new_contacts()

    add_new_contacts()
    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)
    )


class OvhSmsContactNotify(NotifyEntity):
    """Sends SMS to one contact."""

    _attr_has_entity_name = True
    _attr_name = None
    _attr_supported_features = NotifyEntityFeature.TITLE

    def __init__(
        self, entry: OvhSmsConfigEntry, subentry: ConfigSubentry, number: dr.DeviceEntry
    ) -> None:
        """Send with the entry's sender to the contact's number."""
        self._sender = entry.runtime_data.sender
        self._number: str = subentry.data[CONF_PHONE_NUMBER]
        self._attr_unique_id = f"{entry_key(entry)}_{subentry.subentry_id}"
        self._attr_device_info = contact_device_info(self._attr_unique_id, subentry, number)

    @override
    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the SMS; a title becomes the message's first line."""
        text = f"{title}\n{message}" if title else message
        await self._sender.async_send([self._number], text)
