"""What the integration costs Home Assistant at start-up: import time, modules, memory.

Import time is read from ``python -X importtime`` in fresh processes. Each process first
imports what Home Assistant has imported before it loads this integration (``bootstrap``,
the components of the manifest's dependencies, and the entity components the entry's
platforms are set up under), prints a marker, then imports the integration as Home
Assistant's loader does: the package, the platforms it preloads when they exist
(``config_flow``, ``diagnostics``, ...), then the entity platforms the entry forwards to.
Only the lines after the marker count: every module listed there is one the integration
added, and their "self" times add up to its import time.
"""

from collections import Counter
from dataclasses import dataclass
import gc
import json
from pathlib import Path
import secrets
import statistics
import subprocess
import sys
import tracemalloc
from typing import Final

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from benchmarks.pairing import add_footprint
from custom_components.ovh_sms_virtual import PLATFORMS
from custom_components.ovh_sms_virtual.const import CONF_NUMBER, CONF_WEBHOOK_ID, DOMAIN
from ovh_simulator import OvhSimulator
from tests.conftest import ENTRY_DATA, ENTRY_OPTIONS, SERVICE

ROOT: Final = Path(__file__).parent.parent
PACKAGE: Final = f"custom_components.{DOMAIN}"
MARKER: Final = "--- the integration's imports start here ---"
PROCESSES: Final = 9
ENTRIES: Final = 10

MANIFEST: Final = json.loads((ROOT / "custom_components" / DOMAIN / "manifest.json").read_text())
ENTITY_PLATFORMS: Final = [str(platform) for platform in PLATFORMS]

# ``__import__``, not ``importlib.import_module`` as Home Assistant does: ``-X importtime``
# times the import statement's machinery only, so the latter's module would go unlisted.
PROBE: Final = f"""
import importlib.util, json, sys, time
from homeassistant import bootstrap, loader

# Home Assistant's, set up before the integration's modules are imported.
for domain in {[*MANIFEST.get("dependencies", []), *ENTITY_PLATFORMS]!r}:
    __import__(f"homeassistant.components.{{domain}}")
before = set(sys.modules)
cpu = time.process_time()
print({MARKER!r}, file=sys.stderr, flush=True)
__import__({PACKAGE!r})
for name in [*loader.BASE_PRELOAD_PLATFORMS, *{ENTITY_PLATFORMS!r}]:
    if importlib.util.find_spec(f"{PACKAGE}.{{name}}"):
        __import__(f"{PACKAGE}.{{name}}")
cpu = time.process_time() - cpu
print(json.dumps({{"cpu": cpu, "modules": sorted(set(sys.modules) - before)}}))
"""


@dataclass(frozen=True, slots=True)
class ImportRun:
    """What one process measured of the integration's import."""

    seconds: float
    """The sum of ``-X importtime``'s "self" times after the marker (wall clock)."""
    cpu: float
    """The process's CPU time over the same imports: what other processes cannot inflate."""
    modules: Counter[str]
    """New modules per top-level package."""
    micros: Counter[str]
    """``-X importtime``'s microseconds per top-level package."""


def _import_once() -> ImportRun:
    """Import the integration in a fresh process, after what Home Assistant imports first.

    Modules are counted from ``sys.modules``: ``-X importtime`` also lists failed imports
    (optional dependencies that are not installed) and lists a few modules twice in import
    cycles. Their lines still count as time spent.
    """
    result = subprocess.run(  # noqa: S603 - this Python, running the probe above
        [sys.executable, "-X", "importtime", "-c", PROBE],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    probe = json.loads(result.stdout)
    lines = result.stderr.splitlines()
    micros: Counter[str] = Counter()
    for line in lines[lines.index(MARKER) + 1 :]:
        if line.startswith("import time:") and "|" in line:
            self_us, _cumulative, name = (part.strip() for part in line[12:].split("|"))
            if self_us.isdigit():  # not the header line
                micros[name.split(".")[0]] += int(self_us)
    return ImportRun(
        seconds=micros.total() / 1e6,
        cpu=probe["cpu"],
        modules=Counter(name.split(".")[0] for name in probe["modules"]),
        micros=micros,
    )


def test_import_time() -> None:
    """Import time and new modules of the integration, over several processes."""
    _import_once()  # writes the integration's byte code, as a first start does
    runs = [_import_once() for _ in range(PROCESSES)]
    seconds = [run.seconds for run in runs]
    modules = runs[0].modules
    assert all(run.modules == modules for run in runs)
    micros = Counter(
        {top: statistics.median(run.micros[top] for run in runs) for top in runs[0].micros}
    )
    biggest = ", ".join(
        f"{top} {modules[top]} ({time / 1e3:.0f} ms)" for top, time in micros.most_common(3)
    )
    add_footprint(
        "import of the integration (`-X importtime`)",
        f"{statistics.median(seconds) * 1e3:.0f} ms "
        f"(min-max {min(seconds) * 1e3:.0f}-{max(seconds) * 1e3:.0f} ms; "
        f"CPU {statistics.median(run.cpu for run in runs) * 1e3:.0f} ms), "
        f"{modules.total()} new modules",
        f"largest (modules, median time): {biggest}",
        "<= 35 ms, <= 100 modules",
        f"{PROCESSES} processes",
    )


async def test_memory_per_entry(
    hass: HomeAssistant, ovh_sim: OvhSimulator, contact_subentry: ConfigSubentryData
) -> None:
    """The memory each loaded entry holds, with ten entries loaded at once."""
    await hass.config.async_update(country="FR")
    entries = []
    for index in range(ENTRIES):
        number = f"00336123456{index:02d}"
        ovh_sim.add_virtual_number(SERVICE, number)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"Home {index}",
            data={**ENTRY_DATA, CONF_NUMBER: number, CONF_WEBHOOK_ID: secrets.token_hex(32)},
            options=dict(ENTRY_OPTIONS),
            unique_id=f"{SERVICE}_{number}",
            subentries_data=[contact_subentry],
        )
        entries.append(entry)

    async def held() -> int:
        await hass.async_block_till_done()
        ovh_sim.clear_requests()  # the simulator's log of requests is not the entries'
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    # Code, whichever benchmark ran first, is not what the entries hold: Home Assistant's
    # components set up, the integration's modules imported (``test_import_time``).
    for domain in [*MANIFEST.get("dependencies", []), *ENTITY_PLATFORMS]:
        assert await async_setup_component(hass, domain, {})
    integration = await async_get_integration(hass, DOMAIN)
    await integration.async_get_component()
    await integration.async_get_platforms(ENTITY_PLATFORMS)
    tracemalloc.start()
    try:
        base = await held()
        # Added one by one: setting up the integration sets up every entry it finds.
        for entry in entries:
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            if entry is entries[0]:
                first = await held()
        loaded = await held()
    finally:
        tracemalloc.stop()
    assert len(hass.states.async_entity_ids("event")) == 2 * ENTRIES
    each = (loaded - first) / (ENTRIES - 1)
    add_footprint(
        f"memory per loaded entry ({ENTRIES} loaded)",
        f"{each / 1024:.0f} KiB each",
        f"the first entry {(first - base) / 1024:.0f} KiB, with one-time caches (texts, the "
        f"action, Python's type-check caches: they depend on what ran before)",
        "report",
        "tracemalloc",
    )
