"""Config flow (being written for the setup issue)."""

from homeassistant.config_entries import ConfigFlow

from .const import DOMAIN


class OvhSmsConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up an OVHcloud SMS virtual number."""

    VERSION = 1
