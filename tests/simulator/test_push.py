"""OVH's push of received SMS to the account's ``smsResponse.cgiUrl``, as the simulator does it.

Independent of Home Assistant, like ``test_simulator``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
import http.server
import json
import socket
import threading
from typing import Any, override
import urllib.parse

from aiohttp import web
import pytest

from ovh_simulator import (
    DEMO_NUMBER as NUMBER,
    DEMO_SERVICE as SERVICE,
    OvhSimulator,
    PushResult,
)
from ovh_simulator.__main__ import main as cli_main

from .support import VN, ThreadedClient, off_main_thread

pytestmark = pytest.mark.usefixtures("socket_enabled")

SENDER = "+33611111111"


@dataclass
class Received:
    """One call a receiver got."""

    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str
    form: dict[str, list[str]]


@dataclass
class Receiver:
    """A local HTTP server standing for the integration's webhook."""

    url: str
    calls: list[Received] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver in its own thread; its URL carries a secret token, as a webhook URL may."""
    received: list[Received] = []
    box: list[Receiver] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = urllib.parse.urlsplit(self.path)
            received.append(
                Received(
                    "POST",
                    parts.path,
                    urllib.parse.parse_qs(parts.query),
                    self.headers.get("Content-Type", ""),
                    urllib.parse.parse_qs(body.decode(), keep_blank_values=True),
                )
            )
            self.send_response(box[0].status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        @override
        def log_message(self, format: str, *args: Any) -> None:
            """Silence."""

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    box.append(Receiver(f"http://127.0.0.1:{httpd.server_address[1]}/push?token=s3cret", received))
    yield box[0]
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def expected_form(sms_id: int, message: str, keyword: str, tag: str = "") -> dict[str, list[str]]:
    """The fields OVH posts, as ``parse_qs`` reads them."""
    return {
        "id": [str(sms_id)],
        "senderid": [SENDER],
        "message": [message],
        "keyword": [keyword],
        "shortcode": ["+33612345678"],
        "tag": [tag],
    }


def test_received_sms_is_pushed_to_the_cgi_url(
    sim: OvhSimulator, client: ThreadedClient, receiver: Receiver
) -> None:
    """The account opts in with a PUT; each received SMS is then POSTed as a form."""
    client.put(f"/sms/{SERVICE}", smsResponse={"responseType": "cgi", "cgiUrl": receiver.url})

    sms_id = sim.add_incoming(SERVICE, NUMBER, SENDER, "Status please", tag="t1")
    result = off_main_thread(sim.wait_push, sms_id)

    assert (result.status, result.error, result.ok) == (200, None, True)
    assert result.url == receiver.url
    (call,) = receiver.calls
    assert (call.method, call.path, call.query) == ("POST", "/push", {"token": ["s3cret"]})
    assert call.content_type == "application/x-www-form-urlencoded"
    assert call.form == expected_form(sms_id, "Status please", "Status", "t1")
    # The id is the one the inbox knows: reading it back gives the same SMS.
    record = client.get(f"{VN}/incoming/{sms_id}")
    assert (record["sender"], record["message"]) == (SENDER, "Status please")
    assert [push.sms_id for push in sim.pushes] == [sms_id]


def test_a_failed_push_keeps_the_sms(
    sim: OvhSimulator, client: ThreadedClient, receiver: Receiver
) -> None:
    """A receiver answering 500, or none listening: the SMS stays in the inbox."""
    sim.set_push_url(SERVICE, receiver.url)
    receiver.status = 500
    refused = sim.add_incoming(SERVICE, NUMBER, SENDER, "one")
    assert off_main_thread(sim.wait_push, refused).status == 500

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        sim.set_push_url(SERVICE, f"http://127.0.0.1:{sock.getsockname()[1]}/push")
        unreachable = sim.add_incoming(SERVICE, NUMBER, SENDER, "")
        result = off_main_thread(sim.wait_push, unreachable)
    assert result.status is None
    assert result.error is not None
    assert not result.ok
    assert result.form["keyword"] == ""

    assert client.get(f"{VN}/incoming") == [refused, unreachable]


def test_no_push_unless_the_account_asks(
    sim: OvhSimulator, client: ThreadedClient, receiver: Receiver
) -> None:
    """``responseType`` none (the default), or ``cgi`` without a URL: nothing is pushed."""
    first = sim.add_incoming(SERVICE, NUMBER, SENDER, "one")
    client.put(f"/sms/{SERVICE}", smsResponse={"responseType": "cgi", "cgiUrl": None})
    second = sim.add_incoming(SERVICE, NUMBER, SENDER, "two")
    sim.set_push_url(SERVICE, receiver.url)
    sim.set_push_url(SERVICE, None)
    third = sim.add_incoming(SERVICE, NUMBER, SENDER, "three")

    for sms_id in (first, second, third):
        with pytest.raises(KeyError, match="no push"):
            sim.wait_push(sms_id)
    assert sim.pushes == []
    assert receiver.calls == []
    assert client.get(f"/sms/{SERVICE}")["smsResponse"]["responseType"] == "none"


def test_automatic_answer_is_no_push(
    sim: OvhSimulator, client: ThreadedClient, receiver: Receiver
) -> None:
    """``responseType`` text (an automatic answer): the account shows it, nothing is pushed."""
    sim.set_push_url(SERVICE, receiver.url)
    sim.set_auto_reply(SERVICE, "Thanks")

    sms_id = sim.add_incoming(SERVICE, NUMBER, SENDER, "one")

    with pytest.raises(KeyError, match="no push"):
        sim.wait_push(sms_id)
    response = client.get(f"/sms/{SERVICE}")["smsResponse"]
    assert (response["responseType"], response["text"]) == ("text", "Thanks")
    assert receiver.calls == []


def test_push_via_another_origin(
    sim: OvhSimulator, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's ``via``: the account names a public URL, the push goes to a local origin.

    Through the Python API, the control endpoint and the ``inject-sms`` command, which
    prints the push's outcome.
    """
    local_origin, rest = receiver.url.split("/push", 1)
    sim.set_push_url(SERVICE, f"https://ha.example.com/push{rest}")

    sms_id = sim.add_incoming(SERVICE, NUMBER, SENDER, "one", push_via=local_origin)
    assert off_main_thread(sim.wait_push, sms_id).url == receiver.url

    args = ["inject-sms", "--url", sim.url, "--sender", SENDER, "--message", "two words"]
    assert off_main_thread(cli_main, [*args, "--via", local_origin]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["push"] == {
        "sms_id": answer["id"],
        "url": receiver.url,
        "form": {
            key: value for key, (value,) in expected_form(answer["id"], "two words", "two").items()
        },
        "status": 200,
        "error": None,
    }
    assert [call.form["message"] for call in receiver.calls] == [["one"], ["two words"]]
    assert all(call.query == {"token": ["s3cret"]} for call in receiver.calls)

    # Without the account pushing, the endpoint says nothing about a push.
    sim.set_push_url(SERVICE, None)
    assert off_main_thread(cli_main, args) == 0
    assert "push" not in json.loads(capsys.readouterr().out)


def test_push_when_the_simulator_is_not_running(receiver: Receiver) -> None:
    """A simulator that is not serving cannot push: the result says so at once."""
    sim = OvhSimulator()
    sim.set_push_url(SERVICE, receiver.url)

    sms_id = sim.add_incoming(SERVICE, NUMBER, SENDER, "one")

    assert sim.wait_push(sms_id, timeout=0).error == "the simulator is not running"
    assert receiver.calls == []
    assert sim.incoming(SERVICE, NUMBER)[0]["id"] == sms_id


def test_stopping_ends_a_pending_push() -> None:
    """A push still waiting for its receiver when the simulator stops ends, said so."""
    sim = OvhSimulator()
    sim.start_in_thread()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()  # accepts, never answers
        sim.set_push_url(SERVICE, f"http://127.0.0.1:{sock.getsockname()[1]}/push")
        sms_id = sim.add_incoming(SERVICE, NUMBER, SENDER, "one")
        with pytest.raises(TimeoutError):
            sim.wait_push(sms_id, timeout=0.2)
        sim.stop()
        result = sim.wait_push(sms_id, timeout=5)
    assert result.error == "the simulator stopped"
    assert result.status is None


async def test_push_from_the_simulators_own_loop() -> None:
    """Simulator and receiver in the test's loop: injecting does not wait for the push."""
    got: list[dict[str, str]] = []
    called = asyncio.Event()
    answer = asyncio.Event()

    async def webhook(request: web.Request) -> web.Response:
        got.append(dict(await request.post()))  # type: ignore[arg-type]
        called.set()
        await answer.wait()
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_post("/hook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    sim = OvhSimulator()
    await sim.start()
    try:
        sim.set_push_url(SERVICE, f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
        sms_id = sim.add_incoming(SERVICE, NUMBER, SENDER, "hello")
        assert got == []

        # The receiver gets the push, and holds its answer: the push has not ended.
        await asyncio.wait_for(called.wait(), 10)
        assert [call["id"] for call in got] == [str(sms_id)]
        with pytest.raises(TimeoutError):
            await sim.async_wait_push(sms_id, timeout=0.2)
        answer.set()
        result = await sim.async_wait_push(sms_id)
    finally:
        await sim.close()
        await runner.cleanup()
    assert isinstance(result, PushResult)
    assert (result.status, result.form["message"]) == (200, "hello")
