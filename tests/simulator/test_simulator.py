"""The OVH API simulator, driven by the real ``ovh`` client over HTTP.

Independent of Home Assistant: runs with plain pytest (``--noconftest``) as well as
under the repository's conftest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
import http.server
import json
import re
import subprocess
import sys
import threading
from typing import Any, override
import urllib.parse
import urllib.request

from aiohttp import web
import ovh
import ovh.client
import ovh.exceptions
import pytest

from ovh_simulator import (
    DEMO_APPLICATION_KEY as APP_KEY,
    DEMO_CONSUMER_KEY as CONSUMER_KEY,
    DEMO_NUMBER as NUMBER,
    DEMO_SERVICE as SERVICE,
    OvhSimulator,
    count_segments,
)
from ovh_simulator.__main__ import main as cli_main

from .support import (
    REGION,
    VN,
    ThreadedClient,
    http_get_json,
    make_client,
    new_ovh_client,
    off_main_thread,
)

# Under Home Assistant's pytest plugin sockets are blocked unless enabled.
pytestmark = pytest.mark.usefixtures("socket_enabled")


class _Receiver(http.server.BaseHTTPRequestHandler):
    """Records the query of each GET."""

    queries: list[dict[str, list[str]]]

    def do_GET(self) -> None:
        self.queries.append(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
        self.send_response(200)
        self.end_headers()

    @override
    def log_message(self, format: str, *args: Any) -> None:
        """Silence."""


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    """A local HTTP receiver for status callbacks: (URL, received queries)."""
    queries: list[dict[str, list[str]]] = []
    handler = type("Handler", (_Receiver,), {"queries": queries})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/callback?token=s3cret", queries
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# ------------------------------------------------------------------ basics


def test_auth_time_and_clock(sim: OvhSimulator, client: ThreadedClient) -> None:
    now = int(datetime.now(UTC).timestamp())
    assert abs(client.get("/auth/time", _need_auth=False) - now) <= 2
    sim.set_clock_offset(3600)
    assert abs(client.get("/auth/time", _need_auth=False) - now - 3600) <= 2


def test_clock_skew_is_an_invalid_signature(sim: OvhSimulator, client: ThreadedClient) -> None:
    assert client.get("/sms") == [SERVICE]  # the client learns the time delta once
    sim.set_clock_offset(301)
    with pytest.raises(ovh.exceptions.BadParametersError) as err:
        client.get("/sms")
    assert err.value.response.json()["errorCode"] == "INVALID_SIGNATURE"


def test_account(client: ThreadedClient) -> None:
    assert client.get("/sms") == [SERVICE]
    account = client.get(f"/sms/{SERVICE}")
    assert account["name"] == SERVICE
    assert account["creditsLeft"] == 100.0
    assert account["status"] == "enable"
    assert account["callBack"] is None
    assert account["smsResponse"]["responseType"] == "none"
    assert client.get(f"/sms/{SERVICE}/virtualNumbers") == [NUMBER]
    assert client.get(VN) == {"countryCode": "fr", "number": NUMBER}


def test_put_account(sim: OvhSimulator, client: ThreadedClient) -> None:
    assert client.put(f"/sms/{SERVICE}", callBack="https://example.org/cb?x=1") is None
    assert client.get(f"/sms/{SERVICE}")["callBack"] == "https://example.org/cb?x=1"
    client.put(f"/sms/{SERVICE}", smsResponse={"responseType": "cgi", "cgiUrl": "https://a/b"})
    sms_response = sim.account(SERVICE)["smsResponse"]
    assert sms_response["cgiUrl"] == "https://a/b"
    assert sms_response["trackingOptions"] == []  # merged, not replaced
    for field, value in (("creditsLeft", 5000.0), ("name", "x"), ("nope", 1), ("callBack", 3)):
        with pytest.raises(ovh.exceptions.BadParametersError, match=field):
            client.put(f"/sms/{SERVICE}", **{field: value})
    assert sim.get_credits(SERVICE) == 100.0


# -------------------------------------------------------------------- jobs


def test_job_debits_credits(sim: OvhSimulator, client: ThreadedClient) -> None:
    message = "x" * 161  # two GSM-7 segments
    report = client.post(
        f"{VN}/jobs",
        message=message,
        receivers=["+33611111111", "0611111111", "+33622222222"],
        tag="t1",
    )
    assert report["validReceivers"] == ["+33611111111", "+33622222222"]
    assert report["invalidReceivers"] == ["0611111111"]
    assert report["totalCreditsRemoved"] == 4.0
    assert report["tag"] == "t1"
    ids = report["ids"]
    assert len(ids) == 2
    assert ids[1] == ids[0] + 1
    assert client.get(f"/sms/{SERVICE}")["creditsLeft"] == 96.0
    assert client.get(f"{VN}/outgoing") == ids
    out = client.get(f"{VN}/outgoing/{ids[0]}")
    assert out["receiver"] == "+33611111111"
    assert out["sender"] == "+33612345678"
    assert out["numberOfSms"] == 2
    assert out["credits"] == 2.0
    assert out["tag"] == "t1"
    assert out["deliveryReceipt"] == 0
    assert out["deliveredAt"] is None
    # Ids keep increasing across jobs.
    again = client.post(f"{VN}/jobs", message="€uro", receivers=["+33611111111"])
    assert again["ids"] == [ids[1] + 1]
    assert again["tag"] == ""
    assert sim.get_credits(SERVICE) == 95.0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "hi", "receivers": ["+33611111111"], "sender": "X"}, "sender"),
        ({"message": "hi", "receivers": ["+33611111111"], "noStopClause": True}, "noStopClause"),
        ({"receivers": ["+33611111111"]}, "message"),
        ({"message": "hi", "receivers": "+33611111111"}, "receivers"),
        ({"message": "hi", "receivers": ["+33611111111"], "priority": "urgent"}, "priority"),
        ({"message": "hi", "receivers": ["+33611111111"], "tag": "x" * 21}, "tag"),
        ({"message": "hi", "receivers": ["+33611111111"], "validityPeriod": "2"}, "validityPeriod"),
        # At most 6 SMS: 918 GSM-7 characters, 402 in UCS-2.
        ({"message": "a" * 919, "receivers": ["+33611111111"]}, "message"),
        ({"message": "ê" * 403, "receivers": ["+33611111111"]}, "message"),
    ],
)
def test_job_bad_body(
    sim: OvhSimulator, client: ThreadedClient, body: dict[str, Any], field: str
) -> None:
    with pytest.raises(ovh.exceptions.BadParametersError, match=field) as err:
        client.post(f"{VN}/jobs", **body)
    assert err.value.response.json()["class"] == "Client::BadRequest"
    assert err.value.query_id
    assert sim.outgoing() == []


def test_job_sends_to_french_numbers_only(sim: OvhSimulator, client: ThreadedClient) -> None:
    receivers = ["+32470123456", "+33611111111", "+16502530000", "+3361111111", "0033622222222"]
    report = client.post(f"{VN}/jobs", message="hi", receivers=receivers)
    assert report["validReceivers"] == ["+33611111111"]
    assert report["invalidReceivers"] == [
        "+32470123456",
        "+16502530000",
        "+3361111111",
        "0033622222222",
    ]
    assert report["totalCreditsRemoved"] == 1.0
    assert [sms["receiver"] for sms in sim.outgoing()] == ["+33611111111"]
    assert report["ids"] == [sms["id"] for sms in sim.outgoing()]


def test_longest_jobs(sim: OvhSimulator, client: ThreadedClient) -> None:
    for message in ("a" * 918, "ê" * 402, "😀" * 198):
        report = client.post(f"{VN}/jobs", message=message, receivers=["+33611111111"])
        assert report["totalCreditsRemoved"] == 6.0
    assert [sms["numberOfSms"] for sms in sim.outgoing()] == [6, 6, 6]


def test_job_all_optional_fields(client: ThreadedClient) -> None:
    report = client.post(
        f"{VN}/jobs",
        message="hi",
        receivers=["+33611111111"],
        charset="UTF-8",
        coding="7bit",
        priority="high",
        validityPeriod=2880,
        differedPeriod=0,
        tag="x" * 20,
        **{"class": "phoneDisplay"},
    )
    assert report["totalCreditsRemoved"] == 1.0


def test_not_enough_credits(sim: OvhSimulator, client: ThreadedClient) -> None:
    sim.set_credits(SERVICE, 1.5)
    with pytest.raises(ovh.exceptions.APIError) as err:
        client.post(f"{VN}/jobs", message="hi", receivers=["+33611111111", "+33622222222"])
    assert type(err.value) is ovh.exceptions.APIError
    assert "Not enough credits" in str(err.value)
    assert err.value.response.status_code == 403
    assert sim.get_credits(SERVICE) == 1.5
    assert sim.outgoing() == []


@pytest.mark.parametrize(
    ("message", "encoding", "segments"),
    [
        ("", "gsm7", 1),
        ("a" * 160, "gsm7", 1),
        ("a" * 161, "gsm7", 2),
        ("a" * 306, "gsm7", 2),
        ("a" * 307, "gsm7", 3),
        ("€" * 80, "gsm7", 1),
        ("€" * 81, "gsm7", 2),
        ("a" * 152 + "€" + "a" * 152, "gsm7", 3),  # an escape pair is never split
        ("é" * 160, "gsm7", 1),
        ("ç" * 70, "ucs2", 1),
        ("ç" * 71, "ucs2", 2),
        ("😀" * 35, "ucs2", 1),
        ("😀" * 36, "ucs2", 2),
        ("a" * 134 + "😀", "ucs2", 3),  # 67 + 67, the surrogate pair starts part 3
    ],
)
def test_count_segments(message: str, encoding: str, segments: int) -> None:
    result = count_segments(message)
    assert (result.encoding, result.segments) == (encoding, segments)


# --------------------------------------------------------- authentication


def test_wrong_secret(sim: OvhSimulator) -> None:
    with pytest.raises(ovh.exceptions.BadParametersError, match="Invalid signature") as err:
        make_client(application_secret="wrong").get("/sms")
    assert err.value.response.json() == {
        "errorCode": "INVALID_SIGNATURE",
        "httpCode": "400 Bad Request",
        "message": "Invalid signature",
    }


def test_unknown_keys(sim: OvhSimulator) -> None:
    with pytest.raises(ovh.exceptions.InvalidKey, match="application key is invalid"):
        make_client(application_key="nope").get("/sms")
    with pytest.raises(ovh.exceptions.NotCredential, match="does not exist"):
        make_client(consumer_key="nope").get("/sms")


@pytest.mark.parametrize("state", ["pendingValidation", "expired", "refused"])
def test_invalid_credential_states(sim: OvhSimulator, state: str) -> None:
    sim.add_consumer_key("ck-2", APP_KEY, state=state)
    with pytest.raises(ovh.exceptions.InvalidCredential, match="credential is not valid"):
        make_client(consumer_key="ck-2").get("/sms")


def test_revoked_and_expired(sim: OvhSimulator, client: ThreadedClient) -> None:
    assert client.get("/sms") == [SERVICE]
    sim.revoke_consumer_key(CONSUMER_KEY)
    with pytest.raises(ovh.exceptions.InvalidCredential):
        client.get("/sms")
    sim.add_consumer_key("ck-exp", APP_KEY, expiration=sim.now() + 60)
    later = make_client(consumer_key="ck-exp")
    assert later.get("/sms") == [SERVICE]
    sim.set_clock_offset(120)
    later.raw._time_delta = None  # resync, or the 300 s skew check fires first
    with pytest.raises(ovh.exceptions.InvalidCredential):
        later.get("/sms")


def test_access_rules(sim: OvhSimulator) -> None:
    sim.add_consumer_key("ck-ro", APP_KEY, [("GET", "/sms/*")])
    client = make_client(consumer_key="ck-ro")
    assert client.get(f"/sms/{SERVICE}")["name"] == SERVICE
    assert client.get(f"{VN}/incoming") == []
    with pytest.raises(ovh.exceptions.NotGrantedCall, match="not been granted"):
        client.get("/sms")  # /sms/* does not cover /sms
    with pytest.raises(ovh.exceptions.NotGrantedCall):
        client.post(f"{VN}/jobs", message="hi", receivers=["+33611111111"])
    sim.add_consumer_key("ck-one", APP_KEY, [("POST", f"/sms/{SERVICE}/*/jobs")])
    assert make_client(consumer_key="ck-one").post(
        f"{VN}/jobs", message="hi", receivers=["+33611111111"]
    )["ids"]


def test_consumer_key_flow(sim: OvhSimulator) -> None:
    client = make_client(consumer_key="")
    request = client.raw.new_consumer_key_request()
    request.add_recursive_rules(ovh.API_READ_WRITE, "/sms")
    answer = off_main_thread(request.request)
    assert answer["state"] == "pendingValidation"
    client.raw._consumer_key = answer["consumerKey"]
    with pytest.raises(ovh.exceptions.InvalidCredential):
        client.get("/sms")
    assert http_get_json(answer["validationUrl"])["state"] == "validated"
    assert client.get("/sms") == [SERVICE]
    credential = client.get("/auth/currentCredential")
    assert credential["status"] == "validated"
    assert {"method": "DELETE", "path": "/sms/*"} in credential["rules"]


# ---------------------------------------------------------------- 404s


def test_not_found(sim: OvhSimulator, client: ThreadedClient) -> None:
    for path in (
        "/sms/sms-zz99999-1",
        f"/sms/{SERVICE}/virtualNumbers/+33612345678",
        f"/sms/{SERVICE}/virtualNumbers/0612345678",
        f"{VN}/incoming/1",
        f"{VN}/outgoing/1",
        "/sms/x/y/z",
    ):
        with pytest.raises(ovh.exceptions.ResourceNotFoundError):
            client.get(path)
    with pytest.raises(ovh.exceptions.ResourceNotFoundError) as err:
        client.get("/sms/sms-zz99999-1")
    assert err.value.response.json() == {
        "class": "Client::NotFound",
        "message": "The requested object (serviceName = sms-zz99999-1) does not exist",
    }


# --------------------------------------------------------------- incoming


def test_incoming_filters_and_delete(sim: OvhSimulator, client: ThreadedClient) -> None:
    winter = datetime(2026, 11, 27, 9, 12, 5, tzinfo=UTC)
    first = sim.add_incoming(SERVICE, NUMBER, "+33611111111", "one", created=winter)
    second = sim.add_incoming(
        SERVICE, NUMBER, "+33622222222", "two", tag="tg", created=winter.timestamp() + 60
    )
    summer = sim.add_incoming(
        SERVICE, NUMBER, "+33611111111", "été 😀", created=datetime(2026, 7, 1, 8, tzinfo=UTC)
    )
    assert client.get(f"{VN}/incoming") == [first, second, summer]
    assert client.get(f"{VN}/incoming/{first}") == {
        "id": first,
        "creationDatetime": "2026-11-27T10:12:05+01:00",
        "credits": 0.0,
        "message": "one",
        "sender": "+33611111111",
        "tag": "",
    }
    assert client.get(f"{VN}/incoming/{summer}")["creationDatetime"] == (
        "2026-07-01T10:00:00+02:00"
    )
    assert client.get(f"{VN}/incoming/{summer}")["message"] == "été 😀"

    def ids(**query: str) -> list[int]:
        result: list[int] = client.get(f"{VN}/incoming", **query)
        return result

    # from is inclusive (>=), to is inclusive (<=); any offset is accepted.
    assert ids(**{"creationDatetime.from": "2026-11-27T10:12:05+01:00"}) == [first, second]
    assert ids(**{"creationDatetime.from": "2026-11-27T09:12:06Z"}) == [second]
    assert ids(**{"creationDatetime.to": "2026-11-27T10:12:05+01:00"}) == [first, summer]
    assert ids(
        **{
            "creationDatetime.from": "2026-11-01T00:00:00+01:00",
            "creationDatetime.to": "2026-11-27T09:12:05+00:00",
        }
    ) == [first]
    assert ids(sender="+33611111111") == [first, summer]
    assert ids(tag="tg") == [second]
    with pytest.raises(ovh.exceptions.BadParametersError, match=r"creationDatetime\.from"):
        ids(**{"creationDatetime.from": "yesterday"})

    assert client.delete(f"{VN}/incoming/{first}") is None
    assert client.get(f"{VN}/incoming") == [second, summer]
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.delete(f"{VN}/incoming/{first}")
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.get(f"{VN}/incoming/{first}")


# ----------------------------------------------------------------- faults


def test_status_faults(sim: OvhSimulator, client: ThreadedClient) -> None:
    sim.inject_fault("GET", r"/incoming$", status=500)
    with pytest.raises(ovh.exceptions.APIError, match="Internal server error") as err:
        client.get(f"{VN}/incoming")
    assert err.value.response.status_code == 500
    assert client.get(f"{VN}/incoming") == []

    sim.inject_fault("POST", r"/jobs$", status=429, count=2)
    for _ in range(2):
        with pytest.raises(ovh.exceptions.APIError, match="Too many requests"):
            client.post(f"{VN}/jobs", message="hi", receivers=["+33611111111"])
    assert sim.outgoing() == []
    assert client.post(f"{VN}/jobs", message="hi", receivers=["+33611111111"])["ids"]

    sim.inject_fault("*", r"^/sms$", status=502, body="<html>Bad gateway</html>")
    with pytest.raises(ovh.exceptions.InvalidResponse):
        client.get("/sms")
    sim.inject_fault("GET", r"^/sms$", status=503, count=None)
    for _ in range(3):
        with pytest.raises(ovh.exceptions.APIError):
            client.get("/sms")
    sim.clear_faults()
    assert client.get("/sms") == [SERVICE]


def test_delay_fault_times_out(sim: OvhSimulator) -> None:
    client = make_client(timeout=0.2)
    assert client.get("/sms") == [SERVICE]
    sim.inject_fault("GET", r"^/sms$", delay=0.6)
    with pytest.raises(ovh.exceptions.HTTPError):
        client.get("/sms")
    assert client.get("/sms") == [SERVICE]


def test_drop_fault(sim: OvhSimulator, client: ThreadedClient) -> None:
    sim.inject_fault("GET", r"/incoming$", drop=True)
    with pytest.raises(ovh.exceptions.HTTPError):
        client.get(f"{VN}/incoming")
    assert client.get(f"{VN}/incoming") == []
    dropped, answered = sim.calls("GET", r"/incoming$")
    assert (dropped.status, dropped.answered_at) == (None, None)
    assert answered.status == 200
    assert answered.answered_at is not None
    assert answered.answered_at >= answered.received_at


def test_hold_fault(sim: OvhSimulator, client: ThreadedClient) -> None:
    """A held call stays in flight until released, then goes on (with its status, if any)."""
    sim.inject_fault("GET", r"^/sms$", hold=True)
    sim.inject_fault("GET", r"/incoming$", status=503, hold=True)
    answers: list[object] = []

    def call(path: str) -> None:
        try:
            answers.append(client.raw.get(path))
        except ovh.exceptions.APIError as err:
            answers.append(err.response.status_code)

    threads = [threading.Thread(target=call, args=(path,)) for path in ("/sms", f"{VN}/incoming")]
    for thread in threads:
        thread.start()
    assert sim.wait_held(2, timeout=5)
    assert answers == []
    assert [record.status for record in sim.calls("GET", r"^/sms$|/incoming$")] == [None, None]

    sim.release_held()
    for thread in threads:
        thread.join(timeout=5)

    assert sorted(answers, key=str) == [503, [SERVICE]]
    assert not sim.wait_held(timeout=0)
    assert client.get("/sms") == [SERVICE]


def test_inject_fault_needs_an_effect(sim: OvhSimulator) -> None:
    with pytest.raises(ValueError, match="needs"):
        sim.inject_fault("GET", "/sms")


# ------------------------------------------------------- status callback


def test_status_callback(
    sim: OvhSimulator,
    client: ThreadedClient,
    receiver: tuple[str, list[dict[str, list[str]]]],
) -> None:
    url, queries = receiver
    client.put(f"/sms/{SERVICE}", callBack=url)
    sms_id = client.post(f"{VN}/jobs", message="hi", receivers=["+33611111111"])["ids"][0]
    assert off_main_thread(sim.send_status_callback, sms_id, date="2026-11-27 10:12:05") == 200
    assert queries == [
        {
            "token": ["s3cret"],
            "id": [str(sms_id)],
            "ptt": ["4"],
            "date": ["2026-11-27 10:12:05"],
            "description": ["1"],
            "descriptionDlr": ["Success"],
        }
    ]
    out = client.get(f"{VN}/outgoing/{sms_id}")
    assert (out["deliveryReceipt"], out["ptt"]) == (1, 4)
    assert out["deliveredAt"] is not None
    assert client.get(f"{VN}/outgoing", deliveryReceipt=1) == [sms_id]

    # Through the control endpoint (the CLI's path), with a failure status.
    assert (
        off_main_thread(cli_main, ["deliver", "--url", sim.url, "--id", str(sms_id), "--dlr", "2"])
        == 0
    )
    assert queries[1]["description"] == ["2"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", queries[1]["date"][0])

    # The demo's --via: the callBack names a public origin, the report goes to a local one.
    local_origin, rest = url.split("/callback", 1)
    client.put(f"/sms/{SERVICE}", callBack=f"https://ha.example.com/callback{rest}")
    args = ["deliver", "--url", sim.url, "--id", str(sms_id), "--via", local_origin]
    assert off_main_thread(cli_main, args) == 0
    assert queries[2]["id"] == [str(sms_id)]
    assert queries[2]["token"] == ["s3cret"]

    # Without --id: the newest SMS sent.
    newer = client.post(f"{VN}/jobs", message="again", receivers=["+33611111111"])["ids"][0]
    assert off_main_thread(cli_main, ["deliver", "--url", sim.url, "--via", local_origin]) == 0
    assert queries[3]["id"] == [str(newer)]

    with pytest.raises(KeyError):
        sim.send_status_callback(1)
    sim.set_callback_url(SERVICE, None)
    with pytest.raises(ValueError, match="callBack"):
        sim.send_status_callback(sms_id)


async def test_async_start_and_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator inside the test's loop, and an aiohttp callback receiver."""
    received: list[dict[str, str]] = []

    async def callback(request: web.Request) -> web.Response:
        received.append(dict(request.query))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_get("/cb", callback)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    sim = OvhSimulator()
    await sim.start()
    try:
        monkeypatch.setitem(ovh.client.ENDPOINTS, REGION, sim.endpoint)
        sim.set_callback_url(SERVICE, f"http://127.0.0.1:{port}/cb")
        loop = asyncio.get_running_loop()

        def send() -> Any:
            return new_ovh_client().post(f"{VN}/jobs", message="hi", receivers=["+33611111111"])

        report = await loop.run_in_executor(None, send)
        status = await sim.async_send_status_callback(
            report["ids"][0], dlr=16, ptt=23, description_dlr="Error"
        )
        assert status == 204
        assert received[0]["id"] == str(report["ids"][0])
        assert (received[0]["description"], received[0]["ptt"]) == ("16", "23")
        assert received[0]["descriptionDlr"] == "Error"
    finally:
        await sim.close()
        await runner.cleanup()


# -------------------------------------------------------------- recording


def test_recorded_requests(sim: OvhSimulator, client: ThreadedClient) -> None:
    client.post(f"{VN}/jobs", message="hi", receivers=["+33611111111"])
    client.get(f"{VN}/incoming", sender="+33611111111")
    methods_paths = [(record.method, record.path) for record in sim.requests]
    assert methods_paths == [
        ("GET", "/auth/time"),
        ("POST", f"{VN}/jobs"),
        ("GET", f"{VN}/incoming"),
    ]
    (job,) = sim.calls("post", r"/jobs$")
    assert job.body == {"message": "hi", "receivers": ["+33611111111"]}
    assert job.status == 200
    assert job.answered_at is not None
    assert job.answered_at >= job.received_at
    assert job.consumer_key == CONSUMER_KEY
    (listing,) = sim.calls(path_regex="/incoming")
    assert listing.query == {"sender": "+33611111111"}
    assert listing.raw_url == f"{sim.url}/1.0{VN}/incoming?sender=%2B33611111111"
    sim.reset()
    assert sim.requests == []
    assert sim.get_credits(SERVICE) == 100.0


# -------------------------------------------------------------------- CLI


def test_cli_against_running_server(
    sim: OvhSimulator, client: ThreadedClient, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sim.url
    assert (
        off_main_thread(
            cli_main, ["inject-sms", "--url", url, "--sender", "+33611111111", "--message", "hello"]
        )
        == 0
    )
    sms_id = json.loads(capsys.readouterr().out)["id"]
    assert client.get(f"{VN}/incoming/{sms_id}")["message"] == "hello"
    assert off_main_thread(cli_main, ["credits", "--url", url, "--set", "50"]) == 0
    assert json.loads(capsys.readouterr().out)["creditsLeft"] == 50.0
    assert client.get(f"/sms/{SERVICE}")["creditsLeft"] == 50.0
    assert off_main_thread(cli_main, ["requests", "--url", url]) == 0
    assert f"GET    200  {url}/1.0/sms/{SERVICE}" in capsys.readouterr().out
    assert (
        off_main_thread(cli_main, ["fault", "--url", url, "--path", "^/sms$", "--status", "500"])
        == 0
    )
    with pytest.raises(ovh.exceptions.APIError):
        client.get("/sms")
    assert off_main_thread(cli_main, ["deliver", "--url", url]) == 1
    assert "no SMS was sent yet" in capsys.readouterr().err
    assert off_main_thread(cli_main, ["deliver", "--url", url, "--id", "1"]) == 1
    assert "HTTP 404" in capsys.readouterr().err


def _serve_and_ask_time() -> Any:
    process = subprocess.Popen(
        [sys.executable, "-m", "ovh_simulator", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+) ", first_line)
        assert match, first_line
        with urllib.request.urlopen(f"{match[1]}/1.0/auth/time", timeout=5) as response:  # noqa: S310
            return json.loads(response.read())
    finally:
        process.terminate()
        process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def test_cli_serve_subprocess() -> None:
    assert isinstance(off_main_thread(_serve_and_ask_time), int)
