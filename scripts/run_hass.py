"""Start Home Assistant with the OVH API simulator registered as the region ``ovh-sim``.

The integration has no test hook: like the tests, this launcher adds an entry to
``ovh.client.ENDPOINTS`` before Home Assistant starts, so ``ovh-sim`` shows up in the
region list of the setup form. Usage: ``run_hass.py SIMULATOR_URL [hass arguments]``.
"""

import sys

import ovh.client


def main() -> int:
    """Register the simulator, then hand over to Home Assistant's own entry point."""
    simulator_url, *hass_args = sys.argv[1:]
    ovh.client.ENDPOINTS["ovh-sim"] = f"{simulator_url.rstrip('/')}/1.0"
    from homeassistant.__main__ import main as hass_main  # noqa: PLC0415

    sys.argv = ["hass", *hass_args]
    return hass_main()


if __name__ == "__main__":
    sys.exit(main())
