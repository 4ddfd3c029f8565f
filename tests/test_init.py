"""Set-up, unload, retry, reauthentication, the device and the credits sensor."""

from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ovh_sms_virtual.api import OvhSmsServerError
from custom_components.ovh_sms_virtual.const import (
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_CONSUMER_KEY,
    CREDITS_SCAN_INTERVAL,
    DOMAIN,
    EVENT_RECEIVED,
)
from custom_components.ovh_sms_virtual.coordinator import MAX_BACKOFF
from custom_components.ovh_sms_virtual.inbox import MAX_READS_PER_POLL
from custom_components.ovh_sms_virtual.sms import normalize_phone_number
from ovh_simulator import OvhSimulator

from .conftest import APP_KEY, APP_SECRET, CONSUMER_KEY, NUMBER, SERVICE, number_device, state_of

CREDITS = "sensor.home_credits_left"
ACCOUNT_PATH = rf"^/sms/{SERVICE}$"
JOBS = f"/sms/{SERVICE}/virtualNumbers/{NUMBER}/jobs"
ERROR_LOG = "Error fetching ovh_sms_virtual account data"
RECOVERED_LOG = "Fetching ovh_sms_virtual account data recovered"


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Let ``delta`` pass and run what was due (polls run as background tasks)."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _entry_state(entry: ConfigEntry) -> ConfigEntryState:
    """The entry's state now.

    Read through a function: set-up, unload and reload change it, and mypy would otherwise
    keep the state an earlier ``assert`` narrowed the attribute to.
    """
    return entry.state


def _reauth_flows(hass: HomeAssistant) -> list[str]:
    return [
        flow["flow_id"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """The entry loads against the simulator, reading the account first, and unloads."""
    entry = init_integration
    assert _entry_state(entry) is ConfigEntryState.LOADED
    assert ovh_sim.calls("GET", ACCOUNT_PATH)[0].status == 200
    assert entry.runtime_data.account.data.credits_left == 100.0

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert _entry_state(entry) is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 429}, {"drop": True}],
    ids=["server_error", "rate_limited", "connection_dropped"],
)
async def test_setup_retries_while_ovh_fails(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    fault: dict[str, Any],
) -> None:
    """An API that fails or cannot be reached makes the set-up retry, then it loads."""
    ovh_sim.inject_fault("GET", ACCOUNT_PATH, **fault)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert _entry_state(mock_config_entry) is ConfigEntryState.SETUP_RETRY
    assert not _reauth_flows(hass)

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _entry_state(mock_config_entry) is ConfigEntryState.LOADED


async def test_revoked_key_at_setup_starts_reauth_once(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A refused key stops the set-up and asks for new keys; it does not retry in a loop."""
    ovh_sim.revoke_consumer_key(CONSUMER_KEY)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert _entry_state(mock_config_entry) is ConfigEntryState.SETUP_ERROR
    flows = _reauth_flows(hass)
    assert len(flows) == 1
    requests = len(ovh_sim.requests)
    await _tick(hass, freezer, timedelta(hours=1))
    assert len(ovh_sim.requests) == requests

    ovh_sim.add_consumer_key("new-consumer-key")
    result = await hass.config_entries.flow.async_configure(
        flows[0],
        {
            CONF_APPLICATION_KEY: APP_KEY,
            CONF_APPLICATION_SECRET: APP_SECRET,
            CONF_CONSUMER_KEY: "new-consumer-key",
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_CONSUMER_KEY] == "new-consumer-key"
    assert _entry_state(mock_config_entry) is ConfigEntryState.LOADED


async def test_key_revoked_later_starts_reauth_and_stops_polling(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
) -> None:
    """Keys refused while running start one reauthentication and polling stops."""
    ovh_sim.revoke_consumer_key(CONSUMER_KEY)
    await _tick(hass, freezer, CREDITS_SCAN_INTERVAL)
    assert len(_reauth_flows(hass)) == 1
    assert state_of(hass, CREDITS) == STATE_UNAVAILABLE

    requests = len(ovh_sim.requests)
    for _ in range(3):
        await _tick(hass, freezer, CREDITS_SCAN_INTERVAL * 4)
    assert len(ovh_sim.requests) == requests
    assert len(_reauth_flows(hass)) == 1


async def test_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """One service device per virtual number, made by OVHcloud."""
    device = number_device(device_registry, init_integration)
    assert device.manufacturer == "OVHcloud"
    assert device.model == "SMS virtual number"
    assert device.model_id == SERVICE
    assert device.serial_number == NUMBER
    assert device.name == "Home"
    assert device.entry_type is dr.DeviceEntryType.SERVICE


async def test_credits_sensor(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """The sensor shows ``creditsLeft`` and follows it at the slow credits pace."""
    state = hass.states.get(CREDITS)
    assert state is not None
    assert state.state == "100.0"
    assert state.attributes["unit_of_measurement"] == "credits"
    assert state.attributes["friendly_name"] == "Home Credits left"
    entity = entity_registry.async_get(CREDITS)
    assert entity is not None
    assert entity.unique_id == f"{SERVICE}_{NUMBER}_credits_left"

    ovh_sim.set_credits(SERVICE, 42.5)
    reads = len(ovh_sim.calls("GET", ACCOUNT_PATH))
    await _tick(hass, freezer, CREDITS_SCAN_INTERVAL - timedelta(seconds=30))
    assert len(ovh_sim.calls("GET", ACCOUNT_PATH)) == reads
    assert state_of(hass, CREDITS) == "100.0"

    await _tick(hass, freezer, timedelta(seconds=31))
    assert len(ovh_sim.calls("GET", ACCOUNT_PATH)) == reads + 1
    assert state_of(hass, CREDITS) == "42.5"


async def test_credits_sensor_unavailable_while_ovh_fails(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failing API makes the sensor unavailable; the failure and the recovery log once."""
    caplog.set_level(logging.INFO)
    ovh_sim.inject_fault("GET", ACCOUNT_PATH, status=500, count=None)

    await _tick(hass, freezer, CREDITS_SCAN_INTERVAL)
    assert state_of(hass, CREDITS) == STATE_UNAVAILABLE
    # OVH answering 5xx: the next read waits longer (twice the interval, then four times),
    # never less than the usual interval.
    await _tick(hass, freezer, CREDITS_SCAN_INTERVAL)
    failed = [call for call in ovh_sim.calls("GET", ACCOUNT_PATH) if call.status == 500]
    assert len(failed) == 1
    await _tick(hass, freezer, CREDITS_SCAN_INTERVAL)
    failed = [call for call in ovh_sim.calls("GET", ACCOUNT_PATH) if call.status == 500]
    assert len(failed) == 2
    assert state_of(hass, CREDITS) == STATE_UNAVAILABLE

    ovh_sim.clear_faults()
    ovh_sim.set_credits(SERVICE, 99.0)
    await _tick(hass, freezer, CREDITS_SCAN_INTERVAL * 4)
    assert state_of(hass, CREDITS) == "99.0"
    await _tick(hass, freezer, CREDITS_SCAN_INTERVAL)
    assert state_of(hass, CREDITS) == "99.0"

    assert caplog.text.count(ERROR_LOG) == 1
    assert caplog.text.count(RECOVERED_LOG) == 1
    assert not _reauth_flows(hass)


async def test_back_off_survives_a_long_outage(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """However many polls fail, the next one waits the longest back-off, nothing worse."""
    inbox = init_integration.runtime_data.inbox
    outage = OvhSmsServerError("Service Unavailable", status=503)
    with patch.object(inbox.client, "async_list_incoming", side_effect=outage):
        for _ in range(1100):  # 2**1100 intervals would overflow a float.
            await inbox.async_refresh()

    assert isinstance(inbox.last_exception, UpdateFailed)
    assert inbox.last_exception.retry_after == MAX_BACKOFF.total_seconds()


@pytest.mark.parametrize(
    ("credits_left", "shown"),
    [
        ("12,5", "12.5"),
        ([12.5], STATE_UNKNOWN),
        (float("nan"), STATE_UNKNOWN),
        (float("inf"), STATE_UNKNOWN),
    ],
    ids=["decimal comma", "list", "NaN", "1e400"],
)
async def test_odd_credits_never_keep_the_entry_from_working(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    credits_left: object,
    shown: str,
) -> None:
    """The entry loads, the sensor is added, SMS are received and sent."""
    account = ovh_sim.account(SERVICE)
    ovh_sim.inject_fault(
        "GET", ACCOUNT_PATH, status=200, body={**account, "creditsLeft": credits_left}, count=None
    )
    events = async_capture_events(hass, EVENT_RECEIVED)
    ovh_sim.add_incoming(SERVICE, NUMBER, "+33611111111", "hello")
    await hass.config.async_update(country="FR")
    mock_config_entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _entry_state(mock_config_entry) is ConfigEntryState.LOADED
    assert state_of(hass, CREDITS) == shown
    assert [event.data["message"] for event in events] == ["hello"]
    await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": "0612345678", "message": "Hi"}, blocking=True
    )
    assert len(ovh_sim.outgoing(SERVICE, NUMBER)) == 1


async def test_an_expired_service_loads_with_a_repair_issue(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No setup retry loop: the entry loads, unavailable, and an issue says to renew."""
    ovh_sim.inject_fault("*", "^/sms/", status=460, body={"message": "Expired"}, count=None)
    mock_config_entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _entry_state(mock_config_entry) is ConfigEntryState.LOADED
    issue = issue_registry.async_get_issue(DOMAIN, f"service_expired_{mock_config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "service_expired"
    assert state_of(hass, CREDITS) == STATE_UNAVAILABLE
    assert state_of(hass, "event.home_received_sms") == STATE_UNAVAILABLE
    diagnostics_account = mock_config_entry.runtime_data.account.data
    assert diagnostics_account is None


async def test_removal_takes_the_expired_service_issue_with_it(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No repair issue outlives its entry: none asks to renew a service no entry uses."""
    ovh_sim.inject_fault("*", "^/sms/", status=460, body={"message": "Expired"}, count=None)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert issue_registry.async_get_issue(DOMAIN, f"service_expired_{mock_config_entry.entry_id}")

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert [issue_id for domain, issue_id in issue_registry.issues if domain == DOMAIN] == []


async def test_setup_does_not_wait_for_the_first_poll(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A backlog waits at start: the entry is loaded at once, and sends go out meanwhile."""
    for index in range(MAX_READS_PER_POLL + 10):
        ovh_sim.add_incoming(SERVICE, NUMBER, "+33611111111", f"sms {index}")
    # Whether the job goes out among the first reads must not depend on the machine's pace:
    # the number library is loaded already (as once Home Assistant has read a French
    # number; loading it takes as long as dozens of reads), and OVH answers the first
    # reads slowly, which leaves the send a quarter of a second.
    await hass.async_add_executor_job(normalize_phone_number, "0612345678", "FR")
    ovh_sim.inject_fault("GET", r"/incoming/\d+$", delay=0.05, count=5)
    events = async_capture_events(hass, EVENT_RECEIVED)
    await hass.config.async_update(country="FR")
    mock_config_entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert _entry_state(mock_config_entry) is ConfigEntryState.LOADED
    assert events == []
    await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": "0612345678", "message": "Hi"}, blocking=True
    )
    assert events == []
    await hass.async_block_till_done(wait_background_tasks=True)

    assert len(events) == MAX_READS_PER_POLL
    # The job went out between two reads of the first poll.
    calls = [(request.method, request.path) for request in ovh_sim.requests]
    reads_before = calls[: calls.index(("POST", JOBS))]
    assert len([call for call in reads_before if "/incoming/" in call[1]]) < 5
    assert len(ovh_sim.outgoing(SERVICE, NUMBER)) == 1
