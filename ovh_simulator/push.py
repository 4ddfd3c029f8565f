"""OVH's push of received SMS to the account's ``smsResponse.cgiUrl``, and callback URLs.

When an account's ``smsResponse`` is ``{"responseType": "cgi", "cgiUrl": ...}``, OVH calls
that URL for each SMS the account receives. The wire format is not documented by OVH: what
is built here follows captures of real calls seen in third-party code (a POST,
``application/x-www-form-urlencoded``, with ``id``, ``senderid``, ``message``, ``keyword``,
``shortcode`` and ``tag``, the URL's own query parameters kept), so it is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
import urllib.parse

import aiohttp
from yarl import URL

from .state import IncomingSms, e164_from_path_number


@dataclass(slots=True)
class PushResult:
    """The outcome of one push of a received SMS."""

    sms_id: int
    url: str
    """The URL called (``cgiUrl``, or its path and query on the ``via`` origin)."""
    form: dict[str, str] = field(default_factory=dict)
    """The fields posted."""
    status: int | None = None
    """The HTTP status answered; None when the call failed (see ``error``)."""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return {
            "sms_id": self.sms_id,
            "url": self.url,
            "form": dict(self.form),
            "status": self.status,
            "error": self.error,
        }


def on_origin(url: str, via: str | None) -> str:
    """``url`` with its scheme and host replaced by those of ``via`` (when given).

    For the demo: the account names a Home Assistant's public URL, and the simulator calls
    the same path on a local origin (``http://127.0.0.1:8123``).
    """
    if not via:
        return url
    parts = urllib.parse.urlsplit(url)
    local = urllib.parse.urlsplit(via)
    return urllib.parse.urlunsplit((local.scheme, local.netloc, parts.path, parts.query, ""))


def with_params(base: str, params: list[tuple[str, str]]) -> str:
    """Append ``params`` to ``base`` (keeping its own query, e.g. a secret token)."""
    parts = urllib.parse.urlsplit(base)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + params
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def push_form(sms: IncomingSms, number: str) -> dict[str, str]:
    """The fields OVH posts for ``sms``, received on the virtual number ``number``.

    Assumed: ``shortcode`` is the receiving number in E.164 form (like ``senderid``), and
    ``keyword`` the message's first word.
    """
    words = sms.message.split(maxsplit=1)
    return {
        "id": str(sms.id),
        "senderid": sms.sender,
        "message": sms.message,
        "keyword": words[0] if words else "",
        "shortcode": e164_from_path_number(number),
        "tag": sms.tag,
    }


async def async_post_form(url: str, form: dict[str, str], timeout: float) -> int:  # noqa: ASYNC109
    """POST ``form`` to ``url``; the HTTP status answered."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            URL(url, encoded=True),
            data=form,
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
        ) as response,
    ):
        return response.status
