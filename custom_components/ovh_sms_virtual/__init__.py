"""OVHcloud SMS with a virtual number: a two-way SMS gateway for Home Assistant."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .api import OvhSmsClient
from .const import (
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_CONSUMER_KEY,
    CONF_ENDPOINT,
    DOMAIN,
)
from .coordinator import OvhSmsAccountCoordinator, OvhSmsConfigEntry, OvhSmsRuntimeData
from .delivery import OvhSmsDeliveryTracker
from .inbox import OvhSmsInboxCoordinator
from .sender import OvhSmsSender
from .services import async_setup_services
from .store import OvhSmsStore
from .webhook import async_remove_webhook, async_setup_webhook

PLATFORMS = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> bool:
    """Check the keys, then start polling, the webhook and the platforms."""
    client = OvhSmsClient(
        hass,
        endpoint=entry.data[CONF_ENDPOINT],
        application_key=entry.data[CONF_APPLICATION_KEY],
        application_secret=entry.data[CONF_APPLICATION_SECRET],
        consumer_key=entry.data[CONF_CONSUMER_KEY],
    )
    store = OvhSmsStore(hass, entry.entry_id)
    await store.async_load()
    entry.async_on_unload(store.async_flush)
    account = OvhSmsAccountCoordinator(hass, entry, client)
    # The account read doubles as the keys' check: refused keys start reauthentication,
    # an unreachable API retries the setup later.
    await account.async_config_entry_first_refresh()
    inbox = OvhSmsInboxCoordinator(hass, entry, client, store)
    entry.runtime_data = OvhSmsRuntimeData(
        client=client,
        store=store,
        account=account,
        inbox=inbox,
        sender=OvhSmsSender(hass, entry, client, store, account),
        delivery=OvhSmsDeliveryTracker(hass, entry, client, store, account),
    )
    await async_setup_webhook(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # The inbox polls whether or not its event entity is enabled: the bus events and
    # the deletion on OVH must not depend on an entity.
    entry.async_on_unload(inbox.async_add_listener(lambda: None))
    await inbox.async_refresh()
    entry.runtime_data.delivery.async_start()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> bool:
    """Stop polling and unload the platforms (the webhook goes with ``async_on_unload``)."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Delete what the entry left behind: its stored ids and its cloudhook.

    The local file first: a cloud failure must not leave it behind.
    """
    await OvhSmsStore(hass, entry.entry_id).async_remove()
    await async_remove_webhook(hass, entry)
