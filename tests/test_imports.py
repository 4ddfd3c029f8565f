"""What Home Assistant's start imports with the integration, and where the rest is imported.

Three big packages are left out of the integration's import, each loaded when first needed
and off the event loop: ``ovh`` (with its OAuth2 support, about 80 modules) when the first
client is built, in the executor; ``phonenumbers`` (58 modules) when a typed number is first
read, in the executor; Home Assistant's conversation component (the intent matcher, about
50 modules) when a contact first texts, through Home Assistant's import helper.
``scripts/bench`` measures what is left.
"""

import builtins
from pathlib import Path
import subprocess
import sys
import threading
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ovh_sms_virtual.const import (
    CONF_ASSIST,
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_ASSIST,
    SERVICE_SEND_SMS,
    SUBENTRY_CONTACT,
)
from ovh_simulator import OvhSimulator

from .conftest import ENTRY_DATA, ENTRY_OPTIONS, NUMBER, SERVICE

ROOT = Path(__file__).parent.parent
PACKAGE = f"custom_components.{DOMAIN}"
# The package and every platform Home Assistant imports for a loaded entry.
MODULES = ("", ".config_flow", ".diagnostics", ".event", ".notify", ".sensor")
# Imported when first needed, never with the integration nor in the event loop.
DEFERRED = (
    "ovh",
    "oauthlib",
    "phonenumbers",
    "homeassistant.components.conversation",
    "homeassistant.helpers.intent",
    "hassil",
)
ALICE = "+33611111111"


def _deferred(name: str) -> bool:
    return any(name == top or name.startswith(f"{top}.") for top in DEFERRED)


def test_big_packages_are_not_imported_with_the_integration() -> None:
    imports = "\n".join(f"import {PACKAGE}{name}" for name in MODULES)
    code = (
        f"import sys, homeassistant\n{imports}\n"
        f"print(sorted(name for name in sys.modules if name.startswith({DEFERRED!r})))\n"
        f"from {PACKAGE}.sms import normalize_phone_number\n"
        "print(normalize_phone_number('06 12 34 56 78', 'FR'))\n"
    )
    result = subprocess.run(  # noqa: S603 - this Python, importing the integration
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == ["[]", "+33612345678"]


@pytest.fixture
def imports_in_the_loop(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The deferred packages the integration's code imports in the event loop's thread.

    Every ``import`` statement counts, even of a module loaded already: the first one of a
    process would read files from disk, blocking the loop (Home Assistant's own run-time
    check sees ``importlib.import_module`` only).
    """
    loop_thread = threading.get_ident()
    seen: list[str] = []
    original = builtins.__import__

    def watched(
        name: str,
        globals: dict[str, Any] | None = None,  # noqa: A002 - __import__'s own names
        locals: dict[str, Any] | None = None,  # noqa: A002
        fromlist: tuple[str, ...] = (),
        level: int = 0,
    ) -> Any:
        if (
            level == 0
            and threading.get_ident() == loop_thread
            and str((globals or {}).get("__name__", "")).startswith(PACKAGE)
            and _deferred(name)
        ):
            seen.append(name)
        return original(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", watched)
    return seen


async def test_nothing_deferred_is_imported_in_the_event_loop(
    hass: HomeAssistant, ovh_sim: OvhSimulator, imports_in_the_loop: list[str]
) -> None:
    """Set-up form, entry set-up, a send, a received SMS and an Assist answer."""
    await hass.config.async_update(country="FR")
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM  # the region question, read from ``ovh``
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data=dict(ENTRY_DATA),
        options=dict(ENTRY_OPTIONS),
        unique_id=f"{SERVICE}_{NUMBER}",
        subentries_data=[
            ConfigSubentryData(
                data={CONF_PHONE_NUMBER: ALICE, CONF_ASSIST: True},
                subentry_type=SUBENTRY_CONTACT,
                title="Alice",
                unique_id=ALICE,
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        DOMAIN,
        SERVICE_SEND_SMS,
        {"recipients": ["06 12 34 56 78"], "message": "Hello"},
        blocking=True,
        return_response=True,
    )
    exchanges: list[str] = []
    hass.bus.async_listen(EVENT_ASSIST, lambda event: exchanges.append(event.data["status"]))
    ovh_sim.add_incoming(SERVICE, NUMBER, ALICE, "What time is it?")
    await entry.runtime_data.inbox.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)

    assert exchanges == ["answered"]
    assert len(ovh_sim.outgoing(SERVICE, NUMBER)) == 2
    assert imports_in_the_loop == []
