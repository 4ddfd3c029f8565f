"""Set-up in the UI: the RaspiSMS guide's fields, each checked against OVHcloud's API.

The user step takes the name, the region and the keys (steps 3.1 and 3.4 of the guide).
The SMS service and the virtual number (steps 3.2 and 3.3) are then picked from the
account's lists, or typed and checked when the key may not list them. The last step
shows the status-change callback URL (step 4) and writes it into the account only when
the user opts in, because that field is shared by everything that uses the account.
"""

from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any, Final, override

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import (
    OvhSmsAuthError,
    OvhSmsClient,
    OvhSmsConnectionError,
    OvhSmsCredentialInvalidError,
    OvhSmsError,
    OvhSmsInvalidKeyError,
    OvhSmsNotFoundError,
    OvhSmsNotGrantedError,
    OvhSmsRateLimitError,
    OvhSmsServerError,
    OvhSmsSignatureError,
    api_regions,
)
from .const import (
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_CONSUMER_KEY,
    CONF_DELETE_RECEIVED,
    CONF_ENDPOINT,
    CONF_MAX_SMS_PER_HOUR,
    CONF_NAME,
    CONF_NUMBER,
    CONF_PHONE_NUMBER,
    CONF_SCAN_INTERVAL,
    CONF_SERVICE_NAME,
    CONF_WEBHOOK_ID,
    CREATE_TOKEN_RIGHTS,
    CREATE_TOKEN_URLS,
    DEFAULT_DELETE_RECEIVED,
    DEFAULT_ENDPOINT,
    DEFAULT_MAX_SMS_PER_HOUR,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    MIN_SCAN_INTERVAL,
    SUBENTRY_CONTACT,
)
from .phone import to_e164, to_ovh_path_number
from .webhook import async_create_callback_url

if TYPE_CHECKING:
    # Home Assistant's signatures name probatio, which stands in for voluptuous at run time.
    from probatio import Schema
else:
    from voluptuous import Schema

CONF_SET_CALLBACK: Final = "set_callback"
DEFAULT_NAME: Final = "OVH SMS"
# Numbers written without a country code are read as numbers of this country when
# Home Assistant's own country is not set: OVHcloud's virtual numbers are French.
DEFAULT_COUNTRY: Final = "FR"
# Shown in place of the account's current callback URL: none set, or not readable.
NO_CALLBACK: Final = "—"
UNKNOWN_CALLBACK: Final = "?"

DEFAULT_OPTIONS: Final[dict[str, Any]] = {
    CONF_SCAN_INTERVAL: DEFAULT_SCAN_INTERVAL,
    CONF_DELETE_RECEIVED: DEFAULT_DELETE_RECEIVED,
    CONF_MAX_SMS_PER_HOUR: DEFAULT_MAX_SMS_PER_HOUR,
}

_TEXT: Final = TextSelector()
_SECRET: Final = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
)
_PHONE: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.TEL))

KEYS_SCHEMA: Final = Schema(
    {
        vol.Required(CONF_APPLICATION_KEY): _TEXT,
        vol.Required(CONF_APPLICATION_SECRET): _SECRET,
        vol.Required(CONF_CONSUMER_KEY): _TEXT,
    }
)
MANUAL_SCHEMA: Final = Schema(
    {
        vol.Required(CONF_SERVICE_NAME): _TEXT,
        vol.Required(CONF_NUMBER): _PHONE,
    }
)
CALLBACK_SCHEMA: Final = Schema({vol.Required(CONF_SET_CALLBACK, default=False): BooleanSelector()})
SETTINGS_SCHEMA: Final = Schema(
    {
        vol.Required(CONF_SCAN_INTERVAL): vol.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=MIN_SCAN_INTERVAL,
                    max=3600,
                    step=1,
                    unit_of_measurement="s",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            vol.Coerce(int),
        ),
        vol.Required(CONF_DELETE_RECEIVED): BooleanSelector(),
        vol.Required(CONF_MAX_SMS_PER_HOUR): vol.All(
            NumberSelector(
                NumberSelectorConfig(min=0, max=10000, step=1, mode=NumberSelectorMode.BOX)
            ),
            vol.Coerce(int),
        ),
    }
)
CONTACT_SCHEMA: Final = Schema(
    {
        vol.Required(CONF_NAME): _TEXT,
        vol.Required(CONF_PHONE_NUMBER): _PHONE,
    }
)


class _FormError(Exception):
    """An OVH call failed: the errors to show on the form."""

    def __init__(self, errors: dict[str, str]) -> None:
        """Keep the form's errors."""
        super().__init__(errors)
        self.errors = errors


def _select(options: list[str]) -> SelectSelector:
    """A drop-down of values read from the account."""
    return SelectSelector(SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN))


def _endpoint_selector() -> SelectSelector:
    """The OVH regions, read when the form is built."""
    return SelectSelector(
        SelectSelectorConfig(
            options=api_regions(), mode=SelectSelectorMode.DROPDOWN, translation_key="endpoint"
        )
    )


def _user_schema() -> Schema:
    """Name and region, then the three keys, in the guide's order."""
    return Schema(
        {
            vol.Required(CONF_NAME, default=DEFAULT_NAME): _TEXT,
            vol.Required(CONF_ENDPOINT, default=DEFAULT_ENDPOINT): _endpoint_selector(),
        }
    ).extend(KEYS_SCHEMA.schema)


def _reconfigure_schema() -> Schema:
    """Region, keys, service and number; an empty secret keeps the current one."""
    return Schema(
        {
            vol.Required(CONF_ENDPOINT): _endpoint_selector(),
            vol.Required(CONF_APPLICATION_KEY): _TEXT,
            vol.Optional(CONF_APPLICATION_SECRET): _SECRET,
            vol.Required(CONF_CONSUMER_KEY): _TEXT,
        }
    ).extend(MANUAL_SCHEMA.schema)


def _create_token_url(endpoint: str) -> str:
    """OVH's key-creation page for the region, with the rights pre-filled."""
    return (
        CREATE_TOKEN_URLS.get(endpoint, CREATE_TOKEN_URLS[DEFAULT_ENDPOINT]) + CREATE_TOKEN_RIGHTS
    )


def _country(hass: HomeAssistant) -> str:
    """The region of numbers written without a country code."""
    return hass.config.country or DEFAULT_COUNTRY


def _cleaned(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values without the spaces a copy and paste brings along."""
    return {
        key: value.strip() if isinstance(value, str) else value for key, value in user_input.items()
    }


def _unique_id(data: Mapping[str, Any]) -> str:
    """One entry per virtual number: ``<service_name>_<number>``, as OVH writes the number."""
    return f"{data[CONF_SERVICE_NAME]}_{data[CONF_NUMBER]}"


def _client(hass: HomeAssistant, data: Mapping[str, Any]) -> OvhSmsClient:
    """A client for the region and keys in ``data``."""
    return OvhSmsClient(
        hass,
        endpoint=data[CONF_ENDPOINT],
        application_key=data[CONF_APPLICATION_KEY],
        application_secret=data[CONF_APPLICATION_SECRET],
        consumer_key=data[CONF_CONSUMER_KEY],
    )


def _errors_for(err: OvhSmsError, not_found: dict[str, str] | None) -> dict[str, str] | None:
    """The form errors that tell the user what OVH's refusal means; None when unexpected."""
    match err:
        case OvhSmsInvalidKeyError():
            return {CONF_APPLICATION_KEY: "invalid_application_key"}
        case OvhSmsCredentialInvalidError():
            return {CONF_CONSUMER_KEY: "credential_not_valid"}
        case OvhSmsAuthError():
            return {"base": "invalid_auth"}
        case OvhSmsSignatureError():
            return {"base": "invalid_signature"}
        case OvhSmsNotFoundError() if not_found is not None:
            return not_found
        case OvhSmsConnectionError() | OvhSmsServerError() | OvhSmsRateLimitError():
            return {"base": "cannot_connect"}
    return None


async def _async_ovh[T](
    call: Awaitable[T], placeholders: dict[str, str], *, not_found: dict[str, str] | None = None
) -> T:
    """Await an OVH call; a failure raises ``_FormError`` with what to show the user.

    A refused right names the call in ``placeholders["call"]``; ``not_found`` is the
    error for a 404.
    """
    try:
        return await call
    except OvhSmsNotGrantedError as err:
        placeholders["call"] = err.call
        raise _FormError({"base": "not_granted"}) from err
    except OvhSmsError as err:
        if (errors := _errors_for(err, not_found)) is None:
            LOGGER.exception("Unexpected answer from OVHcloud's API")
            errors = {"base": "unknown"}
        raise _FormError(errors) from err
    except Exception as err:
        LOGGER.exception("Unexpected error while talking to OVHcloud's API")
        raise _FormError({"base": "unknown"}) from err


async def _async_ovh_if_granted[T](
    call: Awaitable[T], placeholders: dict[str, str], *, not_found: dict[str, str] | None = None
) -> T | None:
    """Like ``_async_ovh``, but ``None`` when the key may not make this call."""

    async def granted_or_none() -> T | None:
        try:
            return await call
        except OvhSmsNotGrantedError:
            return None

    return await _async_ovh(granted_or_none(), placeholders, not_found=not_found)


async def _async_callback_placeholders(
    client: OvhSmsClient, service: str, url: str, placeholders: dict[str, str]
) -> dict[str, str]:
    """The callback URL and the one the account has now (when the key may read it)."""
    try:
        account = await client.async_get_account(service)
    except OvhSmsError:
        current = UNKNOWN_CALLBACK
    else:
        current = account.callback or NO_CALLBACK
    return {**placeholders, "callback_url": url, "current_callback": current}


async def _async_write_callback(
    client: OvhSmsClient, service: str, url: str, placeholders: dict[str, str]
) -> dict[str, str]:
    """Write the URL into the account's ``callBack``; return the form's errors."""
    try:
        await _async_ovh(
            client.async_set_callback(service, url),
            placeholders,
            not_found={"base": "service_not_found"},
        )
    except _FormError as err:
        return err.errors
    return {}


class OvhSmsConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one OVHcloud SMS virtual number."""

    VERSION = 1

    _api: OvhSmsClient

    def __init__(self) -> None:
        """Start with nothing typed."""
        self._data: dict[str, Any] = {}
        self._services: list[str] = []
        self._numbers: list[str] = []
        self._placeholders: dict[str, str] = {}
        self._webhook_id = ""
        self._callback_url: str | None = None
        self._cloud_data: dict[str, Any] = {}

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Polling, deletion, sending cap and the callback URL."""
        return OvhSmsOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Contacts are sub-entries."""
        return {SUBENTRY_CONTACT: ContactSubentryFlow}

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name, region and keys; the keys are checked by listing the SMS services."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._data = _cleaned(user_input)
            self._api = _client(self.hass, self._data)
            try:
                services = await _async_ovh_if_granted(
                    self._api.async_list_services(), self._placeholders
                )
            except _FormError as err:
                errors = err.errors
            else:
                if not services:
                    return await self.async_step_manual()
                self._services = services
                return await self.async_step_service()
        endpoint = (user_input or {}).get(CONF_ENDPOINT, DEFAULT_ENDPOINT)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_user_schema(), user_input),
            errors=errors,
            description_placeholders={
                **self._placeholders,
                "create_token_url": _create_token_url(endpoint),
            },
        )

    async def async_step_service(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The SMS service, from the account's list (chosen alone when there is one)."""
        errors: dict[str, str] = {}
        if user_input is None and len(self._services) == 1:
            user_input = {CONF_SERVICE_NAME: self._services[0]}
        if user_input is not None:
            service = user_input[CONF_SERVICE_NAME]
            try:
                numbers = await _async_ovh_if_granted(
                    self._api.async_list_virtual_numbers(service),
                    self._placeholders,
                    not_found={CONF_SERVICE_NAME: "service_not_found"},
                )
            except _FormError as err:
                errors = err.errors
            else:
                self._data[CONF_SERVICE_NAME] = service
                if not numbers:
                    return await self.async_step_manual()
                self._numbers = numbers
                return await self.async_step_number()
        schema = Schema({vol.Required(CONF_SERVICE_NAME): _select(self._services)})
        return self.async_show_form(
            step_id="service",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=self._placeholders,
        )

    async def async_step_number(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The virtual number, from the service's list (chosen alone when there is one)."""
        if user_input is None and len(self._numbers) == 1:
            user_input = {CONF_NUMBER: self._numbers[0]}
        if user_input is not None:
            self._data[CONF_NUMBER] = user_input[CONF_NUMBER]
            return await self._async_number_chosen()
        return self.async_show_form(
            step_id="number",
            data_schema=Schema({vol.Required(CONF_NUMBER): _select(self._numbers)}),
            description_placeholders={"service_name": self._data[CONF_SERVICE_NAME]},
        )

    async def async_step_manual(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Service and number typed by the user, when the key may not list them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**self._data, **_cleaned(user_input)}
            errors = await self._async_validate(self._api, data)
            if not errors:
                self._data = data
                return await self._async_number_chosen()
        return self.async_show_form(
            step_id="manual",
            data_schema=self.add_suggested_values_to_schema(
                MANUAL_SCHEMA, user_input or self._data
            ),
            errors=errors,
            description_placeholders=self._placeholders,
        )

    async def _async_number_chosen(self) -> ConfigFlowResult:
        """One entry per virtual number, then the callback step."""
        await self.async_set_unique_id(_unique_id(self._data))
        self._abort_if_unique_id_configured()
        return await self.async_step_callback()

    async def async_step_callback(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the status-change callback URL; write it into the account if asked to."""
        if not self._webhook_id:
            self._webhook_id = webhook.async_generate_id()
            self._callback_url, self._cloud_data = await async_create_callback_url(
                self.hass, self._webhook_id
            )
        if (url := self._callback_url) is None:
            return await self.async_step_no_callback_url()
        service = self._data[CONF_SERVICE_NAME]
        errors: dict[str, str] = {}
        if user_input is not None:
            if user_input[CONF_SET_CALLBACK]:
                errors = await _async_write_callback(self._api, service, url, self._placeholders)
            if not errors:
                return self._async_create_entry()
        return self.async_show_form(
            step_id="callback",
            data_schema=self.add_suggested_values_to_schema(CALLBACK_SCHEMA, user_input),
            errors=errors,
            description_placeholders=await _async_callback_placeholders(
                self._api, service, url, self._placeholders
            ),
        )

    async def async_step_no_callback_url(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """No address reachable from the internet: say how to get one."""
        if user_input is not None:
            return self._async_create_entry()
        return self.async_show_form(step_id="no_callback_url", data_schema=Schema({}))

    @callback
    def _async_create_entry(self) -> ConfigFlowResult:
        """The entry, with the default options and the webhook it listens on."""
        url = self._callback_url
        return self.async_create_entry(
            title=self._data[CONF_NAME],
            data={**self._data, CONF_WEBHOOK_ID: self._webhook_id, **self._cloud_data},
            options=dict(DEFAULT_OPTIONS),
            description=None if url else "no_callback_url",
            description_placeholders={"callback_url": url or ""},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """OVH refused the keys: ask for new ones."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """New keys, checked by reading the entry's account and virtual number."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            keys = _cleaned(user_input)
            data = {**entry.data, **keys}
            errors = await self._async_validate(_client(self.hass, data), data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data_updates=keys)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                KEYS_SCHEMA,
                user_input or {CONF_APPLICATION_KEY: entry.data[CONF_APPLICATION_KEY]},
            ),
            errors=errors,
            description_placeholders={
                **self._placeholders,
                "name": entry.title,
                "create_token_url": _create_token_url(entry.data[CONF_ENDPOINT]),
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Region and keys; the service and the number must stay the same."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            changes = _cleaned(user_input)
            if not changes.get(CONF_APPLICATION_SECRET):
                changes[CONF_APPLICATION_SECRET] = entry.data[CONF_APPLICATION_SECRET]
            data = {**entry.data, **changes}
            errors = await self._async_validate(_client(self.hass, data), data)
            if not errors:
                await self.async_set_unique_id(_unique_id(data))
                self._abort_if_unique_id_mismatch(reason="wrong_number")
                return self.async_update_reload_and_abort(entry, data=data)
        current = {
            key: value for key, value in entry.data.items() if key != CONF_APPLICATION_SECRET
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _reconfigure_schema(), user_input or current
            ),
            errors=errors,
            description_placeholders={
                **self._placeholders,
                "create_token_url": _create_token_url(entry.data[CONF_ENDPOINT]),
            },
        )

    async def _async_validate(self, client: OvhSmsClient, data: dict[str, Any]) -> dict[str, str]:
        """Check the service and the number in ``data`` with ``client``'s keys.

        The key must be able to read the account too: the entry reads it at every start
        (credits, and the check that the keys still work). Returns the form's errors. On
        success ``data[CONF_NUMBER]`` is the number as OVH writes it, whatever form the
        user typed it in.
        """
        number = await self.hass.async_add_executor_job(
            to_ovh_path_number, data[CONF_NUMBER], _country(self.hass)
        )
        if number is None:
            return {CONF_NUMBER: "invalid_phone_number"}
        service = data[CONF_SERVICE_NAME]
        try:
            await _async_ovh(
                client.async_get_account(service),
                self._placeholders,
                not_found={CONF_SERVICE_NAME: "service_not_found"},
            )
            data[CONF_NUMBER] = await _async_ovh(
                client.async_get_virtual_number(service, number),
                self._placeholders,
                not_found={CONF_NUMBER: "number_not_found"},
            )
        except _FormError as err:
            return err.errors
        return {}


class OvhSmsOptionsFlow(OptionsFlowWithReload):
    """Settings apply by reloading the entry; the callback URL can be read again."""

    def __init__(self) -> None:
        """Nothing refused yet, no URL worked out yet."""
        self._placeholders: dict[str, str] = {}
        self._callback: tuple[str, OvhSmsClient] | None = None

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Settings or the status-change callback."""
        return self.async_show_menu(step_id="init", menu_options=["settings", "callback"])

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Polling interval, deletion of received SMS and the hourly sending cap."""
        if user_input is not None:
            return self.async_create_entry(data={**self.config_entry.options, **user_input})
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(
                SETTINGS_SCHEMA, {**DEFAULT_OPTIONS, **self.config_entry.options}
            ),
        )

    async def async_step_callback(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The callback URL as it is now; written into the account if asked to.

        The URL is worked out once per flow: the one written is the one shown.
        """
        entry = self.config_entry
        if self._callback is None:
            url, cloud_data = await async_create_callback_url(
                self.hass, entry.data[CONF_WEBHOOK_ID]
            )
            # A cloudhook made now must be remembered, so removing the entry deletes it.
            self.hass.config_entries.async_update_entry(entry, data={**entry.data, **cloud_data})
            if url is None:
                return await self.async_step_no_callback_url()
            # A loaded entry's client is built already, and queues with its polls.
            client = (
                entry.runtime_data.client
                if entry.state is ConfigEntryState.LOADED
                else _client(self.hass, entry.data)
            )
            self._callback = url, client
        url, client = self._callback
        service = entry.data[CONF_SERVICE_NAME]
        errors: dict[str, str] = {}
        if user_input is not None:
            if user_input[CONF_SET_CALLBACK]:
                errors = await _async_write_callback(client, service, url, self._placeholders)
                if not errors and entry.state is ConfigEntryState.LOADED:
                    # Read the account again: once it calls this entry, delivery statuses
                    # stop being read from OVH.
                    await entry.runtime_data.account.async_request_refresh()
            if not errors:
                return self.async_create_entry(data=dict(entry.options))
        return self.async_show_form(
            step_id="callback",
            data_schema=self.add_suggested_values_to_schema(CALLBACK_SCHEMA, user_input),
            errors=errors,
            description_placeholders=await _async_callback_placeholders(
                client, service, url, self._placeholders
            ),
        )

    async def async_step_no_callback_url(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """No address reachable from the internet yet."""
        if user_input is not None:
            return self.async_create_entry(data=dict(self.config_entry.options))
        return self.async_show_form(step_id="no_callback_url", data_schema=Schema({}))


class ContactSubentryFlow(ConfigSubentryFlow):
    """A contact: a name and a phone number, stored in E.164."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a contact."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if (phone := await self._async_phone_number(user_input, None)) is not None:
                return self.async_create_entry(
                    title=user_input[CONF_NAME],
                    data={CONF_PHONE_NUMBER: phone},
                    unique_id=phone,
                )
            errors[CONF_PHONE_NUMBER] = "invalid_phone_number"
        return self._async_show_form("user", user_input, errors)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Rename a contact or change its number (its notify entity follows on reload)."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            phone = await self._async_phone_number(user_input, subentry.subentry_id)
            if phone is not None:
                return self.async_update_reload_and_abort(
                    self._get_entry(),
                    subentry,
                    title=user_input[CONF_NAME],
                    data={CONF_PHONE_NUMBER: phone},
                    unique_id=phone,
                )
            errors[CONF_PHONE_NUMBER] = "invalid_phone_number"
        current = {CONF_NAME: subentry.title, **subentry.data}
        return self._async_show_form("reconfigure", user_input or current, errors)

    async def _async_phone_number(
        self, user_input: Mapping[str, Any], own_id: str | None
    ) -> str | None:
        """The typed number in E.164; None when it is not a phone number.

        Aborts when another contact of the entry already has this number.
        """
        phone = await self.hass.async_add_executor_job(
            to_e164, user_input[CONF_PHONE_NUMBER], _country(self.hass)
        )
        if phone is not None and any(
            contact.unique_id == phone and contact.subentry_id != own_id
            for contact in self._get_entry().get_subentries_of_type(SUBENTRY_CONTACT)
        ):
            raise AbortFlow("already_configured")
        return phone

    @callback
    def _async_show_form(
        self, step_id: str, values: Mapping[str, Any] | None, errors: dict[str, str]
    ) -> SubentryFlowResult:
        """The contact form, keeping what was typed."""
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(CONTACT_SCHEMA, values),
            errors=errors,
            description_placeholders={"country": _country(self.hass)},
        )
