"""Delivery status read from OVH when its reports cannot reach the webhook.

End to end: the action sends through the real ``ovh`` client to the simulator, whose sent
SMS go through their lifecycle on the frozen clock; the tracker reads
``GET .../outgoing/{id}`` and fires ``ovh_sms_virtual_delivery_status``.
"""

from datetime import datetime, timedelta
import gc
import logging
from pathlib import Path
import re
from typing import Any
import weakref

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ovh_sms_virtual.const import (
    CONF_MAX_SMS_PER_HOUR,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
)
from custom_components.ovh_sms_virtual.delivery import (
    CHECK_INTERVALS,
    GRACE,
    LATER_INTERVAL,
    MAX_CALLS_PER_MINUTE,
    MAX_TRACKED,
    MAX_VALIDITY,
    MODE_POLLING,
    MODE_WEBHOOK,
)
from custom_components.ovh_sms_virtual.diagnostics import async_get_config_entry_diagnostics
from custom_components.ovh_sms_virtual.store import SAVE_DELAY
from ovh_simulator import OvhSimulator

from .conftest import CONSUMER_KEY, NUMBER, SERVICE, WEBHOOK_ID
from .harness import LOGGER_NAME, START, EntryHarness, messages

README = Path(__file__).parent.parent / "README.md"
ENTITY_ID = "event.home_delivery_status"
OUTGOING = r"/outgoing/\d+$"
PUBLIC_URL = "https://example.duckdns.org"
CALLBACK_URL = f"{PUBLIC_URL}/api/webhook/{WEBHOOK_ID}"
RECEIVER = "+33612345678"
SENT_AT = START
# OVH's rendering (Paris time) of 5 s after the send: the simulator's default delivery.
DELIVERED_AT = "2026-11-27T10:30:05+01:00"


class Deliveries(EntryHarness):
    """The sent SMS, seen from OVH (the simulator) and from Home Assistant."""

    entity_id = ENTITY_ID

    async def send(self, *recipients: str, **data: Any) -> list[int]:
        """Send through the action; the message ids."""
        response = await self.hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"recipients": list(recipients) or [RECEIVER], "message": "Door open", **data},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        ids: list[int] = response["message_ids"]  # type: ignore[assignment]
        return ids

    def read_at(self) -> list[tuple[float, int]]:
        """``(seconds after the send, SMS id)`` of each read OVH received."""
        start = datetime.fromisoformat(SENT_AT).timestamp()
        return [
            (record.received_at - start, int(record.path.rpartition("/")[2]))
            for record in self.sim.calls("GET", OUTGOING)
        ]

    def reads(self, message_id: int | None = None) -> int:
        """``GET .../outgoing/{id}`` calls OVH received (for one SMS, or all)."""
        path = OUTGOING if message_id is None else rf"/outgoing/{message_id}$"
        return len(self.sim.calls("GET", path))

    @property
    def fired(self) -> list[tuple[int, str, int | None]]:
        """``(message_id, status, dlr)`` of each delivery event, in firing order."""
        return [(e.data["message_id"], e.data["status"], e.data["dlr"]) for e in self.events]

    @property
    def stored(self) -> list[dict[str, Any]]:
        """The tracked SMS as Home Assistant's storage holds them."""
        stored: list[dict[str, Any]] = self.on_disk["deliveries"]
        return stored


@pytest.fixture
async def sms(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> Deliveries:
    """The SMS sent by the entry, on a frozen clock."""
    return Deliveries.frozen(
        hass, ovh_sim, mock_config_entry, freezer, hass_storage, EVENT_DELIVERY_STATUS
    )


def _schedule() -> list[int]:
    """Seconds after the send of each read of an SMS that never reaches a final status."""
    end = MAX_VALIDITY * 60 + GRACE
    moments: list[int] = []
    moment = 0
    for step in range(10_000):
        moment += CHECK_INTERVALS[step] if step < len(CHECK_INTERVALS) else LATER_INTERVAL
        if moment >= end:
            return [*moments, end]
        moments.append(moment)
    raise AssertionError("unreachable")


def test_readme_states_the_schedule() -> None:
    """README's figures are the tracker's: the schedule, the calls and the bounds."""
    readme = README.read_text(encoding="utf-8")
    moments = _schedule()
    rows = re.findall(r"^\| (?:1st|2nd|3rd|\d+th) \| ([^|(]+?)(?: \(|\s*\|)", readme, re.MULTILINE)
    assert rows == [
        f"{m // 60} min {m % 60} s" if m >= 60 else f"{m} s" for m in moments[: len(rows)]
    ]
    assert len(rows) == len(CHECK_INTERVALS)
    assert f"| last | {moments[-1] // 3600} h " in readme
    assert f"| {len(moments)} |" in readme
    assert f"costs **{len(moments)} calls** over {moments[-1] // 3600} hours" in readme
    assert f"at most **{MAX_CALLS_PER_MINUTE} calls a minute**" in readme
    assert f"At most **{MAX_TRACKED} SMS**" in readme


# ------------------------------------------------------------------------ one event per change


@pytest.mark.parametrize(
    ("outcome", "report"),
    [
        ("delivered", {"status": "delivered", "dlr": 1, "ptt": 4, "date": DELIVERED_AT}),
        # OVH's codes for an SMS the operator could not deliver; no date.
        ("failed", {"status": "failed", "dlr": 2, "ptt": 5, "date": None}),
    ],
)
async def test_final_status_fires_one_event(
    sms: Deliveries, outcome: str, report: dict[str, Any]
) -> None:
    """No public URL: the status is read from OVH; a final one fires once, then no read."""
    sms.sim.set_delivery_lifecycle(outcome, delay=5)
    await sms.set_up()
    assert sms.entry.runtime_data.delivery.mode == MODE_POLLING
    (message_id,) = await sms.send()
    await sms.wait(CHECK_INTERVALS[0] - 1)
    assert sms.reads() == 0

    await sms.wait(1)

    assert [event.data for event in sms.events] == [
        {
            "entry_id": sms.entry.entry_id,
            "service_name": SERVICE,
            "number": NUMBER,
            "message_id": message_id,
            "receiver": RECEIVER,
            "description": None,
            **report,
        }
    ]
    assert sms.entity.attributes["event_type"] == report["status"]
    assert {
        key: sms.entity.attributes[key]
        for key in ("message_id", "receiver", "dlr", "ptt", "description")
    } == {
        "message_id": message_id,
        "receiver": RECEIVER,
        "dlr": report["dlr"],
        "ptt": report["ptt"],
        "description": None,
    }
    assert sms.reads(message_id) == 1

    await sms.wait(3 * 3600)
    assert sms.reads() == 1
    assert len(sms.events) == 1
    assert sms.entry.runtime_data.delivery.tracked_count == 0


async def test_one_event_per_change_never_a_repeat(sms: Deliveries) -> None:
    """Pending, pending, buffered, buffered, delivered: three events, and reads stop."""
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    (message_id,) = await sms.send()

    await sms.wait(CHECK_INTERVALS[0])
    await sms.wait(CHECK_INTERVALS[1])
    assert sms.fired == [(message_id, "pending", 0)]
    sms.sim.set_outgoing_outcome(message_id, "buffered")
    await sms.wait(CHECK_INTERVALS[2])
    await sms.wait(CHECK_INTERVALS[3])
    assert sms.fired == [(message_id, "pending", 0), (message_id, "pending", 8)]
    sms.sim.set_outgoing_outcome(message_id, "delivered")
    await sms.wait(CHECK_INTERVALS[4])

    assert sms.fired == [
        (message_id, "pending", 0),
        (message_id, "pending", 8),
        (message_id, "delivered", 1),
    ]
    assert [event.data["ptt"] for event in sms.events] == [0, 3, 4]
    assert sms.reads(message_id) == 5
    await sms.wait(24 * 3600)
    assert sms.reads(message_id) == 5
    assert len(sms.events) == 3


async def test_each_sms_of_a_job_is_followed(sms: Deliveries) -> None:
    """Two receivers, two ids: each gets its own event, with its own receiver."""
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    first, second = await sms.send(RECEIVER, "+33698765432")
    sms.sim.set_outgoing_outcome(first, "delivered")
    sms.sim.set_outgoing_outcome(second, "failed")

    await sms.wait(CHECK_INTERVALS[0])

    assert {e.data["message_id"]: (e.data["receiver"], e.data["status"]) for e in sms.events} == {
        first: (RECEIVER, "delivered"),
        second: ("+33698765432", "failed"),
    }


async def test_not_found_at_first_is_waited_for(
    sms: Deliveries, caplog: pytest.LogCaptureFixture
) -> None:
    """A 404: OVH has not recorded the SMS yet. No event, no warning, read again later."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    await sms.set_up()
    (message_id,) = await sms.send()
    sms.sim.inject_fault("GET", rf"/outgoing/{message_id}$", status=404)

    await sms.wait(CHECK_INTERVALS[0])
    assert sms.reads(message_id) == 1
    assert sms.events == []

    await sms.wait(CHECK_INTERVALS[1])
    assert sms.fired == [(message_id, "delivered", 1)]
    assert messages(caplog, logging.WARNING) == []
    assert messages(caplog, logging.INFO) == []


# ------------------------------------------------------------------------------ the schedule


async def test_reads_follow_the_schedule_and_stop(sms: Deliveries) -> None:
    """An SMS that stays pending is read at each step of the schedule, and no more.

    One read 15 s after the send, then 30 s, 1, 2, 5, 15 and 30 minutes later, then every
    hour, until OVH's default validity period (2880 minutes) and one hour have passed.
    """
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    (message_id,) = await sms.send()
    moments = _schedule()
    assert moments[:8] == [15, 45, 105, 225, 525, 1425, 3225, 6825]
    assert moments[-1] == 49 * 3600
    elapsed = 0

    for count, moment in enumerate(moments, start=1):
        await sms.wait(moment - elapsed - 1)
        assert sms.reads() == count - 1, f"read before {moment} s"
        await sms.wait(1)
        assert sms.reads() == count, f"no read at {moment} s"
        elapsed = moment

    await sms.wait(7 * 24 * 3600)
    assert sms.reads(message_id) == len(moments) == 56
    assert sms.fired == [(message_id, "pending", 0)]
    assert sms.entry.runtime_data.delivery.tracked_count == 0
    assert sms.stored == []


async def test_an_sms_sent_later_is_read_on_its_own_schedule(sms: Deliveries) -> None:
    """A send while another SMS waits for a later read is read 15 s after it all the same."""
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    (first,) = await sms.send()
    for _ in range(300):
        await sms.wait(1)
    second, third = [*await sms.send(), *await sms.send()]
    for _ in range(300):
        await sms.wait(1)

    assert sorted(sms.read_at()) == [
        *[(moment, first) for moment in (15, 45, 105, 225)],
        *[(moment, sms_id) for moment in (315, 345, 405) for sms_id in (second, third)],
        (525, first),
        (525, second),
        (525, third),
    ]


async def test_validity_period_shortens_the_tracking(sms: Deliveries) -> None:
    """With a 10-minute validity the SMS is followed for 10 minutes and an hour."""
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    await sms.send(validity_period=10)
    moments = [15, 45, 105, 225, 525, 1425, 3225, 10 * 60 + GRACE]

    elapsed = 0
    for moment in moments:
        await sms.wait(moment - elapsed)
        elapsed = moment
    await sms.wait(24 * 3600)

    assert [moment for moment, _ in sms.read_at()] == moments


async def test_deferred_sms_is_read_once_it_leaves(sms: Deliveries) -> None:
    """Sent with a 30-minute delay: the first read comes 30 minutes and 15 s later."""
    await sms.set_up()
    (message_id,) = await sms.send(differed_period=30)

    await sms.wait(30 * 60 + CHECK_INTERVALS[0] - 1)
    assert sms.reads() == 0
    await sms.wait(1)
    assert sms.fired == [(message_id, "delivered", 1)]


async def test_sms_deferred_beyond_a_week_is_not_followed(sms: Deliveries) -> None:
    await sms.set_up()
    await sms.send(differed_period=7 * 24 * 60 + 1)

    assert sms.entry.runtime_data.delivery.tracked_count == 0
    await sms.wait(3600)
    assert sms.reads() == 0


async def test_calls_per_minute_are_capped(sms: Deliveries) -> None:
    """30 SMS due at once: 20 are read, and no more call until that minute is over.

    A minute later the other 10 come first, then 10 of the 20 already read.
    """
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    ids = await sms.send(*(f"+336000000{i:02d}" for i in range(30)))

    await sms.wait(CHECK_INTERVALS[0])
    assert sms.reads() == MAX_CALLS_PER_MINUTE
    await sms.wait(59)
    assert sms.reads() == MAX_CALLS_PER_MINUTE
    await sms.wait(1)

    assert sms.read_at() == [
        *((15, message_id) for message_id in ids[:20]),
        *((75, message_id) for message_id in ids[20:]),
        *((75, message_id) for message_id in ids[:10]),
    ]
    assert sorted(message_id for message_id, _, _ in sms.fired) == ids


async def test_tracked_sms_are_bounded(sms: Deliveries, caplog: pytest.LogCaptureFixture) -> None:
    """Beyond ``MAX_TRACKED`` the oldest SMS are dropped, with one warning."""
    sms.sim.set_credits(SERVICE, 10_000)
    await sms.set_up(**{CONF_MAX_SMS_PER_HOUR: 0})
    first = await sms.send(*(f"+3361{i:07d}" for i in range(MAX_TRACKED)))
    await sms.send("+33798765432")
    await sms.send("+33798765431")

    assert sms.entry.runtime_data.delivery.tracked_count == MAX_TRACKED
    assert messages(caplog, logging.WARNING) == [
        "More than 500 sent SMS wait for a delivery status: the oldest are no longer followed"
    ]
    await sms.wait(CHECK_INTERVALS[0])
    # The oldest left; the next ones (the smallest ids) are read first.
    assert [message_id for _, message_id in sms.read_at()] == first[2:22]


# ------------------------------------------------------------------------- restart and reload


async def test_tracking_survives_a_reload(sms: Deliveries) -> None:
    """What was sent and what was fired are kept: no repeat, and the change still comes."""
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    (message_id,) = await sms.send()
    await sms.wait(CHECK_INTERVALS[0])
    assert sms.fired == [(message_id, "pending", 0)]

    await sms.reload()
    assert [(d["id"], d["status"], d["dlr"]) for d in sms.stored] == [(message_id, "pending", 0)]
    assert sms.entry.runtime_data.delivery.tracked_count == 1
    await sms.wait(CHECK_INTERVALS[1])
    assert sms.reads(message_id) == 2
    assert sms.fired == [(message_id, "pending", 0)]

    sms.sim.set_outgoing_outcome(message_id, "delivered")
    await sms.wait(CHECK_INTERVALS[2])
    assert sms.fired == [(message_id, "pending", 0), (message_id, "delivered", 1)]


async def test_a_reload_leaves_nothing_of_the_last_tracker(sms: Deliveries) -> None:
    """The store outlives a reload; the tracker of the load before does not."""
    await sms.set_up()
    await sms.send()
    tracker = weakref.ref(sms.entry.runtime_data.delivery)

    await sms.reload()
    gc.collect()

    assert tracker() is None
    assert sms.entry.runtime_data.delivery.tracked_count == 1


async def test_tracking_survives_a_restart(sms: Deliveries) -> None:
    """Home Assistant stops with an SMS sent; it is still followed after the start."""
    await sms.set_up()
    (message_id,) = await sms.send()
    await sms.stop()
    assert [d["id"] for d in sms.stored] == [message_id]

    await sms.wait(3600)  # Home Assistant is off for an hour.
    await sms.start()
    assert sms.reads() == 0  # The set-up does not wait for OVH.
    # The overdue read is timed "now"; on a frozen clock, the loop needs a nudge to see it.
    await sms.wait(0)

    assert sms.fired == [(message_id, "delivered", 1)]
    assert sms.read_at() == [(3600, message_id)]
    await sms.wait(SAVE_DELAY)
    assert sms.stored == []


async def test_stored_deliveries_are_read_leniently(sms: Deliveries) -> None:
    """A damaged or outdated store never fails the set-up; what is readable is followed."""
    now = datetime.fromisoformat(SENT_AT).timestamp()
    sms.storage[f"{DOMAIN}.{sms.entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{sms.entry.entry_id}",
        "data": {
            "handled": [],
            "sent": {},
            "deliveries": [
                {"id": 1, "until": now + 600, "due": now + 30, "checks": 1, "status": "pending"},
                {"id": 2, "until": now - 1, "due": now - 60},  # Its time is up.
                {"id": "3", "until": now + 600, "due": now},
                {"id": 4, "until": "soon", "due": now},
                {"id": 5, "until": float("inf"), "due": now},
                {"id": True, "until": now + 600, "due": now},
                {"id": 6, "until": 1e300, "due": 1e300, "status": "lost", "dlr": -1},
                "garbage",
            ],
        },
    }
    await sms.set_up()
    assert sms.entry.runtime_data.delivery.tracked_count == 2

    await sms.wait(30)
    assert sms.read_at() == [(30, 1)]  # OVH does not know it: a 404, read again later.
    await sms.wait(SAVE_DELAY)
    stored = {d["id"]: d for d in sms.stored}
    assert set(stored) == {1, 6}
    assert stored[1]["status"] == "pending"
    assert stored[6]["status"] is None
    assert stored[6]["dlr"] is None
    # Kept within what a send can ask for: a week's delay, the validity and the grace.
    assert stored[6]["until"] <= now + 7 * 24 * 3600 + MAX_VALIDITY * 60 + GRACE


# ------------------------------------------------------------------------- webhook or polling


async def test_no_call_when_the_account_reports_to_the_webhook(
    hass: HomeAssistant, sms: Deliveries, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """A public URL that the account's ``callBack`` points at: no read at all, no repeat."""
    await hass.config.async_update(external_url=PUBLIC_URL)
    sms.sim.set_callback_url(SERVICE, CALLBACK_URL)
    await sms.set_up()
    delivery = sms.entry.runtime_data.delivery
    assert delivery.mode == MODE_WEBHOOK
    (message_id,) = await sms.send()
    assert delivery.tracked_count == 0

    client: TestClient[Any, Any] = await hass_client_no_auth()
    response = await client.get(
        f"/api/webhook/{WEBHOOK_ID}?id={message_id}&ptt=4&description=1&descriptionDlr=Success"
    )
    assert response.status == 200
    await sms.wait(49 * 3600)

    assert sms.reads() == 0
    assert sms.fired == [(message_id, "delivered", 1)]
    assert sms.events[0].data["receiver"] == RECEIVER


async def test_another_address_of_the_same_webhook_counts(
    hass: HomeAssistant, sms: Deliveries
) -> None:
    """The account may name the webhook through another host name: still no read."""
    await hass.config.async_update(external_url=PUBLIC_URL)
    sms.sim.set_callback_url(SERVICE, f"https://ha.example.org/api/webhook/{WEBHOOK_ID}/")
    await sms.set_up()

    assert sms.entry.runtime_data.delivery.mode == MODE_WEBHOOK
    # Diagnostics say so too.
    diagnostics = await async_get_config_entry_diagnostics(hass, sms.entry)
    assert diagnostics["account"]["callback_is_this_entry"] is True


@pytest.mark.parametrize(
    "account_callback",
    [None, "https://raspisms.example.org/callback", f"{PUBLIC_URL}/api/webhook/another"],
)
async def test_public_url_unused_by_the_account_still_polls(
    hass: HomeAssistant, sms: Deliveries, account_callback: str | None
) -> None:
    """A public URL the account does not call is no help: the status is read from OVH."""
    await hass.config.async_update(external_url=PUBLIC_URL)
    sms.sim.set_callback_url(SERVICE, account_callback)
    await sms.set_up()
    assert sms.entry.runtime_data.callback_url == CALLBACK_URL
    assert sms.entry.runtime_data.delivery.mode == MODE_POLLING
    (message_id,) = await sms.send()

    await sms.wait(CHECK_INTERVALS[0])

    assert sms.fired == [(message_id, "delivered", 1)]


async def test_a_webhook_report_is_not_repeated_by_polling(
    hass: HomeAssistant, sms: Deliveries, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """A report reaching the webhook while the SMS is followed: the read does not repeat it.

    A final report ends the reads of that SMS.
    """
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    first, second = await sms.send(RECEIVER, "+33698765432")
    client: TestClient[Any, Any] = await hass_client_no_auth()
    for message_id, dlr in ((first, 0), (second, 1)):
        response = await client.get(f"/api/webhook/{WEBHOOK_ID}?id={message_id}&description={dlr}")
        assert response.status == 200

    await sms.wait(CHECK_INTERVALS[0])
    await sms.wait(CHECK_INTERVALS[1])

    assert sms.fired == [(first, "pending", 0), (second, "delivered", 1)]
    assert sms.reads(first) == 2
    assert sms.reads(second) == 0


async def test_a_webhook_report_during_a_read_wins(
    hass: HomeAssistant, sms: Deliveries, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """OVH reports the delivery while the SMS is being read: the older answer is dropped."""
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    (message_id,) = await sms.send()
    client: TestClient[Any, Any] = await hass_client_no_auth()
    sms.sim.inject_fault("GET", OUTGOING, hold=True)
    sms.clock.tick(timedelta(seconds=CHECK_INTERVALS[0]))
    async_fire_time_changed(hass)
    assert await hass.async_add_executor_job(sms.sim.wait_held)

    response = await client.get(f"/api/webhook/{WEBHOOK_ID}?id={message_id}&description=1")
    assert response.status == 200
    sms.sim.release_held()
    await hass.async_block_till_done(wait_background_tasks=True)

    assert sms.fired == [(message_id, "delivered", 1)]
    await sms.wait(24 * 3600)
    assert sms.reads(message_id) == 1


async def test_an_sms_reported_during_a_run_is_not_read(
    hass: HomeAssistant, sms: Deliveries, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """A final report for an SMS still to read in the same run: it is not read any more.

    OVH would fail that read: it is not made, so nothing backs off.
    """
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    first, second = await sms.send(RECEIVER, "+33698765432")
    client: TestClient[Any, Any] = await hass_client_no_auth()
    sms.sim.inject_fault("GET", rf"/outgoing/{first}$", hold=True)
    sms.sim.inject_fault("GET", rf"/outgoing/{second}$", status=500, count=None)
    sms.clock.tick(timedelta(seconds=CHECK_INTERVALS[0]))
    async_fire_time_changed(hass)
    assert await hass.async_add_executor_job(sms.sim.wait_held)

    response = await client.get(f"/api/webhook/{WEBHOOK_ID}?id={second}&description=1")
    assert response.status == 200
    sms.sim.release_held()
    await hass.async_block_till_done(wait_background_tasks=True)

    assert sms.fired == [(second, "delivered", 1), (first, "pending", 0)]
    assert sms.reads(second) == 0
    assert not sms.entry.runtime_data.delivery.failing
    assert sms.entry.runtime_data.delivery.tracked_count == 1


async def test_polling_stops_once_the_account_reports_to_the_webhook(
    hass: HomeAssistant, sms: Deliveries
) -> None:
    """The callback URL is written into the account: SMS followed before cost no more call."""
    await hass.config.async_update(external_url=PUBLIC_URL)
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    (message_id,) = await sms.send()
    await sms.wait(CHECK_INTERVALS[0])
    assert sms.reads() == 1

    sms.sim.set_callback_url(SERVICE, CALLBACK_URL)
    await sms.entry.runtime_data.account.async_refresh()
    for _ in range(50):
        await sms.wait(3600)

    assert sms.reads(message_id) == 1
    assert sms.entry.runtime_data.delivery.tracked_count == 0


# -------------------------------------------------------------------------------- failures


async def test_ovh_failure_backs_off_and_logs_twice(
    sms: Deliveries, caplog: pytest.LogCaptureFixture
) -> None:
    """OVH fails: no event, one read per run, runs ever further apart, one warning.

    A failure ends the run (the other due SMS wait) and the next run waits 30 s, then 1,
    2 and 4 minutes; once OVH answers, one line says so and the events come.
    """
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    await sms.set_up()
    sms.sim.inject_fault("GET", OUTGOING, status=503, count=None)
    (first,) = await sms.send()
    await sms.wait(15)
    await sms.wait(5)
    (second,) = await sms.send("+33698765432")  # Due 35 s after the first send.
    await sms.wait(15)
    assert sms.reads() == 1  # The first failure holds every read back until 45 s.
    await sms.wait(10)
    await sms.wait(30)
    assert sms.reads() == 2  # The second failure: until 105 s.
    await sms.wait(30)
    await sms.wait(120)
    assert sms.events == []
    warnings = messages(caplog, logging.WARNING)
    assert len(warnings) == 1
    assert warnings[0].startswith("Cannot read the delivery status of sent SMS from OVHcloud")

    sms.sim.clear_faults()
    await sms.wait(240)

    assert sms.read_at() == [
        (15, first),
        (45, second),
        (105, first),
        (225, second),
        (465, first),
        (465, second),
    ]
    assert sms.fired == [(first, "delivered", 1), (second, "delivered", 1)]
    assert messages(caplog, logging.INFO) == [
        "Reading the delivery status of sent SMS from OVHcloud works again"
    ]
    assert len(messages(caplog, logging.WARNING)) == 1


async def test_refused_keys_start_reauth_and_stop_reading(sms: Deliveries) -> None:
    """Revoked keys: reauthentication starts and the tracker stops calling."""
    await sms.set_up()
    await sms.send()
    sms.sim.revoke_consumer_key(CONSUMER_KEY)

    await sms.wait(CHECK_INTERVALS[0])
    assert sms.reads() == 1
    assert len(list(sms.entry.async_get_active_flows(sms.hass, {SOURCE_REAUTH}))) == 1

    await sms.wait(24 * 3600)
    assert sms.reads() == 1
    assert sms.events == []


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {"deliveryReceipt": "1", "ptt": "4", "deliveredAt": " 2026-11-27 10:30:05 "},
            ("delivered", 1, 4, "2026-11-27 10:30:05"),
        ),
        (
            {"deliveryReceipt": 0, "ptt": 0, "deliveredAt": "2026-11-27"},
            ("delivered", 0, 0, "2026-11-27"),
        ),
        ({"deliveryReceipt": 16.0, "ptt": True}, ("failed", 16, None, None)),
        ({"deliveryReceipt": 2, "deliveredAt": "2026-11-27"}, ("failed", 2, None, "2026-11-27")),
        ({"deliveryReceipt": None, "ptt": 4}, ("delivered", None, 4, None)),
        ({"deliveryReceipt": -1, "ptt": 10**6, "deliveredAt": 5}, ("unknown", None, None, None)),
        (
            {"deliveryReceipt": [1], "ptt": 1.5, "deliveredAt": "x" * 65},
            ("unknown", None, None, None),
        ),
        ({}, ("unknown", None, None, None)),
        # No id: the path named the SMS.
        ({"id": None, "deliveryReceipt": 1}, ("delivered", 1, None, None)),
    ],
)
async def test_outgoing_records_are_read_leniently(
    sms: Deliveries,
    record: dict[str, Any],
    expected: tuple[str, int | None, int | None, str | None],
) -> None:
    """Whatever shape OVH's record takes, the SMS gets an event; odd values are left out."""
    await sms.set_up()
    (message_id,) = await sms.send()
    body = {"id": message_id, "receiver": "0033612345678", **record}
    sms.sim.inject_fault("GET", OUTGOING, status=200, body=body)

    await sms.wait(CHECK_INTERVALS[0])

    (event,) = sms.events
    data = event.data
    assert (data["status"], data["dlr"], data["ptt"], data["date"]) == expected
    assert data["receiver"] == RECEIVER


@pytest.mark.parametrize(
    ("receiver", "expected"),
    [
        ("+33698765432", "+33698765432"),
        (" 0033698765432 ", "+33698765432"),
        ("06 98 76 54 32", None),
        ("garbage", None),
        (33698765432, None),
    ],
)
async def test_receiver_from_ovh_when_the_store_forgot_it(
    sms: Deliveries, receiver: object, expected: str | None
) -> None:
    """The receiver comes from OVH's record (in E.164) once the recent sends forgot it."""
    await sms.set_up()
    (message_id,) = await sms.send()
    sms.entry.runtime_data.store.record_sent(dict.fromkeys(range(1, 1001), "+33600000000"))
    body = {"id": message_id, "receiver": receiver, "deliveryReceipt": 1}
    sms.sim.inject_fault("GET", OUTGOING, status=200, body=body)

    await sms.wait(CHECK_INTERVALS[0])

    assert [(e.data["message_id"], e.data["receiver"]) for e in sms.events] == [
        (message_id, expected)
    ]


@pytest.mark.parametrize("answer", ["a list", "another SMS's record"])
async def test_an_answer_that_is_not_its_record_is_a_failure(
    sms: Deliveries, caplog: pytest.LogCaptureFixture, answer: str
) -> None:
    """Nothing fires for it: the read failed, and the SMS is read again later."""
    await sms.set_up()
    (message_id,) = await sms.send()
    body: object = ["not", "a", "record"]
    if answer == "another SMS's record":
        body = {"id": message_id + 1, "deliveryReceipt": 2}
    sms.sim.inject_fault("GET", OUTGOING, status=200, body=body)

    await sms.wait(CHECK_INTERVALS[0])
    assert sms.events == []
    assert len(messages(caplog, logging.WARNING)) == 1
    await sms.wait(CHECK_INTERVALS[1])
    assert sms.fired == [(message_id, "delivered", 1)]


async def test_unload_during_reads_keeps_what_was_fired(sms: Deliveries) -> None:
    """The entry unloads while an SMS is being read: the store holds what was fired.

    After the next start the others are read, and nothing is fired twice.
    """
    sms.sim.set_delivery_lifecycle("pending", delay=None)
    await sms.set_up()
    first, second, third = await sms.send(*(f"+336000000{i:02d}" for i in range(3)))
    sms.sim.inject_fault("GET", rf"/outgoing/{second}$", hold=True)
    sms.clock.tick(timedelta(seconds=CHECK_INTERVALS[0]))
    async_fire_time_changed(sms.hass)
    # The first SMS is read and fired; the second one's read is under way.
    assert await sms.hass.async_add_executor_job(sms.sim.wait_held)

    await sms.hass.config_entries.async_unload(sms.entry.entry_id)
    sms.sim.release_held()
    await sms.hass.async_block_till_done(wait_background_tasks=True)

    assert sms.fired == [(first, "pending", 0)]
    assert [(d["id"], d["status"]) for d in sms.stored] == [
        (first, "pending"),
        (second, None),
        (third, None),
    ]
    await sms.start()
    await sms.wait(CHECK_INTERVALS[1])
    assert sms.fired == [(first, "pending", 0), (second, "pending", 0), (third, "pending", 0)]
    assert sms.read_at() == [
        (15, first),
        (15, second),  # Its answer came after the unload: read again.
        (45, second),
        (45, third),
        (45, first),
    ]


async def test_a_send_that_ends_while_the_entry_unloads_still_answers(sms: Deliveries) -> None:
    """OVH accepts the job after the unload began: the action returns its ids, no error.

    The tracker of that load has stopped: the SMS is not followed (no read after it).
    """
    await sms.set_up()
    sms.sim.inject_fault("POST", "/jobs$", hold=True)
    send = sms.hass.async_create_task(sms.send())
    assert await sms.hass.async_add_executor_job(sms.sim.wait_held)

    assert await sms.hass.config_entries.async_unload(sms.entry.entry_id)
    sms.sim.release_held()

    assert len(await send) == 1
    await sms.wait(CHECK_INTERVALS[0])
    assert sms.reads() == 0
    assert sms.stored == []


# -------------------------------------------------------------------------- repair and texts


async def test_repair_says_reports_still_arrive(
    hass: HomeAssistant, sms: Deliveries, issue_registry: ir.IssueRegistry
) -> None:
    """No public URL: the repair issue says the status is read from OVH, and what a URL adds."""
    await sms.set_up()

    issue = issue_registry.async_get_issue(DOMAIN, f"callback_url_unreachable_{sms.entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Home"}
    translations = await async_get_translations(hass, "en", "issues", [DOMAIN])
    prefix = f"component.{DOMAIN}.issues.{issue.translation_key}"
    title = translations[f"{prefix}.title"].format(**issue.translation_placeholders)
    description = translations[f"{prefix}.description"].format(**issue.translation_placeholders)
    assert title == "Delivery reports for Home are read from OVHcloud"
    paragraphs = description.split("\n\n")
    assert paragraphs[1] == (
        "Delivery reports still arrive: the integration finds them by reading the SMS it sent "
        "from OVHcloud, for about two days after each send. They come a little later (15 "
        "seconds after the send at the soonest, then less and less often) and each SMS costs "
        "a few API calls."
    )
    assert paragraphs[2].startswith(
        "With a URL reachable from the internet, reports arrive as soon as OVHcloud has them, "
        "without these reads"
    )
    assert "no delivery status" not in description
