"""The hot paths, each against its floor, printed as a table by ``scripts/bench``.

These are measurements, not tests with thresholds: they print what a change costs. Each
path goes the way a user's does (the action for sends, HTTP to the webhook, the real
``ovh`` client to the simulator, ``Store`` writing to disk) and is paired with its floor:
the same OVH calls made with a bare ``ovh.Client`` on the same simulator, one executor job
per call as Home Assistant requires of a blocking client, or an empty webhook handler
registered the same way. See ``pairing`` for how samples are interleaved and summarised.
"""

from collections.abc import Callable
from functools import partial
import gc
import itertools
from pathlib import Path
import tracemalloc
from typing import Any

from aiohttp import hdrs, web
from homeassistant.components import webhook
from homeassistant.components.event import DATA_COMPONENT as EVENT_COMPONENT
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util.file import write_utf8_file_atomic
import ovh
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from benchmarks.pairing import Run, add_derived_pair, add_footprint, add_pair, interleave, timed
from custom_components.ovh_sms_virtual.api import TIMEOUT
from custom_components.ovh_sms_virtual.const import (
    CONF_MAX_SMS_PER_HOUR,
    CONF_SCAN_INTERVAL,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_RECEIVED,
    SERVICE_SEND_SMS,
)
from custom_components.ovh_sms_virtual.inbox import MAX_READS_PER_POLL
from custom_components.ovh_sms_virtual.store import MAX_RECENT_SENDS, OvhSmsStore
from ovh_simulator import OvhSimulator
from tests.conftest import (
    APP_KEY,
    APP_SECRET,
    CONSUMER_KEY,
    ENTRY_OPTIONS,
    NUMBER,
    SERVICE,
    SIM_REGION,
    WEBHOOK_ID,
)

NUMBER_PATH = f"/sms/{SERVICE}/virtualNumbers/{NUMBER}"
INCOMING_PATH = f"{NUMBER_PATH}/incoming"
JOBS_PATH = f"{NUMBER_PATH}/jobs"
EMPTY_WEBHOOK_ID = "fedcba9876543210" * 4
VISIBLE_WEBHOOK_ID = "0f1e2d3c4b5a6978" * 4
# 100 distinct French mobiles (the simulator, like OVH, refuses other countries' numbers).
MANY = [f"+3361234{index:04d}" for index in range(100)]


class BareClient:
    """The floor: a bare ``ovh.Client``, each call one executor job, nothing else."""

    def __init__(self, hass: HomeAssistant, client: ovh.Client) -> None:
        """Wrap a built client."""
        self._hass = hass
        self._client = client

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """``client.get(path)``, ``client.post(path, **body)``, ... in the executor."""
        func: Callable[..., Any] = getattr(self._client, method)
        return await self._hass.async_add_executor_job(partial(func, path, **kwargs))


@pytest.fixture
async def bare(hass: HomeAssistant, ovh_sim: OvhSimulator) -> BareClient:
    """A bare client on the simulator, with the integration's keys and timeout."""
    client = await hass.async_add_executor_job(
        partial(
            ovh.Client,
            endpoint=SIM_REGION,
            application_key=APP_KEY,
            application_secret=APP_SECRET,
            consumer_key=CONSUMER_KEY,
            timeout=TIMEOUT,
        )
    )
    bare = BareClient(hass, client)
    # Like the integration's client after setup: clock offset read, connection open.
    await bare.call("get", "/sms")
    return bare


@pytest.fixture
async def entry(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The integration loaded on the simulator, without the hourly cap or timed polls.

    No cap, so hundreds of sends go through; an hour between scheduled polls, so only the
    measured polls read the inbox (a scheduled one would take the floor's messages).
    """
    ovh_sim.set_credits(SERVICE, 1e9)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={**ENTRY_OPTIONS, CONF_MAX_SMS_PER_HOUR: 0, CONF_SCAN_INTERVAL: 3600},
    )
    await hass.config.async_update(country="FR")
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)  # the first poll too
    return mock_config_entry


@callback
def _every(_data: Any) -> bool:
    return True


def _recorder(events: list[Event[Any]]) -> Callable[[Event[Any]], None]:
    """A listener keeping each event, run in the loop as an automation's trigger is.

    A plain function (``events.append``) would be run in the executor: one more thread
    hop per event, which is the benchmark's, not the integration's.
    """

    @callback
    def record(event: Event[Any]) -> None:
        events.append(event)

    return record


def _send(hass: HomeAssistant, recipients: list[str]) -> Run:
    async def run() -> float:
        return await timed(
            hass.services.async_call(
                DOMAIN,
                SERVICE_SEND_SMS,
                {"recipients": recipients, "message": "Alarm"},
                blocking=True,
                return_response=True,
            )
        )

    return run


def _send_new(hass: HomeAssistant, size: int) -> Run:
    """Sends to ``size`` French mobiles not sent to before, typed as people type them."""
    # From 06 12 50 00 00 on: ``MANY`` lies below (06 12 34 xx xx).
    numbers = (
        f"06 12 {n // 10**4:02d} {n // 100 % 100:02d} {n % 100:02d}"
        for n in itertools.count(50 * 10**4)
    )

    async def run() -> float:
        return await _send(hass, [next(numbers) for _ in range(size)])()

    return run


def _post(bare: BareClient, receivers: list[str]) -> Run:
    async def run() -> float:
        return await timed(bare.call("post", JOBS_PATH, message="Alarm", receivers=receivers))

    return run


async def test_send_sms(
    hass: HomeAssistant, entry: MockConfigEntry, ovh_sim: OvhSimulator, bare: BareClient
) -> None:
    """``send_sms`` to one and to 100 recipients, against the bare ``post`` of each job."""
    series = await interleave(
        {
            "send 1": _send(hass, ["06 12 34 56 78"]),
            "post 1": _post(bare, ["+33612345678"]),
            "send 100": _send(hass, MANY),
            "post 100": _post(bare, MANY),
            "send 100 new": _send_new(hass, 100),
        },
        rounds=5,
        per_round=40,
    )
    assert len(ovh_sim.outgoing(SERVICE, NUMBER)) == (1 + 5 * 40) * (2 + 3 * 100)
    add_pair(
        "`send_sms`, 1 recipient",
        series["send 1"],
        series["post 1"],
        floor_name="bare `post` of the job",
        target="<= 1.3x",
    )
    for name, sends, target in (
        ("`send_sms`, 100 recipients", "send 100", "<= 1.5x"),
        ("`send_sms`, 100 recipients never sent to before", "send 100 new", "report"),
    ):
        add_derived_pair(
            name,
            series[sends],
            series["post 100"],
            (series["send 1"], series["post 1"]),
            floor_name="bare `post` of the job",
            overhead_name="the 1-recipient overhead",
            target=target,
        )


async def test_idle_poll(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    bare: BareClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A poll that finds nothing new: one API call, no disk write, no state written."""
    inbox = entry.runtime_data.inbox
    writes: list[str] = []
    original_write = Store._async_write_data

    async def counted_write(store: Store[Any], data: dict[str, Any]) -> None:
        if store.key.startswith(DOMAIN):  # not Home Assistant's own delayed saves
            writes.append(store.key)
        await original_write(store, data)

    monkeypatch.setattr(Store, "_async_write_data", counted_write)
    states: list[Event[Any]] = []
    for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):
        hass.bus.async_listen(event_type, _recorder(states), _every)

    async def poll() -> float:
        ovh_sim.clear_requests()
        elapsed = await timed(inbox.async_refresh())
        assert len(ovh_sim.requests) == 1
        return elapsed

    async def get_list() -> float:
        return await timed(bare.call("get", INCOMING_PATH))

    series = await interleave({"poll": poll, "get": get_list}, rounds=5, per_round=200)
    await hass.async_block_till_done()
    assert inbox.last_update_success
    assert (writes, states) == ([], [])
    assert entry.runtime_data.store._store._delay_handle is None  # none pending
    add_pair(
        "idle poll (1 API call, 0 writes)",
        series["poll"],
        series["get"],
        floor_name="bare `get` of the list",
        target="keep",
    )


@pytest.mark.parametrize(("count", "rounds", "per_round"), [(100, 5, 6), (1000, 5, 2)])
async def test_busy_poll(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    bare: BareClient,
    monkeypatch: pytest.MonkeyPatch,
    count: int,
    rounds: int,
    per_round: int,
) -> None:
    """``count`` new SMS: polls back to back until every one fired, against the bare calls.

    Each poll lists the inbox, reads at most ``MAX_READS_PER_POLL`` new SMS, fires them (a
    bus event and the event entity's state each), records them on disk in one write and
    deletes them on OVH. The floor is the least any poller needs: one list, then a read and
    a delete per SMS; the integration's further lists (one per batch) are its own cost.

    The entry has sent SMS before (its record of recent sends is full, as it is after
    ``MAX_RECENT_SENDS`` sends): what it writes to disk is what a long-running entry writes.
    """
    inbox = entry.runtime_data.inbox
    store = entry.runtime_data.store
    store.record_sent(dict.fromkeys(range(MAX_RECENT_SENDS), "+33611111111"))
    batches = -(-count // MAX_READS_PER_POLL)
    fired: list[Event[Any]] = []
    hass.bus.async_listen(EVENT_RECEIVED, _recorder(fired))
    states: list[Event[Any]] = []
    hass.bus.async_listen(EVENT_STATE_CHANGED, _recorder(states), _every)
    written: list[int] = []  # bytes of each write of the entry's file

    def counted_write(filename: str, utf8_data: bytes | str, *args: Any, **kwargs: Any) -> None:
        if DOMAIN in filename:
            written.append(len(utf8_data))
        write_utf8_file_atomic(filename, utf8_data, *args, **kwargs)

    # Store's own reference to the function (it imported it by name).
    monkeypatch.setattr("homeassistant.helpers.storage.write_utf8_file_atomic", counted_write)

    def fill_inbox() -> None:
        for index in range(count):
            ovh_sim.add_incoming(SERVICE, NUMBER, "+33611111111", f"message {index}")
        ovh_sim.clear_requests()
        fired.clear()
        states.clear()

    def calls(method: str, regex: str) -> int:
        return len(ovh_sim.calls(method, regex))

    async def polls() -> None:
        while len(fired) < count:
            await inbox.async_refresh()
            assert inbox.last_update_success

    async def poll() -> float:
        fill_inbox()
        written.clear()
        elapsed = await timed(polls())
        await hass.async_block_till_done()
        assert [event.data["message_id"] for event in fired] == sorted(
            event.data["message_id"] for event in fired
        )
        assert (
            calls("GET", r".*/incoming$"),
            calls("GET", r".*/incoming/\d+$"),
            calls("DELETE", r".*/incoming/\d+$"),
        ) == (batches, count, count)
        # One durable write per batch, before its deletes; one state per SMS fired.
        assert (len(written), len(fired), len(states)) == (batches, count, count)
        assert ovh_sim.incoming(SERVICE, NUMBER) == []
        return elapsed

    async def bare_calls() -> None:
        ids = await bare.call("get", INCOMING_PATH)
        for sms_id in ids:
            await bare.call("get", f"{INCOMING_PATH}/{sms_id}")
        for sms_id in ids:
            await bare.call("delete", f"{INCOMING_PATH}/{sms_id}")

    async def floor() -> float:
        fill_inbox()
        elapsed = await timed(bare_calls())
        assert len(ovh_sim.requests) == 1 + 2 * count
        return elapsed

    series = await interleave({"poll": poll, "bare": floor}, rounds=rounds, per_round=per_round)
    store_file = Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}"))
    # Real storage, not the test plugin's dictionary.
    assert await hass.async_add_executor_job(store_file.is_file)
    add_pair(
        f"busy poll, {count} new SMS, polled until all fired (lists: {batches}; "
        f"fsync'd writes: {len(written)}, {sum(written) / 1e3:.0f} kB)",
        series["poll"],
        series["bare"],
        floor_name=f"bare 1 list + {count} `get` + {count} `delete`",
        target="<= 1.3x" if count == 1000 else "",
    )


async def _empty_handler(
    hass: HomeAssistant, webhook_id: str, request: web.Request
) -> web.Response:
    return web.Response(text="OK")


def register_webhook(
    hass: HomeAssistant, webhook_id: str, name: str, handler: webhook.HandlerType
) -> None:
    """A floor's handler, registered the same way as the integration's webhook."""
    webhook.async_register(
        hass,
        "bench",
        name,
        webhook_id,
        handler,
        local_only=False,
        allowed_methods=[hdrs.METH_GET, hdrs.METH_POST],
    )


def register_empty_webhook(hass: HomeAssistant) -> None:
    """The floor of a webhook call: a handler that answers at once."""
    register_webhook(hass, EMPTY_WEBHOOK_ID, "Empty", _empty_handler)


async def test_webhook_report(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ovh_sim: OvhSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A delivery report over HTTP, against two handlers on the same webhook path.

    One is empty. The other reads nothing but does what a report must: it fires the same
    event and writes the same state to the delivery-status entity, so the part of the
    report's cost that is Home Assistant showing it to the user is measured apart. Nothing
    listens to the event while it is timed: a listener's cost would be the benchmark's.
    """
    response = await hass.services.async_call(
        DOMAIN,
        SERVICE_SEND_SMS,
        {"recipients": ["06 12 34 56 78"], "message": "Alarm"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    message_id = str(response["message_ids"][0])  # type: ignore[index]
    client = await hass_client_no_auth()
    params = {"id": message_id, "ptt": "4", "description": "1", "descriptionDlr": "Success"}
    reports: list[Event[Any]] = []
    stop_listening = hass.bus.async_listen(EVENT_DELIVERY_STATUS, _recorder(reports))
    assert (await client.get(f"/api/webhook/{WEBHOOK_ID}", params=params)).status == 200
    stop_listening()
    (report,) = reports
    delivery = hass.data[EVENT_COMPONENT].get_entity("event.home_delivery_status")
    assert delivery is not None
    shown = {
        key: report.data[key] for key in ("message_id", "receiver", "dlr", "ptt", "description")
    }

    async def visible_handler(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        hass.bus.async_fire(EVENT_DELIVERY_STATUS, dict(report.data))
        delivery._trigger_event(report.data["status"], dict(shown))
        delivery.async_write_ha_state()
        return web.Response(text="OK")

    register_empty_webhook(hass)
    register_webhook(hass, VISIBLE_WEBHOOK_ID, "Event and state", visible_handler)

    def report_to(webhook_id: str) -> Run:
        async def get() -> None:
            response = await client.get(f"/api/webhook/{webhook_id}", params=params)
            assert response.status == 200
            response.release()

        async def run() -> float:
            return await timed(get())

        return run

    series = await interleave(
        {
            "report": report_to(WEBHOOK_ID),
            "empty": report_to(EMPTY_WEBHOOK_ID),
            "visible": report_to(VISIBLE_WEBHOOK_ID),
        },
        rounds=5,
        per_round=400,
    )
    state = hass.states.get("event.home_delivery_status")
    assert state is not None
    assert {key: state.attributes[key] for key in shown} == shown
    add_pair(
        "delivery report through the webhook (HTTP)",
        series["report"],
        series["empty"],
        floor_name="empty handler, same path",
        target="<= 1.2x",
    )
    add_pair(
        "of which: the event and the entity's state, written by a handler that reads nothing",
        series["visible"],
        series["empty"],
        floor_name="empty handler, same path",
        target="",
    )
    add_pair(
        "of which: reading and checking the report, handing it to the entity",
        series["report"],
        series["visible"],
        floor_name="the event and state handler",
        target="",
    )


def _traced(build: Callable[[], object]) -> tuple[object, int]:
    """What ``build`` returns and the bytes it still holds."""
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    kept = build()
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return kept, current - base


async def test_recent_sends_memory_is_bounded(hass: HomeAssistant) -> None:
    """100 000 sends leave only the newest receivers in memory."""
    phone = "+33611111111"

    def record() -> OvhSmsStore:
        store = OvhSmsStore(hass, "bench")
        for chunk in range(100):
            store.record_sent({chunk * 1000 + i: phone for i in range(1000)})
        return store

    store, held = _traced(record)
    assert isinstance(store, OvhSmsStore)
    assert store.receiver_for(99_999) == phone
    assert store.receiver_for(0) is None
    _, plain = _traced(lambda: {99_000 + i: phone for i in range(MAX_RECENT_SENDS)})
    add_footprint(
        "recent-sends record after 100 000 sends",
        f"{held / 1024:.0f} KiB",
        f"{plain / 1024:.0f} KiB: a plain dict of the {MAX_RECENT_SENDS} kept",
        "bounded",
        "1",
    )
    await hass.async_block_till_done()
