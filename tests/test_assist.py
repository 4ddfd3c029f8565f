"""Assist over SMS: a contact's SMS goes to a conversation agent, the answer comes back.

SMS arrive on the simulator's virtual number and are polled like any other; answers are
the jobs the simulator receives. The agent is Home Assistant's own default agent acting
on real template lights, or a test agent registered through the conversation API where a
test needs an answer or a failure the default agent cannot give.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
import logging
from typing import Any, Literal, override

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.conversation.models import AbstractConversationAgent
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ovh_sms_virtual.assist import ANSWERS_PER_HOUR, shorten
from custom_components.ovh_sms_virtual.const import (
    CONF_AGENT_ID,
    CONF_ASSIST,
    CONF_MAX_SMS_PER_HOUR,
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_ASSIST,
    EVENT_RECEIVED,
    SUBENTRY_CONTACT,
)
from custom_components.ovh_sms_virtual.logbook import async_describe_events
from custom_components.ovh_sms_virtual.sms import count_segments
from ovh_simulator import OvhSimulator

from .conftest import ENTRY_DATA, ENTRY_OPTIONS, NUMBER, SERVICE, state_of
from .harness import START

JOBS = r"/virtualNumbers/0033612345678/jobs$"
ALICE = "+33611111111"
BOB = "+33622222222"
STRANGER = "+33633333333"
LOGGER_NAME = "custom_components.ovh_sms_virtual"


def contact(
    name: str, number: str, *, assist: bool, agent_id: str | None = None
) -> ConfigSubentryData:
    data: dict[str, Any] = {CONF_PHONE_NUMBER: number, CONF_ASSIST: assist}
    if agent_id is not None:
        data[CONF_AGENT_ID] = agent_id
    return ConfigSubentryData(
        data=data, subentry_type=SUBENTRY_CONTACT, title=name, unique_id=number
    )


class ScriptedAgent(AbstractConversationAgent):
    """An agent that answers what a test wants, or fails as it wants."""

    def __init__(self, answer: str | Exception) -> None:
        """Answer ``answer``, or raise it."""
        self.answer = answer
        self.conversation_id: str | None = "chat-1"
        self.inputs: list[conversation.ConversationInput] = []

    @property
    @override
    def supported_languages(self) -> Literal["*"]:
        return "*"

    @override
    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        self.inputs.append(user_input)
        if isinstance(self.answer, Exception):
            raise self.answer
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(self.answer)
        return conversation.ConversationResult(
            response=response, conversation_id=user_input.conversation_id or self.conversation_id
        )


@dataclass
class Home:
    """Home Assistant with Assist, the integration and the simulator's virtual number."""

    hass: HomeAssistant
    sim: OvhSimulator
    clock: FrozenDateTimeFactory
    received: list[Event[dict[str, Any]]]
    exchanges: list[Event[dict[str, Any]]]
    entry: MockConfigEntry | None = None

    async def set_up(self, *contacts: ConfigSubentryData, **options: Any) -> MockConfigEntry:
        """The entry with these contacts and options changed, set up."""
        self.entry = MockConfigEntry(
            domain=DOMAIN,
            title="Home",
            data=dict(ENTRY_DATA),
            options={**ENTRY_OPTIONS, **options},
            unique_id=f"{SERVICE}_{NUMBER}",
            subentries_data=list(contacts),
        )
        self.entry.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        return self.entry

    def agent(self, answer: str | Exception) -> tuple[str, ScriptedAgent]:
        """A test agent registered through the conversation API, and its id."""
        agent_entry = MockConfigEntry(domain="test_agent", title="Test agent")
        agent_entry.add_to_hass(self.hass)
        agent = ScriptedAgent(answer)
        conversation.async_set_agent(self.hass, agent_entry, agent)
        return agent_entry.entry_id, agent

    async def text(self, sender: str, *messages: str) -> None:
        """SMS arrive from ``sender``; the next poll reads them and Assist answers."""
        for message in messages:
            self.sim.add_incoming(SERVICE, NUMBER, sender, message)
        self.clock.tick(timedelta(seconds=20))
        async_fire_time_changed(self.hass)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    @property
    def jobs(self) -> list[dict[str, Any]]:
        """The jobs OVH (the simulator) received."""
        return [request.body for request in self.sim.calls("POST", JOBS)]

    @property
    def statuses(self) -> list[str]:
        """What became of each exchange."""
        return [event.data["status"] for event in self.exchanges]


def _light(name: str) -> dict[str, Any]:
    """A template light switched by an input boolean: a real light entity."""
    power = f"input_boolean.{name.lower()}_power"
    return {
        "name": name,
        "unique_id": name.lower(),
        "state": f"{{{{ is_state('{power}', 'on') }}}}",
        "turn_on": {"action": "input_boolean.turn_on", "target": {"entity_id": power}},
        "turn_off": {"action": "input_boolean.turn_off", "target": {"entity_id": power}},
    }


@pytest.fixture
async def home(hass: HomeAssistant, ovh_sim: OvhSimulator, freezer: FrozenDateTimeFactory) -> Home:
    """Two lights, the kitchen's exposed to Assist and the garage's not."""
    freezer.move_to(START)
    await hass.config.async_update(country="FR")
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"kitchen_power": {}, "garage_power": {}}}
    )
    assert await async_setup_component(
        hass, "template", {"template": [{"light": [_light("Kitchen"), _light("Garage")]}]}
    )
    await hass.async_block_till_done()
    for entity_id, exposed in {
        "light.kitchen": True,
        "light.garage": False,
        "input_boolean.kitchen_power": False,
        "input_boolean.garage_power": False,
    }.items():
        async_expose_entity(hass, conversation.DOMAIN, entity_id, exposed)
    return Home(
        hass,
        ovh_sim,
        freezer,
        async_capture_events(hass, EVENT_RECEIVED),
        async_capture_events(hass, EVENT_ASSIST),
    )


async def test_contact_turns_on_a_light_exposed_to_assist(home: Home) -> None:
    """Home Assistant's agent acts, its answer is a job to the contact, all is visible."""
    entry = await home.set_up(contact("Alice", ALICE, assist=True))

    await home.text(ALICE, "Turn on the kitchen light")

    assert state_of(home.hass, "light.kitchen") == "on"
    assert home.jobs == [{"message": "Turned on the light", "receivers": [ALICE]}]
    (sent,) = home.sim.outgoing(SERVICE, NUMBER)
    assert [event.data["message"] for event in home.received] == ["Turn on the kitchen light"]
    (exchange,) = home.exchanges
    conversation_id = exchange.data["conversation_id"]
    assert conversation_id
    assert exchange.data == {
        "entry_id": entry.entry_id,
        "contact": "Alice",
        "sender": ALICE,
        "agent_id": conversation.HOME_ASSISTANT_AGENT,
        "conversation_id": conversation_id,
        "message": "Turn on the kitchen light",
        "status": "answered",
        "answer": "Turned on the light",
        "message_ids": [sent["id"]],
        "error": None,
    }
    assert exchange.context.parent_id == home.received[0].context.id


async def test_agent_leaves_entities_not_exposed_alone(home: Home) -> None:
    """The garage light is not exposed: it stays off and the contact is told why."""
    await home.set_up(contact("Alice", ALICE, assist=True))

    await home.text(ALICE, "Turn on the garage light")

    assert state_of(home.hass, "light.garage") == "off"
    assert home.jobs == [{"message": "Sorry, Garage is not exposed", "receivers": [ALICE]}]
    assert home.statuses == ["answered"]


async def test_unknown_senders_and_contacts_without_opt_in_get_no_answer(home: Home) -> None:
    """Only an opted-in contact's exact number is answered; the received events still fire."""
    entry = await home.set_up(
        contact("Alice", ALICE, assist=True), contact("Bob", BOB, assist=False)
    )

    await home.text(STRANGER, "Turn on the kitchen light")
    await home.text(BOB, "Turn on the kitchen light")
    await home.text("+33 6 11 11 11 11", "Turn on the kitchen light")

    assert state_of(home.hass, "light.kitchen") == "off"
    assert home.jobs == []
    assert home.exchanges == []
    assert [event.data["sender"] for event in home.received] == [STRANGER, BOB, "+33 6 11 11 11 11"]

    # An event that is not a received SMS of this entry's shape is not one.
    home.hass.bus.async_fire(EVENT_RECEIVED, {"entry_id": entry.entry_id, "sender": ALICE})
    await home.hass.async_block_till_done()
    assert home.exchanges == []


async def test_contact_chooses_its_agent_and_follows_up(home: Home) -> None:
    """Follow-ups within the conversation timeout continue the conversation, later ones not."""
    agent_id, agent = home.agent("Noted.")
    await home.set_up(contact("Alice", ALICE, assist=True, agent_id=agent_id))

    await home.text(ALICE, "Remember the milk")
    home.clock.tick(timedelta(minutes=4))
    await home.text(ALICE, "And the bread")
    home.clock.tick(timedelta(minutes=6))
    await home.text(ALICE, "New topic")

    assert [(i.text, i.conversation_id, i.agent_id, i.language) for i in agent.inputs] == [
        ("Remember the milk", None, agent_id, "en"),
        ("And the bread", "chat-1", agent_id, "en"),
        ("New topic", None, agent_id, "en"),
    ]
    assert [job["message"] for job in home.jobs] == ["Noted."] * 3
    assert {event.data["agent_id"] for event in home.exchanges} == {agent_id}


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (RuntimeError("model unreachable"), "model unreachable"),
        (HomeAssistantError("quota exceeded"), "quota exceeded"),
    ],
    ids=["crash", "error-response"],
)
async def test_failing_agent_sends_nothing_and_logs_once(
    home: Home, caplog: pytest.LogCaptureFixture, failure: Exception, error: str
) -> None:
    """No SMS, one error in the log however many SMS come; it says so when it recovers."""
    agent_id, agent = home.agent(failure)
    await home.set_up(contact("Alice", ALICE, assist=True, agent_id=agent_id))
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)

    await home.text(ALICE, "Hello", "Are you there?")
    await home.text(ALICE, "Hello?")

    assert home.jobs == []
    assert home.statuses == ["agent_failed"] * 3
    assert {event.data["error"] for event in home.exchanges} == {error}
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [
        (
            f"The conversation agent {agent_id} failed to answer an SMS of Alice, "
            f"no answer sent: {error}"
        )
    ]

    agent.answer = "Back."
    await home.text(ALICE, "Hello?")
    assert home.jobs == [{"message": "Back.", "receivers": [ALICE]}]
    assert "The conversation agent answers SMS again" in caplog.messages


async def test_missing_agent_is_a_failing_agent(
    home: Home, caplog: pytest.LogCaptureFixture
) -> None:
    """An agent removed since the contact chose it: a logged error, no SMS."""
    await home.set_up(contact("Alice", ALICE, assist=True, agent_id="conversation.gone"))

    await home.text(ALICE, "Hello")

    assert home.jobs == []
    assert home.statuses == ["agent_failed"]
    assert "Agent conversation.gone not found" in caplog.text


async def test_long_answers_are_cut_and_empty_ones_not_sent(
    home: Home, caplog: pytest.LogCaptureFixture
) -> None:
    agent_id, agent = home.agent("word " * 200)
    agent.conversation_id = None
    await home.set_up(contact("Alice", ALICE, assist=True, agent_id=agent_id))

    await home.text(ALICE, "Talk to me")
    agent.answer = "  "
    await home.text(ALICE, "Say nothing")

    (job,) = home.jobs
    assert job["message"].endswith("word...")
    assert count_segments(job["message"]).segments == 3
    assert home.statuses == ["answered", "no_answer"]
    assert [event.data["conversation_id"] for event in home.exchanges] == [None, None]
    assert "The conversation agent gave no answer to Alice" in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short answer", "Short answer"),
        ("a" * 459, "a" * 459),
        ("a" * 460, "a" * 456 + "..."),
        ("é" * 500, "é" * 456 + "..."),
        ("Ça va ? " + "ô" * 300, "Ça va ? " + "ô" * 192 + "…"),
        ("€" * 300, "€" * 227 + "..."),
    ],
    ids=["short", "three-sms", "gsm-cut", "gsm-accents", "ucs2-cut", "gsm-extension"],
)
def test_shorten_fits_three_sms(text: str, expected: str) -> None:
    """GSM-7 answers keep GSM-7 (three dots); UCS-2 ones end with "…"."""
    assert shorten(text) == expected
    assert count_segments(shorten(text)).segments <= 3


async def test_answers_count_against_the_hourly_cap(home: Home) -> None:
    """The answer goes through the sender: past the cap it is refused, and the event says why."""
    agent_id, _ = home.agent("Noted.")
    await home.set_up(
        contact("Alice", ALICE, assist=True, agent_id=agent_id), **{CONF_MAX_SMS_PER_HOUR: 1}
    )

    await home.text(ALICE, "One", "Two")

    assert home.jobs == [{"message": "Noted.", "receivers": [ALICE]}]
    assert home.statuses == ["answered", "send_failed"]
    failed = home.exchanges[1].data
    assert failed["answer"] == "Noted."
    assert failed["error"].startswith(
        "The cap of 1 SMS per hour set in the integration's options is reached: nothing was sent."
    )


async def test_out_of_credits_answer_opens_the_repair(home: Home) -> None:
    agent_id, _ = home.agent("Noted.")
    entry = await home.set_up(contact("Alice", ALICE, assist=True, agent_id=agent_id))
    home.sim.set_credits(SERVICE, 0.5)

    await home.text(ALICE, "Hello")

    assert home.statuses == ["send_failed"]
    assert home.exchanges[0].data["error"] == (
        "Not enough SMS credits on the OVHcloud account: nothing was sent"
    )
    issue = ir.async_get(home.hass).async_get_issue(DOMAIN, f"low_credits_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "out_of_credits"


async def test_a_contact_with_the_virtual_number_is_never_answered(
    home: Home, caplog: pytest.LogCaptureFixture
) -> None:
    """An answer to the virtual number would come back as a question, for ever."""
    agent_id, agent = home.agent("Noted.")
    await home.set_up(contact("Myself", "+33612345678", assist=True, agent_id=agent_id))

    await home.text("+33612345678", "Hello", "Hello again")

    assert agent.inputs == []
    assert home.jobs == []
    assert caplog.text.count("has the number of a virtual number") == 1


async def test_two_robots_stop_after_the_hourly_answers(
    home: Home, caplog: pytest.LogCaptureFixture
) -> None:
    """A contact that answers every answer gets ANSWERS_PER_HOUR of them, then silence."""
    agent_id, _ = home.agent("Noted.")
    await home.set_up(contact("Bot", ALICE, assist=True, agent_id=agent_id))

    await home.text(ALICE, *(f"Message {n}" for n in range(ANSWERS_PER_HOUR + 2)))

    assert len(home.jobs) == ANSWERS_PER_HOUR
    assert home.statuses == ["answered"] * ANSWERS_PER_HOUR + ["rate_limited"] * 2
    assert caplog.text.count(f"Assist answered Bot {ANSWERS_PER_HOUR} times") == 1

    home.clock.tick(timedelta(hours=1))
    await home.text(ALICE, "Later")
    assert len(home.jobs) == ANSWERS_PER_HOUR + 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"status": "answered", "answer": "Turned on the light"},
            (
                'asked Assist by SMS "Turn on the light"; Assist answered by SMS: '
                '"Turned on the light"'
            ),
        ),
        (
            {"status": "send_failed", "answer": "Done", "error": "No credits."},
            (
                'asked Assist by SMS "Turn on the light"; Assist\'s answer "Done" could not be '
                "sent: No credits."
            ),
        ),
        (
            {"status": "agent_failed", "error": "boom"},
            (
                'asked Assist by SMS "Turn on the light"; the conversation agent failed, '
                "no answer sent: boom"
            ),
        ),
        (
            {"status": "rate_limited"},
            (
                'asked Assist by SMS "Turn on the light"; no answer: too many answers to this '
                "contact in the last hour"
            ),
        ),
    ],
    ids=["answered", "send_failed", "agent_failed", "rate_limited"],
)
async def test_logbook_tells_the_exchange(
    hass: HomeAssistant, data: dict[str, Any], message: str
) -> None:
    described: dict[tuple[str, str], Callable[[Event], dict[str, str]]] = {}

    def describe_event(
        domain: str, event_type: str, describe: Callable[[Event], dict[str, str]]
    ) -> None:
        described[domain, event_type] = describe

    async_describe_events(hass, describe_event)
    describe = described[DOMAIN, EVENT_ASSIST]
    event: Event[Mapping[str, Any]] = Event(
        EVENT_ASSIST,
        {"contact": "Alice", "message": "Turn on the light", "answer": None, "error": None} | data,
    )

    assert describe(event) == {"name": "Alice", "message": message}
