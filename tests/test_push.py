"""Received SMS pushed by OVH (the account's ``smsResponse``): checked, fired once, in order.

The simulator pushes each SMS it receives to the account's ``cgiUrl`` as OVH does, over
HTTP, to Home Assistant's real webhook view (``push_via`` puts the test server's origin in
place of the entry's external-looking URL). Each push is read back from OVH through the real
``ovh`` client before anything fires. The clock is frozen: nothing here waits for a poll
unless the test ticks it.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import logging
from typing import Any, override

from aiohttp import web
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ovh_sms_virtual.config_flow import CONF_SET_CALLBACK, CONF_SET_PUSH
from custom_components.ovh_sms_virtual.const import (
    CONF_DELETE_RECEIVED,
    CONF_NUMBER,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_RECEIVED,
)
from custom_components.ovh_sms_virtual.diagnostics import async_get_config_entry_diagnostics
from custom_components.ovh_sms_virtual.phone import is_number
from custom_components.ovh_sms_virtual.push import MAX_IN_FLIGHT, PUSH_GRACE, PUSH_RETRUST
from ovh_simulator import OvhSimulator

from .conftest import ENTRY_DATA, ENTRY_OPTIONS, NUMBER, SERVICE, WEBHOOK_ID
from .harness import LOGGER_NAME, EntryHarness

type HttpClient = TestClient[web.Request, web.Application]

EXTERNAL_URL = "https://home.example.org"
PATH = f"/api/webhook/{WEBHOOK_ID}"
URL = f"{EXTERNAL_URL}{PATH}"
SENDER = "+33611111111"
INBOX = f"/sms/{SERVICE}/virtualNumbers/{NUMBER}/incoming"
# A second virtual number of the same SMS account, set up as a second entry.
OFFICE_NUMBER = "0033698765432"
OFFICE_WEBHOOK_ID = "fedcba9876543210" * 4
OFFICE_INBOX = f"/sms/{SERVICE}/virtualNumbers/{OFFICE_NUMBER}/incoming"


@dataclass
class Pushes(EntryHarness):
    """The entry, OVH (the simulator) pushing to it, and what Home Assistant fired.

    Each test also needs an HTTP client to the webhook (``make_client``).
    """

    entity_id = "event.home_received_sms"

    make_client: ClientSessionGenerator | None = None
    _client: HttpClient | None = None

    @property
    def client(self) -> HttpClient:
        """An HTTP client to Home Assistant (its HTTP server starts with the entry)."""
        assert self._client is not None
        return self._client

    @override
    async def set_up(self, *, push: bool = True, **options: Any) -> None:
        """Set the entry up; ``push``: the account pushes received SMS to its URL."""
        if push:
            self.sim.set_push_url(SERVICE, URL)
        await super().set_up(**options)
        assert self.make_client is not None
        self._client = await self.make_client()

    async def add_office(self) -> MockConfigEntry:
        """A second number of the same account, set up as its own entry."""
        self.sim.add_virtual_number(SERVICE, OFFICE_NUMBER)
        office = MockConfigEntry(
            domain=DOMAIN,
            title="Office",
            data={**ENTRY_DATA, CONF_NUMBER: OFFICE_NUMBER, CONF_WEBHOOK_ID: OFFICE_WEBHOOK_ID},
            options=dict(ENTRY_OPTIONS),
            unique_id=f"{SERVICE}_{OFFICE_NUMBER}",
        )
        office.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(office.entry_id)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        return office

    @property
    def via(self) -> str:
        """The test server's origin, which the simulator calls in place of the URL's."""
        return str(self.client.make_url("/"))

    async def receive(
        self,
        message: str,
        *,
        pushed: bool = True,
        number: str = NUMBER,
        created: datetime | None = None,
    ) -> int:
        """An SMS arrives; OVH pushes it (or, ``pushed=False``, fails to). Its id."""
        if not pushed:
            url = self.sim.account(SERVICE)["smsResponse"]["cgiUrl"]
            self.sim.set_push_url(SERVICE, None)
        sms_id = self.sim.add_incoming(
            SERVICE, number, SENDER, message, "", created, push_via=self.via
        )
        if pushed:
            result = await self.sim.async_wait_push(sms_id)
            assert (result.status, result.error) == (200, None)
        else:
            self.sim.set_push_url(SERVICE, url)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        return sms_id

    async def post(self, params: dict[str, str], how: str = "form") -> tuple[int, str]:
        """Call the webhook as a push would: a form, JSON, or a query string."""
        match how:
            case "form":
                response = await self.client.post(PATH, data=params)
            case "json":
                response = await self.client.post(PATH, data=json.dumps(params))
            case _:
                response = await self.client.get(PATH, params=params)
        answer = response.status, await response.text()
        await self.hass.async_block_till_done(wait_background_tasks=True)
        return answer

    async def poll(self, seconds: float = 20) -> None:
        """Let ``seconds`` pass (one polling interval by default) and wait for what it starts."""
        await self.wait(seconds)

    async def lists_after(self, seconds: float) -> bool:
        """Whether the inbox is listed within ``seconds`` from now (the poll's pace)."""
        self.sim.clear_requests()
        await self.poll(seconds)
        return any(record.path == INBOX for record in self.sim.calls("GET"))

    def calls(self, inbox: str = INBOX) -> list[tuple[str, str]]:
        """The calls OVH received about an inbox, as ``(method, what follows it)``."""
        return [
            (record.method, record.path.removeprefix(inbox))
            for record in self.sim.calls(path_regex="/incoming")
            if record.path.startswith(inbox)
        ]

    @property
    def fired(self) -> list[str]:
        """Texts of the ``ovh_sms_virtual_received`` events, in firing order."""
        return [event.data["message"] for event in self.events]

    @property
    def stats(self) -> tuple[int, int, int]:
        """Pushes verified, forged and unread, as the entry counts them."""
        push = self.entry.runtime_data.store.push
        return push.verified, push.forged, push.unread


@pytest.fixture
async def pushes(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    hass_client_no_auth: ClientSessionGenerator,
) -> Pushes:
    """An entry whose URL looks external (OVH could call it), its clock frozen."""
    await hass.config.async_update(external_url=EXTERNAL_URL, time_zone="Europe/Paris")
    harness = Pushes.frozen(hass, ovh_sim, mock_config_entry, freezer, hass_storage, EVENT_RECEIVED)
    harness.make_client = hass_client_no_auth
    return harness


async def test_pushed_sms_fires_at_once(pushes: Pushes) -> None:
    """The push is read back from OVH and fired without waiting for a poll."""
    await pushes.set_up()
    pushes.sim.clear_requests()

    sms_id = await pushes.receive("STATUS", created=datetime(2026, 11, 27, 9, 29, 58, tzinfo=UTC))

    assert [event.data for event in pushes.events] == [
        {
            "entry_id": pushes.entry.entry_id,
            "service_name": SERVICE,
            "number": NUMBER,
            "message_id": sms_id,
            "sender": SENDER,
            "message": "STATUS",
            "received_at": "2026-11-27T09:29:58+00:00",
            "tag": "",
        }
    ]
    entity = pushes.hass.states.get("event.home_received_sms")
    assert entity is not None
    assert entity.attributes["message_id"] == sms_id
    # Read by its id, then the poll that fires it after anything older, then deleted.
    assert pushes.calls() == [("GET", f"/{sms_id}"), ("GET", ""), ("DELETE", f"/{sms_id}")]
    assert pushes.sim.incoming(SERVICE, NUMBER) == []
    assert pushes.stats == (1, 0, 0)
    # No delivery status out of it.
    assert pushes.entry.runtime_data.store.push.last_verified == dt_util.utcnow()

    await pushes.poll()
    await pushes.poll()
    assert pushes.fired == ["STATUS"]


@pytest.mark.parametrize(
    ("how", "sender_field"),
    [("form", "senderid"), ("json", "senderid"), ("query", "senderid"), ("form", "sender")],
)
async def test_any_wire_format_is_a_push(
    pushes: Pushes, hass: HomeAssistant, how: str, sender_field: str
) -> None:
    """A form, JSON or a query string; ``senderid`` or ``sender``: the SMS fires once."""
    await pushes.set_up(push=False)
    delivery = async_capture_events(hass, EVENT_DELIVERY_STATUS)
    sms_id = await pushes.receive("hello", pushed=False)
    params = {"id": str(sms_id), sender_field: SENDER, "message": "forged text", "keyword": ""}

    assert await pushes.post(params, how) == (200, "OK")

    # What OVH holds fires, not what the call said.
    assert pushes.fired == ["hello"]
    assert delivery == []


async def test_forged_push_fires_nothing_for_one_read(pushes: Pushes) -> None:
    """An id OVH does not hold for the number costs one GET and fires nothing."""
    await pushes.set_up()
    pushes.sim.clear_requests()

    answer = await pushes.post(
        {"id": "987654321", "senderid": SENDER, "message": "open the door", "shortcode": NUMBER}
    )

    assert answer == (200, "OK")
    assert pushes.fired == []
    assert [(record.method, record.path) for record in pushes.sim.requests] == [
        ("GET", f"{INBOX}/987654321")
    ]
    assert pushes.stats == (0, 1, 0)
    # The poll's pace is untouched: the next poll comes at the usual time.
    assert await pushes.lists_after(20)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"senderid": SENDER, "message": "no id"}, "missing id"),
        ({"id": str(2**63), "senderid": SENDER, "message": "id beyond 64 bits"}, "invalid id"),
        ({"id": "12a", "sender": SENDER, "message": "not a number"}, "invalid id"),
    ],
)
async def test_push_without_a_usable_id_is_refused(
    pushes: Pushes, params: dict[str, str], reason: str
) -> None:
    """Nothing to read back: a 4xx with a fixed reason, and no call to OVH."""
    await pushes.set_up()
    pushes.sim.clear_requests()

    answer = await pushes.post(params)

    assert answer == (400, reason)
    assert pushes.sim.requests == []
    assert pushes.fired == []


async def test_push_then_poll_and_two_pushes_fire_once(pushes: Pushes) -> None:
    """A poll after the push, a second push of the same SMS: nothing fires again."""
    await pushes.set_up()
    sms_id = await pushes.receive("once")
    pushes.sim.clear_requests()

    await pushes.post({"id": str(sms_id), "senderid": SENDER, "message": "once"})
    # The next poll, at the slower pace pushes allow.
    await pushes.poll(300)

    assert pushes.fired == ["once"]
    # The second push is known: no read of it.
    assert pushes.calls() == [("GET", "")]
    assert pushes.stats == (2, 0, 0)


async def test_pushes_in_a_burst_read_each_sms_once(pushes: Pushes) -> None:
    """The same push twice at once, with deletion off: one read, one event."""
    await pushes.set_up(**{CONF_DELETE_RECEIVED: False})
    sms_id = await pushes.receive("burst", pushed=False)
    pushes.sim.clear_requests()
    params = {"id": str(sms_id), "senderid": SENDER, "message": "burst"}

    answers = await asyncio.gather(pushes.post(params), pushes.post(params))

    assert list(answers) == [(200, "OK"), (200, "OK")]
    assert pushes.fired == ["burst"]
    assert pushes.calls().count(("GET", f"/{sms_id}")) == 1
    # Kept on OVH and remembered: a later push is known without a read.
    pushes.sim.clear_requests()
    await pushes.post(params)
    assert pushes.calls() == []
    assert pushes.fired == ["burst"]


async def test_failed_read_leaves_the_push_to_the_next_poll(pushes: Pushes) -> None:
    """OVH fails the read of the pushed SMS: nothing now, the next poll fires it."""
    await pushes.set_up()
    pushes.sim.inject_fault("GET", r"/incoming/\d+$", status=503)

    await pushes.receive("later")

    assert pushes.fired == []
    assert pushes.stats == (0, 0, 1)
    await pushes.poll()
    assert pushes.fired == ["later"]


async def test_pushed_sms_waits_for_an_older_one_that_fails(pushes: Pushes) -> None:
    """An older SMS OVH fails to serve holds the pushed one back, as in a poll."""
    await pushes.set_up()
    older = await pushes.receive("first", pushed=False)
    pushes.sim.inject_fault("GET", f"/incoming/{older}$", status=500, count=None)

    await pushes.receive("second")

    assert pushes.fired == []
    pushes.sim.clear_faults()
    await pushes.poll()
    assert pushes.fired == ["first", "second"]


async def test_pushed_sms_after_an_unpushed_older_one(pushes: Pushes) -> None:
    """An older SMS whose push is lost is fired first, by the same poll."""
    await pushes.set_up()
    await pushes.receive("first", pushed=False)
    pushes.sim.clear_requests()

    newer = await pushes.receive("second")

    assert pushes.fired == ["first", "second"]
    assert pushes.calls()[:2] == [("GET", f"/{newer}"), ("GET", "")]


async def test_pushes_of_a_burst_fire_in_order(pushes: Pushes) -> None:
    """Several SMS pushed at once: each fires once, oldest first; they share polls."""
    await pushes.set_up()
    pushes.sim.clear_requests()
    ids = [
        pushes.sim.add_incoming(SERVICE, NUMBER, SENDER, f"sms {index}", push_via=pushes.via)
        for index in range(5)
    ]
    for sms_id in ids:
        await pushes.sim.async_wait_push(sms_id)
    await pushes.hass.async_block_till_done(wait_background_tasks=True)

    assert pushes.fired == [f"sms {index}" for index in range(5)]
    reads = [call for call in pushes.calls() if call[0] == "GET" and call[1]]
    assert sorted(reads) == sorted(("GET", f"/{sms_id}") for sms_id in ids)
    assert pushes.calls().count(("GET", "")) <= len(ids)


async def test_push_during_a_poll_is_not_read_again(pushes: Pushes) -> None:
    """A poll finds the SMS while its push waits: the push reads nothing and fires nothing."""
    await pushes.set_up()
    # OVH holds the poll's list until the SMS has arrived and its push has been answered.
    pushes.sim.inject_fault("GET", "/incoming$", hold=True)
    polling = pushes.hass.async_create_task(pushes.entry.runtime_data.inbox.async_refresh())
    assert await pushes.hass.async_add_executor_job(pushes.sim.wait_held)
    pushes.sim.clear_requests()

    sms_id = pushes.sim.add_incoming(SERVICE, NUMBER, SENDER, "meanwhile", push_via=pushes.via)
    result = await pushes.sim.async_wait_push(sms_id)
    assert (result.status, result.error) == (200, None)
    pushes.sim.release_held()
    await polling
    await pushes.hass.async_block_till_done(wait_background_tasks=True)

    assert pushes.fired == ["meanwhile"]
    # The held list named it: the poll read it and deleted it; the push made no call.
    assert pushes.calls() == [("GET", f"/{sms_id}"), ("DELETE", f"/{sms_id}")]
    assert pushes.stats == (1, 0, 0)


async def test_push_for_another_number_of_the_account(pushes: Pushes) -> None:
    """One URL serves the account: a push for the other number fires in its entry."""
    await pushes.set_up()
    office = await pushes.add_office()
    pushes.sim.clear_requests()

    sms_id = await pushes.receive("for the office", number=OFFICE_NUMBER)

    assert [(event.data["entry_id"], event.data["number"]) for event in pushes.events] == [
        (office.entry_id, OFFICE_NUMBER)
    ]
    assert pushes.calls() == []
    assert pushes.calls(OFFICE_INBOX) == [
        ("GET", f"/{sms_id}"),
        ("GET", ""),
        ("DELETE", f"/{sms_id}"),
    ]
    assert office.runtime_data.store.push.verified == 1
    assert pushes.stats == (0, 0, 0)


@pytest.mark.parametrize(
    "shortcode", ["+33698765432", "0033698765432", "33698765432", "06 98 76 54 32"]
)
async def test_shortcode_in_any_form_routes_the_push(pushes: Pushes, shortcode: str) -> None:
    """The receiving number as OVH may write it: only its entry reads the SMS."""
    await pushes.set_up(push=False)
    await pushes.add_office()
    sms_id = await pushes.receive("routed", pushed=False, number=OFFICE_NUMBER)
    pushes.sim.clear_requests()

    await pushes.post(
        {"id": str(sms_id), "senderid": SENDER, "message": "routed", "shortcode": shortcode}
    )

    assert pushes.fired == ["routed"]
    assert pushes.calls() == []


@pytest.mark.parametrize("shortcode", [None, "38123", "x" * 33])
async def test_push_without_a_known_shortcode_tries_each_entry(
    pushes: Pushes, shortcode: str | None
) -> None:
    """No shortcode, or none of the account's numbers: each entry reads it, once at most."""
    await pushes.set_up(push=False)
    office = await pushes.add_office()
    sms_id = await pushes.receive("somewhere", pushed=False, number=OFFICE_NUMBER)
    pushes.sim.clear_requests()
    params = {"id": str(sms_id), "senderid": SENDER, "message": "somewhere"}
    if shortcode is not None:
        params["shortcode"] = shortcode

    await pushes.post(params)

    assert [event.data["entry_id"] for event in pushes.events] == [office.entry_id]
    # The entry whose URL was called first: OVH does not hold it for that number.
    assert pushes.calls() == [("GET", f"/{sms_id}")]
    assert pushes.calls(OFFICE_INBOX)[0] == ("GET", f"/{sms_id}")
    # Not forged: another number had it.
    assert pushes.stats == (0, 0, 0)

    # An id no number holds costs one read per entry, and counts as forged.
    pushes.sim.clear_requests()
    await pushes.post({**params, "id": "5"})
    assert pushes.calls() == [("GET", "/5")]
    assert pushes.calls(OFFICE_INBOX) == [("GET", "/5")]
    assert pushes.stats == (0, 1, 0)


async def test_a_burst_of_pushes_is_bounded(pushes: Pushes) -> None:
    """More pushes at once than it checks: the rest is left to the polls, not queued."""
    await pushes.set_up()
    # OVH holds the first read until every push has been answered: none ends before.
    pushes.sim.inject_fault("GET", r"/incoming/\d+$", hold=True)
    pushes.sim.clear_requests()
    count = MAX_IN_FLIGHT + 5

    answers = await asyncio.gather(
        *(
            pushes.client.post(
                PATH, data={"id": str(1000 + index), "senderid": SENDER, "message": "x"}
            )
            for index in range(count)
        )
    )
    assert [answer.status for answer in answers] == [200] * count
    assert await pushes.hass.async_add_executor_job(pushes.sim.wait_held)
    pushes.sim.release_held()
    await pushes.hass.async_block_till_done(wait_background_tasks=True)

    assert len(pushes.calls()) == MAX_IN_FLIGHT
    assert pushes.stats == (0, MAX_IN_FLIGHT, 5)


@pytest.mark.parametrize("delete", [True, False], ids=["deletion on", "deletion off"])
async def test_push_during_a_reload_fires_once(pushes: Pushes, delete: bool) -> None:
    """The entry reloads while it reads a pushed SMS: the reloaded entry fires it once."""
    await pushes.set_up(**{CONF_DELETE_RECEIVED: delete})
    # OVH holds the push's read until the entry has reloaded.
    pushes.sim.inject_fault("GET", r"/incoming/\d+$", hold=True)
    sms_id = pushes.sim.add_incoming(SERVICE, NUMBER, SENDER, "reload", push_via=pushes.via)
    await pushes.sim.async_wait_push(sms_id)
    assert await pushes.hass.async_add_executor_job(pushes.sim.wait_held)

    assert await pushes.hass.config_entries.async_reload(pushes.entry.entry_id)
    pushes.sim.release_held()
    await pushes.hass.async_block_till_done(wait_background_tasks=True)
    await pushes.entry.runtime_data.inbox.async_refresh()
    await pushes.post({"id": str(sms_id), "senderid": SENDER, "message": "reload"})

    assert pushes.fired == ["reload"]
    assert pushes.entry.state is ConfigEntryState.LOADED


async def test_slower_polling_while_pushes_arrive(pushes: Pushes) -> None:
    """Pushes on and arriving: the slow interval; an SMS no push announced ends it."""
    await pushes.set_up(push_scan_interval=120)
    # No push has arrived yet: the normal pace.
    assert await pushes.lists_after(20)

    await pushes.receive("pushed")
    assert pushes.fired == ["pushed"]
    assert not await pushes.lists_after(100)
    assert await pushes.lists_after(20)
    assert not await pushes.lists_after(100)

    # OVH fails to push one: the slow poll finds it, and the normal pace is back at once.
    await pushes.receive("not pushed", pushed=False)
    assert await pushes.lists_after(20)
    assert pushes.fired == ["pushed", "not pushed"]
    assert await pushes.lists_after(20)
    assert await pushes.lists_after(20)
    # Past the grace period its push has not come: a push now does not slow polling down.
    await pushes.poll(PUSH_GRACE.total_seconds())
    await pushes.receive("pushed again")
    assert await pushes.lists_after(20)

    # An hour later, pushes are relied on again once one arrives.
    await pushes.poll(PUSH_RETRUST.total_seconds())
    await pushes.receive("trusted again")
    assert pushes.fired[-1] == "trusted again"
    assert not await pushes.lists_after(100)
    assert await pushes.lists_after(20)


async def test_a_push_slower_than_the_poll_is_no_miss(pushes: Pushes) -> None:
    """The poll finds an SMS before its push arrives: once the push comes, polling slows again."""
    await pushes.set_up(push_scan_interval=120)
    await pushes.receive("pushed")
    sms_id = await pushes.receive("push late", pushed=False)
    assert await pushes.lists_after(120)
    assert pushes.fired == ["pushed", "push late"]

    await pushes.post({"id": str(sms_id), "senderid": SENDER, "message": "push late"})

    assert pushes.fired == ["pushed", "push late"]
    # The poll read and deleted it; the push made no call.
    assert pushes.calls() == [("GET", ""), ("GET", f"/{sms_id}"), ("DELETE", f"/{sms_id}")]
    # The poll already due at the normal pace, then the slower one: no miss.
    assert await pushes.lists_after(20)
    assert not await pushes.lists_after(100)
    assert await pushes.lists_after(20)


async def test_no_slower_polling_unless_the_account_pushes_here(pushes: Pushes) -> None:
    """Pushes arriving while the account names another URL: the normal pace stays."""
    await pushes.set_up(push=False)
    pushes.sim.set_push_url(SERVICE, "https://elsewhere.example.org/sms")
    await pushes.entry.runtime_data.account.async_refresh()

    sms_id = await pushes.receive("hello", pushed=False)
    await pushes.post({"id": str(sms_id), "senderid": SENDER, "message": "hello"})

    assert pushes.fired == ["hello"]
    assert await pushes.lists_after(20)


async def test_options_show_the_last_push(pushes: Pushes, hass: HomeAssistant) -> None:
    """The received-SMS screen says whether pushes arrive, and when the last one did."""
    await pushes.set_up()

    async def push_screen() -> dict[str, Any]:
        result = await hass.config_entries.options.async_init(pushes.entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "callback"}
        )
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_SET_CALLBACK: False}
        )
        assert result["data_schema"] is not None
        assert result["data_schema"].schema == {}
        done = await hass.config_entries.options.async_configure(result["flow_id"], {})
        assert done["type"] is FlowResultType.CREATE_ENTRY
        return {"step_id": result["step_id"], **(result["description_placeholders"] or {})}

    assert await push_screen() == {"step_id": "push_set_waiting", "callback_url": URL}
    await pushes.receive("hello")
    assert await push_screen() == {
        "step_id": "push_set",
        "callback_url": URL,
        # In Home Assistant's time zone.
        "last_push": "2026-11-27 10:30:00",
    }
    # Kept across a reload (saving the options reloads).
    await hass.config_entries.async_reload(pushes.entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (await push_screen())["step_id"] == "push_set"


async def test_options_turn_push_on(pushes: Pushes, hass: HomeAssistant) -> None:
    """Only responseType and cgiUrl are written, and the account is read again."""
    await pushes.set_up(push=False)
    pushes.sim.set_push_url(SERVICE, None)
    result = await hass.config_entries.options.async_init(pushes.entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "callback"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_CALLBACK: False}
    )
    assert result["step_id"] == "push"
    pushes.sim.clear_requests()

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SET_PUSH: True}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [
        (call.method, call.body) for call in pushes.sim.calls(path_regex=f"/sms/{SERVICE}$")
    ] == [
        ("PUT", {"smsResponse": {"responseType": "cgi", "cgiUrl": URL}}),
        ("GET", None),
    ]
    account = pushes.entry.runtime_data.account.data
    assert account is not None
    assert (account.push_type, account.push_url) == ("cgi", URL)
    # The simulator keeps the other reply settings (OVH is assumed to).
    assert pushes.sim.account(SERVICE)["smsResponse"]["trackingOptions"] == []


async def test_diagnostics_show_the_pushes(pushes: Pushes, hass: HomeAssistant) -> None:
    """Whether the account pushes here, and what the pushes gave; never the URL."""
    await pushes.set_up()
    await pushes.receive("hello")
    await pushes.post({"id": "77", "senderid": SENDER, "message": "forged"})

    diagnostics = await async_get_config_entry_diagnostics(hass, pushes.entry)

    assert diagnostics["push"] == {
        "account_response_type": "cgi",
        "account_pushes_here": True,
        "verified": 1,
        "forged": 1,
        "unread": 0,
        "last_verified": "2026-11-27T09:30:00+00:00",
    }
    assert WEBHOOK_ID not in json.dumps(diagnostics)


async def test_nothing_the_caller_chose_is_logged(
    pushes: Pushes, caplog: pytest.LogCaptureFixture
) -> None:
    """The message, the sender and the shortcode of a push never reach the log."""
    await pushes.set_up()
    caplog.set_level(logging.DEBUG, LOGGER_NAME)
    sms_id = await pushes.receive("secret text")
    await pushes.post(
        {
            "id": "77",
            "senderid": "+33600000099",
            "message": "forged text",
            "shortcode": "+33699999999",
        }
    )

    log = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith(LOGGER_NAME)
    )
    assert str(sms_id) in log
    for chosen in ("secret text", "forged text", "+33600000099", "+33699999999", SENDER):
        assert chosen not in log


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+33612345678", True),
        ("0033612345678", True),
        ("33612345678", True),
        ("0612345678", True),
        (" 06 12 34 56 78 ", True),
        ("+33698765432", False),
        ("612345678", True),
        ("38123", False),
        ("https://example.org/+33612345678", False),
        ("", False),
    ],
)
def test_shortcode_forms(value: str, expected: bool) -> None:
    """The forms a receiving number may take in a push."""
    assert is_number(value, NUMBER) is expected
