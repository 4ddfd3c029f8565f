"""Shared fixtures: the OVH API simulator, a config entry, a loaded integration.

Every test talks to OVH through the real ``ovh`` client, over HTTP, to the project's
simulator, which is registered as the ``ovh-sim`` region the same way ``scripts/develop``
does it.
"""

# Home Assistant must be imported before anything that imports voluptuous.
import homeassistant  # noqa: F401, I001  (see the comment above)

from collections.abc import Iterator
from enum import Enum
import logging
import socket
import sys
import traceback
from types import ModuleType
from typing import Any, override
from unittest.mock import AsyncMock, MagicMock, patch

import ovh.client
import pytest
import pytest_socket
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant import block_async_io
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect

import custom_components.ovh_sms_virtual  # noqa: F401  (puts our custom_components on the path)
from custom_components.ovh_sms_virtual.const import (
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_CONSUMER_KEY,
    CONF_DELETE_RECEIVED,
    CONF_ENDPOINT,
    CONF_MAX_SMS_PER_HOUR,
    CONF_NAME,
    CONF_NUMBER,
    CONF_PHONE_NUMBER,
    CONF_SCAN_INTERVAL,
    CONF_SERVICE_NAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SUBENTRY_CONTACT,
)
from ovh_simulator import OvhSimulator

SIM_REGION = "ovh-sim"
APP_KEY = "demo-app-key"
APP_SECRET = "demo-app-secret"
CONSUMER_KEY = "demo-consumer-key"
SERVICE = "sms-demo12345-1"
NUMBER = "0033612345678"
WEBHOOK_ID = "0123456789abcdef" * 4

ENTRY_DATA: dict[str, Any] = {
    CONF_NAME: "Home",
    CONF_ENDPOINT: SIM_REGION,
    CONF_APPLICATION_KEY: APP_KEY,
    CONF_APPLICATION_SECRET: APP_SECRET,
    CONF_CONSUMER_KEY: CONSUMER_KEY,
    CONF_SERVICE_NAME: SERVICE,
    CONF_NUMBER: NUMBER,
    CONF_WEBHOOK_ID: WEBHOOK_ID,
}
ENTRY_OPTIONS: dict[str, Any] = {
    CONF_SCAN_INTERVAL: 20,
    CONF_DELETE_RECEIVED: True,
    CONF_MAX_SMS_PER_HOUR: 60,
}


SECRETS = (APP_KEY, APP_SECRET, CONSUMER_KEY, WEBHOOK_ID)
# Loggers that are not this integration's and may show a secret on purpose:
# - Home Assistant's webhook component logs the URL of some requests it refuses (a PUT,
#   a call while the entry is not loaded), its HTTP security filter the URL of requests it
#   rejects, and its HTTP helper the path of every request it serves, at DEBUG; a webhook's
#   URL holds its id (the README says so);
# - aiohttp's access log writes the URL of every request: Home Assistant sets it to
#   WARNING when it starts (no line then, unless a user raises it), its test plugin does not;
# - the simulator is OVH's side of the wire, which knows the keys anyway.
NOT_OURS = (
    "homeassistant.components.webhook",
    "homeassistant.components.http.security_filter",
    "homeassistant.helpers.http",
    "aiohttp.access",
    "ovh_simulator",
)


class SecretWatch(logging.Handler):
    """Collects every log record, at every level, that shows one of the test secrets."""

    def __init__(self) -> None:
        """Watch from DEBUG up."""
        super().__init__(logging.DEBUG)
        self.records = 0
        self.leaks: list[str] = []

    @override
    def emit(self, record: logging.LogRecord) -> None:
        """Check the message, its traceback and its stack (as a log file would show them)."""
        self.records += 1
        if record.name.startswith(NOT_OURS):
            return
        text = record.getMessage()
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        text += record.stack_info or ""
        self.leaks += [
            f"{record.name} {record.levelname}: {text[:500]}"
            for secret in SECRETS
            if secret in text
        ]


@pytest.fixture(scope="session", autouse=True, name="secret_watch")
def _secret_watch() -> Iterator[SecretWatch]:
    """Every log record of the whole session is checked for the keys and the webhook id.

    This integration's logger logs at DEBUG for the whole session, so its debug lines and
    tracebacks are checked too. (The name starts with ``_`` so that the benchmarks, which
    import this module's fixtures, measure without it.)
    """
    watch = SecretWatch()
    logging.getLogger().addHandler(watch)
    ours = logging.getLogger("custom_components.ovh_sms_virtual")
    level = ours.level
    ours.setLevel(logging.DEBUG)
    yield watch
    ours.setLevel(level)
    logging.getLogger().removeHandler(watch)


@pytest.fixture(autouse=True, name="no_secret_in_logs")
def _no_secret_in_logs(secret_watch: SecretWatch) -> Iterator[None]:
    """Fail the test whose log showed a secret."""
    start = len(secret_watch.leaks)
    yield
    assert secret_watch.leaks[start:] == []


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """The state of an entity that must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state.state


def number_device(device_registry: dr.DeviceRegistry, entry: MockConfigEntry) -> dr.DeviceEntry:
    """The virtual number's device (by its identifier, in any supported Home Assistant).

    Not ``async_get_device_by_identifier``: Home Assistant 2026.8 added it, and deprecated
    ``async_get_device`` in 2026.9.
    """
    identifier = (DOMAIN, f"{SERVICE}_{NUMBER}")
    (device,) = [
        device
        for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        if identifier in device.identifiers
    ]
    return device


def contact_device(hass: HomeAssistant, entry: MockConfigEntry, name: str) -> str:
    """The id of a contact's device (what the pickers of contacts offer)."""
    (device,) = (
        device
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        if device.name == name
    )
    return device.id


@pytest.fixture(scope="session", autouse=True)
def detect_blocking_calls() -> Iterator[None]:
    """Fail any test that makes a blocking call (an HTTP request, say) in the event loop.

    Home Assistant does this at run time; its test plugin does not. The originals are put
    back after the last test, so pytest's own reporting (coverage) is not mistaken for the
    event loop.
    """
    block_async_io.enable()
    yield
    for call in block_async_io._BLOCKED_CALLS.calls:
        setattr(call.object, call.function, call.original_func)
    block_async_io._BLOCKED_CALLS.calls.clear()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load this repository's integration."""


@pytest.fixture(autouse=True, name="no_deprecated_api")
def _no_deprecated_api(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test in which Home Assistant reports that the integration used a deprecated API.

    Home Assistant only logs it, for a custom integration, until the release that removes
    the API: the integration then breaks. ``custom_components/ovh_sms_virtual/compat.py``
    has the way that works on every supported release. (The name starts with ``_`` so that
    the benchmarks, which import this module's fixtures and capture no log, go without it.)
    """
    yield
    reports = [
        record.getMessage()
        for when in ("setup", "call")
        for record in caplog.get_records(when)
        if record.name == "homeassistant.helpers.frame" and DOMAIN in record.getMessage()
    ]
    assert not reports, reports


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[OvhSimulator]:
    """One simulator, serving on loopback in its own thread, for the whole session."""
    sim = OvhSimulator()
    # Home Assistant's test plugin blocks sockets around each test; tests that use the
    # simulator get them back through ``socket_enabled`` (loopback only).
    pytest_socket.enable_socket()
    sim.start_in_thread()
    yield sim
    sim.stop()


@pytest.fixture
def ovh_sim(
    simulator_server: OvhSimulator, monkeypatch: pytest.MonkeyPatch, socket_enabled: None
) -> OvhSimulator:
    """The simulator, reset to its demo account and registered as the ``ovh-sim`` region."""
    simulator_server.reset()
    monkeypatch.setitem(ovh.client.ENDPOINTS, SIM_REGION, f"{simulator_server.url}/1.0")
    return simulator_server


@pytest.fixture
def refusing_endpoint(socket_enabled: None) -> Iterator[str]:
    """An API endpoint on loopback that refuses connections: its port is bound, not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/1.0"


@pytest.fixture
def contact_subentry() -> ConfigSubentryData:
    """A saved contact."""
    return ConfigSubentryData(
        data={CONF_PHONE_NUMBER: "+33611111111"},
        subentry_type=SUBENTRY_CONTACT,
        title="Alice",
        unique_id="+33611111111",
    )


@pytest.fixture
def mock_config_entry(contact_subentry: ConfigSubentryData) -> MockConfigEntry:
    """A config entry for the simulator's demo virtual number, with one contact."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data=dict(ENTRY_DATA),
        options=dict(ENTRY_OPTIONS),
        unique_id=f"{SERVICE}_{NUMBER}",
        subentries_data=[contact_subentry],
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The integration set up against the simulator."""
    await hass.config.async_update(country="FR")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    # The first inbox poll runs in the background, once the entry is loaded.
    await hass.async_block_till_done(wait_background_tasks=True)
    return mock_config_entry


# Home Assistant Cloud cannot be imported in the test environment (it pulls in Home
# Assistant's voice stack): ``mock_cloud`` puts a stand-in module in its place. The
# integration imports it only when ``cloud`` is loaded, the same way.
CLOUDHOOK_URL = "https://hooks.nabu.casa/abc"
SIGNAL_CLOUD_CONNECTION_STATE = "CLOUD_CONNECTION_STATE"


class CloudConnectionState(Enum):
    """Stand-in for ``homeassistant.components.cloud.CloudConnectionState``."""

    CLOUD_CONNECTED = "cloud_connected"
    CLOUD_DISCONNECTED = "cloud_disconnected"


class CloudNotAvailableError(HomeAssistantError):
    """Stand-in for ``homeassistant.components.cloud.CloudNotAvailable``."""


class CloudNotConnectedError(CloudNotAvailableError):
    """Stand-in for ``homeassistant.components.cloud.CloudNotConnected``."""


@pytest.fixture
def mock_cloud(hass: HomeAssistant) -> Iterator[ModuleType]:
    """Home Assistant Cloud loaded with an active subscription (the module stood in for)."""
    module = ModuleType("homeassistant.components.cloud")
    module.CloudConnectionState = CloudConnectionState  # type: ignore[attr-defined]
    module.CloudNotAvailable = CloudNotAvailableError  # type: ignore[attr-defined]
    module.CloudNotConnected = CloudNotConnectedError  # type: ignore[attr-defined]
    module.async_active_subscription = MagicMock(return_value=True)  # type: ignore[attr-defined]
    module.async_get_or_create_cloudhook = AsyncMock(  # type: ignore[attr-defined]
        return_value=CLOUDHOOK_URL
    )
    module.async_delete_cloudhook = AsyncMock()  # type: ignore[attr-defined]
    module.async_listen_connection_change = (  # type: ignore[attr-defined]
        lambda hass, target: async_dispatcher_connect(hass, SIGNAL_CLOUD_CONNECTION_STATE, target)
    )
    hass.config.components.add("cloud")
    with patch.dict(sys.modules, {"homeassistant.components.cloud": module}):
        yield module
