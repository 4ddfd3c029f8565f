"""Delivery reports (the status-change callback) and pushed SMS: the entry's webhook.

OVH calls the account's ``callBack`` URL each time a sent SMS changes state, with ``id``,
``ptt``, ``date``, ``description`` (the DLR id) and ``descriptionDlr`` in the query string
(``delivery_report`` reads them). OVH does not authenticate these calls: the secret is the
webhook id in the URL, so this module never logs the id or the URL, nor raises (Home
Assistant would log the id with the traceback). Home Assistant's own webhook and HTTP
code still write the URL into the log in a few cases (a PUT, a request its security filter
refuses, debug logging): README says which. The same URL takes OVH's push of each
received SMS (the account's ``smsResponse``), which ``push`` checks with OVH.

Home Assistant Cloud is imported only once it is loaded: importing it pulls in most of Home
Assistant's voice and media stack, which an installation without it may not have.
"""

from contextlib import suppress
from functools import partial
from http import HTTPStatus
from ipaddress import ip_address
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from aiohttp import hdrs
from aiohttp.web import Request, RequestPayloadError, Response
from homeassistant.components import webhook
from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util.json import json_loads

from .const import CONF_CLOUDHOOK, CONF_CLOUDHOOK_URL, CONF_WEBHOOK_ID, DOMAIN, LOGGER
from .coordinator import OvhSmsConfigEntry
from .delivery_report import InvalidReportError, parse_report
from .issues import async_create_entry_issue, async_delete_entry_issue
from .push import async_handle_push, parse_push

ISSUE_UNREACHABLE: Final = "callback_url_unreachable"
LEARN_MORE_URL: Final = "https://github.com/ovh-sms-virtual/ovh_sms_virtual#delivery-tracking"

# A report is a handful of short parameters: anything much larger is not from OVH.
MAX_QUERY_LENGTH: Final = 4096
MAX_BODY_LENGTH: Final = 4096
MAX_FIELDS: Final = 32

# Parameters that only OVH's push of a received SMS carries (``smsResponse``).
PUSHED_SMS_PARAMETERS: Final = frozenset({"message", "senderid", "sender"})


# ----------------------------------------------------------------------------- the URL


def _reachable_from_internet(url: str) -> bool:
    """Whether OVH's servers could call this URL (not a LAN, loopback or mDNS host)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith((".local", ".lan", ".home.arpa", ".internal")):
        return False
    try:
        address = ip_address(host)
    except ValueError:
        return "." in host
    return address.is_global


def external_callback_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """The webhook's URL on the external address, when it is reachable from the internet."""
    try:
        base = get_url(hass, allow_internal=False, allow_cloud=False, prefer_external=True)
    except NoURLAvailableError:
        return None
    url = f"{base}{webhook.async_generate_path(webhook_id)}"
    return url if _reachable_from_internet(url) else None


async def async_create_callback_url(
    hass: HomeAssistant, webhook_id: str
) -> tuple[str | None, dict[str, Any]]:
    """The URL OVH should call for this webhook, and what the entry must store about it.

    With an active Home Assistant Cloud subscription a cloudhook is created (once; the
    same hook is returned again for the same id); otherwise the external URL is used.
    ``None`` means no URL reachable from the internet is known.
    """
    if "cloud" not in hass.config.components:
        return external_callback_url(hass, webhook_id), {}
    from hass_nabucasa import CloudError  # noqa: PLC0415 - see the module's docstring
    from homeassistant.components.cloud import (  # noqa: PLC0415
        CloudNotAvailable,
        async_active_subscription,
        async_get_or_create_cloudhook,
    )

    if async_active_subscription(hass):
        try:
            url = await async_get_or_create_cloudhook(hass, webhook_id)
        except (CloudNotAvailable, CloudError, TimeoutError, ValueError) as err:
            # Not connected yet (at start-up) or Nabu Casa failed: the external URL, if
            # any, still works, and a later connection creates the hook.
            LOGGER.debug("No cloudhook for the delivery reports: %s", type(err).__name__)
        else:
            return url, {CONF_CLOUDHOOK: True, CONF_CLOUDHOOK_URL: url}
    return external_callback_url(hass, webhook_id), {}


def _stored_cloudhook_url(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> str | None:
    """The entry's cloudhook, while Home Assistant Cloud can still relay it."""
    url: str | None = entry.data.get(CONF_CLOUDHOOK_URL)
    if url is None or "cloud" not in hass.config.components:
        return None
    from homeassistant.components.cloud import (  # noqa: PLC0415 - see the module's docstring
        async_active_subscription,
    )

    return url if async_active_subscription(hass) else None


async def _async_update_callback_url(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Work out the entry's callback URL, keep a new cloudhook, and raise or clear the issue."""
    url = _stored_cloudhook_url(hass, entry)
    if url is None:
        url, stored = await async_create_callback_url(hass, entry.data[CONF_WEBHOOK_ID])
        if stored:
            # No update listener: changing the data does not reload the entry.
            hass.config_entries.async_update_entry(entry, data={**entry.data, **stored})
    entry.runtime_data.callback_url = url
    if url is not None:
        async_delete_entry_issue(hass, entry, ISSUE_UNREACHABLE)
        return
    async_create_entry_issue(
        hass,
        entry,
        ISSUE_UNREACHABLE,
        severity=ir.IssueSeverity.WARNING,
        learn_more_url=LEARN_MORE_URL,
    )


async def async_setup_webhook(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Register the entry's webhook and find the URL OVH can call it on.

    The URL is checked again when the external URL changes in the core configuration and
    when Home Assistant Cloud connects, so fixing either clears the repair issue.
    """
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        partial(_async_handle_report, entry),
        local_only=False,
        allowed_methods=[hdrs.METH_GET, hdrs.METH_POST],
    )
    entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))

    async def _async_core_config_updated(_event: Event[Any]) -> None:
        await _async_update_callback_url(hass, entry)

    entry.async_on_unload(
        hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _async_core_config_updated)
    )
    if "cloud" in hass.config.components:
        _async_follow_cloud(hass, entry)
    await _async_update_callback_url(hass, entry)


@callback
def _async_follow_cloud(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Look for the URL again each time Home Assistant Cloud connects.

    At start-up the cloud is often not connected yet when the entry is set up, so the
    cloudhook can only be created later.
    """
    from homeassistant.components.cloud import (  # noqa: PLC0415 - see the module's docstring
        CloudConnectionState,
        async_listen_connection_change,
    )

    async def _async_cloud_changed(state: CloudConnectionState) -> None:
        if state is CloudConnectionState.CLOUD_CONNECTED:
            await _async_update_callback_url(hass, entry)

    entry.async_on_unload(async_listen_connection_change(hass, _async_cloud_changed))


async def async_remove_webhook(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> None:
    """Delete the entry's cloudhook, if it made one."""
    if entry.data.get(CONF_CLOUDHOOK_URL) and "cloud" in hass.config.components:
        from homeassistant.components.cloud import (  # noqa: PLC0415 - see the module's docstring
            CloudNotAvailable,
            async_delete_cloudhook,
        )

        # Already gone, or the cloud is logged out: nothing left to delete.
        with suppress(CloudNotAvailable, ValueError):
            await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])


# ------------------------------------------------------------------------- the handler


class _BadRequestError(Exception):
    """The call is not one this handler accepts; answered with ``status``.

    ``reason`` is a fixed text: nothing the caller chose (a name, a value) is echoed.
    """

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        """Keep the answer."""
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def _async_read_body(request: Request) -> bytes:
    """The whole body, up to ``MAX_BODY_LENGTH`` bytes (decompressed, when it was)."""
    # ``read(n)`` returns what has arrived so far: a body sent in several pieces would
    # otherwise be parsed cut short (``id=12`` of ``id=1234``).
    body = b""
    if not request.body_exists:  # OVH's GET
        return body
    try:
        while chunk := await request.content.read(MAX_BODY_LENGTH + 1 - len(body)):
            body += chunk
            if len(body) > MAX_BODY_LENGTH:
                raise _BadRequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    except (RequestPayloadError, ConnectionError) as err:
        # A body aiohttp could not decode (``Content-Encoding: gzip`` over plain text, a
        # broken chunk) or a caller gone. The stream stays in error: end it here, or
        # aiohttp reads it again once the answer is sent and logs that as an error.
        request.content.feed_eof()
        raise _BadRequestError(HTTPStatus.BAD_REQUEST, "unreadable body") from err
    return body


def _body_pairs(request: Request, body: bytes) -> list[tuple[str, str]]:
    """The parameters of a POST body: a form (as OVH's CGI calls use) or a JSON object."""
    if not body.strip():
        return []
    try:
        text = body.decode()
    except UnicodeDecodeError as err:
        raise _BadRequestError(HTTPStatus.BAD_REQUEST, "body is not UTF-8") from err
    content_type = request.headers.get(hdrs.CONTENT_TYPE, "").partition(";")[0].strip().lower()
    if content_type == "application/json" or text.lstrip().startswith(("{", "[")):
        return _json_pairs(text)
    if content_type.startswith("multipart/"):
        raise _BadRequestError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported body")
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as err:
        raise _BadRequestError(HTTPStatus.BAD_REQUEST, "too many parameters") from err


def _json_pairs(text: str) -> list[tuple[str, str]]:
    """The string and integer members of a JSON object; other members are left out."""
    try:
        data = json_loads(text)
    except ValueError as err:
        raise _BadRequestError(HTTPStatus.BAD_REQUEST, "body is not JSON") from err
    if not isinstance(data, dict):
        raise _BadRequestError(HTTPStatus.BAD_REQUEST, "body is not a JSON object")
    if len(data) > MAX_FIELDS:
        raise _BadRequestError(HTTPStatus.BAD_REQUEST, "too many parameters")
    return [
        (key, str(value))
        for key, value in data.items()
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    ]


async def _async_read_params(request: Request) -> dict[str, str]:
    """The call's parameters: query string, plus the body of a POST (which wins).

    The first value of a repeated name is kept; blank values count as absent. The body of
    any other method is read too (and ignored), so that it is never left half-read.
    """
    body = await _async_read_body(request)
    if len(request.query_string) > MAX_QUERY_LENGTH:
        raise _BadRequestError(HTTPStatus.REQUEST_URI_TOO_LONG, "query too long")
    pairs = list(request.query.items())
    if request.method == hdrs.METH_POST:
        pairs = _body_pairs(request, body) + pairs
    if len(pairs) > MAX_FIELDS:
        raise _BadRequestError(HTTPStatus.BAD_REQUEST, "too many parameters")
    params: dict[str, str] = {}
    for key, value in pairs:
        if value.strip():
            params.setdefault(key, value)
    return params


async def _async_handle_report(
    entry: OvhSmsConfigEntry, hass: HomeAssistant, webhook_id: str, request: Request
) -> Response:
    """Answer one call of OVH's status-change callback, or of its push of a received SMS.

    Invalid calls get a 4xx and change nothing. Nothing here waits on I/O beyond reading
    the (bounded) body, and nothing raises: Home Assistant would log the webhook id.
    Neither the answer nor the log names anything the caller chose, but the message id
    of an accepted report.
    """
    try:
        params = await _async_read_params(request)
        if PUSHED_SMS_PARAMETERS.intersection(params):
            # OVH's push of a received SMS, when the account's ``smsResponse`` points
            # here: not a delivery report. Checked with OVH in the background.
            async_handle_push(hass, entry, parse_push(params))
            return Response(text="OK")
        report = parse_report(params)
        entry.runtime_data.delivery.async_webhook_report(report)
    except _BadRequestError as err:
        LOGGER.debug("Rejected a delivery report: %s", err.reason)
        return _refusal(err.status, err.reason, request)
    except InvalidReportError as err:
        LOGGER.debug("Rejected a delivery report: %s", err.reason)
        return _refusal(HTTPStatus.BAD_REQUEST, err.reason, request)
    except Exception:  # noqa: BLE001 - Home Assistant's own log line would name the webhook id
        LOGGER.exception("Unexpected error while handling a delivery report")
        return Response(status=HTTPStatus.INTERNAL_SERVER_ERROR, text="error")
    LOGGER.debug("Delivery report for message %s: %s", report.message_id, report.status)
    return Response(text="OK")


def _refusal(status: HTTPStatus, reason: str, request: Request) -> Response:
    """A 4xx with a fixed reason; the connection closes when the body was not read whole."""
    response = Response(status=status, text=reason)
    if request.content.exception() is not None or not request.content.is_eof():
        response.force_close()
    return response
