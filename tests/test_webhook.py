"""The status-change callback webhook: what OVH's calls turn into, and the callback URL.

The handler is called over HTTP through Home Assistant's real webhook view, with the query
strings OVH sends. The cloudhook tests use ``mock_cloud`` (see ``conftest.py``).
"""

from functools import partial
import logging
from types import ModuleType
from typing import Any
from unittest.mock import patch
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir, restore_state
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.json import json_bytes
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ovh_sms_virtual.const import (
    CONF_CLOUDHOOK,
    CONF_CLOUDHOOK_URL,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_RECEIVED,
)
from custom_components.ovh_sms_virtual.coordinator import OvhSmsConfigEntry
from custom_components.ovh_sms_virtual.webhook import (
    async_create_callback_url,
    external_callback_url,
)
from ovh_simulator import OvhSimulator

from .conftest import (
    CLOUDHOOK_URL,
    NUMBER,
    SERVICE,
    SIGNAL_CLOUD_CONNECTION_STATE,
    WEBHOOK_ID,
    CloudConnectionState,
    CloudNotConnectedError,
)

type HttpClient = TestClient[web.Request, web.Application]

PATH = f"/api/webhook/{WEBHOOK_ID}"
ENTITY_ID = "event.home_delivery_status"
ISSUE_ID = "callback_url_unreachable_{}"
OVH_DATE = "2026-11-27 10:12:05"
# Every DLR id OVH documents, and two it does not.
DLR_STATUSES = [
    (0, "pending"),
    (1, "delivered"),
    (2, "failed"),
    (4, "pending"),
    (8, "pending"),
    (16, "failed"),
    (3, "unknown"),
    (32, "unknown"),
]


@pytest.fixture
def events(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    """Every ``ovh_sms_virtual_delivery_status`` event fired."""
    return async_capture_events(hass, EVENT_DELIVERY_STATUS)


@pytest.fixture
async def client(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> HttpClient:
    """An HTTP client to the running integration (no login, as OVH calls it)."""
    return await hass_client_no_auth()


def ovh_query(message_id: int, dlr_id: int, **extra: str) -> str:
    """The query string of OVH's status-change callback, as documented."""
    params = {
        "id": str(message_id),
        "ptt": "4",
        "date": OVH_DATE,
        "description": str(dlr_id),
        "descriptionDlr": "Success",
        **extra,
    }
    return urlencode(params)


def report(
    message_id: int,
    status: str,
    dlr: int | None,
    ptt: int | None = None,
    description: str | None = None,
    date: str | None = None,
) -> dict[str, Any]:
    """The data of the event a report about a message not sent by the entry fires.

    All of it but ``entry_id``; the receiver of a message the entry did not send is unknown.
    """
    return {
        "service_name": SERVICE,
        "number": NUMBER,
        "message_id": message_id,
        "receiver": None,
        "status": status,
        "dlr": dlr,
        "ptt": ptt,
        "description": description,
        "date": date,
    }


ACCEPTED_CALLS = [
    # What OVH documents: a GET, the DLR id in ``description``.
    *(
        pytest.param(
            "GET",
            ovh_query(123456789, dlr),
            {},
            report(123456789, status, dlr, 4, "Success", OVH_DATE),
            id=f"ovh-description-{dlr}",
        )
        for dlr, status in DLR_STATUSES
    ),
    # What RaspiSMS reads: ``dlr``, alone with the id.
    *(
        pytest.param(
            "GET", urlencode({"id": "42", "dlr": dlr}), {}, report(42, status, dlr), id=f"dlr-{dlr}"
        )
        for dlr, status in DLR_STATUSES
    ),
    pytest.param(
        "GET",
        ovh_query(42, 4, dlr="2"),
        {},
        report(42, "failed", 2, 4, "Success", OVH_DATE),
        id="dlr-wins-over-description",
    ),
    pytest.param(
        "GET",
        urlencode({"id": "42", "description": "", "ptt": "5"}),
        {},
        report(42, "unknown", None, 5),
        id="blank-description-is-unknown",
    ),
    pytest.param(
        "POST",
        "",
        {
            "data": {
                "id": "77",
                "ptt": "4",
                "date": OVH_DATE,
                "description": "1",
                "descriptionDlr": "Success",
                "tag": "ignored",
            }
        },
        report(77, "delivered", 1, 4, "Success", OVH_DATE),
        id="post-form-extra-ignored",
    ),
    pytest.param(
        "POST",
        "id=1&ptt=3",
        {"data": {"id": "2", "description": "2"}},
        report(2, "failed", 2, 3),
        id="post-body-wins-over-query",
    ),
    pytest.param(
        "POST",
        ovh_query(5, 8),
        {},
        report(5, "pending", 8, 4, "Success", OVH_DATE),
        id="post-query",
    ),
    pytest.param(
        "POST",
        "",
        {"json": {"id": 88, "dlr": "16", "descriptionDlr": "Error"}},
        report(88, "failed", 16, None, "Error"),
        id="post-json",
    ),
    # Whatever shape the other values take, a report with a numeric id is never lost.
    pytest.param(
        "GET",
        urlencode({"id": "42", "description": "Delivered", "ptt": "4", "date": "yesterday"}),
        {},
        report(42, "delivered", None, 4, "Delivered", "yesterday"),
        id="text-description-ptt-4-is-delivered",
    ),
    pytest.param(
        "GET",
        urlencode({"id": "42", "description": "Delivered"}),
        {},
        report(42, "unknown", None, None, "Delivered"),
        id="text-description-alone-is-unknown",
    ),
    pytest.param(
        "GET",
        urlencode({"id": "42", "description": "Failed", "descriptionDlr": "Error", "ptt": "5"}),
        {},
        report(42, "unknown", None, 5, "Error"),
        id="description-dlr-wins-over-text-description",
    ),
    pytest.param(
        "GET",
        urlencode({"id": "42", "dlr": "x", "description": "2", "ptt": "4"}),
        {},
        report(42, "failed", 2, 4),
        id="dlr-not-a-number-then-description",
    ),
    pytest.param(
        "GET",
        urlencode({"id": "42", "dlr": "1", "description": "Delivered"}),
        {},
        report(42, "delivered", 1, None, "Delivered"),
        id="dlr-with-text-description",
    ),
    pytest.param(
        "GET",
        urlencode({"id": " 42 ", "dlr": "-1", "ptt": "1e3", "description": "123456"}),
        {},
        report(42, "unknown", None, None, "123456"),
        id="codes-out-of-range-are-set-aside",
    ),
    pytest.param(
        "GET",
        urlencode({"id": str(2**63 - 1), "description": "1"}),
        {},
        report(2**63 - 1, "delivered", 1),
        id="largest-ovh-id",
    ),
    pytest.param(
        "POST",
        "",
        {"json": {"id": "9", "dlr": 1.5, "ptt": True, "description": [1], "date": None}},
        report(9, "unknown", None),
        id="json-values-of-other-types-set-aside",
    ),
    pytest.param(
        "POST",
        "",
        {"data": '{"id": 7, "dlr": 2}', "headers": {"Content-Type": "text/plain"}},
        report(7, "failed", 2),
        id="json-without-its-content-type",
    ),
]


# --------------------------------------------------------------------------- reports


@pytest.mark.parametrize(("method", "query", "kwargs", "expected"), ACCEPTED_CALLS)
async def test_report_fires_event_and_updates_entity(
    hass: HomeAssistant,
    client: HttpClient,
    events: list[Event[dict[str, Any]]],
    method: str,
    query: str,
    kwargs: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    """Each accepted call answers 200 and fires one event with the report; the entity follows.

    A POST may carry the parameters in a form or a JSON object (numbers as numbers or
    strings), in its body (which wins) or its query string.
    """
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    response = await client.request(method, f"{PATH}?{query}" if query else PATH, **kwargs)
    await hass.async_block_till_done()

    assert (response.status, await response.text()) == (200, "OK")
    assert [event.data for event in events] == [{"entry_id": entry.entry_id, **expected}]
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.attributes["event_type"] == expected["status"]
    attributes = ("message_id", "receiver", "dlr", "ptt", "description")
    assert {key: state.attributes[key] for key in attributes} == {
        key: expected[key] for key in attributes
    }


async def test_put_is_not_allowed(
    hass: HomeAssistant, client: HttpClient, events: list[Event[dict[str, Any]]]
) -> None:
    """Only GET and POST are registered."""
    response = await client.put(f"{PATH}?{ovh_query(1, 1)}")
    await hass.async_block_till_done()

    assert response.status == 405
    assert events == []


# -------------------------------------------------------------------------- malformed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"ptt": "4", "description": "1"}, (400, "missing id")),
        ({"id": "", "description": "1"}, (400, "missing id")),
        ({"id": "abc", "description": "1"}, (400, "invalid id")),
        ({"id": "-5", "description": "1"}, (400, "invalid id")),
        ({"id": "1.0", "description": "1"}, (400, "invalid id")),
        ({"id": "\uff11", "description": "1"}, (400, "invalid id")),
        ({"id": "99999999999999999999", "description": "1"}, (400, "invalid id")),
        ({"id": str(2**63), "description": "1"}, (400, "invalid id")),
        ({"id": "0" * 30 + "1" * 20, "description": "1"}, (400, "invalid id")),
        ({"id": "1", "date": "d" * 65}, (400, "value too long")),
        ({"id": "1", "descriptionDlr": "x" * 256}, (400, "value too long")),
        ({"id": "1", "description": "x" * 256}, (400, "value too long")),
        ({"id": "1", "padding": "x" * 5000}, (414, "query too long")),
        ({"id": "1"} | {f"p{i}": "1" for i in range(40)}, (400, "too many parameters")),
    ],
)
async def test_malformed_get_is_refused(
    hass: HomeAssistant,
    client: HttpClient,
    events: list[Event[dict[str, Any]]],
    query: dict[str, str],
    expected: tuple[int, str],
) -> None:
    """No whole-number id within OVH's range, oversized values: 4xx, nothing fired."""
    before = hass.states.get(ENTITY_ID)

    response = await client.get(f"{PATH}?{urlencode(query)}")
    await hass.async_block_till_done()

    assert (response.status, await response.text()) == expected
    assert events == []
    assert hass.states.get(ENTITY_ID) == before


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"data": b"id=1&" + b"x" * 5000}, (413, "body too large")),
        (
            {"data": b"\xff\xfe", "headers": {"Content-Type": "text/plain"}},
            (400, "body is not UTF-8"),
        ),
        (
            {"data": "{oops", "headers": {"Content-Type": "application/json"}},
            (400, "body is not JSON"),
        ),
        ({"json": [1, 2]}, (400, "body is not a JSON object")),
        ({"json": {"id": True}}, (400, "missing id")),
        ({"json": {"id": 1.0}}, (400, "missing id")),
        ({"json": {"id": 99999999999999999999}}, (400, "missing id")),
        ({"json": {"id": 2**63}}, (400, "invalid id")),
        ({"json": {"id": 1} | {f"p{i}": 1 for i in range(40)}}, (400, "too many parameters")),
        ({"data": "[" * 2000 + "]" * 2000}, (400, "body is not JSON")),
        ({"data": "&".join(f"p{i}=1" for i in range(40))}, (400, "too many parameters")),
        (
            {
                "data": '--b\r\nContent-Disposition: form-data; name="id"\r\n\r\n1\r\n--b--\r\n',
                "headers": {"Content-Type": "multipart/form-data; boundary=b"},
            },
            (415, "unsupported body"),
        ),
        ({"data": {"ptt": "4"}}, (400, "missing id")),
        ({"data": {"id": "1\n2"}}, (400, "invalid id")),
    ],
)
async def test_malformed_post_is_refused(
    hass: HomeAssistant,
    client: HttpClient,
    events: list[Event[dict[str, Any]]],
    kwargs: dict[str, Any],
    expected: tuple[int, str],
) -> None:
    """Bodies that are too large, not text, not a form or JSON object: 4xx, nothing fired."""
    before = hass.states.get(ENTITY_ID)

    response = await client.post(PATH, **kwargs)
    await hass.async_block_till_done()

    assert (response.status, await response.text()) == expected
    assert events == []
    assert hass.states.get(ENTITY_ID) == before


def assert_serialisable(hass: HomeAssistant) -> None:
    """The entity's state goes over the websocket and into the restore-state store.

    Both serialise with orjson, which refuses (among others) integers beyond 64 bits.
    """
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    json_bytes(state)
    json_bytes(state.as_compressed_state)
    for stored in restore_state.async_get(hass).async_get_stored_states():
        json_bytes(stored.as_dict())


async def test_id_beyond_64_bits_is_refused(
    hass: HomeAssistant, client: HttpClient, events: list[Event[dict[str, Any]]]
) -> None:
    """``id=99999999999999999999`` is refused: no integer OVH cannot send reaches the state.

    Accepted before, it left the entity with a state neither the websocket nor the
    restore-state save could write, until a restart.
    """
    response = await client.get(f"{PATH}?{ovh_query(99999999999999999999, 1)}")
    await hass.async_block_till_done()

    assert (response.status, await response.text()) == (400, "invalid id")
    assert events == []
    assert_serialisable(hass)

    response = await client.get(f"{PATH}?{ovh_query(2**63 - 1, 1)}")
    await hass.async_block_till_done()

    assert response.status == 200
    assert [event.data["message_id"] for event in events] == [2**63 - 1]
    json_bytes(events[0].data)
    assert_serialisable(hass)


async def test_pushed_sms_is_not_a_delivery_report(
    hass: HomeAssistant, client: HttpClient, events: list[Event[dict[str, Any]]]
) -> None:
    """OVH's push of a received SMS (same URL) gets a 200 and fires no delivery status."""
    push = {
        "id": "57957204",
        "senderid": "+33611111111",
        "message": "Hello",
        "keyword": "",
        "shortcode": NUMBER,
        "tag": "",
    }
    for call in (push, push | {"senderid": "", "sender": "+33611111111"}):
        response = await client.post(PATH, data=call)
        assert (response.status, await response.text()) == (200, "OK")
    response = await client.post(PATH, data=push | {"id": ""})
    assert (response.status, await response.text()) == (400, "missing id")
    # The pushes are checked with OVH in the background (it holds no such SMS).
    await hass.async_block_till_done(wait_background_tasks=True)

    assert events == []
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.attributes["event_type"] is None


async def test_simulated_push_reaches_the_webhook(
    hass: HomeAssistant,
    client: HttpClient,
    ovh_sim: OvhSimulator,
    events: list[Event[dict[str, Any]]],
) -> None:
    """The simulator pushes a received SMS like OVH: the webhook answers 200, no report.

    The SMS is read back from OVH and fired as received (then deleted there).
    """
    received = async_capture_events(hass, EVENT_RECEIVED)
    ovh_sim.set_push_url(SERVICE, str(client.make_url(f"{PATH}?source=push")))

    sms_id = ovh_sim.add_incoming(SERVICE, NUMBER, "+33611111111", "Hello there")
    result = await ovh_sim.async_wait_push(sms_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert (result.status, result.error) == (200, None)
    assert result.form["id"] == str(sms_id)
    assert events == []
    assert [event.data["message_id"] for event in received] == [sms_id]
    assert ovh_sim.incoming(SERVICE, NUMBER) == []


async def test_caller_chosen_names_and_values_are_never_echoed(
    hass: HomeAssistant, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Refusals answer and log a fixed reason, whatever names and values the call holds."""
    caplog.set_level(logging.DEBUG)
    marker = "Xq7marker"
    calls: list[dict[str, Any]] = [
        {"json": {f"{marker}key": [1], "id": f"{marker}id"}},
        {"json": {"id": 1, "descriptionDlr": marker * 40}},
        {"data": {f"{marker}name": "1", "id": f"1{marker}"}},
        {"data": {"id": "1", "date": marker * 10}},
        {"json": {f"{marker}{i}": i for i in range(40)}},
        {"data": f"{marker}=" + "x" * 5000},
        {"data": f'{{"{marker}": ', "headers": {"Content-Type": "application/json"}},
    ]
    answers = []
    for kwargs in calls:
        response = await client.post(f"{PATH}?{marker}q={marker}v", **kwargs)
        answers.append((response.status, await response.text()))
    await hass.async_block_till_done()

    assert answers == [
        (400, "invalid id"),
        (400, "value too long"),
        (400, "invalid id"),
        (400, "value too long"),
        (400, "too many parameters"),
        (413, "body too large"),
        (400, "body is not JSON"),
    ]
    # Every logger but aiohttp's access log, which Home Assistant keeps at WARNING.
    logged = "\n".join(
        f"{record.getMessage()}\n{record.exc_text or ''}"
        for record in caplog.records
        if record.name != "aiohttp.access"
    )
    assert marker not in logged
    assert "Rejected a delivery report: invalid id" in logged


def _our_log(caplog: pytest.LogCaptureFixture) -> str:
    """What this integration logged (Home Assistant's own debug lines name the webhook)."""
    return "\n".join(
        f"{record.getMessage()}\n{record.exc_text or ''}"
        for record in caplog.records
        if record.name.startswith("custom_components.ovh_sms_virtual")
    )


async def test_unexpected_error_is_contained(
    hass: HomeAssistant,
    client: HttpClient,
    init_integration: MockConfigEntry,
    events: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug in the handler answers 500 and logs without the webhook id."""
    with patch.object(
        init_integration.runtime_data.store, "receiver_for", side_effect=RuntimeError("boom")
    ):
        response = await client.get(f"{PATH}?{ovh_query(1, 1)}")

    assert response.status == 500
    assert events == []
    ours = _our_log(caplog)
    assert "Unexpected error while handling a delivery report" in ours
    assert WEBHOOK_ID not in ours


async def test_nothing_secret_is_logged(
    hass: HomeAssistant, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Accepted and refused calls log neither the webhook id nor the URL."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ovh_sms_virtual")

    await client.get(f"{PATH}?{ovh_query(1, 1)}")
    await client.get(f"{PATH}?id=abc")
    await hass.async_block_till_done()

    ours = _our_log(caplog)
    assert "Delivery report for message 1: delivered" in ours
    assert "Rejected a delivery report: invalid id" in ours
    assert WEBHOOK_ID not in ours


# ------------------------------------------------------------------------ correlation


async def send_sms(hass: HomeAssistant, recipient: str) -> int:
    """Send an SMS to one recipient with the action; OVH's id for it."""
    result = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": [recipient], "message": "Door open"},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    message_ids: list[int] = result["message_ids"]  # type: ignore[assignment]
    (message_id,) = message_ids
    return message_id


async def test_receiver_of_a_message_sent_by_this_entry(
    hass: HomeAssistant,
    client: HttpClient,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    events: list[Event[dict[str, Any]]],
) -> None:
    """A report about a message sent with ``send_sms`` names its receiver."""
    message_id = await send_sms(hass, "06 22 22 22 22")

    await client.get(f"{PATH}?{ovh_query(message_id, 1)}")
    await client.get(f"{PATH}?{ovh_query(message_id + 1000, 1)}")
    await hass.async_block_till_done()

    entry_id = {"entry_id": init_integration.entry_id}
    assert [event.data for event in events] == [
        entry_id
        | report(message_id, "delivered", 1, 4, "Success", OVH_DATE)
        | {"receiver": "+33622222222"},
        entry_id | report(message_id + 1000, "delivered", 1, 4, "Success", OVH_DATE),
    ]


async def test_end_to_end_with_the_simulator(
    hass: HomeAssistant,
    client: HttpClient,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    events: list[Event[dict[str, Any]]],
) -> None:
    """Send through OVH, then OVH calls the account's callBack: pending, then delivered."""
    callback_url = str(client.make_url(PATH))
    await init_integration.runtime_data.client.async_set_callback(SERVICE, callback_url)
    (put,) = ovh_sim.calls("PUT", rf"^/sms/{SERVICE}$")
    assert put.body == {"callBack": callback_url}
    message_id = await send_sms(hass, "+33633333333")

    # Real HTTP GETs from another thread, so that the event loop keeps serving meanwhile.
    for dlr, ptt, text in ((8, 3, "Buffered"), (1, 4, "Success")):
        status = await hass.async_add_executor_job(
            partial(
                ovh_sim.send_status_callback,
                message_id,
                dlr=dlr,
                ptt=ptt,
                description_dlr=text,
                date=OVH_DATE,
            )
        )
        assert status == 200
    await hass.async_block_till_done()

    expected = {
        "entry_id": init_integration.entry_id,
        "service_name": SERVICE,
        "number": NUMBER,
        "message_id": message_id,
        "receiver": "+33633333333",
        "date": OVH_DATE,
    }
    assert [event.data for event in events] == [
        expected | {"status": "pending", "dlr": 8, "ptt": 3, "description": "Buffered"},
        expected | {"status": "delivered", "dlr": 1, "ptt": 4, "description": "Success"},
    ]
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.attributes["event_type"] == "delivered"
    assert state.attributes["receiver"] == "+33633333333"
    assert state.attributes["message_id"] == message_id


# ------------------------------------------------------------------------------ unload


async def test_unload_unregisters_the_webhook(
    hass: HomeAssistant,
    client: HttpClient,
    init_integration: MockConfigEntry,
    events: list[Event[dict[str, Any]]],
) -> None:
    """After unload, a call gets Home Assistant's blind 200 and fires nothing."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED

    response = await client.get(f"{PATH}?{ovh_query(1, 1)}")
    await hass.async_block_till_done()

    assert response.status == 200
    assert events == []

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    response = await client.get(f"{PATH}?{ovh_query(1, 1)}")
    await hass.async_block_till_done()
    assert len(events) == 1


# ------------------------------------------------------------------- the callback URL


def _callback_url(entry: OvhSmsConfigEntry) -> str | None:
    """The callback URL the entry uses now.

    Read through a function: a reload or a cloud event changes it, and mypy would otherwise
    keep the type an earlier ``assert ... is None`` narrowed the attribute to.
    """
    return entry.runtime_data.callback_url


async def test_callback_url_is_the_external_url(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """With an external URL on the internet, that is the callback URL and no issue shows."""
    await hass.config.async_update(external_url="https://example.duckdns.org")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _callback_url(mock_config_entry) == f"https://example.duckdns.org{PATH}"
    assert (
        issue_registry.async_get_issue(DOMAIN, ISSUE_ID.format(mock_config_entry.entry_id)) is None
    )
    assert CONF_CLOUDHOOK_URL not in mock_config_entry.data


@pytest.mark.parametrize(
    "external_url",
    [
        None,
        "http://192.168.1.10:8123",
        "http://10.0.0.2:8123",
        "http://127.0.0.1:8123",
        "http://homeassistant.local:8123",
        "http://homeassistant:8123",
        "https://ha.home.arpa",
    ],
)
async def test_no_reachable_url_raises_a_repair_issue(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    external_url: str | None,
) -> None:
    """No URL the internet can reach: no URL is offered, and a repair issue says why."""
    if external_url:
        await hass.config.async_update(external_url=external_url)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert _callback_url(mock_config_entry) is None
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE_ID.format(mock_config_entry.entry_id))
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert issue.translation_key == "callback_url_unreachable"
    assert issue.translation_placeholders == {"name": "Home"}


async def test_repair_issue_clears_when_an_external_url_is_set(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Setting a public external URL clears the issue at once, and a reload keeps it clear."""
    issue_id = ISSUE_ID.format(init_integration.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await hass.config.async_update(external_url="http://192.168.1.10:8123")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await hass.config.async_update(external_url="https://example.duckdns.org")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert _callback_url(init_integration) == f"https://example.duckdns.org{PATH}"

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    await hass.config.async_update(external_url="http://192.168.1.10:8123")
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert _callback_url(init_integration) is None


async def test_removal_deletes_the_repair_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Removing the entry takes its issue with it."""
    issue_id = ISSUE_ID.format(init_integration.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()

    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_create_callback_url_without_cloud(hass: HomeAssistant) -> None:
    """The flow's helper: the external URL, nothing to store; ``None`` when unreachable."""
    assert await async_create_callback_url(hass, WEBHOOK_ID) == (None, {})
    await hass.config.async_update(external_url="https://example.duckdns.org:8443")
    assert await async_create_callback_url(hass, WEBHOOK_ID) == (
        f"https://example.duckdns.org:8443{PATH}",
        {},
    )
    assert (
        external_callback_url(hass, "other") == "https://example.duckdns.org:8443/api/webhook/other"
    )


# -------------------------------------------------------------------------- cloudhooks


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_cloudhook_created_once_and_reused(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    mock_cloud: ModuleType,
    issue_registry: ir.IssueRegistry,
) -> None:
    """With Home Assistant Cloud the URL is a cloudhook, stored in the entry and reused."""
    await _setup(hass, mock_config_entry)

    mock_cloud.async_get_or_create_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)
    assert mock_config_entry.data[CONF_CLOUDHOOK] is True
    assert mock_config_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK_URL
    assert _callback_url(mock_config_entry) == CLOUDHOOK_URL
    assert (
        issue_registry.async_get_issue(DOMAIN, ISSUE_ID.format(mock_config_entry.entry_id)) is None
    )

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    mock_cloud.async_get_or_create_cloudhook.assert_awaited_once()
    assert _callback_url(mock_config_entry) == CLOUDHOOK_URL
    mock_cloud.async_delete_cloudhook.assert_not_awaited()


async def test_lapsed_subscription_is_not_a_reachable_url(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    mock_cloud: ModuleType,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A stored cloudhook without an active subscription relays nothing: say so."""
    await _setup(hass, mock_config_entry)
    issue_id = ISSUE_ID.format(mock_config_entry.entry_id)
    mock_cloud.async_active_subscription.return_value = False

    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _callback_url(mock_config_entry) is None
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    # Kept, so that the hook is reused when the subscription comes back, or deleted with
    # the entry.
    assert mock_config_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK_URL

    mock_cloud.async_active_subscription.return_value = True
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _callback_url(mock_config_entry) == CLOUDHOOK_URL
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    mock_cloud.async_get_or_create_cloudhook.assert_awaited_once()


async def test_cloudhook_deleted_with_the_entry(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    mock_cloud: ModuleType,
) -> None:
    """Removing the entry deletes the cloudhook it stored."""
    await _setup(hass, mock_config_entry)

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    mock_cloud.async_delete_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)


async def test_cloudhook_already_gone_on_removal(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    mock_cloud: ModuleType,
) -> None:
    """A cloudhook deleted elsewhere, or a logged-out cloud, does not break the removal."""
    await _setup(hass, mock_config_entry)
    mock_cloud.async_delete_cloudhook.side_effect = ValueError("Hook is not enabled")

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    mock_cloud.async_delete_cloudhook.assert_awaited_once()
    assert hass.config_entries.async_get_entry(mock_config_entry.entry_id) is None


async def test_no_cloudhook_deleted_when_none_was_stored(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    mock_cloud: ModuleType,
) -> None:
    """Without a subscription the external URL is used, and removal deletes no cloudhook."""
    mock_cloud.async_active_subscription.return_value = False
    await hass.config.async_update(external_url="https://example.duckdns.org")
    await _setup(hass, mock_config_entry)

    assert _callback_url(mock_config_entry) == f"https://example.duckdns.org{PATH}"
    mock_cloud.async_get_or_create_cloudhook.assert_not_awaited()
    assert CONF_CLOUDHOOK_URL not in mock_config_entry.data

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    mock_cloud.async_delete_cloudhook.assert_not_awaited()


async def test_cloudhook_created_when_the_cloud_connects(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    mock_cloud: ModuleType,
    issue_registry: ir.IssueRegistry,
) -> None:
    """At start-up the cloud may not be connected yet: the hook comes once it connects."""
    mock_cloud.async_get_or_create_cloudhook.side_effect = CloudNotConnectedError
    await _setup(hass, mock_config_entry)
    issue_id = ISSUE_ID.format(mock_config_entry.entry_id)

    assert _callback_url(mock_config_entry) is None
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    async_dispatcher_send(
        hass, SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState.CLOUD_DISCONNECTED
    )
    await hass.async_block_till_done()
    assert mock_cloud.async_get_or_create_cloudhook.await_count == 1

    mock_cloud.async_get_or_create_cloudhook.side_effect = None
    async_dispatcher_send(hass, SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState.CLOUD_CONNECTED)
    await hass.async_block_till_done()

    assert _callback_url(mock_config_entry) == CLOUDHOOK_URL
    assert mock_config_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK_URL
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_create_callback_url_with_cloud(hass: HomeAssistant, mock_cloud: ModuleType) -> None:
    """The flow's helper returns the cloudhook and what to store about it."""
    assert await async_create_callback_url(hass, WEBHOOK_ID) == (
        CLOUDHOOK_URL,
        {CONF_CLOUDHOOK: True, CONF_CLOUDHOOK_URL: CLOUDHOOK_URL},
    )
