"""The entry's store: handled SMS ids and recent sends, as written to Home Assistant's storage."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ovh_sms_virtual.const import DOMAIN
from custom_components.ovh_sms_virtual.store import (
    FORGET_AFTER,
    MAX_RECENT_SENDS,
    SAVE_DELAY,
    OvhSmsStore,
)
from ovh_simulator import OvhSimulator

ENTRY_ID = "entry-1"
KEY = f"{DOMAIN}.{ENTRY_ID}"


async def test_handled_ids_are_written_when_saved(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Handled ids are in memory at once, on disk after one save; a new store reads them."""
    store = OvhSmsStore(hass, ENTRY_ID)
    await store.async_load()

    store.mark_handled(7)
    store.mark_handled(8)
    assert store.is_handled(7)
    assert KEY not in hass_storage
    await store.async_save()

    assert hass_storage[KEY]["data"] == {
        "handled": [7, 8],
        "missing": {},
        "listed_from": None,
        "sent": {},
        "deliveries": [],
    }
    reloaded = OvhSmsStore(hass, ENTRY_ID)
    await reloaded.async_load()
    assert reloaded.handled == {7, 8}


async def test_a_file_of_the_first_version_is_read(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Files written before the listing window and missing ids existed load as they are."""
    hass_storage[KEY] = {
        "version": 1,
        "key": KEY,
        "data": {"handled": [7], "sent": {"101": "+33611111111"}},
    }
    store = OvhSmsStore(hass, ENTRY_ID)
    await store.async_load()

    assert store.handled == {7}
    assert store.listed_from is None
    assert store.receiver_for(101) == "+33611111111"


async def test_an_id_left_out_of_the_list_is_forgotten_only_after_a_day(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    """One answer without it changes nothing; a day of answers without it forgets it."""
    store = OvhSmsStore(hass, ENTRY_ID)
    store.mark_handled(7)
    store.mark_handled(8)

    store.note_listed(set())
    freezer.tick(FORGET_AFTER - timedelta(seconds=1))
    store.note_listed({8})
    assert store.handled == {7, 8}
    await store.async_flush()
    missing_since = hass_storage[KEY]["data"]["missing"]
    assert set(missing_since) == {"7"}

    # A restart keeps when it went missing.
    store = OvhSmsStore(hass, ENTRY_ID)
    await store.async_load()
    freezer.tick(timedelta(seconds=1))
    store.note_listed({8})
    assert store.handled == {8}


async def test_an_id_listed_again_is_no_longer_missing(hass: HomeAssistant) -> None:
    """Back in the list: the day starts again the next time it is left out."""
    store = OvhSmsStore(hass, ENTRY_ID)
    store.mark_handled(7)
    store.note_listed(set())
    store.note_listed({7})
    store.note_listed(set())

    assert store.handled == {7}


async def test_the_listing_window_never_moves_back(hass: HomeAssistant) -> None:
    """A later start replaces an earlier one, never the reverse."""
    store = OvhSmsStore(hass, ENTRY_ID)
    later = dt_util.utcnow()
    store.move_window(later)
    store.move_window(later - timedelta(hours=1))

    assert store.listed_from == later


async def test_flush_writes_pending_changes_only(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A flush writes the delayed saves (prune, sends), and nothing when nothing is pending."""
    store = OvhSmsStore(hass, ENTRY_ID)
    await store.async_flush()
    assert KEY not in hass_storage

    store.mark_handled(7)
    store.mark_handled(8)
    await store.async_save()
    store.forget({7})
    store.record_sent({101: "+33611111111"})
    assert hass_storage[KEY]["data"]["handled"] == [7, 8]

    await store.async_flush()

    assert hass_storage[KEY]["data"]["handled"] == [8]
    assert hass_storage[KEY]["data"]["sent"] == {"101": "+33611111111"}


async def test_recent_sends_are_bounded(hass: HomeAssistant) -> None:
    """Only the newest sends are kept; a re-recorded id counts as new."""
    store = OvhSmsStore(hass, ENTRY_ID)
    store.record_sent({0: "+33600000000"})
    store.record_sent({i: f"+336{i:08d}" for i in range(1, MAX_RECENT_SENDS)})
    store.record_sent({0: "+33600000000"})

    store.record_sent({MAX_RECENT_SENDS: "+33699999999"})

    assert store.sent_count == MAX_RECENT_SENDS
    assert store.receiver_for(1) is None
    assert store.receiver_for(0) == "+33600000000"
    assert store.receiver_for(MAX_RECENT_SENDS) == "+33699999999"


async def test_remove_deletes_the_stored_data(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Removing the entry removes its file."""
    store = OvhSmsStore(hass, ENTRY_ID)
    store.mark_handled(7)
    await store.async_save()

    await OvhSmsStore(hass, ENTRY_ID).async_remove()

    assert KEY not in hass_storage


async def test_a_send_ending_after_a_reload_leaves_the_new_store_alone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    hass_storage: dict[str, Any],
) -> None:
    """The unloaded entry's store writes nothing more: what the reloaded one saved stays."""
    entry = init_integration
    # OVH holds the job until the entry has reloaded.
    ovh_sim.inject_fault("POST", r"/jobs$", hold=True)
    sending = hass.async_create_task(
        hass.services.async_call(
            DOMAIN, "send_sms", {"recipients": "+33612345678", "message": "Hi"}, blocking=True
        )
    )
    assert await hass.async_add_executor_job(ovh_sim.wait_held)
    assert await hass.config_entries.async_reload(entry.entry_id)
    ovh_sim.release_held()
    await sending
    entry.runtime_data.store.mark_handled(4242)
    await entry.runtime_data.store.async_save()

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=SAVE_DELAY + 1))
    await hass.async_block_till_done()

    assert 4242 in hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["handled"]
