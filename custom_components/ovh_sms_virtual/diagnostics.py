"""Diagnostics: the set-up, the account and the pollers' health, without secrets or messages."""

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .compat import get_subentries_of_type
from .const import (
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_CLOUDHOOK_URL,
    CONF_CONSUMER_KEY,
    CONF_NAME,
    CONF_PHONE_NUMBER,
    CONF_WEBHOOK_ID,
    SUBENTRY_CONTACT,
)
from .coordinator import OvhSmsConfigEntry, OvhSmsCoordinator
from .delivery import MODE_WEBHOOK
from .push import push_reaches

# The webhook id and the cloudhook URL are secrets too: whoever knows them can post
# delivery reports. Contacts are people: neither their names nor their numbers leave.
TO_REDACT = {
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_CONSUMER_KEY,
    CONF_WEBHOOK_ID,
    CONF_CLOUDHOOK_URL,
    CONF_PHONE_NUMBER,
    CONF_NAME,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OvhSmsConfigEntry
) -> dict[str, Any]:
    """What helps to understand a problem; the loaded part only when the entry is loaded."""
    diagnostics: dict[str, Any] = {
        "entry": {
            "title": entry.title,
            "state": entry.state.value,
            "data": async_redact_data(dict(entry.data), TO_REDACT - {CONF_NAME}),
            "options": dict(entry.options),
        },
        "contacts": [
            async_redact_data({CONF_NAME: contact.title, **contact.data}, TO_REDACT)
            for contact in get_subentries_of_type(entry, SUBENTRY_CONTACT)
        ],
    }
    if entry.state is ConfigEntryState.LOADED:
        diagnostics |= _runtime(hass, entry)
    return diagnostics


def _runtime(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> dict[str, Any]:
    """The account as last read, the pollers' health and the stored counts."""
    data = entry.runtime_data
    account = data.account.data
    return {
        "account": None
        if account is None
        else {
            "credits_left": account.credits_left,
            "status": account.status,
            # The URL itself may belong to another program: only whether it is ours.
            "callback_set": account.callback is not None,
            # Whatever host name it uses: the tracker's own reading of it.
            "callback_is_this_entry": data.delivery.mode == MODE_WEBHOOK,
        },
        "callback_url_known": data.callback_url is not None,
        "push": _push(hass, entry),
        "coordinators": {
            "account": _health(data.account),
            "inbox": _health(data.inbox),
        },
        "store": {
            "handled_ids": len(data.store.handled),
            "recent_sends": data.store.sent_count,
        },
        "delivery_tracking": {
            # ``webhook``: OVH reports to this entry; ``polling``: statuses are read from OVH.
            "mode": data.delivery.mode,
            "tracked_sms": data.delivery.tracked_count,
            "reads_failing": data.delivery.failing,
        },
    }


def _push(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> dict[str, Any]:
    """Whether the account pushes received SMS here, and what the pushes gave."""
    data = entry.runtime_data
    stats = data.store.push
    account = data.account.data
    return {
        # The URL itself may belong to another program: only what it is.
        "account_response_type": None if account is None else account.push_type,
        "account_pushes_here": push_reaches(hass, entry),
        "verified": stats.verified,
        "forged": stats.forged,
        "unread": stats.unread,
        "last_verified": stats.last_verified.isoformat() if stats.last_verified else None,
    }


def _health(coordinator: OvhSmsCoordinator[Any]) -> dict[str, Any]:
    """Whether the last poll worked, and how often it polls."""
    interval = coordinator.update_interval
    return {
        "last_update_success": coordinator.last_update_success,
        "update_interval": interval.total_seconds() if interval else None,
        "last_exception": type(coordinator.last_exception).__name__
        if coordinator.last_exception
        else None,
    }
