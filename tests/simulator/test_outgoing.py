"""Sent SMS over time (``GET .../outgoing/{id}``) and the account's schema, through ``ovh``.

Independent of Home Assistant, like ``test_simulator``.
"""

from __future__ import annotations

import json
import math
from typing import Any
import urllib.error
import urllib.request

import ovh.exceptions
import pytest

from ovh_simulator import DEMO_SERVICE as SERVICE, OUTCOMES, OvhSimulator
from ovh_simulator.__main__ import main as cli_main
from ovh_simulator.state import format_ovh_datetime, parse_ovh_datetime

from .support import VN, ThreadedClient, make_client, off_main_thread

pytestmark = pytest.mark.usefixtures("socket_enabled")


def send(client: ThreadedClient, receiver: str = "+33611111111") -> int:
    """Send one SMS; its id."""
    message_id: int = client.post(f"{VN}/jobs", message="hi", receivers=[receiver])["ids"][0]
    return message_id


def status(client: ThreadedClient, message_id: int) -> tuple[int, int, str | None]:
    """``deliveryReceipt``, ``ptt`` and ``deliveredAt`` of a sent SMS, as OVH answers them."""
    record = client.get(f"{VN}/outgoing/{message_id}")
    return record["deliveryReceipt"], record["ptt"], record["deliveredAt"]


# ------------------------------------------------------------------- account


def test_account_has_the_schema_fields(client: ThreadedClient) -> None:
    """``sms.AccountWithIAM``: ``iam`` metadata, and the recredit threshold as a double."""
    account = client.get(f"/sms/{SERVICE}")
    assert account["creditThresholdForAutomaticRecredit"] == 0.0
    assert isinstance(account["creditThresholdForAutomaticRecredit"], float)
    iam = account["iam"]
    assert set(iam) == {"displayName", "id", "tags", "urn"}
    assert iam["displayName"] == SERVICE
    assert iam["urn"] == f"urn:v1:eu:resource:sms:{SERVICE}"
    assert iam["tags"] == {}


@pytest.mark.parametrize(("value", "stored"), [(5, 5.0), (2.5, 2.5), (0, 0.0)])
def test_recredit_threshold_is_a_double(
    sim: OvhSimulator, client: ThreadedClient, value: float, stored: float
) -> None:
    """Integers and decimals are accepted and read back as doubles."""
    client.put(f"/sms/{SERVICE}", creditThresholdForAutomaticRecredit=value)
    assert client.get(f"/sms/{SERVICE}")["creditThresholdForAutomaticRecredit"] == stored
    assert sim.account(SERVICE)["creditThresholdForAutomaticRecredit"] == stored


@pytest.mark.parametrize("value", ["5", -1, -0.5, True, None, math.nan, math.inf])
def test_recredit_threshold_refuses_what_is_not_a_double(
    sim: OvhSimulator, client: ThreadedClient, value: Any
) -> None:
    """Text, a negative number, a boolean, null or a non-finite number: 400, nothing kept."""
    with pytest.raises(ovh.exceptions.BadParametersError, match="creditThreshold"):
        client.put(f"/sms/{SERVICE}", creditThresholdForAutomaticRecredit=value)
    assert sim.account(SERVICE)["creditThresholdForAutomaticRecredit"] == 0.0


def test_iam_is_read_only(sim: OvhSimulator, client: ThreadedClient) -> None:
    """``iam`` belongs to ``sms.AccountWithIAM`` only: a PUT cannot write it."""
    with pytest.raises(ovh.exceptions.BadParametersError, match="iam"):
        client.put(f"/sms/{SERVICE}", iam={"tags": {"a": "b"}})
    assert sim.account(SERVICE)["iam"]["tags"] == {}


# ---------------------------------------------------------------- lifecycle


def test_sent_sms_is_pending_then_delivered(sim: OvhSimulator, client: ThreadedClient) -> None:
    """By default an SMS shows pending, then delivered 5 s after its send (simulator clock)."""
    message_id = send(client)
    sent_at = parse_ovh_datetime(client.get(f"{VN}/outgoing/{message_id}")["sentAt"])
    assert status(client, message_id) == (0, 0, None)
    assert client.get(f"{VN}/outgoing", deliveryReceipt=0) == [message_id]

    sim.set_clock_offset(4)
    assert status(client, message_id) == (0, 0, None)

    sim.set_clock_offset(6)
    assert status(client, message_id) == (1, 4, format_ovh_datetime(sent_at + 5))
    assert client.get(f"{VN}/outgoing", deliveryReceipt=1) == [message_id]
    assert client.get(f"{VN}/outgoing", ptt=4) == [message_id]
    assert client.get(f"{VN}/outgoing", deliveryReceipt=0) == []


def test_lifecycle_for_new_sms_is_configurable(sim: OvhSimulator, client: ThreadedClient) -> None:
    """Failed after 10 s, or pending for ever; SMS already sent keep their own plan."""
    delivered = send(client)
    sim.set_delivery_lifecycle("failed", 10)
    failed = send(client)
    sim.set_delivery_lifecycle(delay=None)
    pending = send(client)

    sim.set_clock_offset(11)
    assert status(client, delivered)[:2] == (1, 4)
    assert status(client, failed) == (2, 5, None)
    assert status(client, pending) == (0, 0, None)
    sim.set_clock_offset(10 * 86400)
    assert [(sms["id"], sms["deliveryReceipt"]) for sms in sim.outgoing()] == [
        (delivered, 1),
        (failed, 2),
        (pending, 0),
    ]

    sim.reset()
    assert sim.describe()["services"][SERVICE]["numbers"]  # the demo account is back
    sim.set_clock_offset(0)
    again = send(make_client())
    sim.set_clock_offset(6)
    assert sim.outgoing()[0]["id"] == again
    assert sim.outgoing()[0]["deliveryReceipt"] == 1  # reset restores the default plan


def test_outcome_of_one_sms(sim: OvhSimulator, client: ThreadedClient) -> None:
    """A sent SMS can be given any outcome, at once or later."""
    sim.set_delivery_lifecycle(delay=None)
    message_id = send(client)

    assert sim.set_outgoing_outcome(message_id, "buffered")["deliveryReceipt"] == 8
    assert status(client, message_id) == (8, 3, None)

    record = sim.set_outgoing_outcome(message_id, "delivered", delay=30)
    assert (record["deliveryReceipt"], record["ptt"]) == (8, 3)
    sim.set_clock_offset(29)
    assert status(client, message_id) == (8, 3, None)
    sim.set_clock_offset(31)
    receipt, ptt, delivered_at = status(client, message_id)
    assert (receipt, ptt) == (1, 4)
    assert delivered_at is not None
    assert sim.describe()["services"][SERVICE]["numbers"]

    with pytest.raises(KeyError):
        sim.set_outgoing_outcome(1, "failed")
    for bad in ({"outcome": "lost"}, {"outcome": "failed", "delay": -1}):
        with pytest.raises(ValueError, match=r"outcome|delay"):
            sim.set_outgoing_outcome(message_id, **bad)
    for bad_plan in ({"outcome": "lost"}, {"delay": -1}):
        with pytest.raises(ValueError, match=r"outcome|delay"):
            sim.set_delivery_lifecycle(**bad_plan)
    assert set(OUTCOMES) == {"pending", "buffered", "delivered", "failed"}


def test_status_callback_overrides_the_plan(
    sim: OvhSimulator, client: ThreadedClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a status-change callback reported stays, whatever was planned."""
    message_id = send(client)
    sim.set_callback_url(SERVICE, "http://127.0.0.1:9/cb")  # nothing listens on port 9
    with pytest.raises(OSError):  # noqa: PT011 - the receiver is unreachable, the record moves
        off_main_thread(sim.send_status_callback, message_id, dlr=2, ptt=23, timeout=1)
    sim.set_clock_offset(60)
    assert status(client, message_id) == (2, 23, None)


def test_outcome_through_the_control_endpoint_and_cli(
    sim: OvhSimulator, client: ThreadedClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """``set-outcome``: the newest SMS or a given one, or the plan of every new one."""
    first = send(client)
    newest = send(client)
    assert off_main_thread(cli_main, ["set-outcome", "--url", sim.url, "--outcome", "failed"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == newest
    assert status(client, newest) == (2, 5, None)
    assert status(client, first) == (0, 0, None)

    args = ["set-outcome", "--url", sim.url, "--id", str(first), "--outcome", "buffered"]
    assert off_main_thread(cli_main, args) == 0
    assert json.loads(capsys.readouterr().out)["deliveryReceipt"] == 8

    args = ["set-outcome", "--url", sim.url, "--default", "--outcome", "failed", "--delay", "0"]
    assert off_main_thread(cli_main, args) == 0
    assert json.loads(capsys.readouterr().out) == {"outcome": "failed", "delay": 0.0}
    assert status(client, send(client)) == (2, 5, None)

    args = ["set-outcome", "--url", sim.url, "--default", "--outcome", "pending"]
    assert off_main_thread(cli_main, args) == 0
    assert json.loads(capsys.readouterr().out) == {"outcome": "pending", "delay": 5.0}

    args = ["set-outcome", "--url", sim.url, "--id", "1", "--outcome", "failed"]
    assert off_main_thread(cli_main, args) == 1
    assert "HTTP 404" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/_sim/outgoing/{id}", {"outcome": "lost"}, 400),
        ("/_sim/outgoing/{id}", {"delay": "soon"}, 400),
        ("/_sim/outgoing/1", {}, 404),
        ("/_sim/delivery", {"outcome": "lost"}, 400),
        ("/_sim/delivery", {"delay": None}, 200),
    ],
)
def test_control_endpoints_check_their_body(
    sim: OvhSimulator, client: ThreadedClient, path: str, body: dict[str, Any], expected: int
) -> None:
    """Bad outcomes and delays are refused; ``delay: null`` keeps new SMS pending."""
    url = sim.url + path.format(id=send(client))
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=json.dumps(body).encode(), method="POST"
    )

    def call() -> int:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as err:
            return int(err.code)

    assert off_main_thread(call) == expected
