"""Logbook entries for Assist over SMS: who asked what, and what came of it."""

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .assist import (
    STATUS_AGENT_FAILED,
    STATUS_ANSWERED,
    STATUS_NO_ANSWER,
    STATUS_RATE_LIMITED,
    STATUS_SEND_FAILED,
)
from .const import DOMAIN, EVENT_ASSIST

# The logbook's own texts are English sentences that follow the name.
OUTCOMES: Final = {
    STATUS_ANSWERED: 'Assist answered by SMS: "{answer}"',
    STATUS_SEND_FAILED: 'Assist\'s answer "{answer}" could not be sent: {error}',
    STATUS_AGENT_FAILED: "the conversation agent failed, no answer sent: {error}",
    STATUS_NO_ANSWER: "the conversation agent gave no answer",
    STATUS_RATE_LIMITED: "no answer: too many answers to this contact in the last hour",
}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe ``ovh_sms_virtual_assist``."""

    @callback
    def describe(event: Event[Mapping[str, Any]]) -> dict[str, str]:
        data = event.data
        values = defaultdict(str, {key: value for key, value in data.items() if value is not None})
        outcome = OUTCOMES.get(values["status"], "{status}").format_map(values)
        return {
            LOGBOOK_ENTRY_NAME: str(values["contact"]),
            LOGBOOK_ENTRY_MESSAGE: f'asked Assist by SMS "{values["message"]}"; {outcome}',
        }

    async_describe_event(DOMAIN, EVENT_ASSIST, describe)
