"""The ``ovh_sms_virtual.send_sms`` action, end to end against the OVH simulator."""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    ATTR_CONFIG_ENTRY_ID,
    MAJOR_VERSION,
    MINOR_VERSION,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir, selector
from homeassistant.helpers.json import json_dumps
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
import voluptuous as vol
import yaml

from custom_components.ovh_sms_virtual import api
from custom_components.ovh_sms_virtual.const import (
    CONF_CONSUMER_KEY,
    CONF_MAX_SMS_PER_HOUR,
    CONF_NUMBER,
    CONF_WEBHOOK_ID,
    CREDITS_SCAN_INTERVAL,
    DOMAIN,
)
from custom_components.ovh_sms_virtual.sender import KNOWN_NUMBERS
from custom_components.ovh_sms_virtual.services import PRIORITIES, SEND_SMS_SCHEMA
from ovh_simulator import OvhSimulator
from tests.conftest import APP_KEY, ENTRY_DATA, ENTRY_OPTIONS, NUMBER, SERVICE, state_of

JOBS = r"/virtualNumbers/0033612345678/jobs$"
CREDITS_SENSOR = "sensor.home_credits_left"


async def send(hass: HomeAssistant, **data: Any) -> ServiceResponse:
    """Call the action and return its response."""
    data.setdefault("recipients", ["+33612345678"])
    data.setdefault("message", "Garage door open")
    return await hass.services.async_call(
        DOMAIN, "send_sms", data, blocking=True, return_response=True
    )


def jobs(ovh_sim: OvhSimulator) -> list[dict[str, Any]]:
    """The bodies of the jobs the simulator received."""
    return [request.body for request in ovh_sim.calls("POST", JOBS)]


def set_cap(hass: HomeAssistant, entry: MockConfigEntry, cap: int) -> None:
    hass.config_entries.async_update_entry(
        entry, options={**ENTRY_OPTIONS, CONF_MAX_SMS_PER_HOUR: cap}
    )


async def test_send_sms(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Every recipient goes in one job; the response is OVH's report."""
    assert state_of(hass, CREDITS_SENSOR) == "100.0"
    credits_reads = len(ovh_sim.calls("GET", rf"^/sms/{SERVICE}$"))

    response = await send(
        hass, recipients=["06 12 34 56 78", "+33 7 98 76 54 32"], message="Garage door open"
    )

    assert jobs(ovh_sim) == [
        {"message": "Garage door open", "receivers": ["+33612345678", "+33798765432"]}
    ]
    outgoing = ovh_sim.outgoing(SERVICE, NUMBER)
    assert [sms["receiver"] for sms in outgoing] == ["+33612345678", "+33798765432"]
    assert response == {
        "message_ids": [sms["id"] for sms in outgoing],
        "valid_recipients": ["+33612345678", "+33798765432"],
        "invalid_recipients": [],
        "credits_removed": 2.0,
        "tag": "",
    }
    # OVH lists one id per valid receiver, in order: delivery reports can name them.
    store = init_integration.runtime_data.store
    assert {sms["id"]: store.receiver_for(sms["id"]) for sms in outgoing} == {
        sms["id"]: sms["receiver"] for sms in outgoing
    }
    # The credits sensor follows the send without asking OVH again.
    assert state_of(hass, CREDITS_SENSOR) == "98.0"
    assert len(ovh_sim.calls("GET", rf"^/sms/{SERVICE}$")) == credits_reads
    assert ovh_sim.get_credits(SERVICE) == 98.0


async def test_sends_keep_the_credits_read_on_schedule(
    freezer: FrozenDateTimeFactory,  # First: the clock is frozen before the set-up.
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
) -> None:
    """A send lowers the sensor but neither postpones OVH's read nor hides its failure."""
    ovh_sim.set_credits(SERVICE, 500.0)  # Credits bought in the OVH manager.
    freezer.tick(CREDITS_SCAN_INTERVAL - timedelta(minutes=1))
    # Run what is due by now (the inbox polls) before sending: not the credits read yet.
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, CREDITS_SENSOR) == "100.0"
    await send(hass)
    assert state_of(hass, CREDITS_SENSOR) == "99.0"

    freezer.tick(timedelta(minutes=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, CREDITS_SENSOR) == "499.0"

    ovh_sim.inject_fault("GET", rf"^/sms/{SERVICE}$", status=500, count=None)
    freezer.tick(CREDITS_SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, CREDITS_SENSOR) == STATE_UNAVAILABLE
    await send(hass)
    assert state_of(hass, CREDITS_SENSOR) == STATE_UNAVAILABLE


async def test_send_without_response(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Called without ``return_response`` the action sends and returns nothing."""
    assert (
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": "0612345678", "message": "Hi"},
            blocking=True,
        )
        is None
    )
    assert jobs(ovh_sim) == [{"message": "Hi", "receivers": ["+33612345678"]}]


@pytest.mark.parametrize(
    ("options", "sent"),
    [
        ({"priority": "high"}, {"priority": "high"}),
        ({"priority": "very_low"}, {"priority": "veryLow"}),
        ({"priority": "veryLow"}, {"priority": "veryLow"}),
        ({"validity_period": 60}, {"validityPeriod": 60}),
        ({"differed_period": "30"}, {"differedPeriod": 30}),
        ({"flash": True}, {"class": "flash"}),
        ({"flash": False}, {}),
        ({"tag": "garage"}, {"tag": "garage"}),
        ({"tag": ""}, {}),
        (
            {
                "priority": "low",
                "validity_period": 120,
                "differed_period": 5,
                "flash": True,
                "tag": "a" * 20,
            },
            {
                "priority": "low",
                "validityPeriod": 120,
                "differedPeriod": 5,
                "class": "flash",
                "tag": "a" * 20,
            },
        ),
    ],
)
async def test_send_options(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    options: dict[str, Any],
    sent: dict[str, Any],
) -> None:
    """Each option reaches OVH under its API name, and nothing else is sent."""
    response = await send(hass, **options)

    assert jobs(ovh_sim) == [{"message": "Garage door open", "receivers": ["+33612345678"], **sent}]
    assert response is not None
    assert response["tag"] == sent.get("tag", "")


@pytest.mark.parametrize(
    ("recipients", "receivers"),
    [
        ("06 12 34 56 78", ["+33612345678"]),
        ("+33 6 12 34 56 78", ["+33612345678"]),
        ("0033612345678", ["+33612345678"]),
        ("612345678", ["+33612345678"]),
        ("06-12-34-56-78", ["+33612345678"]),
        ("06.12.34.56.78", ["+33612345678"]),
        ("(06) 12 34 56 78", ["+33612345678"]),
        ("+33\u00a06\u00a012\u00a034\u00a056\u00a078", ["+33612345678"]),
        # Numbers of other countries are sent as well (OVH rejects them: see below).
        ("0612345678, +32 470 12 34 56", ["+33612345678", "+32470123456"]),
        ("+1 650 253 0000, 0612345678", ["+16502530000", "+33612345678"]),
        (
            ["0612345678", "+32470123456,0611111111"],
            ["+33612345678", "+32470123456", "+33611111111"],
        ),
        # Duplicates, however written, get one SMS; the order is kept.
        (["+32470123456", "06 12 34 56 78", "0033612345678"], ["+32470123456", "+33612345678"]),
    ],
)
async def test_recipients_are_normalised(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    recipients: str | list[str],
    receivers: list[str],
) -> None:
    """Numbers in the usual forms become E.164, France being Home Assistant's country."""
    await send(hass, recipients=recipients)

    assert jobs(ovh_sim)[0]["receivers"] == receivers


@pytest.mark.parametrize(
    "number",
    [
        "http://evil/0612345678",
        "{'number': '0612345678'}",
        "tel:0612345678",
        "06 12 34 56 78 ext. 5",
        "+33 6 12 34 56 78#",
        "0612345678;0698765432",
    ],
)
async def test_numbers_with_other_characters_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator, number: str
) -> None:
    """Only digits, +, spaces, dots, dashes and parentheses: anything else is not a number."""
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, recipients=[number])

    assert err.value.translation_key == "invalid_phone_number"
    assert str(err.value).startswith(f'"{number}" is not a valid phone number.')
    assert jobs(ovh_sim) == []


@pytest.mark.parametrize("number", ["08 99 12 34 56", "+33 8 91 12 34 56", "0836123456"])
async def test_premium_rate_numbers_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator, number: str
) -> None:
    """An SMS to a premium-rate number could cost far more than a credit: it is not sent."""
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, recipients=["0612345678", number])

    assert err.value.translation_key == "premium_rate_number"
    assert str(err.value) == (
        f'"{number}" is a premium-rate number: an SMS to it could cost far more than a '
        "credit, so it is not sent"
    )
    assert jobs(ovh_sim) == []


async def test_numbers_read_before_are_still_checked(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Numbers already read are remembered, each with the country it was read in."""
    await send(hass, recipients=["04 70 12 34 56", "0612345678"])
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, recipients=["0612345678", "08 99 12 34 56"])
    assert err.value.translation_key == "premium_rate_number"
    await hass.config.async_update(country="BE")
    with pytest.raises(HomeAssistantError, match="rejected every recipient"):
        await send(hass, recipients=["04 70 12 34 56"])
    await hass.config.async_update(country="FR")
    await send(hass, recipients=["06 98 76 54 32", "0612345678", "04 70 12 34 56", "0698765432"])

    assert [job["receivers"] for job in jobs(ovh_sim)] == [
        ["+33470123456", "+33612345678"],
        ["+32470123456"],
        ["+33698765432", "+33612345678", "+33470123456"],
    ]


async def test_numbers_remembered_are_bounded(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """However many numbers an entry sends to, it remembers only the last few hundred."""
    set_cap(hass, init_integration, 0)
    ovh_sim.set_credits(SERVICE, 1000)
    many = [f"06 12 00 {index // 100:02d} {index % 100:02d}" for index in range(KNOWN_NUMBERS + 50)]
    await send(hass, recipients=many[:100])
    await send(hass, recipients=many)
    await send(hass, recipients=many[:10])

    assert [len(job["receivers"]) for job in jobs(ovh_sim)] == [100, KNOWN_NUMBERS + 50, 10]
    assert jobs(ovh_sim)[2]["receivers"] == [f"+336120000{index:02d}" for index in range(10)]
    known = init_integration.runtime_data.sender._known
    assert len(known) == KNOWN_NUMBERS
    assert list(known)[-10:] == [(number, "FR") for number in many[:10]]


async def test_expired_service(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """OVH answers 460: the service must be renewed; a repair issue says so too."""
    ovh_sim.inject_fault("POST", JOBS, status=460, body={"message": "This service is expired"})

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "send_service_expired"
    assert str(err.value) == (
        f"The OVHcloud SMS service {SERVICE} has expired, nothing was sent: renew it in the "
        "OVHcloud Control Panel"
    )
    issue = issue_registry.async_get_issue(DOMAIN, f"service_expired_{init_integration.entry_id}")
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    # The next poll that works clears it.
    await init_integration.runtime_data.inbox.async_refresh()
    assert (
        issue_registry.async_get_issue(DOMAIN, f"service_expired_{init_integration.entry_id}")
        is None
    )


async def test_not_enough_credits_by_error_code(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """A refusal that names the credits by its code, whatever its text (assumed shape)."""
    ovh_sim.inject_fault(
        "POST", JOBS, status=403, body={"errorCode": "NOT_ENOUGH_CREDITS", "message": "Refused"}
    )

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "not_enough_credits"


async def test_partial_rejection(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """OVH sends to the receivers it accepts (French ones); the response names the others."""
    response = await send(hass, recipients=["0612345678", "+32470123456"])

    assert jobs(ovh_sim)[0]["receivers"] == ["+33612345678", "+32470123456"]
    (sent,) = ovh_sim.outgoing(SERVICE, NUMBER)
    assert sent["receiver"] == "+33612345678"
    assert response == {
        "message_ids": [sent["id"]],
        "valid_recipients": ["+33612345678"],
        "invalid_recipients": ["+32470123456"],
        "credits_removed": 1.0,
        "tag": "",
    }
    assert init_integration.runtime_data.store.receiver_for(sent["id"]) == "+33612345678"
    assert state_of(hass, CREDITS_SENSOR) == "99.0"
    assert ovh_sim.get_credits(SERVICE) == 99.0


@pytest.mark.parametrize(
    ("country", "recipients", "rejected"),
    [
        ("FR", "+32 470 12 34 56", "+32470123456"),
        ("FR", ["+1 650 253 0000", "+32470123456"], "+16502530000, +32470123456"),
        # A national number is read in Home Assistant's country.
        ("BE", "0470 12 34 56", "+32470123456"),
    ],
)
async def test_total_rejection(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    country: str,
    recipients: str | list[str],
    rejected: str,
) -> None:
    """When OVH accepts no receiver the action fails and names them."""
    await hass.config.async_update(country=country)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass, recipients=recipients)

    assert jobs(ovh_sim)[0]["receivers"] == rejected.split(", ")
    assert err.value.translation_key == "all_recipients_rejected"
    assert str(err.value) == (f"OVHcloud rejected every recipient ({rejected}): nothing was sent")
    assert ovh_sim.outgoing() == []
    assert state_of(hass, CREDITS_SENSOR) == "100.0"


@pytest.mark.parametrize(
    ("body", "receivers"),
    [
        # One receiver, several ids (one per part): every id is that receiver's.
        (
            {"ids": [7, 8], "validReceivers": ["+33612345678"]},
            {7: "+33612345678", 8: "+33612345678"},
        ),
        # Ids that cannot be paired with the receivers are not guessed.
        ({"ids": [7], "validReceivers": ["+33612345678", "+33698765432"]}, {7: None}),
    ],
)
async def test_ids_not_one_per_receiver(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    body: dict[str, Any],
    receivers: dict[int, str | None],
) -> None:
    """The receiver of each id is remembered only when OVH's report tells it."""
    ovh_sim.inject_fault("POST", JOBS, status=200, body={**body, "totalCreditsRemoved": 2})

    await send(hass, recipients=["0612345678", "0698765432"])

    store = init_integration.runtime_data.store
    assert {sms_id: store.receiver_for(sms_id) for sms_id in receivers} == receivers


async def test_credits_removed_is_always_a_float(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """OVH may count credits as a whole number: the response still holds a float (2.0)."""
    body = {"ids": [7], "validReceivers": ["+33612345678"], "invalidReceivers": []}
    ovh_sim.inject_fault("POST", JOBS, status=200, body={**body, "totalCreditsRemoved": 2})

    response = await send(hass, recipients=["0612345678"])

    assert response is not None
    assert type(response["credits_removed"]) is float
    assert '"credits_removed":2.0' in json_dumps(response)


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        ({"recipients": []}, "no_recipients", "Give at least one recipient's phone number"),
        ({"recipients": " , "}, "no_recipients", "Give at least one recipient's phone number"),
        (
            {"recipients": ["0612345678", "06 12"]},
            "invalid_phone_number",
            (
                '"06 12" is not a valid phone number. Write it in international form '
                "(+33 6 12 34 56 78), or in national form for a number of Home Assistant's "
                "country"
            ),
        ),
        (
            {"recipients": "+44 7700 900123"},
            "invalid_phone_number",
            '"+44 7700 900123" is not a valid phone number.',
        ),
        ({"recipients": "garage"}, "invalid_phone_number", '"garage" is not a valid'),
        ({"message": ""}, "empty_message", "The message is empty"),
        ({"message": " \n "}, "empty_message", "The message is empty"),
        (
            {"message": "a" * 919},
            "message_too_long",
            (
                "The message needs 7 SMS, but OVHcloud accepts at most 6 (918 characters in "
                "GSM-7). Shorten it"
            ),
        ),
        (
            {"message": "🚨" * 202},
            "message_too_long",
            (
                "The message needs 7 SMS, but OVHcloud accepts at most 6 (402 characters in "
                "UCS-2). Shorten it"
            ),
        ),
        (
            {"tag": "a" * 21},
            "tag_too_long",
            "The tag is too long: at most 20 characters",
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_bad_input(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    data: dict[str, Any],
    key: str,
    message: str,
) -> None:
    """Bad input is a translated validation error, and nothing reaches OVH."""
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, **data)

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert str(err.value).startswith(message)
    assert jobs(ovh_sim) == []


async def test_longest_messages_are_sent(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """6 SMS is the limit, not one less."""
    await send(hass, message="a" * 918)
    await send(hass, message="ê" * 402)
    # An emoji takes two units and is never split: 33 fit in a part.
    await send(hass, message="🚨" * 198)

    assert [len(job["message"]) for job in jobs(ovh_sim)] == [918, 402, 198]
    assert ovh_sim.get_credits(SERVICE) == 100 - 6 - 6 - 6


@pytest.mark.parametrize(
    "data",
    [
        {"priority": "urgent"},
        {"validity_period": 0},
        {"differed_period": -5},
        {"differed_period": "soon"},
        {"flash": "maybe"},
        {"message": None},
    ],
)
async def test_schema_errors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    data: dict[str, Any],
) -> None:
    """Values of the wrong kind are refused before anything is sent."""
    with pytest.raises(vol.Invalid):
        await send(hass, **data)

    assert jobs(ovh_sim) == []


async def test_unknown_entry(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """An unknown ``config_entry_id`` is Home Assistant's translated validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, config_entry_id="not-an-entry")

    assert err.value.translation_key == "service_config_entry_not_found"
    assert jobs(ovh_sim) == []


async def test_entry_not_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """An unloaded entry cannot send, with or without its id."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED

    for data in ({}, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id}):
        with pytest.raises(ServiceValidationError) as err:
            await send(hass, **data)
        assert err.value.translation_key == "service_config_entry_not_loaded"
    assert jobs(ovh_sim) == []


@pytest.fixture
async def second_entry(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> MockConfigEntry:
    """A second virtual number of the same account, set up next to the first."""
    ovh_sim.add_virtual_number(SERVICE, "0033698765432")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Office",
        data={**ENTRY_DATA, CONF_NUMBER: "0033698765432", CONF_WEBHOOK_ID: "f" * 64},
        options=dict(ENTRY_OPTIONS),
        unique_id=f"{SERVICE}_0033698765432",
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


async def test_several_entries(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
) -> None:
    """With several numbers the action needs to be told which one sends."""
    with pytest.raises(ServiceValidationError) as err:
        await send(hass)
    assert err.value.translation_key == "config_entry_required"
    assert str(err.value) == (
        "Several OVHcloud SMS virtual numbers are set up: choose one with config_entry_id"
    )
    assert ovh_sim.calls("POST") == []

    await send(hass, config_entry_id=second_entry.entry_id)
    await send(hass, config_entry_id=init_integration.entry_id)

    assert [request.path for request in ovh_sim.calls("POST")] == [
        f"/sms/{SERVICE}/virtualNumbers/0033698765432/jobs",
        f"/sms/{SERVICE}/virtualNumbers/{NUMBER}/jobs",
    ]


async def test_several_entries_none_loaded(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
) -> None:
    """With several numbers and none loaded, the action still asks which one sends."""
    for entry in (init_integration, second_entry):
        await hass.config_entries.async_unload(entry.entry_id)

    with pytest.raises(ServiceValidationError) as err:
        await send(hass)

    assert err.value.translation_key == "config_entry_required"
    assert ovh_sim.calls("POST") == []


async def test_no_entry_left(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """The action outlives the last entry until a restart; it then sends nothing."""
    await hass.config_entries.async_remove(init_integration.entry_id)

    with pytest.raises(ServiceValidationError) as err:
        await send(hass)

    # Home Assistant's own error: "no entry" since 2026.7, before it "entry None not found".
    assert err.value.translation_key == (
        "service_found_no_config_entry_for_domain"
        if (MAJOR_VERSION, MINOR_VERSION) >= (2026, 7)
        else "service_config_entry_not_found"
    )
    assert ovh_sim.calls("POST") == []


async def test_one_loaded_entry_is_enough(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
) -> None:
    """When only one entry is loaded it sends without being named."""
    await hass.config_entries.async_unload(second_entry.entry_id)

    await send(hass)

    assert [request.path for request in ovh_sim.calls("POST")] == [
        f"/sms/{SERVICE}/virtualNumbers/{NUMBER}/jobs"
    ]


async def test_revoked_key_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """A revoked consumer key fails the send and asks the user for new keys."""
    ovh_sim.revoke_consumer_key(init_integration.data[CONF_CONSUMER_KEY])

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)
    await hass.async_block_till_done()

    assert err.value.translation_key == "send_credential_invalid"
    assert str(err.value) == (
        "The consumer key is no longer valid (expired or revoked), nothing was sent: This "
        "credential is not valid. Re-authenticate the integration with a new key"
    )
    assert len(list(init_integration.async_get_active_flows(hass, {SOURCE_REAUTH}))) == 1
    assert ovh_sim.outgoing(SERVICE, NUMBER) == []


async def test_invalid_application_key_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """OVH no longer knowing the application key fails the send and starts reauth."""
    ovh_sim.inject_fault(
        "POST",
        JOBS,
        status=403,
        body={
            "errorCode": "INVALID_KEY",
            "httpCode": "403 Forbidden",
            "message": "This application key is invalid",
        },
    )

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)
    await hass.async_block_till_done()

    assert err.value.translation_key == "send_auth_failed"
    assert str(err.value) == (
        "OVHcloud refused the API keys, nothing was sent: This application key is invalid. "
        "Re-authenticate the integration"
    )
    assert len(list(init_integration.async_get_active_flows(hass, {SOURCE_REAUTH}))) == 1


async def test_not_enough_credits(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """An empty account is said so."""
    ovh_sim.set_credits(SERVICE, 0)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "not_enough_credits"
    assert str(err.value) == "Not enough SMS credits on the OVHcloud account: nothing was sent"
    assert ovh_sim.outgoing(SERVICE, NUMBER) == []


async def test_key_without_send_right(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A consumer key that may read but not send names the missing right."""
    ovh_sim.add_consumer_key("read-only-key", APP_KEY, [("GET", "/sms"), ("GET", "/sms/*")])
    await hass.config.async_update(country="FR")
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**ENTRY_DATA, CONF_CONSUMER_KEY: "read-only-key"}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "send_not_granted"
    assert str(err.value) == (
        f"The consumer key is not allowed to call POST /sms/{SERVICE}/virtualNumbers/"
        f"{NUMBER}/jobs: nothing was sent. Create a key with the rights listed in the "
        "documentation"
    )
    assert not list(mock_config_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


async def test_clock_skew(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """A signature OVH refuses (its clock moved away from ours) is said so."""
    ovh_sim.set_clock_offset(3600)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "send_signature"
    assert str(err.value).startswith("OVHcloud refused the request signature")
    assert ovh_sim.outgoing(SERVICE, NUMBER) == []


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, "Sending the SMS failed: Internal server error"),
        (503, "Sending the SMS failed: Service Unavailable"),
        (429, "Sending the SMS failed: Too many requests"),
        (400, "Sending the SMS failed: Bad Request"),
    ],
)
async def test_ovh_failure(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    status: int,
    error: str,
) -> None:
    """Other OVH failures give OVH's own message; the job is not sent again."""
    ovh_sim.inject_fault("POST", JOBS, status=status)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "send_failed"
    assert str(err.value) == error
    assert len(jobs(ovh_sim)) == 1


async def test_dropped_connection_is_not_retried(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """A connection lost after the request went out may have sent it: no retry."""
    ovh_sim.inject_fault("POST", JOBS, drop=True)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "send_timeout"
    assert str(err.value) == (
        "OVHcloud did not answer; the SMS may or may not have been sent. It is not retried "
        "to avoid sending it twice"
    )
    assert len(jobs(ovh_sim)) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 200, "body": "<html>Welcome to our proxy</html>"},
        {"status": 502},
        {"status": 504, "body": "<html>Gateway Timeout</html>"},
        {"status": 200, "body": {"ids": "oops"}},
        {"status": 200, "body": {"ids": [1, "two"], "validReceivers": ["+33612345678"]}},
        {"status": 200, "body": {"ids": [1], "validReceivers": "+33612345678"}},
        {"status": 200, "body": {"message": "queued"}},
        {"status": 200, "body": ["ids", 1]},
        {"status": 500, "body": ["Internal error"]},
    ],
    ids=[
        "html 200",
        "502",
        "html 504",
        "ids not a list",
        "id not a number",
        "receivers not a list",
        "no ids",
        "not an object",
        "error not an object",
    ],
)
async def test_unreadable_answer_is_an_unknown_outcome(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    fault: dict[str, Any],
) -> None:
    """The job reached OVH, the answer says nothing usable: maybe sent, counted, not retried."""
    set_cap(hass, init_integration, 2)
    ovh_sim.inject_fault("POST", JOBS, **fault)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass, recipients=["0612345678", "0698765432"])

    assert err.value.translation_key == "send_outcome_unknown"
    assert str(err.value) == (
        "OVHcloud's answer could not be read; the SMS may or may not have been sent. It is "
        "not retried to avoid sending it twice"
    )
    assert len(jobs(ovh_sim)) == 1
    # Both SMS may have gone out: the hourly cap of 2 is reached.
    with pytest.raises(HomeAssistantError) as err:
        await send(hass)
    assert err.value.translation_key == "rate_limited_sending"
    assert len(jobs(ovh_sim)) == 1


@pytest.fixture
def short_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read timeout short enough to reach in a test."""
    monkeypatch.setattr(api, "TIMEOUT", (5.0, 0.2))


async def test_timeout_is_not_retried(
    hass: HomeAssistant,
    short_read_timeout: None,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
) -> None:
    """No answer in time: the SMS may have gone out, so it is not sent again."""
    # OVH answers, too late: the client has given up waiting by then.
    ovh_sim.inject_fault("POST", JOBS, delay=1.0, status=500)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "send_timeout"
    assert len(jobs(ovh_sim)) == 1


async def test_cannot_connect(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    refusing_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """OVH unreachable: nothing was sent, and the user is told why.

    The simulator keeps serving the entry, so the entry's ``ovh`` client is pointed at a port
    that refuses connections, as an unreachable OVH does.
    """
    ovh_client = init_integration.runtime_data.client._client
    assert ovh_client is not None
    monkeypatch.setattr(ovh_client, "_endpoint", refusing_endpoint)

    with pytest.raises(HomeAssistantError) as err:
        await send(hass)

    assert err.value.translation_key == "send_cannot_connect"
    assert str(err.value).startswith(
        "Cannot reach OVHcloud's API, nothing was sent: cannot connect to OVH: "
    )
    assert "Connection refused" in str(err.value)
    assert jobs(ovh_sim) == []


async def test_concurrent_sends(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Concurrent sends reach OVH one after the other, each as its own job, off the loop."""
    # OVH holds the first job a while: long enough for a second request to overtake it.
    ovh_sim.inject_fault("POST", JOBS, delay=0.3)
    loop_ran_during_a_call = False

    async def watch() -> None:
        nonlocal loop_ran_during_a_call
        while not loop_ran_during_a_call:
            posts = ovh_sim.calls("POST", JOBS)
            loop_ran_during_a_call = any(post.answered_at is None for post in posts)
            await asyncio.sleep(0.01)

    watcher = asyncio.create_task(watch())
    first = hass.async_create_task(send(hass, recipients="0612345678", message="first"))
    second = hass.async_create_task(send(hass, recipients="0698765432", message="second"))
    responses = await asyncio.gather(first, second)
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher

    # The event loop kept running while OVH had a job in hand.
    assert loop_ran_during_a_call
    posts = ovh_sim.calls("POST", JOBS)
    assert sorted((post.body for post in posts), key=lambda body: body["message"]) == [
        {"message": "first", "receivers": ["+33612345678"]},
        {"message": "second", "receivers": ["+33698765432"]},
    ]
    # Whichever went first, the other job left only once OVH had answered it.
    assert posts[0].answered_at is not None
    assert posts[1].received_at >= posts[0].answered_at
    assert [response["valid_recipients"] for response in responses if response] == [
        ["+33612345678"],
        ["+33698765432"],
    ]


async def test_hourly_cap(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Over the hourly cap nothing is sent until older sends leave the hour."""
    start = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
    freezer.move_to(start)
    set_cap(hass, init_integration, 3)
    await hass.async_block_till_done()

    await send(hass, recipients=["0612345678", "0698765432"])
    freezer.tick(timedelta(minutes=20))
    await send(hass, recipients="0612345678")
    freezer.tick(timedelta(minutes=10))

    with pytest.raises(HomeAssistantError) as err:
        await send(hass, recipients="0612345678")

    retry_at = dt_util.as_local(start + timedelta(hours=1)).strftime("%H:%M:%S")
    assert err.value.translation_key == "rate_limited_sending"
    assert str(err.value) == (
        "The cap of 3 SMS per hour set in the integration's options is reached: nothing "
        f"was sent. Sending is possible again at {retry_at}"
    )
    assert len(jobs(ovh_sim)) == 2

    freezer.move_to(start + timedelta(hours=1))
    await send(hass, recipients="0612345678")
    assert len(jobs(ovh_sim)) == 3


async def test_hourly_cap_frees_enough(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The time given is when enough SMS have left the hour for this send."""
    start = datetime(2026, 11, 26, 20, 0, 0, 500000, tzinfo=UTC)
    freezer.move_to(start)
    set_cap(hass, init_integration, 3)

    for minutes in (0, 10, 20):
        freezer.move_to(start + timedelta(minutes=minutes))
        await send(hass, recipients="0612345678")
    with pytest.raises(HomeAssistantError) as err:
        await send(hass, recipients=["0612345678", "0698765432"])

    # Two SMS must leave the hour: the second one does at 21:10:00.5, shown as 21:10:01.
    retry_at = dt_util.as_local(datetime(2026, 11, 26, 21, 10, 1, tzinfo=UTC))
    assert err.value.translation_placeholders == {
        "limit": "3",
        "retry_at": retry_at.strftime("%H:%M:%S"),
    }


async def test_hourly_cap_counts_what_may_have_been_sent(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Rejected receivers and failed jobs do not count; a job without an answer does."""
    freezer.move_to(datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    set_cap(hass, init_integration, 3)

    ovh_sim.inject_fault("POST", JOBS, status=500)
    with pytest.raises(HomeAssistantError):
        await send(hass, recipients=["0612345678", "0698765432"])
    # OVH sends to the French number only.
    await send(hass, recipients=["0612345678", "+32470123456"])
    ovh_sim.inject_fault("POST", JOBS, drop=True)
    with pytest.raises(HomeAssistantError):
        await send(hass, recipients=["0612345678"])
    await send(hass, recipients="0612345678")

    with pytest.raises(HomeAssistantError) as err:
        await send(hass, recipients="0612345678")
    assert err.value.translation_key == "rate_limited_sending"
    assert len(jobs(ovh_sim)) == 4


async def test_job_larger_than_cap(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """A job with more recipients than the hourly cap can never go: it is refused."""
    set_cap(hass, init_integration, 1)

    with pytest.raises(ServiceValidationError) as err:
        await send(hass, recipients=["0612345678", "0698765432"])

    assert err.value.translation_key == "too_many_recipients"
    assert str(err.value) == (
        "This send has 2 recipients, more than the cap of 1 SMS per hour set in the "
        "integration's options: nothing was sent"
    )
    assert jobs(ovh_sim) == []


async def test_no_cap(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """A cap of 0 turns it off."""
    set_cap(hass, init_integration, 0)

    for _ in range(3):
        await send(hass, recipients=[f"06123456{index:02}" for index in range(25)])

    assert len(jobs(ovh_sim)) == 3


async def test_default_cap(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Without the option the cap is 60 SMS per hour."""
    hass.config_entries.async_update_entry(init_integration, options={})
    recipients = [f"06123456{index:02}" for index in range(30)]

    await send(hass, recipients=recipients)
    await send(hass, recipients=recipients)
    with pytest.raises(HomeAssistantError) as err:
        await send(hass, recipients="0612345678")

    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["limit"] == "60"


def test_action_description() -> None:
    """services.yaml describes exactly the schema's fields, each with valid selector and text."""
    component = Path(__file__).parent.parent / "custom_components" / DOMAIN
    described = yaml.safe_load((component / "services.yaml").read_text(encoding="utf-8"))
    fields: dict[str, Any] = {}
    for name, field in described["send_sms"]["fields"].items():
        fields.update(field.get("fields", {name: field}))
    for field in fields.values():
        selector.validate_selector(field["selector"])
    strings = json.loads((component / "strings.json").read_text(encoding="utf-8"))
    texts = strings["services"]["send_sms"]["fields"]

    assert set(fields) == {str(key) for key in SEND_SMS_SCHEMA.schema} == set(texts)
    # The UI offers every OVH priority (``veryLow`` under its lower-case key ``very_low``).
    offered = fields["priority"]["selector"]["select"]["options"]
    assert {PRIORITIES[option] for option in offered} == set(PRIORITIES.values())
    assert set(strings["selector"]["priority"]["options"]) == set(offered)
