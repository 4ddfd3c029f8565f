"""What the simulator's tests share: a running simulator and real, threaded ``ovh`` clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
import json
import threading
from typing import Any
import urllib.request

import ovh
import ovh.client
import pytest

from ovh_simulator import (
    DEMO_APPLICATION_KEY as APP_KEY,
    DEMO_APPLICATION_SECRET as APP_SECRET,
    DEMO_CONSUMER_KEY as CONSUMER_KEY,
    DEMO_NUMBER as NUMBER,
    DEMO_SERVICE as SERVICE,
    OvhSimulator,
)

REGION = "ovh-sim"
VN = f"/sms/{SERVICE}/virtualNumbers/{NUMBER}"


def running_simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[OvhSimulator]:
    """A fresh simulator in its own thread, registered as the ``ovh-sim`` region."""
    simulator = OvhSimulator()
    simulator.start_in_thread()
    monkeypatch.setitem(ovh.client.ENDPOINTS, REGION, simulator.endpoint)
    yield simulator
    simulator.stop()


def off_main_thread[**P, R](func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a blocking call in a short-lived thread; return its result or raise its error.

    The repository's conftest enables Home Assistant's ``block_async_io``, which
    rejects blocking HTTP calls made from the main thread.
    """
    outcome: list[R] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(func(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - re-raised below
            failure.append(err)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def new_ovh_client(
    application_key: str = APP_KEY,
    application_secret: str = APP_SECRET,
    consumer_key: str = CONSUMER_KEY,
    timeout: float = 5.0,
) -> ovh.Client:
    """A real python-ovh client for the simulator (blocking: reads config files)."""
    return ovh.Client(
        endpoint=REGION,
        application_key=application_key,
        application_secret=application_secret,
        consumer_key=consumer_key,
        timeout=timeout,
    )


class ThreadedClient:
    """A real ``ovh.Client`` whose calls run off the main thread."""

    def __init__(self, raw: ovh.Client) -> None:
        """Wrap ``raw``."""
        self.raw = raw

    def get(self, path: str, **kwargs: Any) -> Any:
        """``ovh.Client.get``."""
        return off_main_thread(self.raw.get, path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        """``ovh.Client.post``."""
        return off_main_thread(self.raw.post, path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        """``ovh.Client.put``."""
        return off_main_thread(self.raw.put, path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        """``ovh.Client.delete``."""
        return off_main_thread(self.raw.delete, path, **kwargs)


def make_client(
    application_key: str = APP_KEY,
    application_secret: str = APP_SECRET,
    consumer_key: str = CONSUMER_KEY,
    timeout: float = 5.0,
) -> ThreadedClient:
    """A threaded python-ovh client for the simulator."""
    return ThreadedClient(
        off_main_thread(new_ovh_client, application_key, application_secret, consumer_key, timeout)
    )


def http_get_json(url: str) -> Any:
    """GET ``url`` with urllib (off the main thread) and decode its JSON."""

    def fetch() -> Any:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return json.loads(response.read())

    return off_main_thread(fetch)
