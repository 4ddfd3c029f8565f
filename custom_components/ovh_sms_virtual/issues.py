"""An entry's repair issues: one of each kind per entry, none of them fixable by a flow."""

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def _issue_id(entry: ConfigEntry, issue: str) -> str:
    return f"{issue}_{entry.entry_id}"


@callback
def async_create_entry_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    issue: str,
    *,
    severity: ir.IssueSeverity,
    translation_key: str | None = None,
    placeholders: dict[str, str] | None = None,
    learn_more_url: str | None = None,
) -> None:
    """Raise (or update) the entry's ``issue``; its text is ``translation_key`` (``issue``).

    Every text names the entry: ``name`` is its title.
    """
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(entry, issue),
        is_fixable=False,
        learn_more_url=learn_more_url,
        severity=severity,
        translation_key=translation_key or issue,
        translation_placeholders={"name": entry.title, **(placeholders or {})},
    )


@callback
def async_delete_entry_issue(hass: HomeAssistant, entry: ConfigEntry, issue: str) -> None:
    """The entry's ``issue`` is over (nothing happens when it is not raised)."""
    ir.async_delete_issue(hass, DOMAIN, _issue_id(entry, issue))


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The entry is removed: none of its issues may outlive it, whatever their kind."""
    suffix = _issue_id(entry, "")
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.endswith(suffix):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
