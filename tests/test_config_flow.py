"""The set-up in the UI, through the real ``ovh`` client, against the simulator.

Every step, every error a user can meet (with the form keeping what was typed, then a
corrected submission that succeeds), reauthentication, reconfiguration, the options and
the contacts.
"""

from collections.abc import Iterator
from datetime import timedelta
import json
from pathlib import Path
import re
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigFlowResult,
    SubentryFlowResult,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, InvalidData, UnknownFlow
import ovh.client
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ovh_sms_virtual.compat import get_subentries_of_type
from custom_components.ovh_sms_virtual.config_flow import CONF_SET_CALLBACK, CONF_SET_PUSH
from custom_components.ovh_sms_virtual.const import (
    CONF_AGENT_ID,
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_ASSIST,
    CONF_CLOUDHOOK,
    CONF_CLOUDHOOK_URL,
    CONF_CONSUMER_KEY,
    CONF_DELETE_RECEIVED,
    CONF_ENDPOINT,
    CONF_LOW_CREDITS,
    CONF_MAX_SMS_PER_HOUR,
    CONF_NAME,
    CONF_NUMBER,
    CONF_PHONE_NUMBER,
    CONF_PUSH_SCAN_INTERVAL,
    CONF_SCAN_INTERVAL,
    CONF_SERVICE_NAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SUBENTRY_CONTACT,
)
from custom_components.ovh_sms_virtual.phone import country_name
from ovh_simulator import OvhSimulator

from .conftest import (
    APP_KEY,
    APP_SECRET,
    CLOUDHOOK_URL,
    CONSUMER_KEY,
    ENTRY_DATA,
    NUMBER,
    SERVICE,
    SIM_REGION,
    WEBHOOK_ID,
)

EXTERNAL_URL = "https://home.example.org"
EU_TOKEN_URL = (
    "https://eu.api.ovh.com/createToken/index.cgi"
    "?GET=/sms&GET=/sms/*&POST=/sms/*&PUT=/sms/*&DELETE=/sms/*"
)
USER_INPUT: dict[str, Any] = {
    CONF_NAME: "Home",
    CONF_ENDPOINT: SIM_REGION,
    CONF_APPLICATION_KEY: APP_KEY,
    CONF_APPLICATION_SECRET: APP_SECRET,
    CONF_CONSUMER_KEY: CONSUMER_KEY,
}
UNIQUE_ID = f"{SERVICE}_{NUMBER}"
# Every right but the listing of the SMS services.
NO_LIST_RULES = [(method, "/sms/*") for method in ("GET", "POST", "PUT", "DELETE")]
# What the key-creation link grants, without PUT: the callback URL cannot be written.
NO_PUT_RULES = [("GET", "/sms"), ("GET", "/sms/*"), ("POST", "/sms/*"), ("DELETE", "/sms/*")]


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Created or reloaded entries are not set up: these tests are about the flow."""
    with patch(
        "custom_components.ovh_sms_virtual.async_setup_entry", return_value=True
    ) as mock_setup:
        yield mock_setup


@pytest.fixture
async def external_url(hass: HomeAssistant) -> str:
    """Home Assistant is reachable from the internet."""
    await hass.config.async_update(external_url=EXTERNAL_URL)
    return EXTERNAL_URL


def _suggested(result: FlowResult[Any, Any], key: str) -> Any:
    """The value a form field shows (what was typed before an error)."""
    assert result["data_schema"] is not None
    for marker in result["data_schema"].schema:
        if marker == key:
            return (marker.description or {}).get("suggested_value")
    raise KeyError(key)


def _callback_url(result: ConfigFlowResult) -> str:
    return f"{EXTERNAL_URL}/api/webhook/{result['result'].data[CONF_WEBHOOK_ID]}"


async def _start(hass: HomeAssistant) -> ConfigFlowResult:
    return await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})


async def _submit(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any] | None = None
) -> ConfigFlowResult:
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input or {})


CALLBACK_STEPS = {"callback", "callback_replace", "callback_unknown", "callback_set"}
PUSH_STEPS = {"push", "push_replace", "push_auto_reply", "push_unknown", "push_set"}


async def _skip_push(hass: HomeAssistant, result: ConfigFlowResult) -> ConfigFlowResult:
    """Go past the received-SMS step leaving the account's push setting alone."""
    assert result["step_id"] in PUSH_STEPS
    answer = {} if result["step_id"] == "push_set" else {CONF_SET_PUSH: False}
    return await _submit(hass, result, answer)


async def _finish(
    hass: HomeAssistant, result: ConfigFlowResult, unique_id: str = UNIQUE_ID
) -> ConfigFlowResult:
    """Go past the last steps leaving the account's URLs alone: the entry is created."""
    assert result["step_id"] in CALLBACK_STEPS
    answer = {} if result["step_id"] == "callback_set" else {CONF_SET_CALLBACK: False}
    result = await _skip_push(hass, await _submit(hass, result, answer))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == unique_id
    return result


# ------------------------------------------------------------------------------ user step


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_full_flow_picks_service_and_number(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """One service with one number: both are taken from the account, nothing is typed."""
    result = await _start(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    assert result["description_placeholders"] == {"create_token_url": EU_TOKEN_URL}
    assert result["data_schema"] is not None
    # Only Europe has the SMS API; the simulator is a region registered beyond OVH's own.
    assert result["data_schema"].schema[CONF_ENDPOINT].config["options"] == ["ovh-eu", SIM_REGION]

    result = await _submit(hass, result, {**USER_INPUT, CONF_CONSUMER_KEY: f" {CONSUMER_KEY}\n"})
    assert result["type"] is FlowResultType.FORM
    # The account has no callback URL yet: the step says so, and offers to set ours.
    assert result["step_id"] == "callback"
    assert result["description_placeholders"] is not None
    webhook_url = result["description_placeholders"]["callback_url"]
    assert webhook_url.startswith(f"{EXTERNAL_URL}/api/webhook/")
    assert result["description_placeholders"] == {"callback_url": webhook_url}
    assert _suggested(result, CONF_SET_CALLBACK) is None

    result = await _finish(hass, result)
    assert result["title"] == "Home"
    assert result["data"] == {
        **USER_INPUT,
        CONF_SERVICE_NAME: SERVICE,
        CONF_NUMBER: NUMBER,
        CONF_WEBHOOK_ID: result["data"][CONF_WEBHOOK_ID],
    }
    assert webhook_url == _callback_url(result)
    assert result["options"] == {
        CONF_SCAN_INTERVAL: 20,
        CONF_PUSH_SCAN_INTERVAL: 300,
        CONF_DELETE_RECEIVED: True,
        CONF_MAX_SMS_PER_HOUR: 60,
        CONF_LOW_CREDITS: 10,
    }
    assert result["description_placeholders"] == {"callback_url": webhook_url}
    # The account, read once for each step.
    assert [(call.method, call.path) for call in ovh_sim.requests if call.path != "/auth/time"] == [
        ("GET", "/sms"),
        ("GET", f"/sms/{SERVICE}/virtualNumbers"),
        ("GET", f"/sms/{SERVICE}"),
        ("GET", f"/sms/{SERVICE}"),
    ]


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_callback_written_only_when_asked(hass: HomeAssistant, ovh_sim: OvhSimulator) -> None:
    """The account's current URL is shown; turning the option on replaces it with ours."""
    ovh_sim.set_callback_url(SERVICE, "https://other-app.example.org/callback/1")
    result = await _submit(hass, await _start(hass), USER_INPUT)
    assert result["step_id"] == "callback_replace"
    assert result["description_placeholders"] is not None
    assert (
        result["description_placeholders"]["current_callback"]
        == "https://other-app.example.org/callback/1"
    )

    result = await _skip_push(hass, await _submit(hass, result, {CONF_SET_CALLBACK: True}))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    url = _callback_url(result)
    assert [call.body for call in ovh_sim.calls("PUT")] == [{"callBack": url}]
    assert ovh_sim.account(SERVICE)["callBack"] == url
    assert ovh_sim.account(SERVICE)["smsResponse"]["responseType"] == "none"


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_callback_write_refused(hass: HomeAssistant, ovh_sim: OvhSimulator) -> None:
    """A key without PUT says which call was refused; turning the option off goes on."""
    ovh_sim.add_consumer_key("no-put", rules=NO_PUT_RULES)
    result = await _submit(hass, await _start(hass), {**USER_INPUT, CONF_CONSUMER_KEY: "no-put"})

    result = await _submit(hass, result, {CONF_SET_CALLBACK: True})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "callback"
    assert result["errors"] == {"base": "not_granted"}
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["call"] == f"PUT /sms/{SERVICE}"
    assert _suggested(result, CONF_SET_CALLBACK) is True

    await _finish(hass, result)
    assert ovh_sim.account(SERVICE)["callBack"] is None


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_current_callback_unknown_when_not_readable(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """A key that may list but not read the account says it cannot tell the current URL."""
    ovh_sim.add_consumer_key(
        "lists-only",
        rules=[("GET", "/sms"), ("GET", "/sms/*/virtualNumbers"), ("PUT", "/sms/*")],
    )
    result = await _submit(
        hass, await _start(hass), {**USER_INPUT, CONF_CONSUMER_KEY: "lists-only"}
    )
    assert result["step_id"] == "callback_unknown"
    assert result["description_placeholders"] is not None
    assert set(result["description_placeholders"]) == {"callback_url"}

    result = await _submit(hass, result, {CONF_SET_CALLBACK: True})
    assert result["step_id"] == "push_unknown"
    assert result["description_placeholders"] is not None
    assert set(result["description_placeholders"]) == {"callback_url"}
    result = await _submit(hass, result, {CONF_SET_PUSH: True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    url = _callback_url(result)
    assert [call.body for call in ovh_sim.calls("PUT")] == [
        {"callBack": url},
        {"smsResponse": {"responseType": "cgi", "cgiUrl": url}},
    ]


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_push_replaces_another_url_only_when_asked(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """The account pushes received SMS elsewhere: shown; turning the option on writes ours."""
    ovh_sim.set_push_url(SERVICE, "https://other-app.example.org/sms-in")
    result = await _submit(hass, await _start(hass), USER_INPUT)
    result = await _submit(hass, result, {CONF_SET_CALLBACK: False})
    assert result["step_id"] == "push_replace"
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["current_push"] == (
        "https://other-app.example.org/sms-in"
    )
    assert _suggested(result, CONF_SET_PUSH) is None
    assert ovh_sim.calls("PUT") == []

    result = await _submit(hass, result, {CONF_SET_PUSH: True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    url = _callback_url(result)
    # Only the type and the URL: not the callBack, not the other reply settings.
    assert [call.body for call in ovh_sim.calls("PUT")] == [
        {"smsResponse": {"responseType": "cgi", "cgiUrl": url}}
    ]
    assert ovh_sim.account(SERVICE)["callBack"] is None
    assert ovh_sim.account(SERVICE)["smsResponse"]["cgiUrl"] == url


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_push_says_it_ends_an_automatic_answer(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """The account answers received SMS with a text: the step says a push ends that."""
    ovh_sim.set_auto_reply(SERVICE, "Thanks, we will call you back")
    result = await _submit(hass, await _start(hass), USER_INPUT)
    result = await _submit(hass, result, {CONF_SET_CALLBACK: False})
    assert result["step_id"] == "push_auto_reply"
    assert result["description_placeholders"] is not None
    assert set(result["description_placeholders"]) == {"callback_url"}

    result = await _skip_push(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert ovh_sim.account(SERVICE)["smsResponse"]["responseType"] == "text"


@pytest.mark.usefixtures("external_url")
async def test_push_to_another_number_of_the_account_serves_this_one(
    hass: HomeAssistant, ovh_sim: OvhSimulator, init_integration: MockConfigEntry
) -> None:
    """Another number of the account, set up already, takes its pushes: nothing to change.

    Not its delivery reports: a report reaches the entry whose URL it calls.
    """
    ovh_sim.add_virtual_number(SERVICE, "0033698765432")
    first_url = f"{EXTERNAL_URL}/api/webhook/{WEBHOOK_ID}"
    ovh_sim.set_push_url(SERVICE, first_url)
    ovh_sim.set_callback_url(SERVICE, first_url)
    result = await _submit(hass, await _start(hass), USER_INPUT)
    assert result["step_id"] == "number"
    result = await _submit(hass, result, {CONF_NUMBER: "0033698765432"})
    # Delivery reports at the other entry's URL would not reach this one: shown as another.
    assert result["step_id"] == "callback_replace"
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["current_callback"] == first_url
    result = await _submit(hass, result, {CONF_SET_CALLBACK: False})
    assert result["step_id"] == "push_set"
    assert result["data_schema"] is not None
    assert result["data_schema"].schema == {}
    with patch("custom_components.ovh_sms_virtual.async_setup_entry", return_value=True):
        result = await _submit(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert ovh_sim.calls("PUT") == []


@pytest.mark.usefixtures("mock_setup_entry")
async def test_no_callback_url(hass: HomeAssistant, ovh_sim: OvhSimulator) -> None:
    """Without an address reachable from the internet the step explains what to do."""
    await hass.config.async_update(internal_url="http://192.168.1.10:8123")
    result = await _submit(hass, await _start(hass), USER_INPUT)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "no_callback_url"

    result = await _submit(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "no_callback_url"
    assert result["result"].unique_id == UNIQUE_ID
    assert CONF_WEBHOOK_ID in result["data"]
    assert not ovh_sim.calls("PUT")


def _wrong_app_key(sim: OvhSimulator) -> dict[str, str]:
    return {CONF_APPLICATION_KEY: "unknown-app-key"}


def _wrong_secret(sim: OvhSimulator) -> dict[str, str]:
    return {CONF_APPLICATION_SECRET: "not-the-secret"}


def _unknown_consumer_key(sim: OvhSimulator) -> dict[str, str]:
    return {CONF_CONSUMER_KEY: "unknown-consumer-key"}


def _pending_consumer_key(sim: OvhSimulator) -> dict[str, str]:
    sim.add_consumer_key("pending", state="pendingValidation")
    return {CONF_CONSUMER_KEY: "pending"}


def _expired_consumer_key(sim: OvhSimulator) -> dict[str, str]:
    sim.add_consumer_key("expired", expiration=sim.now() - 60)
    return {CONF_CONSUMER_KEY: "expired"}


def _fault(**fault: Any) -> Any:
    def inject(sim: OvhSimulator) -> dict[str, str]:
        sim.inject_fault("GET", "^/sms$", **fault)
        return {}

    return inject


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
@pytest.mark.parametrize(
    ("prepare", "errors"),
    [
        (_wrong_app_key, {CONF_APPLICATION_KEY: "invalid_application_key"}),
        (_wrong_secret, {"base": "invalid_signature"}),
        (_unknown_consumer_key, {"base": "invalid_auth"}),
        (_pending_consumer_key, {CONF_CONSUMER_KEY: "credential_not_valid"}),
        (_expired_consumer_key, {CONF_CONSUMER_KEY: "credential_not_valid"}),
        (_fault(status=500), {"base": "cannot_connect"}),
        (_fault(status=502, body="<html>Bad gateway</html>"), {"base": "cannot_connect"}),
        (_fault(status=429), {"base": "cannot_connect"}),
        (_fault(drop=True), {"base": "cannot_connect"}),
        (_fault(status=418), {"base": "unknown"}),
    ],
    ids=[
        "unknown_application_key",
        "wrong_secret",
        "unknown_consumer_key",
        "consumer_key_not_validated",
        "consumer_key_expired",
        "server_error",
        "not_json",
        "rate_limited",
        "connection_dropped",
        "unexpected_status",
    ],
)
async def test_user_step_errors_then_recovery(
    hass: HomeAssistant, ovh_sim: OvhSimulator, prepare: Any, errors: dict[str, str]
) -> None:
    """Each refusal has its message, the form keeps what was typed, and a fix goes through."""
    typed = {**USER_INPUT, **prepare(ovh_sim)}
    result = await _submit(hass, await _start(hass), typed)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    for key, value in typed.items():
        assert _suggested(result, key) == value

    result = await _submit(hass, result, USER_INPUT)
    await _finish(hass, result)


@pytest.fixture
def europe_only(ovh_sim: OvhSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only OVH's own regions are registered, and Europe's API is the simulator."""
    monkeypatch.setitem(ovh.client.ENDPOINTS, "ovh-eu", ovh.client.ENDPOINTS[SIM_REGION])
    monkeypatch.delitem(ovh.client.ENDPOINTS, SIM_REGION)


@pytest.mark.usefixtures("mock_setup_entry", "external_url", "europe_only")
async def test_only_europe_asks_no_region(hass: HomeAssistant, ovh_sim: OvhSimulator) -> None:
    """Europe alone has the SMS API: the region is not asked, and the entry uses ovh-eu."""
    result = await _start(hass)
    assert result["data_schema"] is not None
    assert CONF_ENDPOINT not in result["data_schema"].schema
    assert result["description_placeholders"] == {"create_token_url": EU_TOKEN_URL}

    typed = {key: value for key, value in USER_INPUT.items() if key != CONF_ENDPOINT}
    result = await _submit(hass, result, {**typed, CONF_APPLICATION_SECRET: "wrong"})
    assert result["errors"] == {"base": "invalid_signature"}
    assert result["description_placeholders"] == {"create_token_url": EU_TOKEN_URL}

    result = await _finish(hass, await _submit(hass, result, typed))
    assert result["data"][CONF_ENDPOINT] == "ovh-eu"


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_unfinished_setup_does_not_block_a_new_one(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """A set-up left on its last step (tab reloaded) does not block a new attempt.

    The new one goes through; once it has created the entry, the old one is gone.
    """
    left = await _submit(hass, await _start(hass), USER_INPUT)
    assert left["step_id"] == "callback"

    result = await _submit(hass, await _start(hass), USER_INPUT)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "callback"
    await _finish(hass, result)

    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    with pytest.raises(UnknownFlow):
        await _submit(hass, left, {CONF_SET_CALLBACK: False})
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_second_entry_for_the_same_number_aborts(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """One entry per virtual number."""
    mock_config_entry.add_to_hass(hass)
    result = await _submit(hass, await _start(hass), USER_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# -------------------------------------------------------------------- service and number


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_service_and_number_chosen_from_lists(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """Several services and numbers: the user picks from what the account lists."""
    ovh_sim.add_service("sms-other-2", numbers=["0033700000001", "0033700000002"])
    result = await _submit(hass, await _start(hass), USER_INPUT)
    assert result["step_id"] == "service"
    assert result["data_schema"] is not None
    assert result["data_schema"].schema[CONF_SERVICE_NAME].config["options"] == [
        SERVICE,
        "sms-other-2",
    ]

    result = await _submit(hass, result, {CONF_SERVICE_NAME: "sms-other-2"})
    assert result["step_id"] == "number"
    assert result["description_placeholders"] == {"service_name": "sms-other-2"}
    assert result["data_schema"] is not None
    assert result["data_schema"].schema[CONF_NUMBER].config["options"] == [
        "0033700000001",
        "0033700000002",
    ]

    result = await _submit(hass, result, {CONF_NUMBER: "0033700000002"})
    result = await _finish(hass, result, "sms-other-2_0033700000002")
    assert result["data"][CONF_SERVICE_NAME] == "sms-other-2"
    assert result["data"][CONF_NUMBER] == "0033700000002"


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
@pytest.mark.parametrize(
    ("fault", "errors"),
    [
        ({"status": 500}, {"base": "cannot_connect"}),
        ({"status": 404}, {CONF_SERVICE_NAME: "service_not_found"}),
    ],
    ids=["server_error", "service_gone"],
)
async def test_number_list_error_then_recovery(
    hass: HomeAssistant, ovh_sim: OvhSimulator, fault: dict[str, Any], errors: dict[str, str]
) -> None:
    """A failed listing of the numbers shows on the service step, which can be sent again."""
    ovh_sim.inject_fault("GET", "/virtualNumbers$", **fault)
    result = await _submit(hass, await _start(hass), USER_INPUT)
    assert result["step_id"] == "service"
    assert result["errors"] == errors
    assert _suggested(result, CONF_SERVICE_NAME) == SERVICE

    result = await _submit(hass, result, {CONF_SERVICE_NAME: SERVICE})
    await _finish(hass, result)


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_service_without_numbers_asks_for_them(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """A service that lists no number leads to the typed form, with the service filled in."""
    ovh_sim.add_service("sms-empty-3")
    result = await _submit(hass, await _start(hass), USER_INPUT)
    result = await _submit(hass, result, {CONF_SERVICE_NAME: "sms-empty-3"})
    assert result["step_id"] == "manual"
    assert _suggested(result, CONF_SERVICE_NAME) == "sms-empty-3"

    result = await _submit(hass, result, {CONF_SERVICE_NAME: SERVICE, CONF_NUMBER: "0612345678"})
    await _finish(hass, result)


# -------------------------------------------------------------------- rights: typed values


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_key_without_list_right_types_service_and_number(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """A key without ``GET /sms`` works: the user types the guide's values, OVH checks them."""
    await hass.config.async_update(country="FR")
    ovh_sim.add_consumer_key("no-list", rules=NO_LIST_RULES)
    result = await _submit(hass, await _start(hass), {**USER_INPUT, CONF_CONSUMER_KEY: "no-list"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "manual"
    assert [call.status for call in ovh_sim.calls("GET", "^/sms$")] == [403]

    result = await _submit(
        hass, result, {CONF_SERVICE_NAME: f" {SERVICE} ", CONF_NUMBER: "06 12 34 56 78"}
    )
    result = await _finish(hass, result)
    assert result["data"][CONF_SERVICE_NAME] == SERVICE
    assert result["data"][CONF_NUMBER] == NUMBER
    assert result["data"][CONF_CONSUMER_KEY] == "no-list"
    assert ovh_sim.calls("GET", f"^/sms/{SERVICE}/virtualNumbers/{NUMBER}$")[0].status == 200


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_key_that_cannot_read_the_account_is_refused(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """The entry reads the account at every start: a key that may not is told so."""
    ovh_sim.add_consumer_key("number-only", rules=[("GET", "/sms/*/virtualNumbers/*")])
    result = await _submit(
        hass, await _start(hass), {**USER_INPUT, CONF_CONSUMER_KEY: "number-only"}
    )
    result = await _submit(
        hass, result, {CONF_SERVICE_NAME: SERVICE, CONF_NUMBER: "+33 6 12 34 56 78"}
    )
    assert result["step_id"] == "manual"
    assert result["errors"] == {"base": "not_granted"}
    assert result["description_placeholders"] == {"call": f"GET /sms/{SERVICE}"}
    assert ovh_sim.calls("GET", f"^/sms/{SERVICE}$")[0].status == 403
    assert not ovh_sim.calls("GET", f"^/sms/{SERVICE}/virtualNumbers/")


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_numbers_not_listable_asks_for_the_number(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """A key that lists services but not numbers: the number is typed, the service kept."""
    ovh_sim.add_consumer_key(
        "no-numbers-list",
        rules=[("GET", "/sms"), ("GET", f"/sms/{SERVICE}"), ("GET", "/sms/*/virtualNumbers/*")],
    )
    result = await _submit(
        hass, await _start(hass), {**USER_INPUT, CONF_CONSUMER_KEY: "no-numbers-list"}
    )
    assert result["step_id"] == "manual"
    assert _suggested(result, CONF_SERVICE_NAME) == SERVICE

    result = await _submit(hass, result, {CONF_SERVICE_NAME: SERVICE, CONF_NUMBER: NUMBER})
    await _finish(hass, result)


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
@pytest.mark.parametrize(
    ("typed", "fault", "errors"),
    [
        ({CONF_SERVICE_NAME: "sms-nope-9"}, None, {CONF_SERVICE_NAME: "service_not_found"}),
        ({CONF_NUMBER: "06 99 99 99 99"}, None, {CONF_NUMBER: "number_not_found"}),
        ({CONF_NUMBER: "12"}, None, {CONF_NUMBER: "invalid_phone_number"}),
        ({}, {"status": 503}, {"base": "cannot_connect"}),
        # OVH answers, but not with a virtual number: nothing the user can fix.
        ({}, {"status": 200, "body": ["unexpected"]}, {"base": "unknown"}),
    ],
    ids=["unknown_service", "unknown_number", "not_a_number", "server_error", "odd_answer"],
)
async def test_typed_values_errors_then_recovery(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    typed: dict[str, str],
    fault: dict[str, Any] | None,
    errors: dict[str, str],
) -> None:
    """A wrong service or number is named on its field; the form keeps what was typed."""
    ovh_sim.add_consumer_key("no-list", rules=NO_LIST_RULES)
    if fault:
        ovh_sim.inject_fault("GET", "/virtualNumbers/", **fault)
    result = await _submit(hass, await _start(hass), {**USER_INPUT, CONF_CONSUMER_KEY: "no-list"})
    values = {CONF_SERVICE_NAME: SERVICE, CONF_NUMBER: NUMBER, **typed}

    result = await _submit(hass, result, values)
    assert result["step_id"] == "manual"
    assert result["errors"] == errors
    assert _suggested(result, CONF_SERVICE_NAME) == values[CONF_SERVICE_NAME]
    assert _suggested(result, CONF_NUMBER) == values[CONF_NUMBER]

    result = await _submit(hass, result, {CONF_SERVICE_NAME: SERVICE, CONF_NUMBER: NUMBER})
    await _finish(hass, result)


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_number_read_not_granted_names_the_call(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """A key that may not read the number is told which call it lacks."""
    ovh_sim.add_consumer_key("account-only", rules=[("GET", f"/sms/{SERVICE}")])
    result = await _submit(
        hass, await _start(hass), {**USER_INPUT, CONF_CONSUMER_KEY: "account-only"}
    )
    result = await _submit(hass, result, {CONF_SERVICE_NAME: SERVICE, CONF_NUMBER: NUMBER})
    assert result["errors"] == {"base": "not_granted"}
    assert result["description_placeholders"] == {
        "call": f"GET /sms/{SERVICE}/virtualNumbers/{NUMBER}"
    }


# ------------------------------------------------------------------ reauth and reconfigure


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """New keys are checked on the entry's number; a refused one is explained first."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"] == {
        "name": "Home",
        "create_token_url": EU_TOKEN_URL,
    }
    assert _suggested(result, CONF_APPLICATION_KEY) == APP_KEY
    assert _suggested(result, CONF_APPLICATION_SECRET) is None

    ovh_sim.revoke_consumer_key(CONSUMER_KEY)
    keys = {
        CONF_APPLICATION_KEY: APP_KEY,
        CONF_APPLICATION_SECRET: APP_SECRET,
        CONF_CONSUMER_KEY: CONSUMER_KEY,
    }
    result = await _submit(hass, result, keys)
    assert result["errors"] == {CONF_CONSUMER_KEY: "credential_not_valid"}
    assert _suggested(result, CONF_CONSUMER_KEY) == CONSUMER_KEY

    ovh_sim.add_consumer_key("fresh-key")
    result = await _submit(hass, result, {**keys, CONF_CONSUMER_KEY: "fresh-key"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data == {**ENTRY_DATA, CONF_CONSUMER_KEY: "fresh-key"}
    assert ovh_sim.calls("GET", f"/virtualNumbers/{NUMBER}$")[-1].consumer_key == "fresh-key"


async def _reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_keys_keeping_the_secret(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """The keys but the secret are shown; the service and number as text, not as fields."""
    mock_config_entry.add_to_hass(hass)
    result = await _reconfigure(hass, mock_config_entry)
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {
        "service_name": SERVICE,
        "number": NUMBER,
        "create_token_url": EU_TOKEN_URL,
    }
    assert result["data_schema"] is not None
    assert set(result["data_schema"].schema) == {
        CONF_ENDPOINT,
        CONF_APPLICATION_KEY,
        CONF_APPLICATION_SECRET,
        CONF_CONSUMER_KEY,
    }
    assert _suggested(result, CONF_ENDPOINT) == SIM_REGION
    assert _suggested(result, CONF_APPLICATION_KEY) == APP_KEY
    assert _suggested(result, CONF_CONSUMER_KEY) == CONSUMER_KEY
    assert _suggested(result, CONF_APPLICATION_SECRET) is None

    changes = {CONF_ENDPOINT: SIM_REGION, CONF_APPLICATION_KEY: APP_KEY}
    result = await _submit(hass, result, {**changes, CONF_CONSUMER_KEY: "second-key"})
    assert result["errors"] == {"base": "invalid_auth"}
    assert _suggested(result, CONF_CONSUMER_KEY) == "second-key"

    ovh_sim.add_consumer_key("second-key")
    result = await _submit(hass, result, {**changes, CONF_CONSUMER_KEY: " second-key "})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {**ENTRY_DATA, CONF_CONSUMER_KEY: "second-key"}
    assert ovh_sim.calls("GET", f"/virtualNumbers/{NUMBER}$")[-1].consumer_key == "second-key"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_new_application(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A new application key comes with its own secret."""
    mock_config_entry.add_to_hass(hass)
    ovh_sim.add_application("second-app", "second-secret")
    ovh_sim.add_consumer_key("second-app-key", "second-app")
    result = await _reconfigure(hass, mock_config_entry)
    keys = {
        CONF_APPLICATION_KEY: "second-app",
        CONF_APPLICATION_SECRET: "second-secret",
        CONF_CONSUMER_KEY: "second-app-key",
    }
    result = await _submit(hass, result, {CONF_ENDPOINT: SIM_REGION, **keys})
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {**ENTRY_DATA, **keys}


@pytest.mark.usefixtures("mock_setup_entry", "europe_only")
async def test_reconfigure_in_europe_asks_no_region(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """An entry in Europe, with Europe alone offered: only the keys are asked."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**ENTRY_DATA, CONF_ENDPOINT: "ovh-eu"}
    )
    result = await _reconfigure(hass, mock_config_entry)
    assert result["data_schema"] is not None
    assert CONF_ENDPOINT not in result["data_schema"].schema

    keys = {CONF_APPLICATION_KEY: APP_KEY, CONF_CONSUMER_KEY: CONSUMER_KEY}
    result = await _submit(hass, result, keys)
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {**ENTRY_DATA, CONF_ENDPOINT: "ovh-eu"}


@pytest.mark.usefixtures("mock_setup_entry")
async def test_entry_of_a_region_without_sms_keeps_it(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An entry made with Canada keeps its region; reconfigure offers it beside Europe."""
    # Canada leads to the simulator here: no test reaches OVHcloud itself.
    monkeypatch.setitem(ovh.client.ENDPOINTS, "ovh-ca", ovh.client.ENDPOINTS[SIM_REGION])
    monkeypatch.delitem(ovh.client.ENDPOINTS, SIM_REGION)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**ENTRY_DATA, CONF_ENDPOINT: "ovh-ca"}
    )
    result = await _reconfigure(hass, mock_config_entry)
    assert result["data_schema"] is not None
    assert result["data_schema"].schema[CONF_ENDPOINT].config["options"] == ["ovh-eu", "ovh-ca"]
    assert _suggested(result, CONF_ENDPOINT) == "ovh-ca"
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["create_token_url"] == EU_TOKEN_URL

    result = await _submit(
        hass,
        result,
        {CONF_ENDPOINT: "ovh-ca", CONF_APPLICATION_KEY: APP_KEY, CONF_CONSUMER_KEY: CONSUMER_KEY},
    )
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {**ENTRY_DATA, CONF_ENDPOINT: "ovh-ca"}


# ---------------------------------------------------------------------------------- options


async def test_options_settings_apply_on_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """New settings reload the entry: the inbox polls at the new pace at once."""
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["settings", "callback"]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    assert result["step_id"] == "settings"
    assert _suggested(result, CONF_SCAN_INTERVAL) == 20
    # Entries made before the option: its default.
    assert _suggested(result, CONF_PUSH_SCAN_INTERVAL) == 300
    assert _suggested(result, CONF_DELETE_RECEIVED) is True
    assert _suggested(result, CONF_MAX_SMS_PER_HOUR) == 60
    assert _suggested(result, CONF_LOW_CREDITS) == 10
    assert result["description_placeholders"] == {"min": "10", "max": "3600"}
    for too_short_or_long in (5, 9.9, 3601):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                CONF_SCAN_INTERVAL: too_short_or_long,
                CONF_PUSH_SCAN_INTERVAL: too_short_or_long,
                CONF_DELETE_RECEIVED: False,
                CONF_MAX_SMS_PER_HOUR: 60,
                CONF_LOW_CREDITS: 25,
            },
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {
            CONF_SCAN_INTERVAL: "scan_interval_out_of_range",
            CONF_PUSH_SCAN_INTERVAL: "push_scan_interval_out_of_range",
        }
        assert _suggested(result, CONF_SCAN_INTERVAL) == int(too_short_or_long)
        assert _suggested(result, CONF_DELETE_RECEIVED) is False
        assert _suggested(result, CONF_LOW_CREDITS) == 25
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SCAN_INTERVAL: 45,
            CONF_PUSH_SCAN_INTERVAL: 3601,
            CONF_DELETE_RECEIVED: False,
            CONF_MAX_SMS_PER_HOUR: 60,
            CONF_LOW_CREDITS: 25,
        },
    )
    assert result["errors"] == {CONF_PUSH_SCAN_INTERVAL: "push_scan_interval_out_of_range"}
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                CONF_SCAN_INTERVAL: 45,
                CONF_PUSH_SCAN_INTERVAL: 600,
                CONF_DELETE_RECEIVED: False,
                CONF_MAX_SMS_PER_HOUR: 60,
                CONF_LOW_CREDITS: -1,
            },
        )

    runtime = entry.runtime_data
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SCAN_INTERVAL: 45.0,
            CONF_PUSH_SCAN_INTERVAL: 600.0,
            CONF_DELETE_RECEIVED: False,
            CONF_MAX_SMS_PER_HOUR: 0,
            CONF_LOW_CREDITS: 25.0,
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_SCAN_INTERVAL: 45,
        CONF_PUSH_SCAN_INTERVAL: 600,
        CONF_DELETE_RECEIVED: False,
        CONF_MAX_SMS_PER_HOUR: 0,
        CONF_LOW_CREDITS: 25,
    }
    assert entry.runtime_data is not runtime
    assert entry.runtime_data.inbox.update_interval == timedelta(seconds=45)
    assert entry.runtime_data.inbox.delete_received is False


async def _options_callback(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "callback"}
    )


@pytest.mark.usefixtures("external_url")
async def test_options_callback_written_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """The callback URL can be read and written again later; the entry keeps running."""
    entry = init_integration
    url = f"{EXTERNAL_URL}/api/webhook/{WEBHOOK_ID}"
    result = await _options_callback(hass, entry)
    assert result["step_id"] == "callback"
    assert result["description_placeholders"] == {"callback_url": url}

    runtime = entry.runtime_data
    assert runtime.delivery.mode == "polling"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_CALLBACK: True}
    )
    # Then the push of received SMS, to the same URL.
    assert result["step_id"] == "push"
    assert result["description_placeholders"] == {"callback_url": url}
    assert _suggested(result, CONF_SET_PUSH) is None
    assert [call.body for call in ovh_sim.calls("PUT")] == [{"callBack": url}]
    # The account is read again at once, before the push step is answered: OVH now
    # reports to the webhook.
    assert runtime.account.data.callback == url
    assert runtime.delivery.mode == "webhook"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_PUSH: False}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [call.body for call in ovh_sim.calls("PUT")] == [{"callBack": url}]
    assert entry.runtime_data is runtime
    assert runtime.delivery.mode == "webhook"
    assert entry.options == {
        CONF_SCAN_INTERVAL: 20,
        CONF_DELETE_RECEIVED: True,
        CONF_MAX_SMS_PER_HOUR: 60,
    }

    # Read again: the account holds this URL, so there is nothing to offer.
    result = await _options_callback(hass, entry)
    assert result["step_id"] == "callback_set"
    assert result["description_placeholders"] == {"callback_url": url}
    assert result["data_schema"] is not None
    assert result["data_schema"].schema == {}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["step_id"] == "push"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_PUSH: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(ovh_sim.calls("PUT")) == 1


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_options_callback_refused_then_left_alone(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Without the PUT right the refused call is named; leaving the box unticked is fine."""
    ovh_sim.add_consumer_key("no-put", rules=NO_PUT_RULES)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**ENTRY_DATA, CONF_CONSUMER_KEY: "no-put"}
    )
    ovh_sim.set_callback_url(SERVICE, "https://other-app.example.org/cb")
    result = await _options_callback(hass, mock_config_entry)
    assert result["step_id"] == "callback_replace"
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["current_callback"] == (
        "https://other-app.example.org/cb"
    )

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_CALLBACK: True}
    )
    assert result["errors"] == {"base": "not_granted"}
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["call"] == f"PUT /sms/{SERVICE}"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_CALLBACK: False}
    )
    # The same refusal for the push of received SMS.
    assert result["step_id"] == "push"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_PUSH: True}
    )
    assert result["step_id"] == "push"
    assert result["errors"] == {"base": "not_granted"}
    assert _suggested(result, CONF_SET_PUSH) is True
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_PUSH: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert ovh_sim.account(SERVICE)["callBack"] == "https://other-app.example.org/cb"
    assert ovh_sim.account(SERVICE)["smsResponse"]["responseType"] == "none"


@pytest.mark.usefixtures("mock_setup_entry", "external_url")
async def test_options_callback_written_for_an_entry_not_loaded(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """An entry that is not running gets the URLs written all the same."""
    mock_config_entry.add_to_hass(hass)
    result = await _options_callback(hass, mock_config_entry)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_CALLBACK: True}
    )
    assert result["step_id"] == "push"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_PUSH: True}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    url = f"{EXTERNAL_URL}/api/webhook/{WEBHOOK_ID}"
    assert ovh_sim.account(SERVICE)["callBack"] == url
    assert ovh_sim.account(SERVICE)["smsResponse"]["cgiUrl"] == url


@pytest.mark.usefixtures("mock_setup_entry")
async def test_options_callback_without_url(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Still no address reachable from the internet: the step says how to get one."""
    mock_config_entry.add_to_hass(hass)
    result = await _options_callback(hass, mock_config_entry)
    assert result["step_id"] == "no_callback_url"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not ovh_sim.requests


async def test_options_callback_keeps_a_new_cloudhook(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    mock_cloud: ModuleType,
) -> None:
    """A cloudhook created when the URL is read is stored, so removing the entry deletes it."""
    mock_config_entry.add_to_hass(hass)
    result = await _options_callback(hass, mock_config_entry)
    assert result["description_placeholders"] is not None
    assert result["description_placeholders"]["callback_url"] == CLOUDHOOK_URL
    mock_cloud.async_get_or_create_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)
    assert mock_config_entry.data == {
        **ENTRY_DATA,
        CONF_CLOUDHOOK: True,
        CONF_CLOUDHOOK_URL: CLOUDHOOK_URL,
    }


# --------------------------------------------------------------------------------- contacts


async def _add_contact(hass: HomeAssistant, entry: MockConfigEntry) -> SubentryFlowResult:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CONTACT), context={"source": SOURCE_USER}
    )


async def _submit_contact(
    hass: HomeAssistant, result: SubentryFlowResult, name: str, phone: str
) -> SubentryFlowResult:
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: name, CONF_PHONE_NUMBER: phone}
    )


def _contacts(entry: MockConfigEntry) -> dict[str, tuple[str, str | None, dict[str, Any]]]:
    return {
        subentry.title: (subentry.subentry_id, subentry.unique_id, dict(subentry.data))
        for subentry in get_subentries_of_type(entry, SUBENTRY_CONTACT)
    }


@pytest.mark.usefixtures("mock_setup_entry")
async def test_add_contact_in_any_usual_form(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A national number is read with Home Assistant's country (named) and stored in E.164."""
    await hass.config.async_update(country="BE")
    mock_config_entry.add_to_hass(hass)
    result = await _add_contact(hass, mock_config_entry)
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"] == {"country": "Belgium"}

    await hass.config.async_update(language="fr")
    result = await _add_contact(hass, mock_config_entry)
    assert result["description_placeholders"] == {"country": "Belgique"}

    result = await _submit_contact(hass, result, "Bob", "0470 12.34.56")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    _, unique_id, data = _contacts(mock_config_entry)["Bob"]
    assert data == {CONF_PHONE_NUMBER: "+32470123456", CONF_ASSIST: False}
    assert unique_id == "+32470123456"


@pytest.mark.parametrize(
    ("region", "language", "name"),
    [
        ("FR", "fr", "France"),
        ("DE", "en-GB", "Germany"),
        ("DE", "xx", "Germany"),
        ("ZZ", "en", "ZZ"),
    ],
)
def test_country_names(region: str, language: str, name: str) -> None:
    """The contact form names the country: in English without names in that language."""
    assert country_name(region, language) == name


@pytest.mark.usefixtures("mock_setup_entry")
async def test_add_contact_invalid_then_fixed(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """An unparsable number is a form error; the form keeps what was typed."""
    mock_config_entry.add_to_hass(hass)
    result = await _submit_contact(hass, await _add_contact(hass, mock_config_entry), "Bob", "12")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PHONE_NUMBER: "invalid_phone_number"}
    assert _suggested(result, CONF_NAME) == "Bob"
    assert _suggested(result, CONF_PHONE_NUMBER) == "12"

    result = await _submit_contact(hass, result, "Bob", "+33 6 22 33 44 55")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _contacts(mock_config_entry)["Bob"][2] == {
        CONF_PHONE_NUMBER: "+33622334455",
        CONF_ASSIST: False,
    }


@pytest.mark.usefixtures("mock_setup_entry")
async def test_add_contact_twice_aborts(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The same number written another way is still the same contact."""
    mock_config_entry.add_to_hass(hass)
    result = await _submit_contact(
        hass, await _add_contact(hass, mock_config_entry), "Alice again", "06 11 11 11 11"
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert list(_contacts(mock_config_entry)) == ["Alice"]


async def test_contact_added_to_a_loaded_entry_can_be_notified(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A contact added while the entry runs gets its notify entity without a restart."""
    result = await _submit_contact(
        hass, await _add_contact(hass, init_integration), "Bob", "06 22 33 44 55"
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert hass.states.get("notify.bob") is not None


async def _reconfigure_contact(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str
) -> SubentryFlowResult:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CONTACT),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )


async def test_reconfigure_contact(
    hass: HomeAssistant, mock_setup_entry: AsyncMock, mock_config_entry: MockConfigEntry
) -> None:
    """A contact can be renamed and get a new number; the entry reloads to follow."""
    mock_config_entry.add_to_hass(hass)
    alice_id = _contacts(mock_config_entry)["Alice"][0]
    result = await _reconfigure_contact(hass, mock_config_entry, alice_id)
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_NAME) == "Alice"
    assert _suggested(result, CONF_PHONE_NUMBER) == "+33611111111"

    result = await _submit_contact(hass, result, "Alice", "nope")
    assert result["errors"] == {CONF_PHONE_NUMBER: "invalid_phone_number"}

    result = await _submit_contact(hass, result, "Alice M.", "06 11 11 11 11")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert _contacts(mock_config_entry)["Alice M."] == (
        alice_id,
        "+33611111111",
        {CONF_PHONE_NUMBER: "+33611111111", CONF_ASSIST: False},
    )

    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1

    result = await _reconfigure_contact(hass, mock_config_entry, alice_id)
    result = await _submit_contact(hass, result, "Alice M.", "+33 7 81 00 00 00")
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert _contacts(mock_config_entry)["Alice M."][1] == "+33781000000"
    assert len(mock_setup_entry.mock_calls) == 2


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_contact_to_another_contacts_number_aborts(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Two contacts cannot share a number."""
    mock_config_entry.add_to_hass(hass)
    await _submit_contact(hass, await _add_contact(hass, mock_config_entry), "Bob", "+33622334455")
    result = await _reconfigure_contact(
        hass, mock_config_entry, _contacts(mock_config_entry)["Alice"][0]
    )
    result = await _submit_contact(hass, result, "Alice", "06 22 33 44 55")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert _contacts(mock_config_entry)["Alice"][1] == "+33611111111"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_contact_allowed_to_talk_to_assist(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Off by default; the agent is stored only when one is chosen."""
    mock_config_entry.add_to_hass(hass)
    result = await _add_contact(hass, mock_config_entry)
    assert _suggested(result, CONF_ASSIST) is None
    assert result["data_schema"] is not None
    assert result["data_schema"]({CONF_NAME: "Bob", CONF_PHONE_NUMBER: "1"})[CONF_ASSIST] is False

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Bob",
            CONF_PHONE_NUMBER: "06 22 33 44 55",
            CONF_ASSIST: True,
            CONF_AGENT_ID: "conversation.home_assistant",
        },
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _contacts(mock_config_entry)["Bob"][2] == {
        CONF_PHONE_NUMBER: "+33622334455",
        CONF_ASSIST: True,
        CONF_AGENT_ID: "conversation.home_assistant",
    }


@pytest.mark.usefixtures("mock_setup_entry")
async def test_virtual_number_cannot_talk_to_assist(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Assist would answer its own answers; as a plain contact the number is fine."""
    mock_config_entry.add_to_hass(hass)
    result = await _add_contact(hass, mock_config_entry)
    me = {CONF_NAME: "Me", CONF_PHONE_NUMBER: "06 12 34 56 78"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**me, CONF_ASSIST: True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ASSIST: "assist_own_number"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**me, CONF_ASSIST: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _contacts(mock_config_entry)["Me"][2] == {
        CONF_PHONE_NUMBER: "+33612345678",
        CONF_ASSIST: False,
    }


async def test_reconfigure_contact_assist_on_then_off(
    hass: HomeAssistant, mock_setup_entry: AsyncMock, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    alice_id = _contacts(mock_config_entry)["Alice"][0]
    alice = {CONF_NAME: "Alice", CONF_PHONE_NUMBER: "+33611111111"}

    result = await _reconfigure_contact(hass, mock_config_entry, alice_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**alice, CONF_ASSIST: True, CONF_AGENT_ID: "conversation.ollama"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert _contacts(mock_config_entry)["Alice"][2] == {
        CONF_PHONE_NUMBER: "+33611111111",
        CONF_ASSIST: True,
        CONF_AGENT_ID: "conversation.ollama",
    }

    result = await _reconfigure_contact(hass, mock_config_entry, alice_id)
    assert _suggested(result, CONF_ASSIST) is True
    assert _suggested(result, CONF_AGENT_ID) == "conversation.ollama"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**alice, CONF_ASSIST: False}
    )
    assert result["reason"] == "reconfigure_successful"
    assert _contacts(mock_config_entry)["Alice"][2] == {
        CONF_PHONE_NUMBER: "+33611111111",
        CONF_ASSIST: False,
    }


# ------------------------------------------------------------------------------------ texts

COMPONENT = Path(__file__).parent.parent / "custom_components" / DOMAIN
# A Home Assistant user has no guide and no other SMS software: texts stand on their own.
FOREIGN = re.compile(r"\bguide\b|raspisms|\bsteps? \d|\bétapes? \d", re.IGNORECASE)


@pytest.mark.parametrize("name", ["strings.json", "translations/en.json", "translations/fr.json"])
def test_texts_do_not_refer_to_a_guide_or_other_software(name: str) -> None:
    text = (COMPONENT / name).read_text(encoding="utf-8")
    assert json.loads(text)
    assert FOREIGN.findall(text) == []


def test_event_attributes_are_named_in_every_language() -> None:
    """The attributes of the event entities (the public contract) have translated names."""
    contract = {
        "received_sms": {"sender", "message", "received_at", "message_id"},
        "delivery_status": {"message_id", "receiver", "dlr", "ptt", "description"},
    }
    for name in ("strings.json", "translations/fr.json"):
        texts = json.loads((COMPONENT / name).read_text(encoding="utf-8"))["entity"]["event"]
        for key, attributes in contract.items():
            named = {
                attribute
                for attribute, text in texts[key]["state_attributes"].items()
                if text.get("name")
            }
            assert named == attributes, (name, key)
