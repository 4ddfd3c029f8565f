"""The tests' fixtures (the simulator, a loaded integration), made production-like.

Three changes: the event loop out of debug mode, real storage on disk, and no access log.
"""

import asyncio
from collections.abc import Iterator
import logging
from pathlib import Path
import tempfile
from typing import Any

import pytest

from benchmarks.pairing import render
from tests.conftest import *

ROOT = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Measure with the loop as Home Assistant runs it, not in the tests' debug mode.

    This overrides the test plugin's fixture of the same name: in debug mode asyncio and
    aiohttp record a traceback for every task and response, which would dominate both the
    timings and the memory figures.
    """
    asyncio.get_running_loop().set_debug(False)


@pytest.fixture
def hass_config_dir() -> Iterator[str]:
    """A fresh configuration folder on the checkout's disk, where ``Store`` writes.

    Not under the system's temporary folder: that is often a RAM file system, on which the
    fsync of every atomic write costs nothing.
    """
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=ROOT) as config_dir:
        yield config_dir


@pytest.fixture
def hass_storage() -> dict[str, Any]:
    """Real storage: overrides the test plugin's fixture, which patches ``Store`` to memory.

    The plugin's ``hass`` fixture requests ``hass_storage`` and never looks at it: without
    the plugin's ``mock_storage`` patch, ``Store`` writes JSON files (atomically, with
    fsync, for this integration's store) under ``<config>/.storage``.
    """
    return {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the tables once every benchmark has run."""
    if lines := render():
        terminalreporter.write_sep("=", "benchmarks (Markdown)")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def quiet_access_log() -> Iterator[None]:
    """No line per HTTP request, as in Home Assistant (its bootstrap sets this level).

    The test plugin logs at INFO, so aiohttp would format and write an access-log line for
    every request, to the webhook and to the simulator: a cost production does not have,
    which would be added to the integration and to its floor alike.
    """
    logger = logging.getLogger("aiohttp.access")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)
