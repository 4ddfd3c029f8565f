"""Fixtures of the simulator's own tests: a fresh simulator and a real ``ovh`` client."""

from collections.abc import Iterator

import pytest

from ovh_simulator import OvhSimulator

from .support import ThreadedClient, make_client, running_simulator


@pytest.fixture
def sim(socket_enabled: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[OvhSimulator]:
    """A fresh simulator in its own thread, registered as the ``ovh-sim`` region."""
    yield from running_simulator(monkeypatch)


@pytest.fixture
def client(sim: OvhSimulator) -> ThreadedClient:
    """A client with the demo credentials."""
    return make_client()
