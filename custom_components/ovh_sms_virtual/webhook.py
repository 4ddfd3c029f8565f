"""Delivery reports: the status-change callback webhook (being written for its issue)."""

from homeassistant.core import HomeAssistant

from .coordinator import OvhSmsConfigEntry


async def async_setup_webhook(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Register the entry's webhook."""


async def async_remove_webhook(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Delete the entry's cloudhook."""
