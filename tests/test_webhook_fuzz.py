"""A seeded fuzz of the callback webhook, over HTTP, through Home Assistant's webhook view.

Every call is drawn from a family whose outcome is known: a report with a whole-number id
within OVH's range (values of the other parameters in any shape) fires exactly one event;
OVH's push of a received SMS fires none; anything else (no id, a bad id, oversized,
unreadable, of a shape that is not a form or a JSON object) is refused with a 4xx. Over
the whole run: no 5xx, no ERROR log line, and a state that always serialises.

The figures of README's "Webhook fuzzing" section come from this test (``-s`` prints them).
"""

from collections import Counter
from collections.abc import Callable
import compression.zstd
from dataclasses import dataclass, field
import gzip
import json
import logging
import random
import time
from typing import Any
from urllib.parse import quote, urlencode
import zlib

from aiohttp import web
from aiohttp.test_utils import TestClient
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import restore_state
from homeassistant.helpers.json import json_bytes
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ovh_sms_virtual.const import EVENT_DELIVERY_STATUS

from .conftest import NUMBER, WEBHOOK_ID

type HttpClient = TestClient[web.Request, web.Application]

SEED = 20261201
CALLS = 3000
PATH = f"/api/webhook/{WEBHOOK_ID}"
ENTITY_ID = "event.home_delivery_status"
MAX_ID = 2**63 - 1
# The contract's table (README, "What a report gives you").
STATUS_BY_DLR = {0: "pending", 1: "delivered", 2: "failed", 4: "pending", 8: "pending"} | {
    16: "failed"
}
REPORT_NAMES = frozenset({"id", "dlr", "description", "descriptionDlr", "ptt", "date"})
PUSH_NAMES = frozenset({"message", "senderid", "sender", "keyword", "shortcode", "tag"})
# The reasons a refusal may give: fixed texts, never an echo of the call.
REASONS = {
    "missing id",
    "invalid id",
    "value too long",
    "query too long",
    "body too large",
    "too many parameters",
    "body is not UTF-8",
    "body is not JSON",
    "body is not a JSON object",
    "unsupported body",
    "unreadable body",
}
# Text of any kind: accents, emoji, right-to-left, combining marks, NUL, other controls.
# Home Assistant's HTTP security filter refuses some sequences in a query string before
# any integration sees the call (``../``, ``<script>``, a value starting with ``/``, tabs
# and line breaks); those are kept for the family that expects a refusal.
ALPHABET = "aZ09 -_.:,;+=&?#%'\"éèçàÿŒ€£¥😀👍🏽中文العربيةשלוםΩ\u0301\u200f\x00\x01\x7f"
FILTERED = ["../etc", "<script>x</script>", "/./x", "a\tb", "a\nb", "union select (1)"]
ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "zstd": compression.zstd.compress,
}


@dataclass
class Call:
    """One HTTP call and what it must give."""

    family: str
    method: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    event: dict[str, Any] | None = None
    """The data of the one event it fires (without ``entry_id`` and the like), if any."""
    refused: bool = True


@dataclass
class Value:
    """A parameter's text, and the small whole number it is (or None)."""

    text: str
    code: int | None = None


class Fuzzer:
    """Draws calls from a seeded generator."""

    def __init__(self, seed: int) -> None:
        """Seed the generator."""
        self.rng = random.Random(seed)
        self.next_id = 1000

    def text(self, max_length: int = 40) -> str:
        """Random text from ``ALPHABET``."""
        return "".join(self.rng.choices(ALPHABET, k=self.rng.randint(1, max_length)))

    def junk_params(self, count: int) -> dict[str, Any]:
        """Parameters no report or push uses, with values of any kind."""
        params: dict[str, Any] = {}
        while len(params) < count:
            name = self.rng.choice(["tag", "x", "token", "Id", "ID", "dlr_", "é", "😀", "a b"])
            name = name if name not in PUSH_NAMES else "junk"
            params[f"{name}{len(params)}"] = self.text(60)
        return params

    def code(self) -> Value:
        """A value for ``dlr``, ``description`` or ``ptt``: a code or anything else."""
        kind = self.rng.randrange(6)
        if kind == 0:
            value = self.rng.choice([0, 1, 2, 4, 8, 16])
            return Value(str(value), value)
        if kind == 1:
            value = self.rng.choice([3, 5, 23, 32, 255, 99999])
            padded = self.rng.choice([str(value), f" {value} ", f"0{value}"])
            return Value(padded, value)
        if kind == 2:
            return Value(self.rng.choice(["Delivered", "Success", "Failed", "KO", "ok"]))
        if kind == 3:
            return Value(self.rng.choice(["-1", "1.0", "1e3", "0x1", "123456", "٣", "1 2"]))
        return Value(self.text(30))

    def report(self) -> tuple[dict[str, str], dict[str, Any]]:
        """A report with a valid id, its other values in any shape; and its event."""
        self.next_id += self.rng.randint(1, 10**6)
        message_id = self.rng.choice([self.next_id, MAX_ID - self.next_id, MAX_ID])
        params: dict[str, str] = {"id": self.rng.choice(["{}", " {}", "000{}"]).format(message_id)}
        values = {name: self.code() for name in ("dlr", "description", "ptt")}
        present = {name for name in values if self.rng.random() < 0.6}
        for name in present:
            params[name] = values[name].text
        text = None
        if self.rng.random() < 0.5:
            text = self.text(255)
            params["descriptionDlr"] = text
        date = None
        if self.rng.random() < 0.6:
            date = self.rng.choice(["2026-11-27 10:12:05", "2026-11-27T10:12:05+01:00"])
            date = self.rng.choice([date, self.text(64)])
            params["date"] = date
        params |= self.junk_params(self.rng.randint(0, 5))

        def code_of(name: str) -> int | None:
            return values[name].code if name in present else None

        dlr = code_of("dlr") if code_of("dlr") is not None else code_of("description")
        ptt = code_of("ptt")
        if dlr is not None:
            status = STATUS_BY_DLR.get(dlr, "unknown")
        else:
            status = "delivered" if ptt == 4 else "unknown"
        if text is None and "description" in present and code_of("description") is None:
            text = values["description"].text
        event = {
            "message_id": message_id,
            "status": status,
            "dlr": dlr,
            "ptt": ptt,
            "description": text if text is not None and text.strip() else None,
            "date": date if date is not None and date.strip() else None,
        }
        return params, event

    def send(self, family: str, params: dict[str, Any], *, event: Any = None) -> Call:
        """``params`` as a GET query, a form, a JSON object, or split between query and body."""
        refused = event is None and family != "push"
        how = self.rng.randrange(6)
        if how == 0:
            return Call(family, "GET", urlencode(params), event=event, refused=refused)
        if how == 1:
            content_type = self.rng.choice(["application/json", "text/plain", None])
            headers = {} if content_type is None else {"Content-Type": content_type}
            body = json.dumps(params, ensure_ascii=self.rng.random() < 0.5).encode()
            return Call(family, "POST", "", headers, body, event, refused)
        if how == 2:
            names = list(params)
            cut = self.rng.randint(0, len(names))
            in_body = {name: params[name] for name in names[:cut]}
            # The body wins over the query: keep each name on one side only.
            query = {name: params[name] for name in names[cut:]}
            body = urlencode(in_body).encode()
            return Call(family, "POST", urlencode(query), {}, body, event, refused)
        body = urlencode(params).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if how == 3:
            encoding = self.rng.choice(list(ENCODINGS))
            body = ENCODINGS[encoding](body)
            headers["Content-Encoding"] = encoding
        return Call(family, "POST", "", headers, body, event, refused)

    # ---------------------------------------------------------------- families

    def valid_report(self) -> Call:
        """A report with a whole-number id: one event."""
        params, event = self.report()
        call = self.send("valid report", params, event=event)
        call.refused = False
        return call

    def push(self) -> Call:
        """OVH's push of a received SMS: a 200, no delivery status."""
        params = {
            "id": str(self.rng.randint(1, MAX_ID)),
            self.rng.choice(["senderid", "sender"]): "+33611111111",
            "message": self.text(160),
            "keyword": self.text(10),
            "shortcode": NUMBER,
            "tag": self.text(20),
        }
        call = self.send("push", params)
        call.refused = False
        return call

    def no_id(self) -> Call:
        """Anything without an id, including a push without one."""
        params: dict[str, Any] = self.junk_params(self.rng.randint(0, 6))
        if self.rng.random() < 0.5:
            params |= {name: self.code().text for name in ("dlr", "description", "ptt")}
        if self.rng.random() < 0.2:
            params |= {"message": self.text(), "senderid": "+33611111111"}
        return self.send("no id", params)

    def bad_id(self) -> Call:
        """An id that is not a whole number within OVH's range."""
        bad = self.rng.choice(
            [
                " ",
                "abc",
                "-1",
                "+1",
                "1.5",
                "1e3",
                "0x10",
                "99999999999999999999",
                str(MAX_ID + 1),
                str(2**64),
                "\uff11\uff12",
                "1 2",
                "1\u200f",
                self.text(),
            ]
        )
        params = {"id": bad, "description": "1", "ptt": "4"} | self.junk_params(2)
        return self.send("bad id", params)

    def bad_json(self) -> Call:
        """JSON that is not an object, or not JSON, or an object whose id is not usable."""
        shapes: list[Any] = [
            [1, 2],
            "id=1",
            1,
            None,
            True,
            {"id": 1.0},
            {"id": True},
            {"id": None},
            {"id": [1]},
            {"id": {"id": 1}},
            {"id": -1},
            {"id": 2**64},
            {"id": 1e300},
            {"description": 1},
        ]
        body = json.dumps(self.rng.choice(shapes)).encode()
        body = self.rng.choice(
            [
                body,
                body[: len(body) // 2],
                b"[" * 3000 + b"]" * 3000,
                b'{"id": "\\ud800"}',
                b'{"id": 1,}',
                b"{" + b'"a":{' * 600 + b"}" * 601,
            ]
        )
        return Call("bad JSON", "POST", "", {"Content-Type": "application/json"}, body)

    def bad_bytes(self) -> Call:
        """Random bytes under a random content type (never an ``id`` in them)."""
        body = self.rng.randbytes(self.rng.randint(1, 3000)).replace(b"id", b"ix")
        content_type = self.rng.choice(
            ["application/octet-stream", "application/x-www-form-urlencoded", "text/plain"]
        )
        return Call("random bytes", "POST", "", {"Content-Type": content_type}, body)

    def oversized(self) -> Call:
        """A valid report made too large in one way or another."""
        params, _ = self.report()
        kind = self.rng.randrange(5)
        if kind == 0:
            params["descriptionDlr"] = "x" * self.rng.randint(256, 2000)
        elif kind == 1:
            params["date"] = "2" * self.rng.randint(65, 2000)
        elif kind == 2:
            params |= self.junk_params(33)
        elif kind == 3:
            return Call("oversized", "GET", urlencode(params | {"pad": "x" * 4100}))
        else:
            body = urlencode(params | {"pad": "x" * 4100}).encode()
            return Call("oversized", "POST", "", {}, body)
        return self.send("oversized", params)

    def bad_encoding(self) -> Call:
        """A body whose ``Content-Encoding`` is not what it holds."""
        params, _ = self.report()
        body = urlencode(params).encode()
        if self.rng.random() < 0.3:
            body = self.rng.randbytes(self.rng.randint(1, 3000)).replace(b"id", b"ix")
        encoding = self.rng.choice(list(ENCODINGS))
        headers = {"Content-Encoding": encoding, "Content-Type": "text/plain"}
        return Call("bad encoding", self.rng.choice(["GET", "POST"]), "", headers, body)

    def filtered(self) -> Call:
        """A query Home Assistant's security filter refuses before any integration sees it."""
        params, _ = self.report()
        params["date"] = self.rng.choice(FILTERED)
        return Call("filtered by Home Assistant", "GET", urlencode(params))

    def multipart(self) -> Call:
        """A multipart form: not a shape OVH uses."""
        body = b'--b\r\nContent-Disposition: form-data; name="id"\r\n\r\n1\r\n--b--\r\n'
        headers = {"Content-Type": "multipart/form-data; boundary=b"}
        return Call("multipart", "POST", "", headers, body)

    def raw_query(self) -> Call:
        """A raw query string: broken escapes, bare names, odd separators."""
        pieces = ["%", "%zz", "%ff", "%00", "=", "&&", ";", "id", "id=", "=1", "+", "%2B"]
        query = "".join(self.rng.choices(pieces, k=self.rng.randint(1, 12)))
        return Call("raw query", self.rng.choice(["GET", "POST"]), query.replace("id=", "id=x"))

    def call(self) -> Call:
        """One call of a family drawn at random."""
        family = self.rng.choices(
            [
                self.valid_report,
                self.push,
                self.no_id,
                self.bad_id,
                self.bad_json,
                self.bad_bytes,
                self.oversized,
                self.bad_encoding,
                self.filtered,
                self.multipart,
                self.raw_query,
            ],
            weights=[30, 5, 10, 10, 8, 6, 10, 8, 4, 2, 7],
        )[0]
        return family()


@pytest.fixture
def events(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    """Every delivery-status event fired."""
    return async_capture_events(hass, EVENT_DELIVERY_STATUS)


async def test_webhook_fuzz(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    events: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``CALLS`` seeded calls: one event per valid report, 4xx for the rest, no 5xx."""
    caplog.set_level(logging.WARNING)
    client: HttpClient = await hass_client_no_auth()
    fuzzer = Fuzzer(SEED)
    expected: list[dict[str, Any]] = []
    statuses: Counter[int] = Counter()
    families: Counter[str] = Counter()
    wrong: list[str] = []
    started = time.monotonic()

    for number in range(CALLS):
        call = fuzzer.call()
        families[call.family] += 1
        url = f"{PATH}?{quote(call.query, safe='=&%+;')}" if call.query else PATH
        response = await client.request(
            call.method,
            url,
            data=call.body,
            headers=call.headers,
            skip_auto_headers={"Content-Type"},
        )
        text = await response.text()
        statuses[response.status] += 1
        if call.event is not None:
            expected.append(call.event)
        refused = 400 <= response.status < 500
        if refused != call.refused:
            wrong.append(f"#{number} {call.family}: {response.status} {text[:40]!r}")
        elif refused and text not in REASONS and call.family != "filtered by Home Assistant":
            wrong.append(f"#{number} {call.family}: reason {text[:40]!r}")
        state = hass.states.get(ENTITY_ID)
        assert state is not None
        json_bytes(state)
    await hass.async_block_till_done()
    elapsed = time.monotonic() - started

    for stored in restore_state.async_get(hass).async_get_stored_states():
        json_bytes(stored.as_dict())
    fired = [
        {key: event.data[key] for key in ("message_id", "status", "dlr", "ptt", "description")}
        | {"date": event.data["date"]}
        for event in events
    ]
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    warnings = Counter(
        record.name for record in caplog.records if record.levelno == logging.WARNING
    )
    print(  # noqa: T201 - the figures README quotes
        f"\n{CALLS} calls in {elapsed:.1f} s; families {dict(families)}; "
        f"answers {dict(sorted(statuses.items()))}; events {len(events)}; "
        f"ERROR lines {len(errors)}; WARNING lines {dict(warnings)}"
    )

    assert wrong == [], wrong
    assert not [status for status in statuses if status >= 500]
    assert fired == expected
    assert len(events) == families["valid report"]
    assert errors == []
    # Seeded: the same calls every run, each family well represented.
    assert families["valid report"] > 800
    assert min(families.values()) >= 50
