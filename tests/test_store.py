"""The entry's store: handled SMS ids and recent sends, as written to Home Assistant's storage."""

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ovh_sms_virtual.const import DOMAIN
from custom_components.ovh_sms_virtual.store import MAX_RECENT_SENDS, SAVE_DELAY, OvhSmsStore
from ovh_simulator import OvhSimulator

ENTRY_ID = "entry-1"
KEY = f"{DOMAIN}.{ENTRY_ID}"


async def test_handled_ids_are_written_at_once(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Marking an SMS handled writes it before returning; a new store reads it back."""
    store = OvhSmsStore(hass, ENTRY_ID)
    await store.async_load()

    await store.async_mark_handled(7)

    assert hass_storage[KEY]["data"] == {"handled": [7], "sent": {}, "deliveries": []}
    reloaded = OvhSmsStore(hass, ENTRY_ID)
    await reloaded.async_load()
    assert reloaded.handled == {7}


async def test_flush_writes_pending_changes_only(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A flush writes the delayed saves (prune, sends), and nothing when nothing is pending."""
    store = OvhSmsStore(hass, ENTRY_ID)
    await store.async_flush()
    assert KEY not in hass_storage

    await store.async_mark_handled(7)
    await store.async_mark_handled(8)
    store.prune_handled({8})
    store.record_sent({101: "+33611111111"})
    assert hass_storage[KEY]["data"]["handled"] == [7, 8]

    await store.async_flush()

    assert hass_storage[KEY]["data"] == {
        "handled": [8],
        "sent": {"101": "+33611111111"},
        "deliveries": [],
    }


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
    await store.async_mark_handled(7)

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
    ovh_sim.inject_fault("POST", r"/jobs$", delay=0.3)
    sending = hass.async_create_task(
        hass.services.async_call(
            DOMAIN, "send_sms", {"recipients": "+33612345678", "message": "Hi"}, blocking=True
        )
    )
    for _ in range(100):  # Until the job reached OVH, which holds it.
        if ovh_sim.calls("POST", r"/jobs$"):
            break
        await asyncio.sleep(0.01)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await sending
    await entry.runtime_data.store.async_mark_handled(4242)

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=SAVE_DELAY + 1))
    await hass.async_block_till_done()

    assert 4242 in hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["handled"]
