"""The benchmarks reuse the tests' fixtures: the simulator and a loaded integration."""

import asyncio

import pytest

from tests.conftest import *


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Measure with the loop as Home Assistant runs it, not in the tests' debug mode.

    This overrides the test plugin's fixture of the same name: in debug mode asyncio and
    aiohttp record a traceback for every task and response, which would dominate both the
    timings and the memory figures.
    """
    asyncio.get_running_loop().set_debug(False)
