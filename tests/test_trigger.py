"""The "SMS received" and "SMS delivery failed" triggers, in real automations.

SMS arrive on the simulator and are polled; delivery reports are OVH's status-change
callback, called by the simulator over HTTP on the entry's webhook.
"""

from datetime import timedelta
from functools import partial
import logging
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.trigger import (
    async_get_all_descriptions,
    async_initialize_triggers,
    async_validate_trigger_config,
)
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.ovh_sms_virtual.compat import get_subentries_of_type
from custom_components.ovh_sms_virtual.const import CONF_PHONE_NUMBER, DOMAIN, SUBENTRY_CONTACT
from ovh_simulator import OvhSimulator

from .conftest import NUMBER, SERVICE, WEBHOOK_ID, contact_device
from .harness import START

ALICE = "+33611111111"
BOB = "+33622222222"
STRANGER = "+33633333333"


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """The entry with two contacts, Alice and Bob, polling on a frozen clock."""
    freezer.move_to(START)
    await hass.config.async_update(country="FR")
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        mock_config_entry,
        ConfigSubentry(
            data=MappingProxyType({CONF_PHONE_NUMBER: BOB}),
            subentry_type=SUBENTRY_CONTACT,
            title="Bob",
            unique_id=BOB,
        ),
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    # The first inbox poll runs in the background, once the entry is loaded.
    await hass.async_block_till_done(wait_background_tasks=True)
    return mock_config_entry


async def automate(hass: HomeAssistant, trigger: dict[str, Any]) -> list[dict[str, Any]]:
    """Attach the trigger as automations do; the ``trigger`` variables of each run."""
    runs: list[dict[str, Any]] = []

    @callback
    def action(run_variables: dict[str, Any], context: Context | None = None) -> None:
        runs.append(run_variables["trigger"])

    config = await validate(hass, trigger)
    remove = await async_initialize_triggers(hass, config, action, "test", "test", _log)
    assert remove is not None
    return runs


async def validate(hass: HomeAssistant, trigger: dict[str, Any]) -> list[dict[str, Any]]:
    """The trigger's configuration as automations validate it."""
    return await async_validate_trigger_config(hass, cv.TRIGGER_SCHEMA([trigger]))


def _log(level: int, message: str, **kwargs: Any) -> None:
    """Attaching logs only its success."""
    assert level < logging.WARNING, message


async def receive(
    hass: HomeAssistant, sim: OvhSimulator, freezer: FrozenDateTimeFactory, *sms: tuple[str, str]
) -> list[int]:
    """SMS ``(sender, text)`` arrive; the next poll fires them. Their OVH ids."""
    ids = [sim.add_incoming(SERVICE, NUMBER, sender, text) for sender, text in sms]
    freezer.tick(timedelta(seconds=20))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    return ids


async def test_received_without_filters_gives_every_sms_and_its_fields(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    calls = await automate(hass, {"trigger": "ovh_sms_virtual.received"})

    hello, who = await receive(hass, ovh_sim, freezer, (ALICE, "Hello"), (STRANGER, "Who is this?"))

    assert calls == [
        {
            "id": "0",
            "idx": "0",
            "alias": None,
            "platform": "ovh_sms_virtual.received",
            "description": f"SMS from {ALICE}",
            "entry_id": entry.entry_id,
            "service_name": SERVICE,
            "number": NUMBER,
            "message_id": hello,
            "sender": ALICE,
            "message": "Hello",
            "received_at": "2026-11-27T09:30:00+00:00",
            "tag": "",
            "contact": "Alice",
        },
        {
            "id": "0",
            "idx": "0",
            "alias": None,
            "platform": "ovh_sms_virtual.received",
            "description": f"SMS from {STRANGER}",
            "entry_id": entry.entry_id,
            "service_name": SERVICE,
            "number": NUMBER,
            "message_id": who,
            "sender": STRANGER,
            "message": "Who is this?",
            "received_at": "2026-11-27T09:30:00+00:00",
            "tag": "",
            "contact": None,
        },
    ]


async def test_received_from_a_contact_follows_its_number(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Picked by its device, a contact keeps matching after its number changes."""
    calls = await automate(
        hass,
        {
            "trigger": "ovh_sms_virtual.received",
            "options": {"contact": contact_device(hass, entry, "Alice")},
        },
    )

    await receive(hass, ovh_sim, freezer, (ALICE, "1"), (BOB, "2"), (STRANGER, "3"))
    alice = next(c for c in get_subentries_of_type(entry, SUBENTRY_CONTACT) if c.title == "Alice")
    hass.config_entries.async_update_subentry(entry, alice, data={CONF_PHONE_NUMBER: STRANGER})
    await receive(hass, ovh_sim, freezer, (ALICE, "4"), (STRANGER, "5"))

    assert [(run["message"], run["contact"]) for run in calls] == [
        ("1", "Alice"),
        ("5", "Alice"),
    ]


async def test_received_from_numbers_or_contacts(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Numbers in any usual form; contacts and numbers add up."""
    calls = await automate(
        hass,
        {
            "trigger": "ovh_sms_virtual.received",
            "options": {
                "number": ["06 33 33 33 33"],
                "contact": [contact_device(hass, entry, "Bob")],
            },
        },
    )

    await receive(hass, ovh_sim, freezer, (ALICE, "1"), (BOB, "2"), (STRANGER, "3"))

    assert [run["message"] for run in calls] == ["2", "3"]


@pytest.mark.parametrize(
    ("options", "fired"),
    [
        ({"text": " status "}, ["STATUS", "Status"]),
        ({"text": "status", "match": "equals"}, ["STATUS", "Status"]),
        ({"text": "STATUS", "match": "contains"}, ["STATUS", "Status", "status please"]),
    ],
    ids=["default-equals", "equals", "contains"],
)
async def test_received_with_text(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
    options: dict[str, str],
    fired: list[str],
) -> None:
    """Case and the spaces around the text do not count; equals by default."""
    calls = await automate(hass, {"trigger": "ovh_sms_virtual.received", "options": options})

    await receive(
        hass,
        ovh_sim,
        freezer,
        *((ALICE, text) for text in ("STATUS", "Status", "status please", "stat")),
    )

    assert [run["message"] for run in calls] == fired


@pytest.mark.parametrize(("which", "fired"), [("mine", ["Hello"]), ("other", [])])
async def test_received_by_one_virtual_number(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
    which: str,
    fired: list[str],
) -> None:
    other = MockConfigEntry(domain=DOMAIN, title="Other")
    other.add_to_hass(hass)
    chosen = entry if which == "mine" else other
    calls = await automate(
        hass,
        {"trigger": "ovh_sms_virtual.received", "options": {"config_entry_id": chosen.entry_id}},
    )

    await receive(hass, ovh_sim, freezer, (ALICE, "Hello"))

    assert [run["message"] for run in calls] == fired


async def test_invalid_options_are_refused(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    for options in (
        {"number": "not a number"},
        {"text": "x", "match": "starts"},
        {"contact": {"nested": True}},
    ):
        with pytest.raises(vol.Invalid):
            await validate(hass, {"trigger": "ovh_sms_virtual.received", "options": options})
    (config,) = await validate(
        hass,
        {"trigger": "ovh_sms_virtual.delivery_failed", "options": {"number": "06 11 11 11 11"}},
    )
    assert config["options"] == {"contact": [], "number": [ALICE]}


async def test_delivery_failed_gives_the_text_to_send_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """OVH calls the callback with a failed DLR: the trigger has the SMS's text from OVH."""
    client = await hass_client_no_auth()
    ovh_sim.set_callback_url(SERVICE, str(client.make_url(f"/api/webhook/{WEBHOOK_ID}")))
    calls = await automate(
        hass,
        {
            "trigger": "ovh_sms_virtual.delivery_failed",
            "options": {"contact": [contact_device(hass, entry, "Alice")]},
        },
    )
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": [ALICE, BOB], "message": "Water leak in the cellar"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    to_alice, to_bob = cast(list[int], response["message_ids"])

    for message_id, dlr in ((to_bob, 2), (to_alice, 1), (to_alice, 16)):
        status = await hass.async_add_executor_job(
            partial(ovh_sim.send_status_callback, message_id, dlr=dlr, ptt=5, description_dlr="KO")
        )
        assert status == 200
    await hass.async_block_till_done()

    assert calls == [
        {
            "id": "0",
            "idx": "0",
            "alias": None,
            "platform": "ovh_sms_virtual.delivery_failed",
            "description": f"SMS to {ALICE} not delivered",
            "entry_id": entry.entry_id,
            "service_name": SERVICE,
            "number": NUMBER,
            "date": "2026-11-27 10:30:00",
            "message_id": to_alice,
            "receiver": ALICE,
            "status": "failed",
            "dlr": 16,
            "ptt": 5,
            "ovh_description": "KO",
            "message": "Water leak in the cellar",
            "contact": "Alice",
        }
    ]


async def test_delivery_failed_text_is_read_once_for_every_automation(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Two automations follow the same failed report: OVH is asked for the text once."""
    client = await hass_client_no_auth()
    ovh_sim.set_callback_url(SERVICE, str(client.make_url(f"/api/webhook/{WEBHOOK_ID}")))
    first = await automate(hass, {"trigger": "ovh_sms_virtual.delivery_failed"})
    second = await automate(hass, {"trigger": "ovh_sms_virtual.delivery_failed"})
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": [ALICE], "message": "Water leak in the cellar"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    (message_id,) = cast(list[int], response["message_ids"])

    status = await hass.async_add_executor_job(
        partial(ovh_sim.send_status_callback, message_id, dlr=2, ptt=5, description_dlr="KO")
    )
    assert status == 200
    await hass.async_block_till_done()

    assert [(run["message_id"], run["message"]) for run in first + second] == [
        (message_id, "Water leak in the cellar"),
        (message_id, "Water leak in the cellar"),
    ]
    assert len(ovh_sim.calls("GET", rf"/outgoing/{message_id}$")) == 1


async def test_delivery_failed_read_from_ovh_costs_no_other_read(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No public URL: the status read from OVH came with the text, so the trigger has it."""
    ovh_sim.set_delivery_lifecycle("failed", delay=0)
    runs = await automate(hass, {"trigger": "ovh_sms_virtual.delivery_failed"})
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": [BOB], "message": "Gate left open"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    (message_id,) = cast(list[int], response["message_ids"])

    freezer.tick(timedelta(seconds=15))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [(run["message_id"], run["message"], run["contact"]) for run in runs] == [
        (message_id, "Gate left open", "Bob")
    ]
    # The tracker's read of the status, and no other.
    assert len(ovh_sim.calls("GET", rf"/outgoing/{message_id}$")) == 1


async def test_delivery_failed_without_the_text(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """OVH cannot give the text (an SMS sent by another tool, gone): still fired, text None."""
    calls = await automate(hass, {"trigger": "ovh_sms_virtual.delivery_failed"})
    ovh_sim.inject_fault("GET", "/outgoing/", status=404)
    report = {
        "entry_id": entry.entry_id,
        "service_name": SERVICE,
        "number": NUMBER,
        "message_id": 42,
        "receiver": None,
        "status": "failed",
        "dlr": 2,
        "ptt": None,
        "description": None,
        "date": None,
    }

    hass.bus.async_fire("ovh_sms_virtual_delivery_status", report)
    hass.bus.async_fire("ovh_sms_virtual_delivery_status", report | {"entry_id": "gone"})
    await hass.async_block_till_done()

    assert [(run["message_id"], run["message"]) for run in calls] == [
        (42, None),
        (42, None),
    ]
    assert "Cannot read the text of undelivered SMS 42 from OVHcloud" in caplog.text
    assert len(ovh_sim.calls("GET", "/outgoing/42$")) == 1

    # A read that failed is not kept: the next report of that SMS asks OVH again.
    hass.bus.async_fire("ovh_sms_virtual_delivery_status", report)
    await hass.async_block_till_done()
    assert [run["message"] for run in calls] == [None, None, None]
    assert len(ovh_sim.calls("GET", "/outgoing/42$")) == 2


async def test_delivery_failed_texts_kept_are_bounded(
    hass: HomeAssistant, entry: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """The texts of the last 32 failed SMS are kept; an older one is read from OVH again."""
    calls = await automate(hass, {"trigger": "ovh_sms_virtual.delivery_failed"})
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": [f"+336000000{i:02d}" for i in range(33)], "message": "Power cut"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    ids = cast(list[int], response["message_ids"])
    report = {"entry_id": entry.entry_id, "status": "failed", "dlr": 2}

    for message_id in [*ids, ids[-1], ids[0]]:
        hass.bus.async_fire("ovh_sms_virtual_delivery_status", report | {"message_id": message_id})
        await hass.async_block_till_done()

    assert [run["message"] for run in calls] == ["Power cut"] * 35
    reads = [len(ovh_sim.calls("GET", rf"/outgoing/{message_id}$")) for message_id in ids]
    assert reads == [2] + [1] * 32


async def test_the_editor_gets_the_triggers_and_their_texts(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """What the automation editor asks for: each trigger's fields and translated texts."""
    await validate(hass, {"trigger": "ovh_sms_virtual.received"})

    descriptions = await async_get_all_descriptions(hass)
    translations = await async_get_translations(hass, "en", "triggers", [DOMAIN])

    received = descriptions["ovh_sms_virtual.received"]
    failed = descriptions["ovh_sms_virtual.delivery_failed"]
    assert received is not None
    assert failed is not None
    assert list(received["fields"]) == ["config_entry_id", "contact", "number", "text", "match"]
    assert list(failed["fields"]) == ["config_entry_id", "contact", "number"]
    assert received["fields"]["contact"]["selector"] == {
        "device": {"multiple": True, "filter": [{"integration": DOMAIN, "model": "SMS contact"}]}
    }
    # The picker's filter finds the contacts' devices.
    device = dr.async_get(hass).async_get(contact_device(hass, entry, "Alice"))
    assert isinstance(device, dr.DeviceEntry)
    assert device.model == "SMS contact"
    prefix = f"component.{DOMAIN}.triggers"
    assert translations[f"{prefix}.received.name"] == "SMS received"
    assert translations[f"{prefix}.delivery_failed.name"] == "SMS delivery failed"
    assert translations[f"{prefix}.received.fields.contact.name"] == "From contacts"


def readme_example(section: str) -> dict[str, Any]:
    """The first YAML block of a README section."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split(section, 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    config = parse_yaml(block)
    assert isinstance(config, dict)
    return config


async def test_readme_received_example_answers_the_contact_and_the_number(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    config = readme_example("### The *SMS received* trigger")
    config["triggers"][0]["options"]["contact"] = contact_device(hass, entry, "Alice")
    hass.states.async_set("alarm_control_panel.home", "armed_away")
    assert await async_setup_component(hass, "automation", {"automation": config})

    await receive(
        hass,
        ovh_sim,
        freezer,
        (ALICE, "Status"),
        ("+33698765432", "STATUS"),
        (BOB, "status"),
        (ALICE, "status?"),
    )

    assert [request.body for request in ovh_sim.calls("POST", "/jobs$")] == [
        {"message": "Alarm: armed_away", "receivers": [ALICE]},
        {"message": "Alarm: armed_away", "receivers": ["+33698765432"]},
    ]


async def test_readme_delivery_failed_example_sends_the_text_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    client = await hass_client_no_auth()
    ovh_sim.set_callback_url(SERVICE, str(client.make_url(f"/api/webhook/{WEBHOOK_ID}")))
    config = readme_example("### The *SMS delivery failed* trigger")
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.alice", "message": "Water leak"},
        blocking=True,
    )
    (sent,) = ovh_sim.outgoing(SERVICE, NUMBER)

    status = await hass.async_add_executor_job(
        partial(ovh_sim.send_status_callback, sent["id"], dlr=2, ptt=5, description_dlr="KO")
    )
    assert status == 200
    await hass.async_block_till_done()

    assert [request.body for request in ovh_sim.calls("POST", "/jobs$")][1:] == [
        {"message": "For Alice: Water leak", "receivers": ["+33698765432"]}
    ]
