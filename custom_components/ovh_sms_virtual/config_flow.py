"""Set-up in the UI: a name and API keys, each value checked against OVHcloud's API.

The user step takes the name and the keys (and the region, when a region beyond Europe's
is registered: only Europe has the SMS API). The SMS service and the virtual number are
then picked from the account's lists, or typed and checked when the key may not list
them. The last two steps show the entry's webhook URL, as the status-change callback and
then as the address OVH pushes received SMS to, and write it into the account only when
the user opts in, because both settings are shared by everything that uses the account;
when the account calls Home Assistant already, they only say so. The options offer the
same two steps again.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
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
    ConversationAgentSelector,
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
from homeassistant.util import dt as dt_util
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
    SmsAccount,
    async_api_regions,
    entry_client,
)
from .compat import get_subentries_of_type
from .const import (
    CONF_AGENT_ID,
    CONF_APPLICATION_KEY,
    CONF_APPLICATION_SECRET,
    CONF_ASSIST,
    CONF_CONSUMER_KEY,
    CONF_DELETE_RECEIVED,
    CONF_ENDPOINT,
    CONF_LOW_CREDITS,
    CONF_MAX_SMS_PER_HOUR,
    CONF_NAME,
    CONF_NUMBER,
    CONF_PHONE_NUMBER,
    CONF_PUSH_SCAN_INTERVAL,
    CONF_SCAN_INTERVAL,
    CONF_SERVICE_NAME,
    CONF_WEBHOOK_ID,
    CREATE_TOKEN_URL,
    DEFAULT_DELETE_RECEIVED,
    DEFAULT_ENDPOINT,
    DEFAULT_LOW_CREDITS,
    DEFAULT_MAX_SMS_PER_HOUR,
    DEFAULT_PUSH_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    SUBENTRY_CONTACT,
)
from .phone import country_name, ovh_number_to_e164, to_e164, to_ovh_path_number
from .push import PUSH_TYPE_CGI, PUSH_TYPE_TEXT, home_assistant_urls
from .webhook import async_create_callback_url

if TYPE_CHECKING:
    # Home Assistant's signatures name probatio, which stands in for voluptuous at run time.
    from probatio import Schema
else:
    from voluptuous import Schema

CONF_SET_CALLBACK: Final = "set_callback"
CONF_SET_PUSH: Final = "set_push"
DEFAULT_NAME: Final = "OVH SMS"
# Numbers written without a country code are read as numbers of this country when
# Home Assistant's own country is not set: OVHcloud's virtual numbers are French.
DEFAULT_COUNTRY: Final = "FR"
# The delivery-reports and received-SMS steps, by what the account holds now: nothing,
# another URL (or, for received SMS, an automatic answer), Home Assistant's URL, or nothing
# readable with these keys. Each variant (a suffix of the step) has its own text.
STEP_CALLBACK: Final = "callback"
STEP_PUSH: Final = "push"
SUFFIX_REPLACE: Final = "_replace"
SUFFIX_AUTO_REPLY: Final = "_auto_reply"
SUFFIX_SET: Final = "_set"
SUFFIX_UNKNOWN: Final = "_unknown"
# The options' received-SMS step when the account calls Home Assistant, but no push has
# arrived yet.
SUFFIX_SET_WAITING: Final = "_set_waiting"

DEFAULT_OPTIONS: Final[dict[str, Any]] = {
    CONF_SCAN_INTERVAL: DEFAULT_SCAN_INTERVAL,
    CONF_PUSH_SCAN_INTERVAL: DEFAULT_PUSH_SCAN_INTERVAL,
    CONF_DELETE_RECEIVED: DEFAULT_DELETE_RECEIVED,
    CONF_MAX_SMS_PER_HOUR: DEFAULT_MAX_SMS_PER_HOUR,
    CONF_LOW_CREDITS: DEFAULT_LOW_CREDITS,
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
SETTINGS_SCHEMA: Final = Schema(
    {
        # Bounds checked by the step, which says them in the user's language.
        vol.Required(CONF_SCAN_INTERVAL): vol.All(
            NumberSelector(
                NumberSelectorConfig(step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX)
            ),
            vol.Coerce(int),
        ),
        vol.Required(CONF_PUSH_SCAN_INTERVAL): vol.All(
            NumberSelector(
                NumberSelectorConfig(step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX)
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
        vol.Required(CONF_LOW_CREDITS): vol.All(
            NumberSelector(
                NumberSelectorConfig(min=0, max=100000, step=1, mode=NumberSelectorMode.BOX)
            ),
            vol.Coerce(int),
        ),
    }
)
CONTACT_SCHEMA: Final = Schema(
    {
        vol.Required(CONF_NAME): _TEXT,
        vol.Required(CONF_PHONE_NUMBER): _PHONE,
        vol.Required(CONF_ASSIST, default=False): BooleanSelector(),
        vol.Optional(CONF_AGENT_ID): ConversationAgentSelector(),
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


def _region_field(regions: list[str], current: str | None = None) -> dict[vol.Marker, Any]:
    """The region question, asked only when there is a choice.

    The choices are read when the form is built (``async_api_regions``): Europe, the regions
    registered beyond OVH's own, and an entry's current region (entries made with Canada or
    the US keep it).
    """
    if current is not None and current not in regions:
        regions.append(current)
    if len(regions) == 1:
        return {}
    selector = SelectSelector(
        SelectSelectorConfig(
            options=regions, mode=SelectSelectorMode.DROPDOWN, translation_key="endpoint"
        )
    )
    return {vol.Required(CONF_ENDPOINT, default=current or DEFAULT_ENDPOINT): selector}


def _user_schema(regions: list[str]) -> Schema:
    """Name (and region), then the three keys in the order the key-creation page shows."""
    return Schema(
        {vol.Required(CONF_NAME, default=DEFAULT_NAME): _TEXT, **_region_field(regions)}
    ).extend(KEYS_SCHEMA.schema)


def _reconfigure_schema(regions: list[str], endpoint: str) -> Schema:
    """(Region and) keys; an empty secret keeps the current one."""
    return Schema(
        {
            **_region_field(regions, endpoint),
            vol.Required(CONF_APPLICATION_KEY): _TEXT,
            vol.Optional(CONF_APPLICATION_SECRET): _SECRET,
            vol.Required(CONF_CONSUMER_KEY): _TEXT,
        }
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


@dataclass(frozen=True, slots=True)
class _AccountUrl:
    """An account-wide setting that can call Home Assistant's URL, and the step that shows it.

    The step's id is ``step`` plus the suffix of what the account holds now (``state``):
    each variant has its own text. ``write`` points the setting at Home Assistant.
    ``whole_account``: the URL of any entry of the account serves every number (pushes are
    routed by number; a delivery report reaches only the entry whose URL it calls).
    """

    step: str
    toggle: str
    state: Callable[[SmsAccount, set[str]], tuple[str, dict[str, str]]]
    write: Callable[[OvhSmsClient, str, str], Awaitable[None]]
    whole_account: bool

    @property
    def schema(self) -> Schema:
        """The opt-in, off by default."""
        return Schema({vol.Required(self.toggle, default=False): BooleanSelector()})


def _callback_state(account: SmsAccount, ours: set[str]) -> tuple[str, dict[str, str]]:
    """The variant of the delivery-reports step, by the account's ``callBack``."""
    if not account.callback:
        return "", {}
    if account.callback in ours:
        return SUFFIX_SET, {}
    return SUFFIX_REPLACE, {"current_callback": account.callback}


def _push_state(account: SmsAccount, ours: set[str]) -> tuple[str, dict[str, str]]:
    """The variant of the received-SMS step, by the account's ``smsResponse``.

    An automatic answer (``text``) is replaced by a push: the step says so.
    """
    if account.push_type == PUSH_TYPE_TEXT:
        return SUFFIX_AUTO_REPLY, {}
    if account.push_type != PUSH_TYPE_CGI or account.push_url is None:
        return "", {}
    if account.push_url in ours:
        return SUFFIX_SET, {}
    return SUFFIX_REPLACE, {"current_push": account.push_url}


CALLBACK: Final = _AccountUrl(
    STEP_CALLBACK,
    CONF_SET_CALLBACK,
    _callback_state,
    OvhSmsClient.async_set_callback,
    whole_account=False,
)
PUSH: Final = _AccountUrl(
    STEP_PUSH,
    CONF_SET_PUSH,
    _push_state,
    OvhSmsClient.async_set_push,
    whole_account=True,
)


async def _async_account_url_step(
    flow: ConfigFlow | OptionsFlow,
    client: OvhSmsClient,
    service: str,
    url: str,
    setting: _AccountUrl,
    *,
    user_input: dict[str, Any] | None,
    placeholders: dict[str, str],
    finish: Callable[[bool], Awaitable[ConfigFlowResult]],
    ours: Iterable[str] = (),
    when_set: tuple[str, dict[str, str]] = (SUFFIX_SET, {}),
) -> ConfigFlowResult:
    """The delivery-reports or received-SMS step: write the URL if asked to, then ``finish``.

    ``finish`` is told whether the URL was written. The form shown fits what the account
    holds now; the toggle that writes the URL is offered unless the account calls Home
    Assistant already (``url``, or for a whole-account setting one of ``ours``: the URLs of
    the account's other entries). ``when_set`` is the variant (and its placeholders) shown
    then.
    """
    errors: dict[str, str] = {}
    if user_input is not None:
        write = bool(user_input.get(setting.toggle))
        if write:
            errors = await _async_write_url(setting, client, service, url, placeholders)
        if not errors:
            return await finish(write)
    shown = {**placeholders, "callback_url": url}
    try:
        account = await client.async_get_account(service)
    except OvhSmsError:
        suffix = SUFFIX_UNKNOWN
    else:
        suffix, current = setting.state(account, {url, *ours} if setting.whole_account else {url})
        shown |= current
        if suffix == SUFFIX_SET:
            suffix, about = when_set
            shown |= about
    schema = Schema({}) if suffix.startswith(SUFFIX_SET) else setting.schema
    return flow.async_show_form(
        step_id=setting.step + suffix,
        data_schema=flow.add_suggested_values_to_schema(schema, user_input),
        errors=errors,
        description_placeholders=shown,
    )


async def _async_write_url(
    setting: _AccountUrl, client: OvhSmsClient, service: str, url: str, placeholders: dict[str, str]
) -> dict[str, str]:
    """Point the account's setting at the URL; return the form's errors."""
    try:
        await _async_ovh(
            setting.write(client, service, url),
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
        """The settings, and the callback and push URLs."""
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
            self._data = {CONF_ENDPOINT: DEFAULT_ENDPOINT, **_cleaned(user_input)}
            self._api = entry_client(self.hass, self._data)
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
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _user_schema(await async_api_regions(self.hass)), user_input
            ),
            errors=errors,
            description_placeholders={**self._placeholders, "create_token_url": CREATE_TOKEN_URL},
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
        """One entry per virtual number, then the callback step.

        A set-up of the same number left unfinished (a tab closed or reloaded on the last
        step) does not block this one: whichever finishes first creates the entry, and
        Home Assistant then aborts the other.
        """
        await self.async_set_unique_id(_unique_id(self._data), raise_on_progress=False)
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
        return await self._async_url_step(CALLBACK, user_input, lambda _: self.async_step_push())

    async def async_step_push(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Offer OVH's push of received SMS to the same URL; set it if asked to."""

        async def create_entry(_written: bool) -> ConfigFlowResult:
            return self._async_create_entry()

        return await self._async_url_step(PUSH, user_input, create_entry)

    async def _async_url_step(
        self,
        setting: _AccountUrl,
        user_input: dict[str, Any] | None,
        finish: Callable[[bool], Awaitable[ConfigFlowResult]],
    ) -> ConfigFlowResult:
        """One of the two steps about the URL (none reachable: say how to get one)."""
        if (url := self._callback_url) is None:
            return await self.async_step_no_callback_url()
        data = self._data
        return await _async_account_url_step(
            self,
            self._api,
            data[CONF_SERVICE_NAME],
            url,
            setting,
            user_input=user_input,
            placeholders=self._placeholders,
            finish=finish,
            # The other numbers of the account set up already take its pushes too.
            ours=home_assistant_urls(self.hass, data[CONF_SERVICE_NAME], data[CONF_ENDPOINT]),
        )

    # The same steps, shown with the text that fits what the account holds now.
    async_step_callback_replace = async_step_callback
    async_step_callback_set = async_step_callback
    async_step_callback_unknown = async_step_callback
    async_step_push_replace = async_step_push
    async_step_push_auto_reply = async_step_push
    async_step_push_set = async_step_push
    async_step_push_unknown = async_step_push

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
            errors = await self._async_validate(entry_client(self.hass, data), data)
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
                "create_token_url": CREATE_TOKEN_URL,
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """New keys (and region) for the entry's service and number, which stay the same."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            changes = _cleaned(user_input)
            if not changes.get(CONF_APPLICATION_SECRET):
                changes[CONF_APPLICATION_SECRET] = entry.data[CONF_APPLICATION_SECRET]
            data = {**entry.data, **changes}
            # Checked on a copy: the number stays as stored, whatever form OVH answers in.
            errors = await self._async_validate(entry_client(self.hass, data), dict(data))
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        current = {
            key: value for key, value in entry.data.items() if key != CONF_APPLICATION_SECRET
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _reconfigure_schema(await async_api_regions(self.hass), entry.data[CONF_ENDPOINT]),
                user_input or current,
            ),
            errors=errors,
            description_placeholders={
                **self._placeholders,
                "service_name": entry.data[CONF_SERVICE_NAME],
                "number": entry.data[CONF_NUMBER],
                "create_token_url": CREATE_TOKEN_URL,
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
    """Settings apply by reloading the entry; the callback and push URLs can be read again."""

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
        """Polling, deletion of received SMS, the hourly sending cap and the credit warning."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = {
                key: error
                for key, error in {
                    CONF_SCAN_INTERVAL: "scan_interval_out_of_range",
                    CONF_PUSH_SCAN_INTERVAL: "push_scan_interval_out_of_range",
                }.items()
                if not MIN_SCAN_INTERVAL <= user_input[key] <= MAX_SCAN_INTERVAL
            }
            if not errors:
                return self.async_create_entry(data={**self.config_entry.options, **user_input})
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(
                SETTINGS_SCHEMA, user_input or {**DEFAULT_OPTIONS, **self.config_entry.options}
            ),
            errors=errors,
            description_placeholders={
                "min": str(MIN_SCAN_INTERVAL),
                "max": str(MAX_SCAN_INTERVAL),
            },
        )

    async def async_step_callback(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The callback URL as it is now, written into the account if asked to; then push."""

        async def finish(written: bool) -> ConfigFlowResult:
            # Delivery statuses stop being read from OVH once the account is read calling here.
            await self._async_read_account_again(written)
            return await self.async_step_push()

        return await self._async_url_step(CALLBACK, user_input, finish)

    async def async_step_push(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """OVH's push of received SMS: what the account does now, and whether pushes arrive."""

        async def finish(written: bool) -> ConfigFlowResult:
            # The poll slows down only once the account is read pushing here.
            await self._async_read_account_again(written)
            return self.async_create_entry(data=dict(self.config_entry.options))

        return await self._async_url_step(PUSH, user_input, finish, when_set=self._last_push())

    async def _async_read_account_again(self, written: bool) -> None:
        """Read the account again at once after a write into it, when the entry is loaded."""
        entry = self.config_entry
        if written and entry.state is ConfigEntryState.LOADED:
            await entry.runtime_data.account.async_request_refresh()

    def _last_push(self) -> tuple[str, dict[str, str]]:
        """The variant shown when the account pushes here: the last push, or none yet."""
        entry = self.config_entry
        if entry.state is ConfigEntryState.LOADED and (
            last := entry.runtime_data.store.push.last_verified
        ):
            return SUFFIX_SET, {"last_push": dt_util.as_local(last).strftime("%Y-%m-%d %H:%M:%S")}
        return SUFFIX_SET_WAITING, {}

    async def _async_url_step(
        self,
        setting: _AccountUrl,
        user_input: dict[str, Any] | None,
        finish: Callable[[bool], Awaitable[ConfigFlowResult]],
        when_set: tuple[str, dict[str, str]] = (SUFFIX_SET, {}),
    ) -> ConfigFlowResult:
        """One of the two steps about the URL (none reachable: say how to get one).

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
                else entry_client(self.hass, entry.data)
            )
            self._callback = url, client
        url, client = self._callback
        return await _async_account_url_step(
            self,
            client,
            entry.data[CONF_SERVICE_NAME],
            url,
            setting,
            user_input=user_input,
            placeholders=self._placeholders,
            finish=finish,
            ours=home_assistant_urls(
                self.hass, entry.data[CONF_SERVICE_NAME], entry.data[CONF_ENDPOINT]
            ),
            when_set=when_set,
        )

    # The same steps, shown with the text that fits what the account holds now.
    async_step_callback_replace = async_step_callback
    async_step_callback_set = async_step_callback
    async_step_callback_unknown = async_step_callback
    async_step_push_replace = async_step_push
    async_step_push_auto_reply = async_step_push
    async_step_push_set = async_step_push
    async_step_push_set_waiting = async_step_push
    async_step_push_unknown = async_step_push

    async def async_step_no_callback_url(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """No address reachable from the internet yet."""
        if user_input is not None:
            return self.async_create_entry(data=dict(self.config_entry.options))
        return self.async_show_form(step_id="no_callback_url", data_schema=Schema({}))


def _contact_data(phone: str, user_input: Mapping[str, Any]) -> dict[str, Any]:
    """A contact's number in E.164, its Assist opt-in and, when chosen, its agent."""
    data: dict[str, Any] = {
        CONF_PHONE_NUMBER: phone,
        CONF_ASSIST: bool(user_input.get(CONF_ASSIST, False)),
    }
    if agent_id := user_input.get(CONF_AGENT_ID):
        data[CONF_AGENT_ID] = agent_id
    return data


class ContactSubentryFlow(ConfigSubentryFlow):
    """A contact: a name, a phone number stored in E.164, and whether it may use Assist."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a contact."""
        errors: dict[str, str] = {}
        if user_input is not None:
            phone = await self._async_phone_number(user_input, None)
            if not (errors := self._errors(user_input, phone)) and phone is not None:
                return self.async_create_entry(
                    title=user_input[CONF_NAME],
                    data=_contact_data(phone, user_input),
                    unique_id=phone,
                )
        return await self._async_show_form("user", user_input, errors)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Rename a contact or change its number (its notify entity follows on reload)."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            phone = await self._async_phone_number(user_input, subentry.subentry_id)
            if not (errors := self._errors(user_input, phone)) and phone is not None:
                return self.async_update_reload_and_abort(
                    self._get_entry(),
                    subentry,
                    title=user_input[CONF_NAME],
                    data=_contact_data(phone, user_input),
                    unique_id=phone,
                )
        current = {CONF_NAME: subentry.title, **subentry.data}
        return await self._async_show_form("reconfigure", user_input or current, errors)

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
            for contact in get_subentries_of_type(self._get_entry(), SUBENTRY_CONTACT)
        ):
            raise AbortFlow("already_configured")
        return phone

    def _errors(self, user_input: Mapping[str, Any], phone: str | None) -> dict[str, str]:
        """The form's errors for a typed number (None when it is not a phone number)."""
        if phone is None:
            return {CONF_PHONE_NUMBER: "invalid_phone_number"}
        if user_input.get(CONF_ASSIST) and phone == ovh_number_to_e164(
            self._get_entry().data[CONF_NUMBER]
        ):
            # Assist would answer its own answers.
            return {CONF_ASSIST: "assist_own_number"}
        return {}

    async def _async_show_form(
        self, step_id: str, values: Mapping[str, Any] | None, errors: dict[str, str]
    ) -> SubentryFlowResult:
        """The contact form, keeping what was typed, naming the country of national numbers.

        The name is in Home Assistant's language (a flow does not know the user's).
        """
        country = await self.hass.async_add_executor_job(
            country_name, _country(self.hass), self.hass.config.language
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(CONTACT_SCHEMA, values),
            errors=errors,
            description_placeholders={"country": country},
        )
