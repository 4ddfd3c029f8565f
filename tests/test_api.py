"""The OVH client module: what each kind of OVH failure becomes, through the real client.

Every other module relies on this mapping (the flow's form errors, the coordinators'
reauth and back-off, the action's messages), so each branch is shown here once.
"""

from datetime import UTC, datetime

from homeassistant.core import HomeAssistant
import ovh.client
import pytest

from custom_components.ovh_sms_virtual.api import (
    IncomingSms,
    OvhSmsAuthError,
    OvhSmsBadRequestError,
    OvhSmsClient,
    OvhSmsConfigurationError,
    OvhSmsConnectionError,
    OvhSmsCreditsError,
    OvhSmsError,
    OvhSmsInvalidKeyError,
    OvhSmsRateLimitError,
    OvhSmsServerError,
    OvhSmsTimeoutError,
    SmsJob,
)
from custom_components.ovh_sms_virtual.coordinator import update_error_translation
from ovh_simulator import OvhSimulator

from .conftest import APP_KEY, APP_SECRET, CONSUMER_KEY, NUMBER, SERVICE, SIM_REGION


def _client(
    hass: HomeAssistant, *, endpoint: str = SIM_REGION, consumer_key: str = CONSUMER_KEY
) -> OvhSmsClient:
    return OvhSmsClient(
        hass,
        endpoint=endpoint,
        application_key=APP_KEY,
        application_secret=APP_SECRET,
        consumer_key=consumer_key,
    )


async def test_unknown_region_is_a_configuration_error(hass: HomeAssistant) -> None:
    with pytest.raises(OvhSmsConfigurationError):
        await _client(hass, endpoint="ovh-nowhere").async_list_services()


async def test_nothing_listening_is_cannot_connect(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, refusing_endpoint: str
) -> None:
    # The connection is refused: nothing was sent.
    monkeypatch.setitem(ovh.client.ENDPOINTS, "ovh-dead", refusing_endpoint)
    with pytest.raises(OvhSmsConnectionError) as err:
        await _client(hass, endpoint="ovh-dead").async_list_services()
    assert not isinstance(err.value, OvhSmsTimeoutError)
    assert update_error_translation(err.value)[0] == "cannot_connect"


async def test_dropped_connection_is_an_unknown_outcome(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    ovh_sim.inject_fault("POST", "/jobs$", drop=True)
    job = SmsJob(message="Alarm", receivers=["+33611111111"])
    with pytest.raises(OvhSmsTimeoutError) as err:
        await _client(hass).async_send(SERVICE, NUMBER, job)
    assert update_error_translation(err.value) == ("timeout", {})


async def test_unknown_consumer_key_is_an_auth_error(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    with pytest.raises(OvhSmsAuthError) as err:
        await _client(hass, consumer_key="nobody").async_list_services()
    assert not isinstance(err.value, OvhSmsInvalidKeyError)
    assert err.value.message == "This credential does not exist"


@pytest.mark.parametrize(
    ("status", "body", "error", "translation"),
    [
        (429, None, OvhSmsRateLimitError, "rate_limited"),
        (503, None, OvhSmsServerError, "server_error"),
        (401, {"message": "Not authenticated"}, OvhSmsAuthError, None),
        (409, {"message": "Conflict"}, OvhSmsError, "api_error"),
        (400, {"message": "Invalid tag"}, OvhSmsBadRequestError, "api_error"),
        (403, {"message": "Not enough credits to send"}, OvhSmsCreditsError, "api_error"),
    ],
)
async def test_http_failures(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    status: int,
    body: object,
    error: type[OvhSmsError],
    translation: str | None,
) -> None:
    ovh_sim.inject_fault("GET", "^/sms$", status=status, body=body)
    with pytest.raises(error) as err:
        await _client(hass).async_list_services()
    assert type(err.value) is error
    assert err.value.status == status
    if translation is not None:
        assert update_error_translation(err.value)[0] == translation


async def test_a_proxy_page_instead_of_json_is_a_server_error(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    ovh_sim.inject_fault("GET", "^/sms$", status=502, body="<html>Bad gateway</html>")
    with pytest.raises(OvhSmsServerError) as err:
        await _client(hass).async_list_services()
    assert update_error_translation(err.value)[0] == "server_error"


async def test_an_error_body_that_is_not_an_object_is_a_server_error(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    # python-ovh itself fails on it (``list.get``): that must not escape unmapped.
    ovh_sim.inject_fault("GET", "^/sms$", status=502, body=["Bad gateway"])
    with pytest.raises(OvhSmsServerError) as err:
        await _client(hass).async_list_services()
    assert update_error_translation(err.value)[0] == "server_error"


def test_incoming_sms_is_dated_in_utc() -> None:
    record = {"id": 1, "sender": "+33611111111", "message": "Yolo", "tag": ""}
    with_offset = IncomingSms.from_api(
        {**record, "creationDatetime": "2016-06-21T12:51:05+02:00"}, 1
    )
    assert with_offset.created == datetime(2016, 6, 21, 10, 51, 5, tzinfo=UTC)
    naive = IncomingSms.from_api({**record, "creationDatetime": "2016-06-21T12:51:05"}, 1)
    assert naive.created == datetime(2016, 6, 21, 12, 51, 5, tzinfo=UTC)


def test_incoming_sms_without_a_date_is_dated_now() -> None:
    before = datetime.now(UTC)
    sms = IncomingSms.from_api({"id": 2, "sender": "+33611111111", "message": "hi"}, 2)
    assert before <= sms.created <= datetime.now(UTC)
    assert (sms.tag, sms.message) == ("", "hi")
