"""The low-credits repair issue, driven by the simulator's account and its refusals."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ovh_sms_virtual.const import (
    BUY_CREDITS_URL,
    CONF_LOW_CREDITS,
    CREDITS_SCAN_INTERVAL,
    DOMAIN,
)
from ovh_simulator import OvhSimulator

from .conftest import SERVICE, state_of
from .harness import START

CREDITS_SENSOR = "sensor.home_credits_left"


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"low_credits_{entry.entry_id}")


async def read_account(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the account's poll interval pass."""
    freezer.tick(CREDITS_SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def send(hass: HomeAssistant, *recipients: str) -> None:
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": list(recipients), "message": "Water leak in the cellar"},
        blocking=True,
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> MockConfigEntry:
    await hass.config.async_update(country="FR")
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={**entry.options, **options})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


@pytest.fixture(autouse=True)
def frozen_clock(freezer: FrozenDateTimeFactory) -> None:
    """Timers follow the ticks of ``freezer`` from before the entry starts."""
    freezer.move_to(START)


async def test_issue_opens_under_the_threshold_and_closes_by_itself(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await set_up(hass, mock_config_entry)
    assert issue(hass, entry) is None

    ovh_sim.set_credits(SERVICE, 9.5)
    await read_account(hass, freezer)

    found = issue(hass, entry)
    assert found is not None
    assert found.translation_key == "low_credits"
    assert found.translation_placeholders == {"name": "Home", "credits": "9.5", "threshold": "10"}
    assert found.severity is ir.IssueSeverity.WARNING
    assert found.learn_more_url == BUY_CREDITS_URL == "https://www.ovh.com/manager/#/telecom/sms"
    assert not found.is_fixable

    ovh_sim.set_credits(SERVICE, 10)
    await read_account(hass, freezer)
    assert issue(hass, entry) is None


async def test_sends_that_spend_the_credits_open_it_at_once(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    """The credits OVH says a send removed count before the next read of the account."""
    ovh_sim.set_credits(SERVICE, 11)
    entry = await set_up(hass, mock_config_entry)
    assert issue(hass, entry) is None

    await send(hass, "+33612345678", "+33698765432")

    assert state_of(hass, CREDITS_SENSOR) == "9.0"
    found = issue(hass, entry)
    assert found is not None
    assert found.translation_placeholders == {"name": "Home", "credits": "9", "threshold": "10"}


async def test_refused_send_opens_it_until_credits_are_back(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Even with the warning off (0): a refusal is shown, the next read decides."""
    entry = await set_up(hass, mock_config_entry, **{CONF_LOW_CREDITS: 0})
    ovh_sim.set_credits(SERVICE, 0.5)
    assert issue(hass, entry) is None

    with pytest.raises(HomeAssistantError, match="Not enough SMS credits"):
        await send(hass, "+33612345678")

    found = issue(hass, entry)
    assert found is not None
    assert found.translation_key == "out_of_credits"
    assert found.severity is ir.IssueSeverity.ERROR
    assert found.translation_placeholders == {"name": "Home", "credits": "100", "threshold": "0"}

    ovh_sim.set_credits(SERVICE, 200)
    await read_account(hass, freezer)
    assert issue(hass, entry) is None


async def test_refusal_then_a_low_read_keeps_it_open_as_low_credits(
    hass: HomeAssistant,
    ovh_sim: OvhSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await set_up(hass, mock_config_entry)
    ovh_sim.set_credits(SERVICE, 0.5)
    with pytest.raises(HomeAssistantError):
        await send(hass, "+33612345678")

    await read_account(hass, freezer)

    found = issue(hass, entry)
    assert found is not None
    assert found.translation_key == "low_credits"
    assert found.translation_placeholders == {"name": "Home", "credits": "0.5", "threshold": "10"}


async def test_unloading_the_entry_removes_it(
    hass: HomeAssistant, ovh_sim: OvhSimulator, mock_config_entry: MockConfigEntry
) -> None:
    ovh_sim.set_credits(SERVICE, 3)
    entry = await set_up(hass, mock_config_entry)
    assert issue(hass, entry) is not None

    assert await hass.config_entries.async_unload(entry.entry_id)

    assert issue(hass, entry) is None
