"""Receiving SMS: the inbox coordinator polling the simulator, its events and event entity."""

import asyncio
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
from typing import Any, cast
from unittest.mock import AsyncMock
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    EVENT_STATE_CHANGED,
    MAJOR_VERSION,
    MINOR_VERSION,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ovh_sms_virtual.api import IncomingSms, OvhSmsClient
from custom_components.ovh_sms_virtual.const import (
    CONF_DELETE_RECEIVED,
    CONF_SCAN_INTERVAL,
    DOMAIN,
    EVENT_RECEIVED,
)
from custom_components.ovh_sms_virtual.inbox import (
    MAX_DELETES_PER_POLL,
    MAX_HOLD,
    MAX_READS_PER_POLL,
    WINDOW_MARGIN,
)
from custom_components.ovh_sms_virtual.store import FORGET_AFTER, SAVE_DELAY
from ovh_simulator import OvhSimulator

from .conftest import APP_KEY, APP_SECRET, CONSUMER_KEY, NUMBER, SERVICE, SIM_REGION
from .harness import LOGGER_NAME, EntryHarness, messages

README = Path(__file__).parent.parent / "README.md"
ENTITY_ID = "event.home_received_sms"
INBOX = f"/sms/{SERVICE}/virtualNumbers/{NUMBER}/incoming"
PARIS = ZoneInfo("Europe/Paris")


class Inbox(EntryHarness):
    """The virtual number's inbox, seen from OVH (the simulator) and from Home Assistant."""

    entity_id = ENTITY_ID

    async def poll(self, seconds: float = 20) -> None:
        """Let ``seconds`` pass (one poll interval by default) and wait for what it starts."""
        await self.wait(seconds)

    def receive(
        self,
        message: str,
        created: datetime | None = None,
        tag: str = "",
        sender: str = "+33611111111",
    ) -> int:
        """An SMS (from Alice by default) arrives on the virtual number; its OVH id."""
        return self.sim.add_incoming(SERVICE, NUMBER, sender, message, tag, created)

    async def delete_elsewhere(self, sms_id: int) -> None:
        """Someone deletes an SMS on OVH (in the manager, with another tool)."""
        other = OvhSmsClient(
            self.hass,
            endpoint=SIM_REGION,
            application_key=APP_KEY,
            application_secret=APP_SECRET,
            consumer_key=CONSUMER_KEY,
        )
        await other.async_delete_incoming(SERVICE, NUMBER, sms_id)

    @property
    def calls(self) -> list[tuple[str, str]]:
        """The inbox calls OVH received, as ``(method, what follows .../incoming)``."""
        return [
            (record.method, record.path.removeprefix(INBOX))
            for record in self.sim.calls(path_regex="/incoming")
        ]

    @property
    def on_ovh(self) -> list[int]:
        """Ids of the SMS OVH still holds."""
        return [sms["id"] for sms in self.sim.incoming(SERVICE, NUMBER)]

    @property
    def fired(self) -> list[str]:
        """Texts of the ``ovh_sms_virtual_received`` events, in firing order."""
        return [event.data["message"] for event in self.events]

    @property
    def handled_on_disk(self) -> list[int]:
        """Handled ids as Home Assistant's storage holds them."""
        handled: list[int] = self.on_disk["handled"]
        return handled


@pytest.fixture
async def inbox(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> Inbox:
    """The inbox of the entry, on a frozen clock."""
    return Inbox.frozen(hass, ovh_sim, mock_config_entry, freezer, hass_storage, EVENT_RECEIVED)


async def test_received_sms_fires_event_and_entity(inbox: Inbox) -> None:
    """One event with the contract's data in UTC; the entity shows the same SMS."""
    await inbox.set_up()
    sms_id = inbox.receive("STATUS", datetime(2026, 11, 27, 10, 12, 5, tzinfo=PARIS), tag="t1")
    assert inbox.sim.incoming(SERVICE, NUMBER)[0]["creationDatetime"] == (
        "2026-11-27T10:12:05+01:00"
    )

    await inbox.poll()

    assert [event.data for event in inbox.events] == [
        {
            "entry_id": inbox.entry.entry_id,
            "service_name": SERVICE,
            "number": NUMBER,
            "message_id": sms_id,
            "sender": "+33611111111",
            "message": "STATUS",
            "received_at": "2026-11-27T09:12:05+00:00",
            "tag": "t1",
        }
    ]
    assert inbox.entity.state == "2026-11-27T09:30:20.000+00:00"
    assert inbox.entity.attributes["event_type"] == "received"
    assert {
        key: inbox.entity.attributes[key]
        for key in ("sender", "message", "received_at", "message_id")
    } == {
        "sender": "+33611111111",
        "message": "STATUS",
        "received_at": "2026-11-27T09:12:05+00:00",
        "message_id": sms_id,
    }
    assert inbox.on_ovh == []

    await inbox.poll()
    await inbox.poll()
    assert len(inbox.events) == 1


async def test_messages_are_fired_in_creation_order(inbox: Inbox) -> None:
    """Ids and creation times disagree: the creation time wins, then the id."""
    await inbox.set_up()
    inbox.receive("third", datetime(2026, 11, 27, 9, 20, 30, tzinfo=UTC))
    inbox.receive("first", datetime(2026, 11, 27, 9, 20, 10, tzinfo=UTC))
    inbox.receive("second", datetime(2026, 11, 27, 9, 20, 10, tzinfo=UTC))

    await inbox.poll()

    assert inbox.fired == ["first", "second", "third"]


async def test_messages_waiting_at_setup_are_fired(inbox: Inbox) -> None:
    """SMS that arrived while Home Assistant was off are fired when the entry starts."""
    inbox.receive("while you were away")

    await inbox.set_up()

    assert inbox.fired == ["while you were away"]
    assert inbox.on_ovh == []


async def test_api_calls_of_idle_and_busy_polls(inbox: Inbox) -> None:
    """An idle poll is one call; each new SMS adds one GET and one DELETE."""
    await inbox.set_up()
    inbox.sim.clear_requests()
    await inbox.poll()
    assert [(r.method, r.path) for r in inbox.sim.requests] == [("GET", INBOX)]

    first = inbox.receive("one")
    second = inbox.receive("two")
    inbox.sim.clear_requests()
    await inbox.poll()

    assert [(r.method, r.path) for r in inbox.sim.requests] == [
        ("GET", INBOX),
        ("GET", f"{INBOX}/{first}"),
        ("GET", f"{INBOX}/{second}"),
        ("DELETE", f"{INBOX}/{first}"),
        ("DELETE", f"{INBOX}/{second}"),
    ]
    assert inbox.fired == ["one", "two"]


@pytest.mark.parametrize(
    ("fault", "logged"),
    [
        ({"status": 500}, "OVHcloud's API failed: Internal server error"),
        ({"status": 429}, "OVHcloud asks to slow down"),
    ],
    ids=["500", "429"],
)
async def test_rate_limit_and_server_errors_back_off(
    inbox: Inbox, caplog: pytest.LogCaptureFixture, fault: dict[str, Any], logged: str
) -> None:
    """Unavailable, logged once, the next polls wait 40 s then 80 s; nothing lost or doubled."""
    await inbox.set_up()
    inbox.receive("hello")
    inbox.sim.inject_fault("GET", "/incoming$", count=2, **fault)
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    inbox.sim.clear_requests()

    await inbox.poll()
    assert inbox.entity.state == STATE_UNAVAILABLE
    await inbox.poll(20)
    assert len(inbox.calls) == 1
    await inbox.poll(20)
    assert len(inbox.calls) == 2
    await inbox.poll(60)
    assert len(inbox.calls) == 2
    await inbox.poll(20)

    assert inbox.fired == ["hello"]
    assert inbox.entity.state != STATE_UNAVAILABLE
    errors = messages(caplog, logging.ERROR)
    assert len(errors) == 1
    assert logged in errors[0]
    assert messages(caplog, logging.INFO) == ["Fetching ovh_sms_virtual inbox data recovered"]

    # Back to the normal pace.
    inbox.sim.clear_requests()
    await inbox.poll()
    assert inbox.calls == [("GET", "")]


async def test_timeout_makes_entity_unavailable_until_next_poll(
    inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    """A dropped connection is retried at the normal pace (no back-off)."""
    await inbox.set_up()
    inbox.receive("hello")
    inbox.sim.inject_fault("GET", "/incoming$", drop=True)

    await inbox.poll()
    assert inbox.entity.state == STATE_UNAVAILABLE
    assert inbox.fired == []
    assert messages(caplog, logging.ERROR) == [
        "Error fetching ovh_sms_virtual inbox data: OVHcloud did not answer in time"
    ]

    await inbox.poll()
    assert inbox.entity.state != STATE_UNAVAILABLE
    assert inbox.fired == ["hello"]


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 429}, {"drop": True}, {"status": 200, "body": "<html>Hi</html>"}],
    ids=["500", "429", "timeout", "html"],
)
async def test_failed_read_holds_back_only_newer_sms(
    inbox: Inbox, caplog: pytest.LogCaptureFixture, fault: dict[str, Any]
) -> None:
    """The older SMS fire, the newer wait in memory; the next poll, on time, reads the rest."""
    await inbox.set_up()
    first = inbox.receive("one")
    second = inbox.receive("two")
    third = inbox.receive("three")
    inbox.sim.inject_fault("GET", f"/incoming/{second}$", **fault)
    inbox.sim.clear_requests()

    await inbox.poll()
    assert inbox.fired == ["one"]
    assert inbox.entity.state != STATE_UNAVAILABLE
    assert inbox.on_ovh == [second, third]

    await inbox.poll()
    assert inbox.fired == ["one", "two", "three"]
    assert inbox.calls == [
        ("GET", ""),
        ("GET", f"/{first}"),
        ("GET", f"/{second}"),
        ("GET", f"/{third}"),
        ("DELETE", f"/{first}"),
        ("GET", ""),
        ("GET", f"/{second}"),
        ("DELETE", f"/{second}"),
        ("DELETE", f"/{third}"),
    ]
    assert messages(caplog, logging.ERROR) == []
    assert messages(caplog, logging.WARNING) == []
    await inbox.poll()
    assert len(inbox.events) == 3


async def test_sms_read_then_deleted_elsewhere_is_still_fired(inbox: Inbox) -> None:
    """An SMS Home Assistant has read is delivered even if OVH no longer lists it."""
    await inbox.set_up()
    inbox.receive("one")
    second = inbox.receive("two")
    third = inbox.receive("three")
    inbox.sim.inject_fault("GET", f"/incoming/{second}$", status=500)
    await inbox.poll()
    await inbox.delete_elsewhere(third)

    await inbox.poll()

    assert inbox.fired == ["one", "two", "three"]
    assert inbox.on_ovh == []


async def test_sms_gone_before_it_is_read_is_skipped(inbox: Inbox) -> None:
    """A 404 on reading a listed SMS (deleted meanwhile) does not fail the poll."""
    await inbox.set_up()
    sms_id = inbox.receive("hello")
    inbox.sim.inject_fault("GET", f"/incoming/{sms_id}$", status=404)

    await inbox.poll()
    assert inbox.fired == []
    assert inbox.entity.state != STATE_UNAVAILABLE

    # Still listed here: read at the next poll.
    await inbox.poll()
    assert inbox.fired == ["hello"]


@pytest.mark.parametrize(
    "fault", [{"status": 500}, {"status": 429}, {"drop": True}], ids=["500", "429", "timeout"]
)
async def test_failed_delete_is_retried_without_firing_again(
    inbox: Inbox, caplog: pytest.LogCaptureFixture, fault: dict[str, Any]
) -> None:
    """The SMS are delivered and recorded; the failed delete waits for the next poll."""
    await inbox.set_up()
    first = inbox.receive("one")
    second = inbox.receive("two")
    inbox.sim.inject_fault("DELETE", f"/incoming/{first}$", count=2, **fault)
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    inbox.sim.clear_requests()

    await inbox.poll()
    assert inbox.fired == ["one", "two"]
    assert inbox.entity.state != STATE_UNAVAILABLE
    assert inbox.handled_on_disk == [first, second]
    assert inbox.calls[3:] == [("DELETE", f"/{first}"), ("DELETE", f"/{second}")]
    assert inbox.on_ovh == [first]

    await inbox.poll()
    await inbox.poll()

    assert inbox.fired == ["one", "two"]
    assert inbox.on_ovh == []
    assert inbox.calls[5:] == [
        ("GET", ""),
        ("DELETE", f"/{first}"),
        ("GET", ""),
        ("DELETE", f"/{first}"),
    ]
    warnings = messages(caplog, logging.WARNING)
    assert len(warnings) == 1
    assert warnings[0].startswith(
        f"Cannot delete received SMS {first} on OVHcloud, retrying at the next poll: "
    )
    assert messages(caplog, logging.INFO) == ["Deleting received SMS on OVHcloud works again"]


async def test_delete_answered_404_counts_as_done(
    inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Already deleted (an earlier delete that timed out went through): no warning."""
    await inbox.set_up()
    sms_id = inbox.receive("hello")
    inbox.sim.inject_fault("DELETE", f"/incoming/{sms_id}$", status=404)

    await inbox.poll()

    assert inbox.fired == ["hello"]
    assert messages(caplog, logging.WARNING) == []


async def test_recorded_on_disk_before_deleted(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When OVH is asked to delete an SMS, its id is already in Home Assistant's storage."""
    on_disk_at_delete: list[list[int]] = []
    delete = OvhSmsClient.async_delete_incoming

    async def spy(client: OvhSmsClient, service: str, number: str, sms_id: int) -> None:
        on_disk_at_delete.append(list(inbox.handled_on_disk))
        await delete(client, service, number, sms_id)

    monkeypatch.setattr(OvhSmsClient, "async_delete_incoming", spy)
    await inbox.set_up()
    first = inbox.receive("one")
    second = inbox.receive("two")

    await inbox.poll()

    assert on_disk_at_delete == [[first, second], [first, second]]
    assert inbox.on_ovh == []


async def test_deletion_off_remembers_then_forgets(inbox: Inbox) -> None:
    """Nothing is deleted; a handled id OVH stops listing is forgotten a day later only."""
    await inbox.set_up(**{CONF_DELETE_RECEIVED: False})
    first = inbox.receive("one")
    second = inbox.receive("two")

    await inbox.poll()
    await inbox.poll()

    assert inbox.fired == ["one", "two"]
    assert inbox.sim.calls("DELETE") == []
    assert inbox.on_ovh == [first, second]
    assert inbox.handled_on_disk == [first, second]

    await inbox.delete_elsewhere(first)
    await inbox.poll()
    await inbox.poll(10)  # Saved a little later.
    assert inbox.handled_on_disk == [first, second]

    await inbox.poll(FORGET_AFTER.total_seconds())
    await inbox.poll(10)
    assert inbox.handled_on_disk == [second]
    assert inbox.fired == ["one", "two"]


async def test_reload_mid_batch_retries_delete_without_duplicate(inbox: Inbox) -> None:
    """The delete of the second SMS fails, the entry reloads: only the delete is redone."""
    await inbox.set_up()
    inbox.receive("one")
    second = inbox.receive("two")
    inbox.sim.inject_fault("DELETE", f"/incoming/{second}$", status=500)
    await inbox.poll()
    assert inbox.on_ovh == [second]
    inbox.sim.clear_requests()

    await inbox.reload()

    assert inbox.fired == ["one", "two"]
    assert inbox.calls == [("GET", ""), ("DELETE", f"/{second}")]
    assert inbox.on_ovh == []


async def test_reload_after_failed_read_fires_each_once(inbox: Inbox) -> None:
    """A batch half read when the entry reloads is read again and fired once, in order."""
    await inbox.set_up()
    inbox.receive("one")
    second = inbox.receive("two")
    inbox.receive("three")
    inbox.sim.inject_fault("GET", f"/incoming/{second}$", status=500)
    await inbox.poll()
    assert inbox.fired == ["one"]

    await inbox.reload()

    assert inbox.fired == ["one", "two", "three"]
    assert inbox.on_ovh == []


@pytest.mark.parametrize("delete", [True, False], ids=["deletion on", "deletion off"])
async def test_restart_does_not_fire_handled_sms_again(inbox: Inbox, delete: bool) -> None:
    """Home Assistant stopped after recording an SMS but before deleting it on OVH."""
    handled = inbox.receive("already fired")
    new = inbox.receive("new")
    key = f"{DOMAIN}.{inbox.entry.entry_id}"
    inbox.storage[key] = {"version": 1, "key": key, "data": {"handled": [handled], "sent": {}}}

    await inbox.set_up(**{CONF_DELETE_RECEIVED: delete})

    assert inbox.fired == ["new"]
    assert inbox.sim.calls("GET", f"/incoming/{handled}$") == []
    assert inbox.on_ovh == ([] if delete else [handled, new])


async def test_reload_after_prune_keeps_newer_records(inbox: Inbox) -> None:
    """A prune saved late by the unloaded entry must not erase what the new one recorded."""
    await inbox.set_up(**{CONF_DELETE_RECEIVED: False})
    first = inbox.receive("one")
    await inbox.poll()
    await inbox.delete_elsewhere(first)
    await inbox.poll()  # Prunes ``first``: a delayed save.
    inbox.receive("two")

    await inbox.reload()
    await inbox.poll(60)
    await inbox.reload()
    await inbox.poll()

    assert inbox.fired == ["one", "two"]


async def test_unload_stops_polling(inbox: Inbox) -> None:
    """No call to OVH once the entry is unloaded."""
    await inbox.set_up()
    assert await inbox.hass.config_entries.async_unload(inbox.entry.entry_id)
    inbox.receive("hello")
    inbox.sim.clear_requests()

    await inbox.poll(3600)

    assert inbox.sim.requests == []
    assert inbox.fired == []


async def test_revoked_key_starts_reauth_and_stops_polling(inbox: Inbox) -> None:
    """Refused keys: the entity is unavailable, reauthentication starts, polling stops."""
    await inbox.set_up()
    inbox.sim.revoke_consumer_key(CONSUMER_KEY)
    inbox.sim.clear_requests()

    await inbox.poll()

    assert inbox.entity.state == STATE_UNAVAILABLE
    assert len(list(inbox.entry.async_get_active_flows(inbox.hass, {SOURCE_REAUTH}))) == 1
    assert inbox.entry.state is ConfigEntryState.LOADED
    await inbox.poll(3600)
    assert len(inbox.calls) == 1


@pytest.mark.parametrize(("method", "fired"), [("DELETE", ["hello"]), ("GET", [])])
async def test_keys_refused_on_a_read_or_delete_start_reauth(
    inbox: Inbox, method: str, fired: list[str]
) -> None:
    """The poll fails for the keys and reauth starts; a fired SMS stays recorded."""
    await inbox.set_up()
    sms_id = inbox.receive("hello")
    inbox.sim.inject_fault(
        method,
        f"/incoming/{sms_id}$",
        status=403,
        body={
            "errorCode": "INVALID_CREDENTIAL",
            "httpCode": "403 Forbidden",
            "message": "This credential is not valid",
        },
    )

    await inbox.poll()

    assert inbox.fired == fired
    if fired:
        assert inbox.handled_on_disk == [sms_id]
    assert inbox.entity.state == STATE_UNAVAILABLE
    assert len(list(inbox.entry.async_get_active_flows(inbox.hass, {SOURCE_REAUTH}))) == 1


@pytest.mark.parametrize(
    ("interval", "first_poll"), [(60, 60), (5, 10)], ids=["60 s", "below the minimum"]
)
async def test_polling_interval_option(inbox: Inbox, interval: int, first_poll: int) -> None:
    """The option sets the pace, never faster than every 10 s."""
    await inbox.set_up(**{CONF_SCAN_INTERVAL: interval})
    inbox.sim.clear_requests()

    await inbox.poll(first_poll - 1)
    assert inbox.sim.requests == []
    await inbox.poll(1)
    assert inbox.calls == [("GET", "")]


async def test_overlapping_refreshes_fire_once(inbox: Inbox) -> None:
    """A refresh asked for while another one runs does not fire the SMS twice."""
    await inbox.set_up()
    inbox.receive("hello")
    coordinator = inbox.entry.runtime_data.inbox

    await asyncio.gather(coordinator.async_refresh(), coordinator.async_refresh())

    assert inbox.fired == ["hello"]


@pytest.mark.parametrize("trigger", ["event entity", "bus event"])
async def test_readme_status_automation_replies(inbox: Inbox, trigger: str) -> None:
    """The README's examples: "status" from a listed number gets the alarm state back."""
    readme = README.read_text(encoding="utf-8")
    section = readme.split('### Example: reply to "STATUS"', 1)[1].split("\n## ", 1)[0]
    blocks = [block.split("```", 1)[0] for block in section.split("```yaml\n")[1:]]
    entity_example, bus_example = (parse_yaml(block) for block in blocks[:2])
    config = entity_example if trigger == "event entity" else {"automation": [bus_example]}
    assert isinstance(config, dict)
    await inbox.set_up()
    inbox.hass.states.async_set("alarm_control_panel.home", "armed_away")
    # As the README says, the event entity's trigger (event.received) needs Home Assistant
    # 2026.7; before, Home Assistant refuses the automation.
    supported = trigger == "bus event" or (MAJOR_VERSION, MINOR_VERSION) >= (2026, 7)
    assert await async_setup_component(inbox.hass, "automation", config) is supported
    inbox.receive("hello", sender="+33612345678")
    inbox.receive(" status ", sender="+33612345678")
    inbox.receive("STATUS", sender="+33700000000")

    await inbox.poll()

    assert [(sms["receiver"], sms["message"]) for sms in inbox.sim.outgoing()] == (
        [("+33612345678", "Alarm: armed_away")] if supported else []
    )


@pytest.mark.parametrize("delete", [True, False], ids=["deletion on", "deletion off"])
async def test_poll_asked_by_an_entity_during_a_reload_fires_once(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry, delete: bool
) -> None:
    """An automation forces a poll; the entry reloads while it runs: each SMS fires once.

    OVH (the simulator) holds the poll's read of the SMS until the entry has reloaded.
    """
    events = async_capture_events(hass, EVENT_RECEIVED)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**mock_config_entry.options, CONF_DELETE_RECEIVED: delete}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await async_setup_component(hass, "homeassistant", {})
    sms_id = ovh_sim.add_incoming(SERVICE, NUMBER, "+33611111111", "hello")
    ovh_sim.inject_fault("GET", f"/incoming/{sms_id}$", hold=True)
    asked = hass.async_create_task(
        hass.services.async_call(
            "homeassistant", "update_entity", {"entity_id": ENTITY_ID}, blocking=True
        )
    )
    assert await hass.async_add_executor_job(ovh_sim.wait_held)

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    # The old poll's read is answered only now, once the reloaded entry runs.
    ovh_sim.release_held()
    await asked
    await hass.async_block_till_done(wait_background_tasks=True)
    await mock_config_entry.runtime_data.inbox.async_refresh()

    assert [event.data["message"] for event in events] == ["hello"]
    assert [sms["id"] for sms in ovh_sim.incoming(SERVICE, NUMBER)] == ([] if delete else [sms_id])


@pytest.mark.parametrize("listed", ["none", "half"])
async def test_a_glitch_in_the_list_fires_nothing_again(inbox: Inbox, listed: str) -> None:
    """Deletion off: OVH once lists none or half of the handled SMS; none fires again."""
    await inbox.set_up(**{CONF_DELETE_RECEIVED: False})
    ids = [inbox.receive(f"sms {index}") for index in range(20)]
    await inbox.poll()
    assert len(inbox.events) == 20

    inbox.sim.inject_fault(
        "GET", "/incoming$", status=200, body=[] if listed == "none" else ids[:10]
    )
    await inbox.poll()
    await inbox.poll()
    await inbox.poll(3600)

    assert len(inbox.events) == 20
    assert inbox.handled_on_disk == ids


async def test_a_glitch_in_the_list_while_deletes_fail_fires_nothing_again(inbox: Inbox) -> None:
    """Deletion on, every delete failing: half a list, then a full one, fire nothing again."""
    await inbox.set_up()
    ids = [inbox.receive(f"sms {index}") for index in range(20)]
    inbox.sim.inject_fault("DELETE", "/incoming/", status=500, count=None)
    await inbox.poll()
    assert len(inbox.events) == 20

    inbox.sim.inject_fault("GET", "/incoming$", status=200, body=ids[:10])
    await inbox.poll()
    await inbox.poll()
    inbox.sim.clear_faults()
    await inbox.poll()

    assert len(inbox.events) == 20
    assert inbox.on_ovh == []


def _bad_record(body: object) -> str:
    return "has another id or none" if isinstance(body, dict) else "is not an object"


async def test_malformed_records_never_block_the_inbox(
    inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Well formed SMS fire; a bad record is reported once with its id, and is not fired."""
    await inbox.set_up()
    created = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    first = inbox.receive("first", created)
    # (A JSON null cannot be injected: the client's own test reads one.)
    bad = {
        inbox.receive("list", created): [1, 2],
        inbox.receive("number", created): 42,
        inbox.receive("no id", created): {"message": "no id", "sender": "+33611111111"},
        inbox.receive("null id", created): {"id": None, "message": "null id"},
        inbox.receive("other id", created): {"id": first, "message": "other id"},
    }
    far_future = inbox.receive("year 9999", created)
    far_past = inbox.receive("year 1", created)
    inbox.receive("last", created)
    for sms_id, body in bad.items():
        inbox.sim.inject_fault("GET", f"/incoming/{sms_id}$", status=200, body=body, count=None)
    for sms_id, date in (
        (far_future, "9999-12-31T23:30:00-05:00"),
        (far_past, "0001-01-01T00:10:00+01:00"),
    ):
        record = {
            "id": sms_id,
            "creationDatetime": date,
            "message": "odd date",
            "sender": "+33611111111",
        }
        inbox.sim.inject_fault("GET", f"/incoming/{sms_id}$", status=200, body=record)

    await inbox.poll()
    await inbox.poll()
    await inbox.poll()

    # The odd dates are dated when read, after the others.
    assert inbox.fired == ["first", "last", "odd date", "odd date"]
    assert inbox.events[2].data["received_at"] == "2026-11-27T09:30:20+00:00"
    assert sorted(inbox.on_ovh) == sorted(bad)
    warnings = messages(caplog, logging.WARNING)
    assert sorted(warnings) == sorted(
        [
            *(
                f"Received SMS {sms_id} cannot be read from OVHcloud (the record of received SMS "
                f"{sms_id} {_bad_record(body)}): the newer SMS no longer wait for it. It is "
                "tried again now and then, and fired late if it can be read"
                for sms_id, body in bad.items()
            ),
            *(
                f"Received SMS {sms_id} had an odd record on OVHcloud: its creationDatetime is "
                "missing or unreadable, it is dated now"
                for sms_id in (far_future, far_past)
            ),
        ]
    )

    # OVH serves them properly later: they are fired, late, once each.
    inbox.sim.clear_faults()
    for _ in range(8):
        await inbox.poll()
    assert sorted(inbox.fired[4:]) == sorted(["list", "number", "no id", "null id", "other id"])
    assert len(inbox.events) == 9
    assert inbox.on_ovh == []


async def test_list_entries_that_are_not_ids_are_left_out(inbox: Inbox) -> None:
    """A list with nulls, texts, negative or too large numbers: the ids in it still fire."""
    await inbox.set_up()
    first = inbox.receive("one")
    second = inbox.receive("two")
    inbox.sim.clear_requests()
    inbox.sim.inject_fault(
        "GET",
        "/incoming$",
        status=200,
        body=[None, "x", -5, 1.5, 2**64, str(first), second, [first], {"id": first}],
    )

    await inbox.poll()

    assert inbox.fired == ["one", "two"]
    assert inbox.calls[1:3] == [("GET", f"/{first}"), ("GET", f"/{second}")]


async def test_an_sms_ovh_keeps_failing_to_serve_holds_the_newer_ones_ten_minutes_at_most(
    inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Then the newer ones fire; it is still tried, and fired late once OVH serves it."""
    await inbox.set_up()
    first = inbox.receive("one")
    inbox.receive("two")
    inbox.sim.inject_fault("GET", f"/incoming/{first}$", status=500, count=None)

    await inbox.poll()
    started = dt_util.utcnow()
    while not inbox.fired:
        await inbox.poll()
    held = dt_util.utcnow() - started

    assert inbox.fired == ["two"]
    assert MAX_HOLD <= held < MAX_HOLD + timedelta(seconds=20)
    warnings = messages(caplog, logging.WARNING)
    assert warnings == [
        (
            f"Received SMS {first} cannot be read from OVHcloud (Internal server error): the "
            "newer SMS no longer wait for it. It is tried again now and then, and fired late if "
            "it can be read"
        )
    ]
    assert messages(caplog, logging.ERROR) == []

    inbox.sim.clear_faults()
    for _ in range(4):
        await inbox.poll()
    assert inbox.fired == ["two", "one"]
    assert messages(caplog, logging.WARNING)[1:] == [
        f"Received SMS {first} could be read at last: it is fired late"
    ]
    assert inbox.on_ovh == []


async def test_a_long_backlog_is_read_a_bounded_batch_at_a_time(inbox: Inbox) -> None:
    """120 SMS waiting: each poll reads at most 50, fires them, and deletes them."""
    ids = [inbox.receive(f"sms {index}") for index in range(120)]
    inbox.sim.clear_requests()

    await inbox.set_up()
    assert len(inbox.events) == MAX_READS_PER_POLL
    assert len(inbox.sim.calls("GET", r"/incoming/\d+$")) == MAX_READS_PER_POLL
    assert len(inbox.sim.calls("DELETE")) == MAX_DELETES_PER_POLL
    await inbox.poll()
    await inbox.poll()

    assert [event.data["message_id"] for event in inbox.events] == ids
    assert inbox.on_ovh == []


async def test_idle_and_busy_polls_write_once_at_most(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An idle poll: one call, no storage write, no state write. A busy one: one write."""
    await inbox.set_up()
    inbox.receive("one")
    await inbox.poll()
    await inbox.poll(SAVE_DELAY + 1)
    # The test plugin stands in for the disk write with a mock: its calls are the writes.
    write = cast(AsyncMock, Store._async_write_data)
    written = write.call_count
    states = async_capture_events(inbox.hass, EVENT_STATE_CHANGED)
    reported = inbox.entity.last_reported
    inbox.sim.clear_requests()

    for _ in range(3):
        await inbox.poll()
    await inbox.poll(SAVE_DELAY + 1)

    assert inbox.calls == [("GET", "")] * 3
    assert write.call_count == written
    assert states == []
    assert inbox.entity.last_reported == reported

    inbox.receive("two")
    inbox.receive("three")
    await inbox.poll()
    await inbox.poll(SAVE_DELAY + 1)
    assert write.call_count == written + 1
    assert inbox.fired == ["one", "two", "three"]


async def test_deletion_off_lists_from_a_window_behind_the_newest_sms(inbox: Inbox) -> None:
    """Months of history: all fired once, then each poll lists the last day only."""
    now = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    history = [
        inbox.receive(f"{days} days ago", now - timedelta(days=days)) for days in range(90, 0, -1)
    ]
    await inbox.set_up(**{CONF_DELETE_RECEIVED: False})
    await inbox.poll()
    assert [event.data["message_id"] for event in inbox.events] == history
    assert inbox.sim.calls("GET", "/incoming$")[0].query == {}
    inbox.sim.clear_requests()

    await inbox.poll()

    since = datetime.fromisoformat(
        inbox.sim.calls("GET", "/incoming$")[0].query["creationDatetime.from"]
    )
    assert since == now - timedelta(days=2)
    listed = [
        sms
        for sms in inbox.sim.incoming(SERVICE, NUMBER)
        if datetime.fromisoformat(sms["creationDatetime"]) >= since
    ]
    assert [sms["message"] for sms in listed] == ["2 days ago", "1 days ago"]
    assert inbox.calls == [("GET", "")]

    # A new SMS fires and moves the window; a restart keeps it.
    new = inbox.receive("new")
    await inbox.poll()
    await inbox.restart()
    inbox.sim.clear_requests()
    await inbox.poll()
    assert inbox.fired[-1] == "new"
    assert len(inbox.events) == 91
    since = datetime.fromisoformat(
        inbox.sim.calls("GET", "/incoming$")[0].query["creationDatetime.from"]
    )
    assert since == datetime.fromisoformat(inbox.events[-1].data["received_at"]) - WINDOW_MARGIN
    # Handled SMS out of the window are forgotten a day after they left the list.
    await inbox.poll(FORGET_AFTER.total_seconds())
    await inbox.poll(SAVE_DELAY + 1)
    assert inbox.handled_on_disk == [new]
    assert len(inbox.events) == 91


async def test_a_clock_jump_is_caught_up_at_once(
    inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    """The host clock jumps an hour: the next poll measures OVH's time again and goes on."""
    await inbox.set_up()
    inbox.sim.set_clock_offset(3600)
    inbox.receive("hello")
    inbox.sim.clear_requests()

    await inbox.poll()

    assert inbox.fired == ["hello"]
    assert [(r.method, r.path, r.status) for r in inbox.sim.requests][:3] == [
        ("GET", INBOX, 400),
        ("GET", "/auth/time", 200),
        ("GET", INBOX, 200),
    ]
    assert messages(caplog, logging.ERROR) == []
    assert inbox.entity.state != STATE_UNAVAILABLE


async def test_an_expired_service_raises_a_repair_issue_and_is_tried_hourly(
    inbox: Inbox, issue_registry: ir.IssueRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    """OVH answers 460: an issue says to renew the service; polls wait an hour, not 20 s."""
    await inbox.set_up()
    inbox.receive("hello")
    inbox.sim.inject_fault(
        "*", "^/sms/", status=460, body={"message": "This service is expired"}, count=None
    )
    inbox.sim.clear_requests()

    await inbox.poll()

    issue = issue_registry.async_get_issue(DOMAIN, f"service_expired_{inbox.entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "service_expired"
    assert issue.translation_placeholders == {"name": "Home", "service_name": SERVICE}
    assert inbox.entity.state == STATE_UNAVAILABLE
    assert messages(caplog, logging.ERROR) == [
        (
            "Error fetching ovh_sms_virtual inbox data: The OVHcloud SMS service "
            f"{SERVICE} has expired: renew it in the OVHcloud Control Panel. Home Assistant tries "
            "again every hour"
        )
    ]
    for _ in range(10):
        await inbox.poll(300)
    assert len(inbox.calls) == 1

    inbox.sim.clear_faults()
    await inbox.poll(600)
    assert inbox.fired == ["hello"]
    assert issue_registry.async_get_issue(DOMAIN, f"service_expired_{inbox.entry.entry_id}") is None


async def test_deliver_is_the_one_exactly_once_path(inbox: Inbox) -> None:
    """What a push would call: a fired SMS is not fired again; an unloading entry fires none.

    (A push reads the SMS from OVH first: one deleted after it fired is not found.)
    """
    await inbox.set_up(**{CONF_DELETE_RECEIVED: False})
    sms_id = inbox.receive("hello")
    await inbox.poll()
    coordinator = inbox.entry.runtime_data.inbox
    again = IncomingSms(
        id=sms_id, sender="+33611111111", message="hello", created=dt_util.utcnow(), tag=""
    )
    new = IncomingSms(
        id=sms_id + 1, sender="+33611111111", message="pushed", created=dt_util.utcnow(), tag=""
    )

    assert await coordinator.async_deliver([again, new]) == [new]
    assert inbox.fired == ["hello", "pushed"]
    assert inbox.handled_on_disk == [sms_id, sms_id + 1]

    await coordinator.async_shutdown()
    later = IncomingSms(
        id=sms_id + 2, sender="+33611111111", message="late", created=dt_util.utcnow(), tag=""
    )
    assert await coordinator.async_deliver([later]) == []
    assert inbox.fired == ["hello", "pushed"]


async def test_a_failing_sms_deleted_elsewhere_is_no_longer_tried(inbox: Inbox) -> None:
    """Gone from OVH's list: nothing waits for it, nothing reads it again."""
    await inbox.set_up()
    first = inbox.receive("one")
    inbox.receive("two")
    inbox.sim.inject_fault("GET", f"/incoming/{first}$", status=500, count=None)
    await inbox.poll()
    assert inbox.fired == []

    await inbox.delete_elsewhere(first)
    inbox.sim.clear_requests()
    await inbox.poll()
    await inbox.poll()

    assert inbox.fired == ["two"]
    assert inbox.sim.calls("GET", f"/incoming/{first}$") == []
