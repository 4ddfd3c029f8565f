"""A local HTTP simulator of the OVHcloud API v1 (SMS accounts with virtual numbers).

It serves the routes the ``ovh_sms_virtual`` integration uses, checks OVH request
signatures and access rules, answers with OVH's error bodies, and offers control
methods (and ``/_sim/`` HTTP endpoints) to inject incoming SMS, faults and
delivery-status callbacks.
"""

from .errors import ApiError
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
    "ApiError",
    "Fault",
    "OvhSimulator",
    "RecordedRequest",
    "SmsEncoding",
    "StatusReport",
    "count_segments",
]
