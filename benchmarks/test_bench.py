"""Speed and memory of the hot paths, printed as a table by ``scripts/bench``.

These are measurements, not tests with thresholds: they print what a change costs.
Each benchmark goes through the same paths as a user: HTTP to the webhook, the real
``ovh`` client to the simulator, the action for sends.
"""

from collections.abc import Callable, Iterator
from functools import partial
import statistics
import time
import tracemalloc
from typing import Any

from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ovh_sms_virtual.const import DOMAIN, EVENT_RECEIVED
from custom_components.ovh_sms_virtual.sms import count_segments
from custom_components.ovh_sms_virtual.store import MAX_RECENT_SENDS, OvhSmsStore
from ovh_simulator import OvhSimulator
from tests.conftest import NUMBER, SERVICE, WEBHOOK_ID

RESULTS: list[tuple[str, str]] = []


def report(name: str, value: str) -> None:
    """Keep one line of the final table."""
    RESULTS.append((name, value))


@pytest.fixture(scope="module", autouse=True)
def print_table() -> Iterator[None]:
    """Print every measurement once the module is done."""
    yield
    if not RESULTS:  # every benchmark deselected or failed before measuring
        return
    width = max(len(name) for name, _ in RESULTS)
    print("\n\nbenchmark".ljust(width + 2), "result")
    for name, value in RESULTS:
        print(name.ljust(width), value)


def _percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49] * 1e3:.2f} ms, p99 {cuts[98] * 1e3:.2f} ms"


def _timed[T](func: Callable[[], T], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat


def test_bench_segment_counting() -> None:
    gsm = "Alarme: porte d'entrée ouverte [zone 2] ~ " * 21
    ucs2 = "Alarme 🚨 porte ouverte " * 16
    for name, message in (("GSM-7", gsm[:900]), ("UCS-2", ucs2[:400])):
        per_call = _timed(partial(count_segments, message), 2000)
        report(f"count_segments, {name} max length", f"{per_call * 1e6:.1f} µs")


async def test_bench_webhook_reports(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    client = await hass_client_no_auth()
    samples: list[float] = []
    for message_id in range(2000):
        start = time.perf_counter()
        response = await client.get(
            f"/api/webhook/{WEBHOOK_ID}",
            params={
                "id": str(message_id),
                "ptt": "4",
                "description": "1",
                "descriptionDlr": "Success",
            },
        )
        samples.append(time.perf_counter() - start)
        assert response.status == 200
        response.release()
    report("webhook report, 2000 GETs over HTTP", _percentiles(samples))
    report("webhook reports/s (one client, same loop)", f"{len(samples) / sum(samples):.0f}")


async def test_bench_inbox_poll(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    inbox = init_integration.runtime_data.inbox
    fired: list[Event[dict[str, Any]]] = []
    hass.bus.async_listen(EVENT_RECEIVED, fired.append)
    for index in range(100):
        ovh_sim.add_incoming(SERVICE, NUMBER, "+33611111111", f"message {index}")
    ovh_sim.clear_requests()
    start = time.perf_counter()
    await inbox.async_refresh()
    busy = time.perf_counter() - start
    assert len(fired) == 100
    report(
        "busy poll, 100 new SMS (list + 100 GET + 100 DELETE)",
        f"{busy * 1e3:.0f} ms, {len(ovh_sim.requests)} API calls",
    )
    idle: list[float] = []
    for _ in range(50):
        ovh_sim.clear_requests()
        start = time.perf_counter()
        await inbox.async_refresh()
        idle.append(time.perf_counter() - start)
        assert len(ovh_sim.requests) == 1
    report("idle poll (1 API call)", f"median {statistics.median(idle) * 1e3:.2f} ms")


async def test_bench_send(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    samples: list[float] = []
    for _ in range(50):
        start = time.perf_counter()
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": ["06 12 34 56 78"], "message": "Alarm"},
            blocking=True,
            return_response=True,
        )
        samples.append(time.perf_counter() - start)
    report("send_sms action, 50 sends (one OVH job each)", _percentiles(samples))


async def test_bench_store_memory_is_bounded(hass: HomeAssistant) -> None:
    store = OvhSmsStore(hass, "bench")
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for chunk in range(100):
        store.record_sent({chunk * 1000 + i: "+33611111111" for i in range(1000)})
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert store.receiver_for(99_999) == "+33611111111"
    assert store.receiver_for(0) is None
    report(
        f"recent-sends record after 100 000 sends (kept: {MAX_RECENT_SENDS})",
        f"{(current - base) / 1024:.0f} KiB",
    )
    await hass.async_block_till_done()
