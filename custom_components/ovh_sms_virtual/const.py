"""Constants of the OVHcloud SMS (virtual number) integration."""

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "ovh_sms_virtual"
LOGGER = logging.getLogger(__package__)

# Config entry data keys (the public contract, see README).
CONF_NAME: Final = "name"
CONF_ENDPOINT: Final = "endpoint"
CONF_APPLICATION_KEY: Final = "application_key"
CONF_APPLICATION_SECRET: Final = "application_secret"
CONF_CONSUMER_KEY: Final = "consumer_key"
CONF_SERVICE_NAME: Final = "service_name"
CONF_NUMBER: Final = "number"
CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_CLOUDHOOK: Final = "cloudhook"
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"

# Options.
CONF_SCAN_INTERVAL: Final = "scan_interval"
CONF_DELETE_RECEIVED: Final = "delete_received"
CONF_MAX_SMS_PER_HOUR: Final = "max_sms_per_hour"
DEFAULT_SCAN_INTERVAL: Final = 20
# The polling interval while OVH pushes received SMS and the pushes arrive.
CONF_PUSH_SCAN_INTERVAL: Final = "push_scan_interval"
DEFAULT_PUSH_SCAN_INTERVAL: Final = 300
MIN_SCAN_INTERVAL: Final = 10
MAX_SCAN_INTERVAL: Final = 3600
DEFAULT_DELETE_RECEIVED: Final = True
DEFAULT_MAX_SMS_PER_HOUR: Final = 60

# Contacts (config subentries).
SUBENTRY_CONTACT: Final = "contact"
CONF_PHONE_NUMBER: Final = "phone_number"

# OVHcloud's SMS API exists in its European API only. Canada and the US have a label for
# entries made with them before (they keep their region); other regions are the ones
# registered in the ovh library beyond its own (a local OVH API simulator, for instance).
DEFAULT_ENDPOINT: Final = "ovh-eu"
STANDARD_ENDPOINTS: Final = ("ovh-eu", "ovh-ca", "ovh-us")

# Credits change only when SMS are sent or credits bought: a slow poll is enough.
CREDITS_SCAN_INTERVAL: Final = timedelta(minutes=15)

# Bus events.
EVENT_RECEIVED: Final = "ovh_sms_virtual_received"
EVENT_DELIVERY_STATUS: Final = "ovh_sms_virtual_delivery_status"

# Action.
SERVICE_SEND_SMS: Final = "send_sms"

# Europe's key-creation page (where the SMS API is), with the rights this integration needs.
CREATE_TOKEN_URL: Final = (
    "https://eu.api.ovh.com/createToken/index.cgi"
    "?GET=/sms&GET=/sms/*&POST=/sms/*&PUT=/sms/*&DELETE=/sms/*"
)

# Dispatcher signals, formatted with the config entry id.
SIGNAL_RECEIVED: Final = "ovh_sms_virtual_received_{}"
SIGNAL_DELIVERY: Final = "ovh_sms_virtual_delivery_{}"

# Event entity event types.
EVENT_TYPE_RECEIVED: Final = "received"
DELIVERY_STATUSES: Final = ("delivered", "failed", "pending", "unknown")

# Assist over SMS (per contact) and the bus event that shows each exchange.
CONF_ASSIST: Final = "assist"
CONF_AGENT_ID: Final = "agent_id"
EVENT_ASSIST: Final = "ovh_sms_virtual_assist"

# Low credits: the option and its repair issue.
CONF_LOW_CREDITS: Final = "low_credits"
DEFAULT_LOW_CREDITS: Final = 10
# Where an SMS account's credits are bought: the SMS section of the OVHcloud Control Panel.
BUY_CREDITS_URL: Final = "https://www.ovh.com/manager/#/telecom/sms"
