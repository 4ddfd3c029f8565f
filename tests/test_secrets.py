"""No key, secret or webhook id reaches a log line, an error message or an event.

Some proxies and gateways echo the request's headers (the application key and consumer
key travel in them) or its body in their error pages. Every test here makes OVH's side
answer with such an echo. The session-wide ``secret_watch`` (conftest) checks every log
record of every test, tracebacks and DEBUG lines included; these tests also check what
the user reads, and that the echoed text did reach the log, without the secrets.
"""

import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ovh_sms_virtual.api import REDACTED, OvhSmsClient, OvhSmsError
from custom_components.ovh_sms_virtual.const import (
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_CONSUMER_KEY,
    CONF_ENDPOINT,
    CONF_NAME,
    CREDITS_SCAN_INTERVAL,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_RECEIVED,
)
from custom_components.ovh_sms_virtual.delivery import CHECK_INTERVALS
from ovh_simulator import OvhSimulator

from .conftest import (
    APP_KEY,
    APP_SECRET,
    CONSUMER_KEY,
    NUMBER,
    SECRETS,
    SERVICE,
    SIM_REGION,
    WEBHOOK_ID,
    SecretWatch,
)

ECHO = (
    f"Upstream refused: X-Ovh-Application: {APP_KEY}; X-Ovh-Consumer: {CONSUMER_KEY}; "
    f"secret={APP_SECRET}; callback=https://example.org/api/webhook/{WEBHOOK_ID}"
)
# What a gateway answers: OVH's JSON shape, an HTML page, JSON that is not an object.
ECHOES: list[dict[str, Any]] = [
    {"status": 500, "body": {"message": ECHO}},
    {"status": 502, "body": f"<html><body><pre>{ECHO}</pre></body></html>"},
    {"status": 503, "body": [ECHO]},
    {"status": 400, "body": {"message": ECHO}},
    {"status": 403, "body": {"message": ECHO, "errorCode": "WAF_BLOCKED"}},
    {"status": 409, "body": {"message": ECHO}},
    {"status": 429, "body": {"message": ECHO}},
    {"status": 460, "body": {"message": ECHO}},
    {"status": 401, "body": {"message": ECHO}},
]
ECHO_IDS = ["500", "502 html", "503 list", "400", "403", "409", "429", "460", "401"]


def _clean(text: str) -> bool:
    return not any(secret in text for secret in SECRETS)


def test_the_watch_sees_a_secret(secret_watch: SecretWatch) -> None:
    """The session-wide check is not blind: a secret in a record is caught."""
    start = len(secret_watch.leaks)
    logger = logging.getLogger("custom_components.ovh_sms_virtual")
    logger.debug("key %s", CONSUMER_KEY)
    logger.error("boom", exc_info=ValueError(APP_KEY))
    caught = secret_watch.leaks[start:]
    del secret_watch.leaks[start:]
    assert len(caught) == 2


@pytest.mark.parametrize("fault", ECHOES, ids=ECHO_IDS)
async def test_client_errors_carry_no_secret(
    hass: HomeAssistant, ovh_sim: OvhSimulator, fault: dict[str, Any]
) -> None:
    """The error's text, its chain and its traceback hold no secret, whatever the answer."""
    ovh_sim.inject_fault("PUT", f"/sms/{SERVICE}$", **fault)
    client = OvhSmsClient(
        hass,
        endpoint=SIM_REGION,
        application_key=APP_KEY,
        application_secret=APP_SECRET,
        consumer_key=CONSUMER_KEY,
    )

    with pytest.raises(OvhSmsError) as err:
        await client.async_set_callback(SERVICE, f"https://example.org/api/webhook/{WEBHOOK_ID}")

    assert _clean(str(err.value))
    assert err.value.__cause__ is None
    assert err.value.__suppress_context__
    assert _clean(str(err.getrepr(chain=True)))
    if "message" in str(fault["body"]):
        assert REDACTED in err.value.message


@pytest.mark.parametrize("fault", ECHOES, ids=ECHO_IDS)
async def test_send_errors_carry_no_secret(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    fault: dict[str, Any],
) -> None:
    """What the action tells the user holds no secret."""
    ovh_sim.inject_fault("POST", "/jobs$", **fault)

    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": "+33612345678", "message": "Hi"},
            blocking=True,
        )

    assert _clean(str(err.value))
    assert _clean(str(err.getrepr(chain=True)))


@pytest.mark.parametrize("fault", ECHOES, ids=ECHO_IDS)
async def test_polling_errors_log_no_secret(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, Any],
) -> None:
    """The pollers' errors (and their DEBUG tracebacks) show the answer, redacted."""
    caplog.set_level(logging.DEBUG)
    ovh_sim.inject_fault("GET", "/incoming$", **fault)
    ovh_sim.inject_fault("GET", f"/sms/{SERVICE}$", **fault)

    freezer.tick(CREDITS_SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    logged = [
        record
        for record in caplog.records
        if record.name == "custom_components.ovh_sms_virtual" and record.levelno >= logging.ERROR
    ]
    assert len(logged) == 2
    assert _clean(caplog.text)
    if "message" in str(fault["body"]) and fault["status"] not in {429, 460}:
        assert REDACTED in caplog.text


async def _send_and_read_status(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Send an SMS, then let its delivery status be read from OVH (no public URL)."""
    await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": "+33612345678", "message": "Hi"}, blocking=True
    )
    freezer.tick(CHECK_INTERVALS[0])
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("fault", ECHOES, ids=ECHO_IDS)
async def test_delivery_status_reads_log_no_secret(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, Any],
) -> None:
    """A failed read of a sent SMS's status logs OVH's answer once, redacted."""
    ovh_sim.inject_fault("GET", "/outgoing/", **fault)

    await _send_and_read_status(hass, freezer)

    logged = [
        record
        for record in caplog.records
        if record.name == "custom_components.ovh_sms_virtual" and record.levelno >= logging.WARNING
    ]
    assert len(logged) == 1
    assert _clean(caplog.text)
    if "message" in str(fault["body"]):
        assert REDACTED in logged[0].getMessage()


async def test_a_delivery_status_read_never_shows_a_secret(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Text taken from OVH's record of a sent SMS is redacted before it reaches an event."""
    events = async_capture_events(hass, EVENT_DELIVERY_STATUS)
    record = {"deliveryReceipt": 1, "deliveredAt": f"at {APP_KEY}"}
    ovh_sim.inject_fault("GET", "/outgoing/", status=200, body=record)

    await _send_and_read_status(hass, freezer)

    assert [(event.data["status"], event.data["date"]) for event in events] == [
        ("delivered", f"at {REDACTED}")
    ]


async def _submit_keys(hass: HomeAssistant) -> ConfigFlowResult:
    """Start the set-up and submit the keys (whatever else the first form asks)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    values = {
        CONF_NAME: "Home",
        CONF_ENDPOINT: SIM_REGION,
        CONF_APPLICATION_KEY: APP_KEY,
        CONF_APPLICATION_SECRET: APP_SECRET,
        CONF_CONSUMER_KEY: CONSUMER_KEY,
    }
    schema = result["data_schema"]
    assert schema is not None
    asked = {str(key) for key in schema.schema}

    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {key: value for key, value in values.items() if key in asked}
    )


async def test_config_flow_traceback_has_no_secret(
    hass: HomeAssistant, ovh_sim: OvhSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An answer the flow does not expect is logged with its traceback, redacted."""
    # The flow's requests carry the keys; the webhook does not exist yet.
    echo = f"Refused: X-Ovh-Application: {APP_KEY}; X-Ovh-Consumer: {CONSUMER_KEY}"
    ovh_sim.inject_fault("GET", "^/sms$", status=409, body={"message": echo})

    result = await _submit_keys(hass)

    assert result["errors"] == {"base": "unknown"}
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert tracebacks
    assert REDACTED in caplog.text
    assert _clean(caplog.text)


async def test_a_received_sms_never_shows_a_secret(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Text taken from OVH is redacted before it reaches an event or a state."""
    events = async_capture_events(hass, EVENT_RECEIVED)
    ovh_sim.add_incoming(SERVICE, NUMBER, "+33611111111", f"my key is {CONSUMER_KEY}", APP_KEY)

    await init_integration.runtime_data.inbox.async_refresh()

    assert [(event.data["message"], event.data["tag"]) for event in events] == [
        (f"my key is {REDACTED}", REDACTED)
    ]
    state = hass.states.get("event.home_received_sms")
    assert state is not None
    assert _clean(str(state.attributes))


async def test_an_unexpected_error_in_the_flow_is_contained(
    hass: HomeAssistant, ovh_sim: OvhSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug (no answer of OVH shows one any more) is logged; the form says so."""
    with patch.object(OvhSmsClient, "async_list_services", side_effect=RuntimeError("bug")):
        result = await _submit_keys(hass)

    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while talking to OVHcloud's API" in caplog.text
