"""Received SMS pushed by OVH: how soon they fire, and what an idle day costs in API calls.

The latency runs the way a real push goes: an HTTP POST of OVH's form to the entry's
webhook, answered at once, then the SMS read back from OVH by its id (the real ``ovh``
client, the simulator), the poll that fires it after any older SMS, and the event. Its
floor is the push's own HTTP round trip to an empty webhook handler on the same path.

The idle day is simulated on a frozen clock: every poll the entry makes in 24 hours is
counted at the simulator, with pushes off (polling at the default 20 s) and on (the slower
push interval once a push has arrived).
"""

import asyncio
from datetime import timedelta
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from benchmarks.pairing import add_footprint, add_pair, interleave
from benchmarks.test_bench import EMPTY_WEBHOOK_ID, INCOMING_PATH, register_empty_webhook
from custom_components.ovh_sms_virtual.const import (
    CONF_SCAN_INTERVAL,
    CREDITS_SCAN_INTERVAL,
    DEFAULT_PUSH_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    EVENT_RECEIVED,
)
from ovh_simulator import OvhSimulator
from tests.conftest import ENTRY_OPTIONS, NUMBER, SERVICE, WEBHOOK_ID

SENDER = "+33611111111"
EXTERNAL_URL = "https://home.example.org"
PATH = f"/api/webhook/{WEBHOOK_ID}"
DAY = timedelta(days=1)
TICK = timedelta(seconds=5)
# Measured below, shown next to the polling figures.
PUSHED: dict[str, float] = {}
POLLING_ONLY: dict[str, int] = {}


def _form(sms_id: int) -> dict[str, str]:
    """What OVH posts for a received SMS (see ``ovh_simulator.push``)."""
    return {
        "id": str(sms_id),
        "senderid": SENDER,
        "message": "STATUS",
        "keyword": "STATUS",
        "shortcode": "+33612345678",
        "tag": "",
    }


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> None:
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={**ENTRY_OPTIONS, **options})
    await hass.config.async_update(country="FR", external_url=EXTERNAL_URL)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_pushed_sms_latency(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """From the push's POST to the event, against the push's round trip to an empty handler.

    An hour between scheduled polls: only the polls pushes start read the inbox.
    """
    await _set_up(hass, mock_config_entry, **{CONF_SCAN_INTERVAL: 3600})
    register_empty_webhook(hass)
    client = await hass_client_no_auth()
    fired = asyncio.Event()
    events: list[Event[Any]] = []

    @callback
    def record(event: Event[Any]) -> None:
        events.append(event)
        fired.set()

    hass.bus.async_listen(EVENT_RECEIVED, record)

    async def pushed() -> float:
        sms_id = ovh_sim.add_incoming(SERVICE, NUMBER, SENDER, "STATUS")
        ovh_sim.clear_requests()
        fired.clear()
        start = time.perf_counter()
        response = await client.post(PATH, data=_form(sms_id))
        assert response.status == 200
        response.release()
        await fired.wait()
        elapsed = time.perf_counter() - start
        # Then the delete: not part of the latency, but done before the next sample.
        await hass.async_block_till_done(wait_background_tasks=True)
        assert [(r.method, r.path) for r in ovh_sim.requests] == [
            ("GET", f"{INCOMING_PATH}/{sms_id}"),
            ("GET", INCOMING_PATH),
            ("DELETE", f"{INCOMING_PATH}/{sms_id}"),
        ]
        return elapsed

    async def empty() -> float:
        start = time.perf_counter()
        response = await client.post(f"/api/webhook/{EMPTY_WEBHOOK_ID}", data=_form(1))
        assert response.status == 200
        response.release()
        return time.perf_counter() - start

    series = await interleave({"pushed": pushed, "empty": empty}, rounds=5, per_round=200)
    assert len(events) == 1 + 5 * 200
    assert ovh_sim.incoming(SERVICE, NUMBER) == []
    PUSHED["median"] = series["pushed"].median
    add_pair(
        "pushed SMS to its event (HTTP, read back by id, poll, fire)",
        series["pushed"],
        series["empty"],
        floor_name="the push's HTTP round trip to an empty handler",
        target="median < 50 ms",
    )


@pytest.mark.parametrize("push", [False, True], ids=["polling only", "push on"])
async def test_idle_day(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    push: bool,
) -> None:
    """The API calls of 24 idle hours, on a frozen clock, counted at the simulator."""
    freezer.move_to("2026-11-27T00:00:00+00:00")
    if push:
        ovh_sim.set_push_url(SERVICE, f"{EXTERNAL_URL}{PATH}")
    await _set_up(hass, mock_config_entry)
    inbox = mock_config_entry.runtime_data.inbox
    if push:
        # One SMS pushed: pushes arrive, so the poll may slow down.
        client = await hass_client_no_auth()
        sms_id = ovh_sim.add_incoming(SERVICE, NUMBER, SENDER, "STATUS")
        response = await client.post(PATH, data=_form(sms_id))
        assert response.status == 200
        await hass.async_block_till_done(wait_background_tasks=True)
    interval = DEFAULT_PUSH_SCAN_INTERVAL if push else DEFAULT_SCAN_INTERVAL
    assert inbox.update_interval == timedelta(seconds=interval)
    ovh_sim.clear_requests()

    elapsed = timedelta()
    while elapsed < DAY:
        freezer.tick(TICK)
        elapsed += TICK
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)

    lists = len(ovh_sim.calls("GET", "/incoming$"))
    accounts = len(ovh_sim.calls("GET", f"/sms/{SERVICE}$"))
    assert len(ovh_sim.requests) == lists + accounts
    assert accounts == DAY / CREDITS_SCAN_INTERVAL
    # Each poll is scheduled a fraction of a second after the whole interval.
    assert DAY.total_seconds() // interval - 1 <= lists <= DAY.total_seconds() // interval
    total = lists + accounts
    if not push:
        POLLING_ONLY["calls"] = total
        add_footprint(
            "API calls in an idle day, polling every 20 s (the default)",
            f"{total:,}: {lists:,} inbox lists + {accounts} account reads",
            "",
            "report",
            "1 simulated day",
        )
        return
    polling_only = POLLING_ONLY.get("calls")
    add_footprint(
        "API calls in an idle day, push on (inbox read every 5 min)",
        f"{total:,}: {lists:,} inbox lists + {accounts} account reads",
        ""
        if polling_only is None
        else f"polling only: {polling_only:,} ({polling_only / total:.1f}x)",
        "report",
        "1 simulated day",
    )
    if PUSHED:
        add_footprint(
            "received SMS to its event, polling every 20 s",
            f"{DEFAULT_SCAN_INTERVAL / 2:.0f} s median, {DEFAULT_SCAN_INTERVAL} s at worst "
            "(half the interval and the interval)",
            f"pushed: {PUSHED['median'] * 1e3:.1f} ms median (above); at worst "
            f"{interval // 60} min when OVH fails to push one (the slower poll finds it)",
            "",
            "computed",
        )
