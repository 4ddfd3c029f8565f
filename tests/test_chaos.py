"""Seeded chaos on the inbound path: nothing lost, nothing fired twice, nothing out of order.

OVH (the simulator) fails one call in five, of every kind: 5xx, 429, proxy pages, dropped
connections, slow answers within the client's bounds, and records that are no records
at all. Meanwhile the entry is polled, reloaded and restarted, mid-poll too, with
deletion on and off. The figures asserted here are the README's "Reliability" section.
"""

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
import itertools
from pathlib import Path
import random
import re
from typing import Any, Final

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ovh_sms_virtual.const import CONF_DELETE_RECEIVED, EVENT_RECEIVED
from custom_components.ovh_sms_virtual.store import DATA_STORES
from ovh_simulator import Fault, OvhSimulator

from .conftest import NUMBER, SERVICE

SEED: Final = 20261127
FAULT_RATE: Final = 0.2
# What the seeded chaos test goes through (the README quotes these figures).
POLLS: Final = 16
RELOADS: Final = 16
RESTARTS: Final = 18
MID_POLL_AT_LEAST: Final = 10
FAULT_SHARE_RANGE: Final = (0.15, 0.25)
INBOX: Final = f"/sms/{SERVICE}/virtualNumbers/{NUMBER}/incoming"
# What a proxy or a struggling OVH answers; each consumes the call it hits.
TRANSIENT: Final[dict[str, dict[str, Any]]] = {
    "500": {"status": 500},
    "502 page": {"status": 502, "body": "<html><h1>502 Bad Gateway</h1></html>"},
    "503": {"status": 503},
    "429": {"status": 429},
    "200 page": {"status": 200, "body": "<html>Please wait</html>"},
    "dropped": {"drop": True},
}
SLOW: Final[dict[str, Any]] = {"delay": 0.02}
# A record OVH keeps serving as something that is not a record: reported, never fired.
POISON: Final[dict[str, Any]] = {"status": 200, "body": ["not", "a", "record"], "count": None}


def _kind(fault: Fault) -> str:
    if fault.remaining is None:
        return "malformed record"
    if fault.drop:
        return "dropped"
    if fault.status is None:
        return "slow"
    page = " page" if isinstance(fault.body, str) else ""
    return f"{fault.status}{page}"


class Chaos:
    """Fails one call in five, seeded, through the simulator's fault injection.

    Each API call the simulator receives gets, with ``FAULT_RATE`` chance, a fault injected
    for exactly that call, which it then serves; every fault served is counted.
    """

    def __init__(self, sim: OvhSimulator, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
        """Wrap the simulator's fault lookup; the chaos starts with ``storm``."""
        self.sim = sim
        self.rng = random.Random(seed)
        # Calls come from the simulator's thread: their faults draw from their own stream.
        self._calls_rng = random.Random(seed + 1)
        self.kinds: list[str] = []
        # Calls made while the storm blows: the share of faults is counted among these.
        self.calls = 0
        self.served: Counter[str] = Counter()
        self.poison: set[int] = set()
        take: Callable[[str, str], Fault | None] = sim._take_fault

        def faulty(method: str, path: str) -> Fault | None:
            self.calls += bool(self.kinds)
            if self.kinds and self._calls_rng.random() < FAULT_RATE:
                kind = self._calls_rng.choice(self.kinds)
                fault = SLOW if kind == "slow" else TRANSIENT[kind]
                sim.inject_fault(method, f"^{re.escape(path)}$", **fault)
            fault_served = take(method, path)
            if fault_served is not None:
                self.served[_kind(fault_served)] += 1
            return fault_served

        monkeypatch.setattr(sim, "_take_fault", faulty)

    def storm(self, *, slow: bool) -> None:
        """From now on, one call in five fails (slow answers too, in real time)."""
        self.kinds = [*TRANSIENT, "slow"] if slow else list(TRANSIENT)

    def calm(self) -> None:
        """Only the records that are no records stay broken."""
        self.kinds = []

    def receive(self, count: int, poison: int = 0) -> list[int]:
        """``count`` SMS arrive; ``poison`` of them are records OVH never serves properly."""
        ids = [self.sim.add_incoming(SERVICE, NUMBER, "+33611111111", "x") for _ in range(count)]
        for sms_id in self.rng.sample(ids, poison):
            self.poison.add(sms_id)
            self.sim.inject_fault("GET", f"{INBOX}/{sms_id}$", **POISON)
        return ids


def _fired(events: list[Any]) -> list[int]:
    return [event.data["message_id"] for event in events]


async def test_a_backlog_under_faults_is_fired_within_half_an_hour(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2000 SMS waited while Home Assistant was off; one call in five fails.

    Simulated time: polls every 20 s, with the back-off OVH's failures of the list cause.
    """
    freezer.move_to(datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    chaos = Chaos(ovh_sim, monkeypatch, SEED)
    ids = chaos.receive(2000)
    events = async_capture_events(hass, EVENT_RECEIVED)
    chaos.storm(slow=False)
    mock_config_entry.add_to_hass(hass)
    # Deletes do not change when an SMS fires: off, the test makes half the calls.
    hass.config_entries.async_update_entry(
        mock_config_entry, options={**mock_config_entry.options, CONF_DELETE_RECEIVED: False}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    started = dt_util.utcnow()

    while len(events) < len(ids) and dt_util.utcnow() - started < timedelta(hours=1):
        freezer.tick(timedelta(seconds=20))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    took = dt_util.utcnow() - started

    assert _fired(events) == ids
    assert took <= timedelta(minutes=30)
    calls = chaos.calls
    assert FAULT_SHARE_RANGE[0] * calls <= chaos.served.total() <= FAULT_SHARE_RANGE[1] * calls
    assert set(chaos.served) == set(TRANSIENT)


async def test_chaos_on_the_inbound_path(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """1000 SMS in 50 bursts; polls, reloads and restarts, mid-poll too, deletion on and off.

    Real time, so that polls are really in flight when the entry reloads or restarts.
    """
    chaos = Chaos(ovh_sim, monkeypatch, SEED)
    events = async_capture_events(hass, EVENT_RECEIVED)
    await hass.config.async_update(country="FR")
    assert await async_setup_component(hass, "homeassistant", {})
    entry = mock_config_entry
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    chaos.storm(slow=True)
    done: Counter[str] = Counter()
    received: list[int] = []

    async def until_loaded(loaded: bool) -> None:
        # The set-up reads the account, which may fail too: Home Assistant retries it.
        while not loaded:
            done["set-up retried"] += 1
            loaded = await hass.config_entries.async_reload(entry.entry_id)

    async def reload(delete: bool) -> None:
        hass.config_entries.async_update_entry(
            entry, options={**entry.options, CONF_DELETE_RECEIVED: delete}
        )
        await until_loaded(await hass.config_entries.async_reload(entry.entry_id))

    async def restart() -> None:
        # What Home Assistant held in memory is gone; its storage is read again.
        assert await hass.config_entries.async_unload(entry.entry_id)
        hass.data[DATA_STORES].pop(entry.entry_id)
        await until_loaded(await hass.config_entries.async_setup(entry.entry_id))

    async def mid_poll(action: Callable[[], Any], name: str, asked_by_an_entity: bool) -> None:
        if asked_by_an_entity:  # As an automation would; an unload does not cancel it.
            poll = hass.async_create_task(
                hass.services.async_call(
                    "homeassistant",
                    "update_entity",
                    {"entity_id": "event.home_received_sms"},
                    blocking=True,
                )
            )
        else:  # The scheduled poll, which an unload cancels.
            async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=25))
            poll = None
        await asyncio.sleep(chaos.rng.uniform(0, 0.02))
        # Counted as mid-poll only when a poll really is running.
        running = entry.runtime_data.store.inbox_lock.locked()
        await action()
        done[f"{name} mid-poll" if running else name] += 1
        if poll is not None:
            await poll

    for burst in range(50):
        received += chaos.receive(20, poison=2 if burst % 10 == 0 else 0)
        roll = chaos.rng.random()
        delete = chaos.rng.random() < 0.5
        if roll < 0.4:
            await entry.runtime_data.inbox.async_refresh()
            done["poll"] += 1
        elif roll < 0.55:
            await reload(delete)
            done["reload"] += 1
        elif roll < 0.65:
            await restart()
            done["restart"] += 1
        elif roll < 0.85:
            await mid_poll(partial(reload, delete), "reload", asked_by_an_entity=True)
        else:
            await mid_poll(restart, "restart", asked_by_an_entity=False)
        await hass.async_block_till_done(wait_background_tasks=True)

    chaos.calm()
    await reload(delete=True)
    for _ in range(40):
        await entry.runtime_data.inbox.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)

    fired = _fired(events)
    expected = [sms_id for sms_id in received if sms_id not in chaos.poison]
    lost = set(expected) - set(fired)
    duplicated = len(fired) - len(set(fired))
    out_of_order = sum(1 for before, after in itertools.pairwise(fired) if after < before)
    assert (len(received), len(expected), len(fired)) == (1000, 990, 990)
    assert (len(lost), duplicated, out_of_order) == (0, 0, 0)
    # The records that are no records: each reported, none fired, all still on OVH alone.
    assert len(chaos.poison) == 10
    assert not chaos.poison & set(fired)
    reported = {
        sms_id
        for sms_id in chaos.poison
        for record in caplog.records
        if record.getMessage().startswith(f"Received SMS {sms_id} cannot be read")
    }
    assert reported == chaos.poison
    assert {sms["id"] for sms in ovh_sim.incoming(SERVICE, NUMBER)} == chaos.poison
    # What the entry went through (the seed decides it; timing decides which reloads and
    # restarts caught a poll running).
    assert done["poll"] == POLLS
    assert done["reload"] + done["reload mid-poll"] == RELOADS
    assert done["restart"] + done["restart mid-poll"] == RESTARTS
    assert done["reload mid-poll"] + done["restart mid-poll"] >= MID_POLL_AT_LEAST
    transient = chaos.served.total() - chaos.served["malformed record"]
    assert FAULT_SHARE_RANGE[0] * chaos.calls <= transient <= FAULT_SHARE_RANGE[1] * chaos.calls
    assert set(chaos.served) == {*TRANSIENT, "slow", "malformed record"}


def test_the_readme_quotes_these_figures() -> None:
    """The README's "Reliability" table says what the tests above assert."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Reliability", 1)[1].split("\n## ", 1)[0]
    for figure in (
        "1000 SMS in 50 bursts",
        f"{POLLS} polls, {RELOADS} reloads",
        f"{RESTARTS} restarts, at least {MID_POLL_AT_LEAST} of them while a poll was running",
        f"between {FAULT_SHARE_RANGE[0]:.0%} and {FAULT_SHARE_RANGE[1]:.0%}".replace("%", " %"),
        "990 fired: 0 lost, 0 duplicated, 0 out of order",
        "2000 SMS waiting",
        "within 30 simulated minutes",
    ):
        assert figure in table, figure
