"""Diagnostics: enough to help, and no secret, phone number or message in them."""

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.ovh_sms_virtual.const import DOMAIN
from custom_components.ovh_sms_virtual.diagnostics import async_get_config_entry_diagnostics
from ovh_simulator import OvhSimulator

from .conftest import APP_KEY, APP_SECRET, CONSUMER_KEY, NUMBER, SERVICE, WEBHOOK_ID

SECRETS = (APP_KEY, APP_SECRET, CONSUMER_KEY, WEBHOOK_ID, "+33611111111", "Alice")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format, kept in ``tests/snapshots``."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The download shows the set-up, the account, the pollers and the delivery tracking.

    Secrets, numbers and texts are left out.
    """
    ovh_sim.add_incoming(SERVICE, NUMBER, "+33622334455", "Door code is 1234")
    await init_integration.runtime_data.inbox.async_refresh()
    ovh_sim.set_callback_url(SERVICE, "https://raspisms.example.org/private-token")
    ovh_sim.set_push_url(SERVICE, "https://raspisms.example.org/private-push")
    await init_integration.runtime_data.account.async_refresh()
    # No public URL: the delivery status of this SMS is read from OVH.
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": ["+33611111111"], "message": "Door code is 1234"},
        blocking=True,
    )

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)

    assert diagnostics == snapshot
    dump = json.dumps(diagnostics)
    for secret in (*SECRETS, "Door code", "+33622334455", "private-token", "private-push"):
        assert secret not in dump


async def test_diagnostics_of_an_entry_not_loaded(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """An entry that failed to load still tells its set-up, without the runtime part."""
    ovh_sim.revoke_consumer_key(CONSUMER_KEY)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    diagnostics = await async_get_config_entry_diagnostics(hass, mock_config_entry)

    assert set(diagnostics) == {"entry", "contacts"}
    assert diagnostics["entry"]["state"] == "setup_error"
    dump = json.dumps(diagnostics)
    for secret in SECRETS:
        assert secret not in dump
