"""The low-credits repair issue: open while credits are short, gone once they are back."""

from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import BUY_CREDITS_URL, CONF_LOW_CREDITS, DEFAULT_LOW_CREDITS
from .issues import async_create_entry_issue, async_delete_entry_issue

# One issue per entry, whichever text it shows.
ISSUE_LOW_CREDITS: Final = "low_credits"
ISSUE_OUT_OF_CREDITS: Final = "out_of_credits"


@callback
def async_update_credits_issue(
    hass: HomeAssistant, entry: ConfigEntry, credits_left: float | None, *, refused: bool
) -> None:
    """Open the issue when a send was refused or the credits are under the threshold.

    ``refused`` holds until the account is read again: OVH's word on the credits then
    decides. A threshold of 0 warns only about refused sends.
    """
    threshold = int(entry.options.get(CONF_LOW_CREDITS, DEFAULT_LOW_CREDITS))
    low = credits_left is not None and credits_left < threshold
    if not refused and not low:
        async_delete_credits_issue(hass, entry)
        return
    async_create_entry_issue(
        hass,
        entry,
        ISSUE_LOW_CREDITS,
        severity=ir.IssueSeverity.ERROR if refused else ir.IssueSeverity.WARNING,
        translation_key=ISSUE_OUT_OF_CREDITS if refused else ISSUE_LOW_CREDITS,
        placeholders={
            "credits": "?" if credits_left is None else f"{credits_left:g}",
            "threshold": str(threshold),
        },
        learn_more_url=BUY_CREDITS_URL,
    )


@callback
def async_delete_credits_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The credits are back, or the entry is unloaded (the next setup reads them again)."""
    async_delete_entry_issue(hass, entry, ISSUE_LOW_CREDITS)
