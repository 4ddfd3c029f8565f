"""The automation blueprints: valid for Home Assistant, linked from the README, working.

Each blueprint is checked with Home Assistant's own blueprint schema, then imported into
a configuration directory and used by a real automation that runs against the simulator.
"""

from functools import partial
from pathlib import Path
import shutil
from typing import Any
from urllib.parse import quote

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ovh_sms_virtual.const import DOMAIN
from ovh_simulator import OvhSimulator

from .conftest import NUMBER, SERVICE, WEBHOOK_ID, contact_device
from .harness import START

AUTOMATION = "automation"
ROOT = Path(__file__).parent.parent
BLUEPRINTS = ROOT / "blueprints" / "automation" / DOMAIN
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPOSITORY = "https://github.com/ovh-sms-virtual/ovh_sms_virtual"
RAW = "https://raw.githubusercontent.com/ovh-sms-virtual/ovh_sms_virtual/main"
JOBS = r"/virtualNumbers/0033612345678/jobs$"
ALICE = "+33611111111"
FILES = sorted(path.name for path in BLUEPRINTS.glob("*.yaml"))


def test_the_three_blueprints_are_there() -> None:
    assert FILES == [
        "reply_to_sms_command.yaml",
        "resend_on_delivery_failure.yaml",
        "sms_alert_on_state.yaml",
    ]


@pytest.mark.parametrize("name", FILES)
def test_blueprint_is_valid_for_home_assistant(name: str) -> None:
    """Home Assistant's automation blueprint schema accepts it, on this version too."""
    path = BLUEPRINTS / name
    blueprint = Blueprint(
        load_yaml_dict(str(path)),
        path=str(path),
        expected_domain=AUTOMATION,
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None
    relative = path.relative_to(ROOT).as_posix()
    assert blueprint.metadata["source_url"] == f"{REPOSITORY}/blob/main/{relative}"
    assert blueprint.metadata["homeassistant"]["min_version"] == "2026.3.0"


@pytest.mark.parametrize("name", FILES)
def test_readme_has_an_import_link(name: str) -> None:
    """The README's "Import blueprint" link points at the raw file on the main branch."""
    raw = f"{RAW}/blueprints/automation/{DOMAIN}/{name}"
    link = "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url=" + quote(
        raw, safe=""
    )
    assert f"]({link})" in README


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A configuration directory with the blueprints imported, as the import link does."""
    shutil.copytree(BLUEPRINTS, Path(hass_tmp_config_dir, "blueprints", "automation", DOMAIN))
    return hass_tmp_config_dir


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """The simulator's virtual number, with Alice as a contact, polling on a frozen clock."""
    freezer.move_to(START)
    await hass.config.async_update(country="FR")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return mock_config_entry


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """An automation made from the blueprint."""
    assert await async_setup_component(
        hass,
        AUTOMATION,
        {
            AUTOMATION: {
                "alias": name,
                "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    (state,) = hass.states.async_all(AUTOMATION)
    assert state.state == "on"


def jobs(sim: OvhSimulator) -> list[dict[str, Any]]:
    return [request.body for request in sim.calls("POST", JOBS)]


async def test_sms_alert_when_an_entity_enters_a_state(
    hass: HomeAssistant, entry: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    hass.states.async_set("binary_sensor.cellar_leak", "off", {"friendly_name": "Cellar leak"})
    await use_blueprint(
        hass,
        "sms_alert_on_state.yaml",
        {
            "watched_entity": "binary_sensor.cellar_leak",
            "state": "on",
            "contacts": ["notify.alice"],
        },
    )

    hass.states.async_set("binary_sensor.cellar_leak", "on", {"friendly_name": "Cellar leak"})
    await hass.async_block_till_done()

    assert jobs(ovh_sim) == [{"message": "Cellar leak is on", "receivers": [ALICE]}]


async def test_reply_to_an_sms_command_from_contacts(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Alice's STATUS gets the alarm's state; the same text from a stranger gets nothing."""
    hass.states.async_set("alarm_control_panel.home", "armed_away")
    await use_blueprint(
        hass,
        "reply_to_sms_command.yaml",
        {
            "contacts": [contact_device(hass, entry, "Alice")],
            "command": "status",
            "command_actions": [
                {"action": "input_boolean.turn_on", "target": {"entity_id": "input_boolean.asked"}}
            ],
            "reply": "Alarm: {{ states('alarm_control_panel.home') }}",
        },
    )
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"asked": {}}})

    for sender in (ALICE, "+33633333333"):
        ovh_sim.add_incoming(SERVICE, NUMBER, sender, "Status ")
    ovh_sim.add_incoming(SERVICE, NUMBER, ALICE, "status please")
    freezer.tick(20)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert jobs(ovh_sim) == [{"message": "Alarm: armed_away", "receivers": [ALICE]}]
    state = hass.states.get("input_boolean.asked")
    assert state is not None
    assert state.state == "on"


@pytest.mark.parametrize(
    ("second_number", "resent"),
    [
        ("06 98 76 54 32", [{"message": "For Alice: Water leak", "receivers": ["+33698765432"]}]),
        # The second number is Alice's: her failure is not sent to her again.
        ("06 11 11 11 11", []),
    ],
    ids=["second-number", "no-loop"],
)
async def test_resend_to_a_second_number_when_delivery_fails(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    second_number: str,
    resent: list[dict[str, Any]],
) -> None:
    client = await hass_client_no_auth()
    ovh_sim.set_callback_url(SERVICE, str(client.make_url(f"/api/webhook/{WEBHOOK_ID}")))
    await use_blueprint(hass, "resend_on_delivery_failure.yaml", {"second_number": second_number})
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.alice", "message": "Water leak"},
        blocking=True,
    )
    ((message_id,),) = [[sms["id"]] for sms in ovh_sim.outgoing(SERVICE, NUMBER)]

    status = await hass.async_add_executor_job(
        partial(ovh_sim.send_status_callback, message_id, dlr=2, ptt=5, description_dlr="KO")
    )
    assert status == 200
    await hass.async_block_till_done()

    assert jobs(ovh_sim)[1:] == resent
