"""Assist over SMS: a contact who opted in texts the virtual number, an agent answers.

Anyone can text the virtual number and a sender's number can be forged, so only an SMS
whose sender is exactly an opted-in contact's number reaches the conversation agent, and
the agent acts only on what is exposed to Assist. Unknown senders get no answer.

The answer goes back through the entry's sender (so the hourly cap counts it), cut to a
few SMS. Each exchange fires ``ovh_sms_virtual_assist`` (the logbook shows it). Loops
are bounded: virtual numbers never get an answer, and each contact gets at most
``ANSWERS_PER_HOUR`` answers, whatever the agent or the sender do.

Home Assistant's conversation component is imported when a contact first texts (in the
executor, when it is not loaded yet), not with the integration: with the intent matcher it
pulls in, it is about 50 modules and 40 ms that every start would pay, Assist or not.
"""

import asyncio
from collections import deque
from datetime import datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.chat_session import CONVERSATION_TIMEOUT
from homeassistant.helpers.importlib import async_import_module
from homeassistant.util import dt as dt_util

from .const import (
    CONF_AGENT_ID,
    CONF_ASSIST,
    CONF_NUMBER,
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_ASSIST,
    EVENT_RECEIVED,
    LOGGER,
)
from .coordinator import OvhSmsConfigEntry
from .entity import contact_with_number
from .phone import ovh_number_to_e164
from .sms import GSM7, count_segments

if TYPE_CHECKING:
    from homeassistant.components.conversation import ConversationResult
    from homeassistant.helpers.intent import IntentResponse

CONVERSATION: Final = "homeassistant.components.conversation"

# An answer fits in this many SMS; a longer one is cut and ends with an ellipsis.
ANSWER_MAX_SEGMENTS: Final = 3
# Answers per contact in any hour: two robots answering each other stop there.
ANSWERS_PER_HOUR: Final = 20
RATE_WINDOW: Final = timedelta(hours=1)

# What became of an exchange (the ``status`` of ``ovh_sms_virtual_assist``).
STATUS_ANSWERED: Final = "answered"
STATUS_SEND_FAILED: Final = "send_failed"
STATUS_AGENT_FAILED: Final = "agent_failed"
STATUS_NO_ANSWER: Final = "no_answer"
STATUS_RATE_LIMITED: Final = "rate_limited"


@callback
def async_setup_assist(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> CALLBACK_TYPE:
    """Answer the entry's opted-in contacts; returns what stops it."""
    return OvhSmsAssist(hass, entry).async_start()


def shorten(text: str, max_segments: int = ANSWER_MAX_SEGMENTS) -> str:
    """``text``, or its longest start that fits in ``max_segments`` SMS with an ellipsis.

    The ellipsis is "..." for a GSM-7 text: "…" is not in the GSM alphabet and would
    switch the whole answer to UCS-2, where an SMS holds 70 characters instead of 160.
    """
    count = count_segments(text)
    if count.segments <= max_segments:
        return text
    ellipsis = "..." if count.encoding == GSM7 else "…"

    def fits(length: int) -> bool:
        return count_segments(text[:length].rstrip() + ellipsis).segments <= max_segments

    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    kept = text[:low]
    # Cut between words, unless that loses more than half of what fits.
    if not text[low].isspace() and (space := max(kept.rfind(" "), kept.rfind("\n"))) > low // 2:
        kept = kept[:space]
    return kept.rstrip() + ellipsis


def _speech(response: IntentResponse) -> str:
    """The agent's answer as plain text ("" when it gave none)."""
    speech = response.speech.get("plain", {}).get("speech")
    return speech.strip() if isinstance(speech, str) else ""


class OvhSmsAssist:
    """Hands an entry's SMS from opted-in contacts to their agent and sends the answers."""

    def __init__(self, hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
        """Nothing asked yet."""
        self.hass = hass
        self.entry = entry
        # Per contact (subentry id): the conversation to follow up, and when it was used.
        self._conversations: dict[str, tuple[str, datetime]] = {}
        # Per contact: when each answer of the last hour was sent.
        self._answers: dict[str, deque[datetime]] = {}
        # One exchange at a time per contact: a follow-up waits for the answer before it.
        self._locks: dict[str, asyncio.Lock] = {}
        self._agent_failing = False
        self._warned: set[str] = set()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Listen to the entry's received SMS."""
        entry_id = self.entry.entry_id

        @callback
        def for_this_entry(data: dict[str, Any]) -> bool:
            return bool(data.get("entry_id") == entry_id)

        return self.hass.bus.async_listen(EVENT_RECEIVED, self._async_received, for_this_entry)

    @callback
    def _async_received(self, event: Event[dict[str, Any]]) -> None:
        """Start an exchange when the sender is an opted-in contact."""
        sender = event.data.get("sender")
        message = event.data.get("message")
        if not isinstance(sender, str) or not isinstance(message, str):
            return
        contact = contact_with_number(self.entry, sender)
        if contact is None or not contact.data.get(CONF_ASSIST):
            return
        if sender in self._virtual_numbers():
            # An answer would come back as a new question, for ever.
            self._warn_once(
                f"virtual:{sender}",
                "Contact %s has the number of a virtual number: Assist does not answer it",
                contact.title,
            )
            return
        self.entry.async_create_background_task(
            self.hass,
            self._async_exchange(contact, message, event.context),
            f"{DOMAIN} Assist answer to {contact.subentry_id}",
        )

    def _virtual_numbers(self) -> set[str]:
        """The virtual numbers of every entry, in E.164."""
        return {
            ovh_number_to_e164(entry.data[CONF_NUMBER])
            for entry in self.hass.config_entries.async_entries(DOMAIN)
        }

    async def _async_exchange(self, contact: ConfigSubentry, message: str, origin: Context) -> None:
        """Ask the contact's agent, then send its answer to the contact."""
        lock = self._locks.setdefault(contact.subentry_id, asyncio.Lock())
        async with lock:
            conversation = await async_import_module(self.hass, CONVERSATION)
            exchange = _Exchange(
                self.hass,
                self.entry,
                contact,
                message,
                Context(parent_id=origin.id),
                conversation=conversation,
            )
            if not self._may_answer(contact):
                self._warn_once(
                    f"rate:{contact.subentry_id}",
                    "Assist answered %s %s times in the last hour: no more answers until "
                    "that drops",
                    contact.title,
                    ANSWERS_PER_HOUR,
                )
                exchange.fire(STATUS_RATE_LIMITED)
                return
            self._warned.discard(f"rate:{contact.subentry_id}")
            answer = await self._async_ask(exchange)
            if answer is None:
                return
            self._answers.setdefault(contact.subentry_id, deque()).append(dt_util.utcnow())
            await exchange.async_send(answer)

    async def _async_ask(self, exchange: _Exchange) -> str | None:
        """The agent's answer, cut to fit; None (the exchange fired) when there is none."""
        contact = exchange.contact
        try:
            result: ConversationResult = await exchange.conversation.async_converse(
                self.hass,
                exchange.message,
                self._conversation_id(contact),
                exchange.context,
                language=self.hass.config.language,
                agent_id=exchange.agent_id,
            )
        except Exception as err:  # noqa: BLE001
            # Any agent can be chosen, and an agent can fail in any way: logged below.
            self._agent_failed(exchange, str(err) or type(err).__name__)
            return None
        response = result.response
        if (
            # IntentResponseType.ERROR and IntentResponseErrorCode.UNKNOWN, by value: the
            # intent helper is imported with the conversation component, not here.
            response.response_type.value == "error" and response.error_code == "unknown"
        ):
            # The agent itself failed (an answer like "not understood" is sent instead).
            self._agent_failed(exchange, _speech(response) or "unknown error")
            return None
        if self._agent_failing:
            LOGGER.info("The conversation agent answers SMS again")
            self._agent_failing = False
        if result.conversation_id:
            exchange.conversation_id = result.conversation_id
            self._conversations[contact.subentry_id] = (result.conversation_id, dt_util.utcnow())
        if not (speech := _speech(response)):
            LOGGER.warning("The conversation agent gave no answer to %s", contact.title)
            exchange.fire(STATUS_NO_ANSWER)
            return None
        return shorten(speech)

    def _conversation_id(self, contact: ConfigSubentry) -> str | None:
        """The contact's conversation, if it spoke within the agent's conversation timeout."""
        if (known := self._conversations.get(contact.subentry_id)) is None:
            return None
        conversation_id, used = known
        if dt_util.utcnow() - used > CONVERSATION_TIMEOUT:
            del self._conversations[contact.subentry_id]
            return None
        return conversation_id

    def _may_answer(self, contact: ConfigSubentry) -> bool:
        """Whether the contact's answers of the last hour leave room for one more."""
        answers = self._answers.get(contact.subentry_id)
        if not answers:
            return True
        while answers and answers[0] <= dt_util.utcnow() - RATE_WINDOW:
            answers.popleft()
        return len(answers) < ANSWERS_PER_HOUR

    def _agent_failed(self, exchange: _Exchange, error: str) -> None:
        """No SMS; one error in the log until the agent answers again."""
        if self._agent_failing:
            LOGGER.debug("The conversation agent failed again: %s", error)
        else:
            LOGGER.error(
                "The conversation agent %s failed to answer an SMS of %s, no answer sent: %s",
                exchange.agent,
                exchange.contact.title,
                error,
            )
            self._agent_failing = True
        exchange.fire(STATUS_AGENT_FAILED, error=error)

    def _warn_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            LOGGER.warning(message, *args)


class _Exchange:
    """One SMS from a contact and what became of it."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OvhSmsConfigEntry,
        contact: ConfigSubentry,
        message: str,
        context: Context,
        *,
        conversation: ModuleType,
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.contact = contact
        self.message = message
        self.context = context
        self.conversation = conversation
        self.agent_id: str | None = contact.data.get(CONF_AGENT_ID) or None
        self.conversation_id: str | None = None

    @property
    def agent(self) -> str:
        """The agent asked: the contact's, else Home Assistant's own."""
        return self.agent_id or str(self.conversation.HOME_ASSISTANT_AGENT)

    async def async_send(self, answer: str) -> None:
        """Send the answer to the contact; a refusal is logged and shown, never retried."""
        number: str = self.contact.data[CONF_PHONE_NUMBER]
        try:
            report = await self.entry.runtime_data.sender.async_send([number], answer)
        except HomeAssistantError as err:
            LOGGER.warning("Cannot send Assist's answer to %s: %s", self.contact.title, err)
            self.fire(STATUS_SEND_FAILED, answer=answer, error=str(err))
            return
        self.fire(STATUS_ANSWERED, answer=answer, message_ids=report.ids)

    @callback
    def fire(
        self,
        status: str,
        *,
        answer: str | None = None,
        error: str | None = None,
        message_ids: list[int] | None = None,
    ) -> None:
        """Fire ``ovh_sms_virtual_assist``: who asked what, the answer, or why there is none."""
        self.hass.bus.async_fire(
            EVENT_ASSIST,
            {
                "entry_id": self.entry.entry_id,
                "contact": self.contact.title,
                "sender": self.contact.data[CONF_PHONE_NUMBER],
                "agent_id": self.agent,
                "conversation_id": self.conversation_id,
                "message": self.message,
                "status": status,
                "answer": answer,
                "message_ids": message_ids or [],
                "error": error,
            },
            context=self.context,
        )
