"""Runtime data and the coordinators' shared error handling."""

from abc import abstractmethod
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    OvhSmsAuthError,
    OvhSmsClient,
    OvhSmsError,
    OvhSmsMalformedError,
    OvhSmsNotGrantedError,
    OvhSmsRateLimitError,
    OvhSmsServerError,
    OvhSmsServiceExpiredError,
    OvhSmsSignatureError,
    OvhSmsTimeoutError,
    SmsAccount,
)
from .const import CONF_NUMBER, CONF_SERVICE_NAME, CREDITS_SCAN_INTERVAL, DOMAIN, LOGGER
from .credits import async_delete_credits_issue, async_update_credits_issue
from .issues import async_create_entry_issue, async_delete_entry_issue
from .store import OvhSmsStore

if TYPE_CHECKING:
    from .delivery import OvhSmsDeliveryTracker
    from .inbox import OvhSmsInboxCoordinator
    from .sender import OvhSmsSender

# Longest wait between polls while OVH keeps answering 429 or 5xx (for the inbox; a
# poller with a longer interval waits up to four intervals).
MAX_BACKOFF: Final = timedelta(minutes=10)
# Doublings of a back-off: 2**16 times the first wait is past every cap here, and a
# count that kept growing (a week of an outage) would overflow a float.
MAX_DOUBLINGS: Final = 16
# An expired service comes back only once renewed, by hand: no point asking often.
EXPIRED_RETRY: Final = timedelta(hours=1)
ISSUE_SERVICE_EXPIRED: Final = "service_expired"


@dataclass
class OvhSmsRuntimeData:
    """What a loaded entry holds."""

    client: OvhSmsClient
    store: OvhSmsStore
    account: OvhSmsAccountCoordinator
    inbox: OvhSmsInboxCoordinator
    sender: OvhSmsSender
    delivery: OvhSmsDeliveryTracker
    callback_url: str | None = None


type OvhSmsConfigEntry = ConfigEntry[OvhSmsRuntimeData]


class OvhSmsCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Maps OVH errors once for every coordinator, with back-off on 429 and 5xx."""

    config_entry: OvhSmsConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OvhSmsConfigEntry,
        client: OvhSmsClient,
        *,
        name: str,
        update_interval: timedelta,
    ) -> None:
        """Bind the coordinator to its entry and client."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=name,
            update_interval=update_interval,
            # The data compare by value: an unchanged poll writes no state.
            always_update=False,
        )
        self.client = client
        self.service_name: str = entry.data[CONF_SERVICE_NAME]
        self.number: str = entry.data[CONF_NUMBER]
        self._failures = 0
        # Whether the last read found the SMS service expired (OVH's 460).
        self.service_expired = False

    @abstractmethod
    async def _async_fetch(self) -> DataT:
        """Fetch the data from OVH (raises ``OvhSmsError``)."""

    @override
    async def _async_update_data(self) -> DataT:
        try:
            data = await self._async_fetch()
        except OvhSmsAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="auth_failed",
                translation_placeholders={"error": err.message},
            ) from err
        except OvhSmsServiceExpiredError as err:
            self.service_expired = True
            async_report_service_expired(self.hass, self.config_entry)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="service_expired",
                translation_placeholders={"service_name": self.service_name},
                retry_after=EXPIRED_RETRY.total_seconds(),
            ) from err
        except OvhSmsError as err:
            raise self._update_failed(err) from err
        self._failures = 0
        self.service_expired = False
        async_clear_service_expired(self.hass, self.config_entry)
        return data

    def _update_failed(self, err: OvhSmsError) -> UpdateFailed:
        """A translated ``UpdateFailed``; 429 and 5xx make the next poll wait longer."""
        retry_after: float | None = None
        if isinstance(err, OvhSmsRateLimitError | OvhSmsServerError | OvhSmsMalformedError):
            self._failures += 1
            interval = (self.update_interval or CREDITS_SCAN_INTERVAL).total_seconds()
            # Never sooner than the usual pace: a slow poller backs off beyond MAX_BACKOFF.
            cap = max(MAX_BACKOFF.total_seconds(), interval * 4)
            retry_after = backoff(interval * 2, self._failures, cap)
        key, placeholders = update_error_translation(err)
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
            retry_after=retry_after,
        )


@callback
def async_report_service_expired(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Raise the repair issue that asks to renew the SMS service."""
    async_create_entry_issue(
        hass,
        entry,
        ISSUE_SERVICE_EXPIRED,
        severity=ir.IssueSeverity.ERROR,
        placeholders={"service_name": entry.data[CONF_SERVICE_NAME]},
    )


@callback
def async_clear_service_expired(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """OVH answers again: the service was renewed (nothing happens without an issue)."""
    async_delete_entry_issue(hass, entry, ISSUE_SERVICE_EXPIRED)


def backoff(first: float, failures: int, cap: float) -> float:
    """The wait after ``failures`` failures in a row, never longer than ``cap``.

    ``first`` after one, twice as long after each further one (``MAX_DOUBLINGS`` at most).
    """
    return min(first * 2.0 ** (min(failures, MAX_DOUBLINGS) - 1), cap)


def update_error_translation(err: OvhSmsError) -> tuple[str, dict[str, str]]:
    """The ``exceptions`` translation key and placeholders that describe an OVH error."""
    match err:
        case OvhSmsNotGrantedError():
            return "not_granted", {"call": err.call}
        case OvhSmsSignatureError():
            return "invalid_signature", {}
        case OvhSmsRateLimitError():
            return "rate_limited", {}
        case OvhSmsTimeoutError():
            return "timeout", {}
        case OvhSmsServerError() | OvhSmsMalformedError():
            return "server_error", {"error": err.message}
    if err.status is None:
        return "cannot_connect", {"error": err.message}
    return "api_error", {"error": err.message}


class OvhSmsAccountCoordinator(OvhSmsCoordinator[SmsAccount]):
    """Reads the SMS account (credits left, callback and push URLs) at a slow pace."""

    def __init__(self, hass: HomeAssistant, entry: OvhSmsConfigEntry, client: OvhSmsClient) -> None:
        """Poll ``GET /sms/{service}`` every ``CREDITS_SCAN_INTERVAL``."""
        super().__init__(
            hass, entry, client, name=f"{DOMAIN} account", update_interval=CREDITS_SCAN_INTERVAL
        )
        # A send refused for lack of credits, not yet followed by a read of the account.
        self.credits_refused = False
        # The low-credits issue follows every change, so the account is read even when
        # its sensor is disabled.
        entry.async_on_unload(self.async_add_listener(self._async_check_credits))
        entry.async_on_unload(lambda: async_delete_credits_issue(hass, entry))

    @override
    async def _async_fetch(self) -> SmsAccount:
        account = await self.client.async_get_account(self.service_name)
        self.credits_refused = False
        return account

    @callback
    def async_credits_refused(self) -> None:
        """OVH refused a send for lack of credits: say so before the next read."""
        self.credits_refused = True
        self.async_update_listeners()

    @callback
    def _async_check_credits(self) -> None:
        credits_left = None if self.data is None else self.data.credits_left
        async_update_credits_issue(
            self.hass, self.config_entry, credits_left, refused=self.credits_refused
        )

    @callback
    def async_debit(self, credits_removed: float) -> None:
        """Account for credits spent by a send without asking OVH again.

        Only the data changes. ``async_set_updated_data`` would also restart the poll's
        timer, so regular sends would keep the credits from ever being read again, and
        would mark a failing account as working.
        """
        if self.data is None or self.data.credits_left is None or not credits_removed:
            return
        self.data = replace(
            self.data, credits_left=max(self.data.credits_left - credits_removed, 0.0)
        )
        self.async_update_listeners()
