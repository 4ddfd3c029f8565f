"""Notify entities: one per contact, sending through the same path as the action."""

from datetime import UTC, datetime
from types import MappingProxyType

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.notify.const import (
    ATTR_MESSAGE,
    ATTR_TITLE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_FRIENDLY_NAME,
    ATTR_SUPPORTED_FEATURES,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ovh_sms_virtual.compat import NotifyEntityFeature, device_subentry_ids
from custom_components.ovh_sms_virtual.const import (
    CONF_MAX_SMS_PER_HOUR,
    CONF_NAME,
    CONF_PHONE_NUMBER,
    DOMAIN,
    SUBENTRY_CONTACT,
)
from ovh_simulator import OvhSimulator
from tests.conftest import ENTRY_OPTIONS, NUMBER, SERVICE, number_device, state_of

ALICE = "notify.alice"
JOBS = r"/virtualNumbers/0033612345678/jobs$"


async def notify(
    hass: HomeAssistant, entity_id: str, message: str, title: str | None = None
) -> None:
    data = {ATTR_ENTITY_ID: entity_id, ATTR_MESSAGE: message}
    if title is not None:
        data[ATTR_TITLE] = title
    await hass.services.async_call(NOTIFY_DOMAIN, SERVICE_SEND_MESSAGE, data, blocking=True)


def jobs(ovh_sim: OvhSimulator) -> list[object]:
    return [request.body for request in ovh_sim.calls("POST", JOBS)]


def bob() -> ConfigSubentry:
    """A second contact, added without its flow."""
    return ConfigSubentry(
        data=MappingProxyType({CONF_PHONE_NUMBER: "+33698765432"}),
        subentry_type=SUBENTRY_CONTACT,
        title="Bob",
        unique_id="+33698765432",
    )


async def test_contact_entity(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Each contact is a device of its own, next to the virtual number's."""
    state = hass.states.get(ALICE)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_FRIENDLY_NAME] == "Alice"
    assert state.attributes[ATTR_SUPPORTED_FEATURES] == NotifyEntityFeature.TITLE

    subentry_id = next(iter(init_integration.subentries))
    registry_entry = entity_registry.async_get(ALICE)
    assert registry_entry is not None
    assert registry_entry.config_subentry_id == subentry_id
    assert registry_entry.unique_id == f"{SERVICE}_{NUMBER}_{subentry_id}"

    contact = device_registry.async_get(registry_entry.device_id or "")
    number = number_device(device_registry, init_integration)
    assert isinstance(contact, dr.DeviceEntry)
    assert number is not None
    assert contact.name == "Alice"
    assert contact.model == "SMS contact"
    assert device_subentry_ids(contact) == {subentry_id}
    assert contact.via_device_id == number.id
    assert device_subentry_ids(number) == set()


async def test_send_message_with_title(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ovh_sim: OvhSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The title is the first line of the SMS; the state is the time of the send."""
    freezer.move_to(datetime(2026, 11, 26, 20, 15, tzinfo=UTC))

    await notify(hass, ALICE, "The garage door is open.", title="Alarm")

    assert jobs(ovh_sim) == [
        {"message": "Alarm\nThe garage door is open.", "receivers": ["+33611111111"]}
    ]
    assert state_of(hass, ALICE) == "2026-11-26T20:15:00+00:00"
    assert state_of(hass, "sensor.home_credits_left") == "99.0"


async def test_send_message_without_title(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Without a title the message is sent as it is."""
    await notify(hass, ALICE, "Back home")

    assert jobs(ovh_sim) == [{"message": "Back home", "receivers": ["+33611111111"]}]


async def test_send_message_failure(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """A failed send is the action's translated error and leaves the state alone."""
    ovh_sim.set_credits(SERVICE, 0)

    with pytest.raises(HomeAssistantError) as err:
        await notify(hass, ALICE, "Back home")

    assert err.value.translation_key == "not_enough_credits"
    assert str(err.value) == "Not enough SMS credits on the OVHcloud account: nothing was sent"
    assert jobs(ovh_sim) == [{"message": "Back home", "receivers": ["+33611111111"]}]
    assert ovh_sim.outgoing() == []
    assert state_of(hass, ALICE) == STATE_UNKNOWN


async def test_send_message_checks_input(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """The message is checked as the action checks it."""
    with pytest.raises(HomeAssistantError) as err:
        await notify(hass, ALICE, "a" * 900, title="b" * 30)

    assert err.value.translation_key == "message_too_long"
    assert jobs(ovh_sim) == []


async def test_send_message_counts_against_cap(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Notify entities share the entry's hourly cap with the action."""
    hass.config_entries.async_update_entry(
        init_integration, options={**ENTRY_OPTIONS, CONF_MAX_SMS_PER_HOUR: 1}
    )
    await hass.async_block_till_done()

    await notify(hass, ALICE, "one")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "send_sms", {"recipients": "0612345678", "message": "two"}, blocking=True
        )

    assert err.value.translation_key == "rate_limited_sending"
    assert len(jobs(ovh_sim)) == 1


async def test_contact_added_later(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """A contact added through its flow gets its entity at once, without a reload."""
    sender = init_integration.runtime_data.sender
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_CONTACT), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Bob", CONF_PHONE_NUMBER: "06 98 76 54 32"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.runtime_data.sender is sender  # not reloaded
    assert hass.states.get("notify.bob") is not None
    assert len(hass.states.async_entity_ids(NOTIFY_DOMAIN)) == 2

    await notify(hass, "notify.bob", "Hello Bob")
    assert jobs(ovh_sim) == [{"message": "Hello Bob", "receivers": ["+33698765432"]}]


async def test_contact_removed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A removed contact's entity and device go with it."""
    subentry_id = next(iter(init_integration.subentries))
    registry_entry = entity_registry.async_get(ALICE)
    assert registry_entry is not None
    device_id = registry_entry.device_id
    assert device_id is not None

    assert hass.config_entries.async_remove_subentry(init_integration, subentry_id)
    await hass.async_block_till_done()

    assert hass.states.get(ALICE) is None
    assert entity_registry.async_get(ALICE) is None
    assert device_registry.async_get(device_id) is None


async def test_entry_updates_keep_one_entity_per_contact(
    hass: HomeAssistant, init_integration: MockConfigEntry, ovh_sim: OvhSimulator
) -> None:
    """Changes to this entry or to another one add no entity twice."""
    other = MockConfigEntry(domain=DOMAIN, title="Other", unique_id="other")
    other.add_to_hass(hass)
    hass.config_entries.async_add_subentry(init_integration, bob())
    hass.config_entries.async_update_entry(init_integration, title="Home sweet home")
    hass.config_entries.async_update_entry(other, title="Another")
    await hass.async_block_till_done()

    assert sorted(hass.states.async_entity_ids(NOTIFY_DOMAIN)) == ["notify.alice", "notify.bob"]


async def test_unloaded_entity_is_unavailable(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Unloading the entry stops listening for new contacts."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    hass.config_entries.async_add_subentry(init_integration, bob())
    await hass.async_block_till_done()

    assert hass.states.get("notify.bob") is None
    assert state_of(hass, ALICE) == "unavailable"
