"""OVHcloud SMS with a virtual number: a two-way SMS gateway for Home Assistant."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .api import entry_client
from .assist import async_setup_assist
from .const import DOMAIN
from .coordinator import OvhSmsAccountCoordinator, OvhSmsConfigEntry, OvhSmsRuntimeData
from .delivery import OvhSmsDeliveryTracker
from .inbox import OvhSmsInboxCoordinator
from .issues import async_delete_entry_issues
from .sender import OvhSmsSender
from .services import async_setup_services
from .store import async_get_store, async_remove_store
from .webhook import async_remove_webhook, async_setup_webhook

PLATFORMS = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> bool:
    """Check the keys, then start polling, the webhook and the platforms."""
    client = entry_client(hass, entry.data)
    store = await async_get_store(hass, entry.entry_id)
    entry.async_on_unload(store.async_flush)
    account = OvhSmsAccountCoordinator(hass, entry, client)
    # The account read doubles as the keys' check: refused keys start reauthentication,
    # an unreachable API retries the setup later. An expired service loads all the same:
    # its repair issue says to renew it, and the pollers try again now and then.
    try:
        await account.async_config_entry_first_refresh()
    except ConfigEntryNotReady:
        # Not the error's translation key: Home Assistant 2026.3 raises a bare one.
        if not account.service_expired:
            raise
    inbox = OvhSmsInboxCoordinator(hass, entry, client, store)
    delivery = OvhSmsDeliveryTracker(hass, entry, client, store, account)
    entry.runtime_data = OvhSmsRuntimeData(
        client=client,
        store=store,
        account=account,
        inbox=inbox,
        sender=OvhSmsSender(hass, entry, client, store, account, delivery=delivery),
        delivery=delivery,
    )
    await async_setup_webhook(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # The inbox polls whether or not its event entity is enabled: the bus events and
    # the deletion on OVH must not depend on an entity.
    entry.async_on_unload(inbox.async_add_listener(lambda: None))
    entry.async_on_unload(async_setup_assist(hass, entry))
    # Registered after the store's flush, so its stop runs first (last in, first out).
    delivery.async_start()
    # The first poll runs once the entry is loaded: a long backlog must not keep the
    # entry setting up, nor sending waiting for it.
    entry.async_create_background_task(hass, inbox.async_refresh(), f"{DOMAIN} first poll")
    return True


async def async_unload_entry(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> bool:
    """Stop polling and unload the platforms (the webhook goes with ``async_on_unload``)."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Delete what the entry left behind: its stored ids, its repair issues, its cloudhook.

    The local ones first: a cloud failure must not leave them behind.
    """
    await async_remove_store(hass, entry.entry_id)
    async_delete_entry_issues(hass, entry)
    await async_remove_webhook(hass, entry)
