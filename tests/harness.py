"""One entry driven end to end on a frozen clock: the base of the inbox, delivery, push helpers."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Final, Self

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant, State
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ovh_sms_virtual.const import DOMAIN
from custom_components.ovh_sms_virtual.store import DATA_STORES
from ovh_simulator import OvhSimulator

START: Final = "2026-11-27T09:30:00+00:00"
LOGGER_NAME: Final = "custom_components.ovh_sms_virtual"


def messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """The integration's log messages at ``level``."""
    return [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME and r.levelno == level]


@dataclass
class EntryHarness:
    """The entry, seen from OVH (the simulator) and from Home Assistant."""

    entity_id: ClassVar[str]

    hass: HomeAssistant
    sim: OvhSimulator
    entry: MockConfigEntry
    clock: FrozenDateTimeFactory
    storage: dict[str, Any]
    events: list[Event[dict[str, Any]]]

    @classmethod
    def frozen(
        cls,
        hass: HomeAssistant,
        sim: OvhSimulator,
        entry: MockConfigEntry,
        clock: FrozenDateTimeFactory,
        storage: dict[str, Any],
        event_type: str,
    ) -> Self:
        """The clock frozen at ``START`` before anything starts, so timers follow the ticks."""
        clock.move_to(START)
        return cls(hass, sim, entry, clock, storage, async_capture_events(hass, event_type))

    async def set_up(self, **options: Any) -> None:
        """Set the entry up, with some options changed."""
        await self.hass.config.async_update(country="FR")
        self.entry.add_to_hass(self.hass)
        self.hass.config_entries.async_update_entry(
            self.entry, options={**self.entry.options, **options}
        )
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    async def reload(self) -> None:
        """Reload the entry (an options change): its store stays in memory."""
        assert await self.hass.config_entries.async_reload(self.entry.entry_id)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    async def stop(self) -> None:
        """Home Assistant stops: the entry unloads and writes its file."""
        assert await self.hass.config_entries.async_unload(self.entry.entry_id)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    async def start(self) -> None:
        """Home Assistant starts again: nothing of the last run is in memory, the file is read."""
        self.hass.data[DATA_STORES].pop(self.entry.entry_id, None)
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    async def restart(self) -> None:
        """Restart Home Assistant."""
        await self.stop()
        await self.start()

    async def wait(self, seconds: float) -> None:
        """Let ``seconds`` pass and wait for what they start."""
        self.clock.tick(timedelta(seconds=seconds))
        async_fire_time_changed(self.hass)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    @property
    def on_disk(self) -> dict[str, Any]:
        """What Home Assistant's storage holds for the entry."""
        data: dict[str, Any] = self.storage[f"{DOMAIN}.{self.entry.entry_id}"]["data"]
        return data

    @property
    def entity(self) -> State:
        """The event entity this helper watches."""
        state = self.hass.states.get(self.entity_id)
        assert state is not None
        return state
