"""Sending SMS: check the input and the hourly cap, post one OVH job, explain failures.

The action and the notify entities both send through ``OvhSmsSender.async_send``.
A job whose outcome is unknown (no answer after the request went out, or an answer that
cannot be read) counts against the hourly cap and is never sent again: a retry could
deliver the SMS twice.
"""

import asyncio
from collections import OrderedDict, deque
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .api import (
    OvhSmsAuthError,
    OvhSmsClient,
    OvhSmsConnectionError,
    OvhSmsCredentialInvalidError,
    OvhSmsCreditsError,
    OvhSmsError,
    OvhSmsNotGrantedError,
    OvhSmsServiceExpiredError,
    OvhSmsSignatureError,
    OvhSmsTimeoutError,
    OvhSmsUnknownOutcomeError,
    SendReport,
    SmsJob,
)
from .const import (
    CONF_MAX_SMS_PER_HOUR,
    CONF_NUMBER,
    CONF_SERVICE_NAME,
    DEFAULT_MAX_SMS_PER_HOUR,
    DOMAIN,
    LOGGER,
)
from .coordinator import (
    OvhSmsAccountCoordinator,
    OvhSmsConfigEntry,
    async_report_service_expired,
)
from .delivery import OvhSmsDeliveryTracker
from .sms import (
    MAX_SEGMENTS,
    InvalidPhoneNumberError,
    PremiumRateNumberError,
    count_segments,
    normalize_phone_number,
)
from .store import OvhSmsStore

# OVH's limit for a job's tag.
TAG_MAX_LENGTH: Final = 20
RATE_WINDOW: Final = timedelta(hours=1)
# Numbers as typed (with the region national ones were read in) to E.164: automations send
# to the same few numbers, and a send whose numbers are all known needs no executor job.
KNOWN_NUMBERS: Final = 256


def _invalid(key: str, **placeholders: object) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={name: str(value) for name, value in placeholders.items()},
    )


def _failed(key: str, **placeholders: object) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={name: str(value) for name, value in placeholders.items()},
    )


class OvhSmsSender:
    """Sends SMS for one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OvhSmsConfigEntry,
        client: OvhSmsClient,
        store: OvhSmsStore,
        account: OvhSmsAccountCoordinator,
        *,
        delivery: OvhSmsDeliveryTracker,
    ) -> None:
        """Bind to the entry and to this load's delivery tracker.

        Not looked up on the entry when a send ends: one that ends while the entry
        unloads would find nothing there.
        """
        self.hass = hass
        self.entry = entry
        self.client = client
        self.store = store
        self.account = account
        self.delivery = delivery
        # Makes "check the cap, send, count" one step when sends run concurrently.
        self._lock = asyncio.Lock()
        # (when, SMS count) of the sends of the last hour, oldest first.
        self._sent: deque[tuple[datetime, int]] = deque()
        # (as typed, region) -> E.164 of numbers read before, least recently used first.
        self._known: OrderedDict[tuple[str, str | None], str] = OrderedDict()

    async def async_send(
        self,
        recipients: list[str],
        message: str,
        *,
        priority: str | None = None,
        validity_period: int | None = None,
        differed_period: int | None = None,
        flash: bool = False,
        tag: str | None = None,
    ) -> SendReport:
        """Send ``message`` to every recipient in one OVH job.

        Raises ``ServiceValidationError`` for bad input and ``HomeAssistantError`` when
        the hourly cap is reached or OVH fails; in both cases nothing was sent, except
        when the outcome is unknown (a timeout, or an answer that cannot be read).
        """
        message = self._checked_message(message)
        tag = self._checked_tag(tag)
        if not recipients:
            raise _invalid("no_recipients")
        receivers = await self._async_normalized(recipients)
        job = SmsJob(
            message=message,
            receivers=receivers,
            priority=priority,
            validity_period=validity_period,
            differed_period=differed_period,
            flash=flash,
            tag=tag,
        )
        async with self._lock:
            self._check_cap(len(job.receivers))
            report = await self._async_post(job)
            self._count(len(report.valid_receivers))
        self.store.record_sent(_receivers_by_id(report))
        self.delivery.async_track(report.ids, job)
        self.account.async_debit(report.credits_removed)
        LOGGER.debug("OVH accepted %s SMS, ids %s", len(report.valid_receivers), report.ids)
        return report

    async def _async_normalized(self, recipients: list[str]) -> list[str]:
        """E.164 numbers without duplicates, in the given order."""
        region = self.hass.config.country
        numbers: dict[str, str] = {}
        new: list[str] = []
        for recipient in dict.fromkeys(recipients):
            if (number := self._known.get((recipient, region))) is None:
                new.append(recipient)
            else:
                numbers[recipient] = number
        if new:
            # phonenumbers loads a country's metadata from disk on first use.
            read = await self.hass.async_add_executor_job(_normalized, new, region)
            numbers.update(zip(new, read, strict=True))
        for recipient, number in numbers.items():
            self._known[recipient, region] = number
            self._known.move_to_end((recipient, region))
        while len(self._known) > KNOWN_NUMBERS:
            self._known.popitem(last=False)
        return list(dict.fromkeys(numbers[recipient] for recipient in recipients))

    @staticmethod
    def _checked_message(message: str) -> str:
        if not message.strip():
            raise _invalid("empty_message")
        count = count_segments(message)
        if count.too_long:
            raise _invalid(
                "message_too_long",
                segments=count.segments,
                max_segments=MAX_SEGMENTS,
                max_characters=count.max_characters,
                encoding=count.encoding,
            )
        return message

    @staticmethod
    def _checked_tag(tag: str | None) -> str | None:
        if tag and len(tag) > TAG_MAX_LENGTH:
            raise _invalid("tag_too_long", max=TAG_MAX_LENGTH)
        return tag or None

    @property
    def _limit(self) -> int:
        """SMS allowed per hour; 0 means no cap."""
        return int(self.entry.options.get(CONF_MAX_SMS_PER_HOUR, DEFAULT_MAX_SMS_PER_HOUR))

    def _check_cap(self, count: int) -> None:
        """Refuse a send that would go over the hourly cap (nothing is queued)."""
        if not (limit := self._limit):
            return
        if count > limit:
            raise _invalid("too_many_recipients", recipients=count, limit=limit)
        now = dt_util.utcnow()
        while self._sent and self._sent[0][0] <= now - RATE_WINDOW:
            self._sent.popleft()
        excess = sum(sent for _, sent in self._sent) + count - limit
        if excess <= 0:
            return
        raise _failed(
            "rate_limited_sending", limit=limit, retry_at=_local_time(self._free_at(excess))
        )

    def _free_at(self, excess: int) -> datetime:
        """When sends of the window leave it and free at least ``excess`` SMS."""
        totals = accumulate(sent for _, sent in self._sent)
        index = next(i for i, total in enumerate(totals) if total >= excess)
        return self._sent[index][0] + RATE_WINDOW

    def _count(self, sent: int) -> None:
        self._sent.append((dt_util.utcnow(), sent))

    async def _async_post(self, job: SmsJob) -> SendReport:
        """One ``POST .../jobs``; errors become messages a user can act on."""
        data = self.entry.data
        try:
            report = await self.client.async_send(data[CONF_SERVICE_NAME], data[CONF_NUMBER], job)
        except OvhSmsTimeoutError as err:
            # OVH may have sent them: they count against the cap.
            self._count(len(job.receivers))
            raise _failed("send_timeout") from err
        except OvhSmsUnknownOutcomeError as err:
            self._count(len(job.receivers))
            raise _failed("send_outcome_unknown") from err
        except OvhSmsError as err:
            raise self._send_error(err) from err
        if not report.ids or not report.valid_receivers:
            rejected = report.invalid_receivers or job.receivers
            raise _failed("all_recipients_rejected", recipients=", ".join(rejected))
        return report

    def _send_error(self, err: OvhSmsError) -> HomeAssistantError:
        """The translated error for an OVH failure; refused keys start reauthentication."""
        if isinstance(err, OvhSmsAuthError):
            self.entry.async_start_reauth(self.hass)
        match err:
            case OvhSmsServiceExpiredError():
                async_report_service_expired(self.hass, self.entry)
                return _failed(
                    "send_service_expired", service_name=self.entry.data[CONF_SERVICE_NAME]
                )
            case OvhSmsCredentialInvalidError():
                return _failed("send_credential_invalid", error=err.message)
            case OvhSmsAuthError():
                return _failed("send_auth_failed", error=err.message)
            case OvhSmsCreditsError():
                self.account.async_credits_refused()
                return _failed("not_enough_credits")
            case OvhSmsNotGrantedError():
                return _failed("send_not_granted", call=err.call)
            case OvhSmsSignatureError():
                return _failed("send_signature")
            case OvhSmsConnectionError():
                return _failed("send_cannot_connect", error=err.message)
        return _failed("send_failed", error=err.message)


def _normalized(recipients: list[str], region: str | None) -> list[str]:
    """The E.164 number of each recipient (blocking: executor only)."""
    numbers: list[str] = []
    for recipient in recipients:
        try:
            numbers.append(normalize_phone_number(recipient, region))
        except PremiumRateNumberError:
            raise _invalid("premium_rate_number", number=recipient) from None
        except InvalidPhoneNumberError:
            raise _invalid("invalid_phone_number", number=recipient) from None
    return numbers


def _receivers_by_id(report: SendReport) -> dict[int, str]:
    """The receiver of each message id (OVH lists one id per valid receiver, in order)."""
    if len(report.ids) == len(report.valid_receivers):
        return dict(zip(report.ids, report.valid_receivers, strict=True))
    if len(report.valid_receivers) == 1:
        return dict.fromkeys(report.ids, report.valid_receivers[0])
    return {}


def _local_time(moment: datetime) -> str:
    """A local time of day, rounded up to the second so that it is never too early."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return dt_util.as_local(moment).strftime("%H:%M:%S")
