"""OVH's push of received SMS (the account's ``smsResponse``), taken as a hint only.

When the account's ``smsResponse`` is ``{responseType: "cgi", cgiUrl}``, OVH calls that URL
for each SMS the account receives. The wire format is not documented, so it is assumed
from calls seen in third-party code (a virtual number's, not yet a classic 06/07 one's): a
form POST with ``id`` (the id of ``.../incoming/{id}``), ``senderid``,
``message``, ``keyword``, ``shortcode`` (the receiving number) and ``tag``. Only ``id`` and
``shortcode`` are used here, and leniently (``shortcode`` in any usual number form, or
absent): the call is not signed, so anyone who knows the URL can make one. The SMS itself is
read from OVH by its id and fired through the inbox, as a poll fires it (see the inbox's
``async_verify_push``): a forged push fires nothing.

The setting is account wide: one URL receives the pushes of every number of the account,
so a push is routed to the entry of its ``shortcode`` among the loaded entries of the same
SMS account, or tried on each of them when ``shortcode`` names none.

``PushPace`` decides whether pushes can be relied on, so that the inbox may poll slower.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, auto
from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import CONF_ENDPOINT, CONF_NUMBER, CONF_SERVICE_NAME, DOMAIN, LOGGER
from .coordinator import OvhSmsConfigEntry
from .delivery_report import message_id
from .phone import is_number

# A phone number, in any form, is far shorter: anything longer names no number.
MAX_SHORTCODE_LENGTH: Final = 32
# Pushes to one entry's URL being checked at once; more are left to the polls.
MAX_IN_FLIGHT: Final = 20
# A push may reach Home Assistant a little after a poll found its SMS: that is no miss.
PUSH_GRACE: Final = timedelta(minutes=1)
# After a miss, the poll keeps its normal pace at least this long.
PUSH_RETRUST: Final = timedelta(hours=1)
# SMS announced by a push and not fired yet, and SMS fired, that are remembered (the
# newest of each).
MAX_REMEMBERED: Final = 1000
PUSH_TYPE_CGI: Final = "cgi"
PUSH_TYPE_TEXT: Final = "text"


@dataclass(frozen=True, slots=True)
class PushedSms:
    """What a push says: an SMS id, and the number that received it when given."""

    sms_id: int
    shortcode: str | None


class PushOutcome(Enum):
    """What an entry made of a push."""

    CONFIRMED = auto()
    """OVH holds this SMS for the entry's number: it is being fired."""
    KNOWN = auto()
    """The entry has this SMS already (fired, read, or being checked)."""
    NOT_HELD = auto()
    """OVH holds no SMS of that id for the entry's number."""
    UNREAD = auto()
    """It could not be checked now: the next poll will see."""


def parse_push(params: dict[str, str]) -> PushedSms:
    """The push a call's parameters (blank values left out) make.

    Raises ``InvalidReportError`` when ``id`` is not a whole number within OVH's range:
    without it there is nothing to read back. A ``shortcode`` that cannot be a number is
    left out (each entry of the account is then tried).
    """
    shortcode = params.get("shortcode")
    if shortcode is not None and len(shortcode) > MAX_SHORTCODE_LENGTH:
        shortcode = None
    return PushedSms(message_id(params), shortcode)


def _loaded_entries(hass: HomeAssistant, service: str, endpoint: str) -> list[OvhSmsConfigEntry]:
    """The loaded entries of the SMS account ``service`` of OVH's region ``endpoint``."""
    return [
        entry
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if entry.data[CONF_SERVICE_NAME] == service and entry.data[CONF_ENDPOINT] == endpoint
    ]


def account_entries(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> list[OvhSmsConfigEntry]:
    """``entry``, then the other loaded entries of the same SMS account."""
    others = _loaded_entries(hass, entry.data[CONF_SERVICE_NAME], entry.data[CONF_ENDPOINT])
    return [entry, *(other for other in others if other.entry_id != entry.entry_id)]


def home_assistant_urls(hass: HomeAssistant, service: str, endpoint: str) -> set[str]:
    """The URLs of the loaded entries of an SMS account: each takes the account's pushes."""
    return {
        url
        for entry in _loaded_entries(hass, service, endpoint)
        if (url := entry.runtime_data.callback_url)
    }


def push_reaches(hass: HomeAssistant, entry: OvhSmsConfigEntry) -> bool:
    """Whether the account, as last read, pushes received SMS to this Home Assistant."""
    account = entry.runtime_data.account.data
    if account is None or account.push_type != PUSH_TYPE_CGI or account.push_url is None:
        return False
    own = entry.runtime_data.callback_url
    return account.push_url == own or account.push_url in home_assistant_urls(
        hass, entry.data[CONF_SERVICE_NAME], entry.data[CONF_ENDPOINT]
    )


@callback
def async_handle_push(hass: HomeAssistant, entry: OvhSmsConfigEntry, pushed: PushedSms) -> None:
    """Check a push in the background (the caller answers OVH at once).

    The check runs as a task of the entry whose URL was called, cancelled when it unloads:
    a push lost that way is fired by the next poll.
    """
    stats = entry.runtime_data.store.push
    if stats.in_flight >= MAX_IN_FLIGHT:
        LOGGER.debug("Too many pushes at once: received SMS %s is left to the poll", pushed.sms_id)
        stats.unread += 1
        return
    LOGGER.debug("Received SMS %s was pushed: checking it with OVHcloud", pushed.sms_id)
    stats.in_flight += 1
    entry.async_create_background_task(
        hass, _async_check(hass, entry, pushed), f"{DOMAIN} check of a pushed SMS"
    )


async def _async_check(hass: HomeAssistant, entry: OvhSmsConfigEntry, pushed: PushedSms) -> None:
    """Ask the entries the push may be for, one after the other, until one has it."""
    stats = entry.runtime_data.store.push
    try:
        candidates = account_entries(hass, entry)
        if pushed.shortcode is not None and len(candidates) > 1:
            shortcode = pushed.shortcode
            numbers = [candidate.data[CONF_NUMBER] for candidate in candidates]
            matches = await hass.async_add_executor_job(
                lambda: [is_number(shortcode, number) for number in numbers]
            )
            # No entry of that number: each is tried (the number may be written oddly).
            if any(matches):
                candidates = [c for c, match in zip(candidates, matches, strict=True) if match]
        outcomes: list[PushOutcome] = []
        for candidate in candidates:
            # Another entry may have unloaded meanwhile: its next load's first poll fires
            # the SMS. This entry is there as long as this task runs.
            if candidate is not entry and candidate.state is not ConfigEntryState.LOADED:
                continue
            outcome = await candidate.runtime_data.inbox.async_verify_push(pushed.sms_id)
            if outcome in {PushOutcome.CONFIRMED, PushOutcome.KNOWN}:
                return
            outcomes.append(outcome)
        if outcomes and all(outcome is PushOutcome.NOT_HELD for outcome in outcomes):
            stats.forged += 1
            LOGGER.debug(
                "OVHcloud holds no received SMS %s for the numbers it could be for: the push "
                "is ignored",
                pushed.sms_id,
            )
    finally:
        stats.in_flight -= 1


class PushPace:
    """Whether OVH's pushes can be relied on, so that the inbox may poll slower.

    Pushes are trusted once one is checked with OVH. An SMS that a poll fires without a
    push having announced it is a suspect: while there is one, pushes are not relied on.
    When its push arrives within ``PUSH_GRACE``, the push was only slower than the poll;
    otherwise it is a miss, and pushes are relied on again only after ``PUSH_RETRUST``,
    once a push arrives.
    """

    def __init__(self) -> None:
        """Nothing pushed yet: not trusted."""
        self._trusted = False
        self._missed_at: datetime | None = None
        self._announced: dict[int, None] = {}
        self._suspects: dict[int, datetime] = {}
        # Fired SMS may be deleted and forgotten at once: their late pushes are known here.
        self._fired: dict[int, None] = {}

    def was_fired(self, sms_id: int) -> bool:
        """Whether SMS ``sms_id`` was among the last ones fired."""
        return sms_id in self._fired

    def pushed(self, sms_id: int, *, fired: bool) -> None:
        """A push named SMS ``sms_id``, which OVH holds (or held: it was ``fired``)."""
        if fired:
            self._suspects.pop(sms_id, None)
        else:
            _remember(self._announced, sms_id)
        now = dt_util.utcnow()
        if self._missed_at is None or now - self._missed_at >= PUSH_RETRUST:
            self._trusted = True

    def polled(self, fired: list[int], *, watching: bool) -> None:
        """A poll fired ``fired``; ``watching``: the account pushes to Home Assistant."""
        now = dt_util.utcnow()
        for sms_id in fired:
            _remember(self._fired, sms_id)
            if sms_id in self._announced:
                del self._announced[sms_id]
            elif watching:
                self._suspects[sms_id] = now

    def reliable(self) -> bool:
        """Whether the pushes are relied on now."""
        now = dt_util.utcnow()
        if any(now - since >= PUSH_GRACE for since in self._suspects.values()):
            if self._trusted:
                LOGGER.info(
                    "OVHcloud did not push a received SMS that polling found: the inbox is "
                    "polled at the normal interval for %d minutes at least",
                    PUSH_RETRUST.total_seconds() // 60,
                )
            self._trusted = False
            self._missed_at = now
            self._suspects.clear()
        return self._trusted and not self._suspects


def _remember(ids: dict[int, None], sms_id: int) -> None:
    """Add ``sms_id``, forgetting the oldest beyond ``MAX_REMEMBERED``."""
    ids[sms_id] = None
    if len(ids) > MAX_REMEMBERED:
        del ids[next(iter(ids))]
