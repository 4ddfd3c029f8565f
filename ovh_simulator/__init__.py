"""A local HTTP simulator of the OVHcloud API v1 (SMS accounts with virtual numbers).

It serves the routes the ``ovh_sms_virtual`` integration uses, checks OVH request
signatures and access rules, answers with OVH's error bodies, and offers control
methods (and ``/_sim/`` HTTP endpoints) to inject incoming SMS, faults and
delivery-status callbacks. Like OVH, it pushes each received SMS to the account's
``smsResponse.cgiUrl`` (when ``responseType`` is ``cgi``), and each sent SMS goes from
pending to delivered (or another outcome) on the simulator clock, as
``GET .../outgoing/{id}`` shows.

What OVH's schema and guides say is followed as written. Some rules no source confirms;
they are **assumed** (marked so in the code too), and the real API may differ:

- a job short of credits is refused whole with a 403 whose body has no ``errorCode``
  (``errors.not_enough_credits``), and a credit is one SMS segment per receiver;
- a message longer than 6 SMS is refused with a 400;
- receivers a virtual number does not send to (OVH: French numbers only) come back in
  ``invalidReceivers``; what a valid French number looks like; the other countries' rules
  copy the French one;
- the status-change callback is a GET; its ``date`` reads ``2026-11-27 10:12:05`` (Paris);
- a job's ids are the ids of its outgoing records and of their callbacks;
- an outgoing record waiting for the operator shows ``deliveryReceipt`` 0 and ``ptt`` 0,
  then the callback's numbering (``OUTCOMES``), 5 seconds after the send by default;
- the push of a received SMS: a form POST with ``id``, ``senderid``, ``message``,
  ``keyword`` (the first word), ``shortcode`` (the receiving number, E.164) and ``tag``,
  ``cgiUrl``'s own query kept (seen in third-party captures, not documented);
- tags of at most 20 characters (documented for http2sms only);
- partial ``PUT /sms/{service}`` bodies are accepted, read-only and unknown fields refused;
  a partial ``smsResponse`` (or ``templates``) keeps the fields it leaves out;
  ``creditThresholdForAutomaticRecredit`` (a double) may not be negative;
- a datetime filter without an offset is Paris time; a request timestamp may be 300 s off;
- the texts of error messages other than the authentication ones, and the account's
  ``iam`` URN.

Some of OVH's behaviour is left out on purpose (marked in the code too):

- ``responseType`` ``text`` (an automatic answer) is only stored: no answer is sent;
- deferred sending: jobs leave the queue at once (``GET .../jobs`` is always empty).
"""

from .errors import ApiError
from .push import PushResult
from .server import API_PREFIX, Fault, OvhSimulator, StatusReport
from .sms import SmsEncoding, count_segments
from .state import (
    DEMO_APPLICATION_KEY,
    DEMO_APPLICATION_SECRET,
    DEMO_CONSUMER_KEY,
    DEMO_CREDITS,
    DEMO_NUMBER,
    DEMO_SERVICE,
    FULL_SMS_RULES,
    OUTCOMES,
    RecordedRequest,
)

__all__ = [
    "API_PREFIX",
    "DEMO_APPLICATION_KEY",
    "DEMO_APPLICATION_SECRET",
    "DEMO_CONSUMER_KEY",
    "DEMO_CREDITS",
    "DEMO_NUMBER",
    "DEMO_SERVICE",
    "FULL_SMS_RULES",
    "OUTCOMES",
    "ApiError",
    "Fault",
    "OvhSimulator",
    "PushResult",
    "RecordedRequest",
    "SmsEncoding",
    "StatusReport",
    "count_segments",
]
