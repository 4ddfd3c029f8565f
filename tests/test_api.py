"""The OVH client module: what each kind of OVH failure becomes, through the real client.

Every other module relies on this mapping (the flow's form errors, the coordinators'
reauth and back-off, the action's messages), so each branch is shown here once.
"""

import asyncio
import contextlib
from datetime import UTC, datetime
import json

from homeassistant.core import HomeAssistant
import ovh.client
import pytest

from custom_components.ovh_sms_virtual import api
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
    OvhSmsMalformedError,
    OvhSmsRateLimitError,
    OvhSmsServerError,
    OvhSmsServiceExpiredError,
    OvhSmsSignatureError,
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


async def test_an_expired_service_has_its_own_error(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    # Assumed body: no source shows OVH's 460 body beyond its status.
    ovh_sim.inject_fault("GET", "^/sms$", status=460, body={"message": "This service is expired"})
    with pytest.raises(OvhSmsServiceExpiredError) as err:
        await _client(hass).async_list_services()
    assert err.value.status == 460


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        # What the simulator answers (assumed): a code naming the credits.
        (403, {"errorCode": "NOT_ENOUGH_CREDITS", "message": "Forbidden"}, OvhSmsCreditsError),
        (402, {"message": "Payment required"}, OvhSmsCreditsError),
        # Only the text tells: the fallback.
        (403, {"message": "Not enough credits to send"}, OvhSmsCreditsError),
        (409, {"message": "No credit left"}, OvhSmsCreditsError),
        # A request OVH refuses for its parameters is not about credits, whatever the text.
        (400, {"message": "Invalid value for credits"}, OvhSmsBadRequestError),
    ],
    ids=["error code", "402", "text 403", "text 409", "400"],
)
async def test_not_enough_credits_is_read_from_the_code_first(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    status: int,
    body: dict[str, str],
    error: type[OvhSmsError],
) -> None:
    ovh_sim.inject_fault("POST", "/jobs$", status=status, body=body)
    job = SmsJob(message="Alarm", receivers=["+33611111111"])
    with pytest.raises(error) as err:
        await _client(hass).async_send(SERVICE, NUMBER, job)
    assert type(err.value) is error


@pytest.mark.parametrize(
    ("credits_left", "read"),
    [
        (12.5, 12.5),
        (7, 7.0),
        ("12.5", 12.5),
        ("12,5", 12.5),
        ([12.5], None),
        ({"value": 12.5}, None),
        (None, None),
        (True, None),
        ("lots", None),
        (float("nan"), None),
        (float("inf"), None),
        (2**1100, None),
    ],
    ids=[
        "float",
        "int",
        "text",
        "decimal comma",
        "list",
        "object",
        "null",
        "bool",
        "word",
        "NaN",
        "1e400",
        "huge int",
    ],
)
async def test_odd_credits_are_read_as_unknown(
    hass: HomeAssistant, ovh_sim: OvhSimulator, credits_left: object, read: float | None
) -> None:
    account = ovh_sim.account(SERVICE)
    ovh_sim.inject_fault(
        "GET", f"^/sms/{SERVICE}$", status=200, body={**account, "creditsLeft": credits_left}
    )
    data = await _client(hass).async_get_account(SERVICE)
    assert data.credits_left == read
    assert data.name == SERVICE


async def test_an_account_that_is_not_an_object_reads_as_empty(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    ovh_sim.inject_fault("GET", f"^/sms/{SERVICE}$", status=200, body=["sms", 12.5])
    data = await _client(hass).async_get_account(SERVICE)
    assert (data.name, data.credits_left, data.callback, data.status) == (SERVICE, None, None, "")


async def test_a_list_that_is_not_a_list_is_malformed(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    ovh_sim.inject_fault("GET", "/incoming$", status=200, body={"ids": [1]})
    with pytest.raises(OvhSmsMalformedError) as err:
        await _client(hass).async_list_incoming(SERVICE, NUMBER)
    assert update_error_translation(err.value)[0] == "server_error"


@pytest.mark.parametrize(
    "record",
    [None, [], 42, {"message": "hi"}, {"id": None}, {"id": 2}, {"id": "one"}, {"id": True}],
    ids=["null", "list", "number", "no id", "null id", "other id", "text id", "bool id"],
)
def test_a_record_of_another_or_no_message_is_malformed(record: object) -> None:
    with pytest.raises(OvhSmsMalformedError):
        IncomingSms.from_api(record, 1)


@pytest.mark.parametrize(
    "date",
    ["9999-12-31T23:30:00-05:00", "0001-01-01T00:10:00+01:00", "yesterday", 1796000000, None],
)
def test_an_unreadable_or_overflowing_date_is_dated_now(date: object) -> None:
    before = datetime.now(UTC)
    sms = IncomingSms.from_api({"id": "1", "creationDatetime": date, "message": 7}, 1)
    assert before <= sms.created <= datetime.now(UTC)
    assert (sms.id, sms.message, sms.sender) == (1, "7", "")
    assert sms.oddities == ("its creationDatetime is missing or unreadable, it is dated now",)


async def test_a_clock_jump_is_measured_again_and_the_read_retried(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    client = _client(hass)
    assert await client.async_list_services() == [SERVICE]
    ovh_sim.set_clock_offset(-3600)
    ovh_sim.clear_requests()

    assert await client.async_list_services() == [SERVICE]

    assert [(r.path, r.status) for r in ovh_sim.requests] == [
        ("/sms", 400),
        ("/auth/time", 200),
        ("/sms", 200),
    ]


async def test_a_job_refused_for_its_signature_is_not_posted_again(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    """Refused means not sent: the next job is signed with OVH's time measured again."""
    client = _client(hass)
    assert await client.async_list_services() == [SERVICE]
    ovh_sim.set_clock_offset(3600)
    job = SmsJob(message="Alarm", receivers=["+33611111111"])

    with pytest.raises(OvhSmsSignatureError):
        await client.async_send(SERVICE, NUMBER, job)
    report = await client.async_send(SERVICE, NUMBER, job)

    assert len(report.ids) == 1
    assert [r.status for r in ovh_sim.calls("POST", "/jobs$")] == [400, 200]


async def test_a_wrong_secret_is_a_signature_error_after_one_more_try(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    client = OvhSmsClient(
        hass,
        endpoint=SIM_REGION,
        application_key=APP_KEY,
        application_secret="not-the-secret",
        consumer_key=CONSUMER_KEY,
    )
    with pytest.raises(OvhSmsSignatureError):
        await client.async_list_services()
    assert [(r.path, r.status) for r in ovh_sim.requests] == [
        ("/auth/time", 200),
        ("/sms", 400),
        ("/auth/time", 200),
        ("/sms", 400),
    ]


async def test_a_dripping_answer_is_cut_at_the_deadline(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, socket_enabled: None
) -> None:
    """A server that drips its answer holds the client no longer than a call's deadline.

    The call in flight keeps its own ``ovh`` client (and requests session) in its thread:
    the next call gets a new one, so no session is ever used by two threads.
    """
    monkeypatch.setattr(api, "CALL_DEADLINE", 0.5)
    body = json.dumps([f"sms-{'x' * 60}"]).encode()
    connections: list[asyncio.StreamWriter] = []
    handlers: list[asyncio.Task[None]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        if task := asyncio.current_task():
            handlers.append(task)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await answer_each(reader, writer)

    async def answer_each(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while request := await reader.readuntil(b"\r\n\r\n"):
            path = request.split(b" ")[1]
            answer = b"1796000000" if path.endswith(b"/auth/time") else body
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            writer.write(b"Content-Length: %d\r\n\r\n" % len(answer))
            if len(connections) == 1 and answer is body:
                # The first connection's call drips: one byte every 50 ms, 4 s in all.
                for byte in answer:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(0.05)
            else:
                writer.write(answer)
                await writer.drain()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setitem(ovh.client.ENDPOINTS, "ovh-drip", f"http://127.0.0.1:{port}/1.0")
    client = _client(hass, endpoint="ovh-drip")
    try:
        started = asyncio.get_running_loop().time()
        first = hass.async_create_task(client.async_list_services())
        second = hass.async_create_task(client.async_list_services())
        with pytest.raises(OvhSmsTimeoutError) as err:
            await first
        assert await second == [f"sms-{'x' * 60}"]
        assert asyncio.get_running_loop().time() - started < 2
        assert update_error_translation(err.value) == ("timeout", {})
        assert len(connections) == 2
    finally:
        for handler in handlers:
            handler.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_names_that_are_not_a_list_are_malformed(
    hass: HomeAssistant, ovh_sim: OvhSimulator
) -> None:
    ovh_sim.inject_fault("GET", "^/sms$", status=200, body={"services": [SERVICE]})
    with pytest.raises(OvhSmsMalformedError):
        await _client(hass).async_list_services()
