"""The low-credits repair issue: open while credits are short, gone once they are back."""

from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import BUY_CREDITS_URL, CONF_LOW_CREDITS, DEFAULT_LOW_CREDITS, DOMAIN

ISSUE_LOW_CREDITS: Final = "low_credits"
ISSUE_OUT_OF_CREDITS: Final = "out_of_credits"


def low_credits_issue_id(entry: ConfigEntry) -> str:
    """One issue per entry, whichever text it shows."""
    return f"{ISSUE_LOW_CREDITS}_{entry.entry_id}"


@callback
def async_update_credits_issue(
    hass: HomeAssistant, entry: ConfigEntry, credits_left: float | None, *, refused: bool
) -> None:
    """Open the issue when a send was refused or the credits are under the threshold.

    ``refused`` holds until the account is read again: OVH's word on the credits then
    decides. A threshold of 0 warns only about refused sends.
    """
    threshold = int(entry.options.get(CONF_LOW_CREDITS, DEFAULT_LOW_CREDITS))
    issue_id = low_credits_issue_id(entry)
    low = credits_left is not None and credits_left < threshold
    if not refused and not low:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR if refused else ir.IssueSeverity.WARNING,
        translation_key=ISSUE_OUT_OF_CREDITS if refused else ISSUE_LOW_CREDITS,
        translation_placeholders={
            "name": entry.title,
            "credits": "?" if credits_left is None else f"{credits_left:g}",
            "threshold": str(threshold),
        },
        learn_more_url=BUY_CREDITS_URL,
    )


@callback
def async_delete_credits_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The entry is unloaded: its issue goes (the next setup reads the credits again)."""
    ir.async_delete_issue(hass, DOMAIN, low_credits_issue_id(entry))
