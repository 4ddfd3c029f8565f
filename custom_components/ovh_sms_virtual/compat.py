"""Home Assistant APIs newer than the oldest release this integration supports (2026.3).

hacs.json's ``homeassistant`` is that release, and CI runs the whole suite against it
(``scripts/test --oldest``). Each shim names the release that made it unnecessary: drop it
when the minimum reaches that release.
"""

from typing import TYPE_CHECKING, cast

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.helpers.device_registry import DeviceEntry, DeviceInfo

if TYPE_CHECKING:
    # Since 2026.9 (a device or a child device); only read by the type checker.
    from homeassistant.helpers.device_registry import BaseDeviceEntry

try:  # Home Assistant 2026.10 moved it to notify.const
    from homeassistant.components.notify.const import NotifyEntityFeature
except ImportError:  # pragma: no cover  (2026.3 to 2026.9: only in the package)
    from homeassistant.components.notify import (  # type: ignore[attr-defined]
        NotifyEntityFeature,
    )

__all__ = ["NotifyEntityFeature", "device_subentry_ids", "get_subentries_of_type", "via_device"]


def get_subentries_of_type(entry: ConfigEntry, subentry_type: str) -> list[ConfigSubentry]:
    """``entry.get_subentries_of_type(subentry_type)``, a method since Home Assistant 2026.5."""
    return [
        subentry
        for subentry in entry.subentries.values()
        if subentry.subentry_type == subentry_type
    ]


def device_subentry_ids(device: BaseDeviceEntry) -> set[str]:
    """The config subentries (contacts) a device belongs to.

    Home Assistant 2026.8 gave each device a single entry and subentry
    (``config_subentry_id``) and deprecated ``config_entries_subentries``, which logs a
    warning at each use and goes in 2027.10.
    """
    try:
        subentry_id = device.config_subentry_id
    except AttributeError:  # pragma: no cover  (2026.3 to 2026.7)
        return {
            subentry_id
            for subentry_ids in device.config_entries_subentries.values()
            for subentry_id in subentry_ids
            if subentry_id is not None
        }
    return set() if subentry_id is None else {subentry_id}


def via_device(device: DeviceEntry) -> DeviceInfo:
    """What links a device to ``device``, the one it is connected through.

    Home Assistant 2026.8 added ``via_device_id`` and deprecated ``via_device`` (one of that
    device's identifiers), which logs a warning at each use and goes in 2027.8.
    """
    if "via_device_id" not in DeviceInfo.__optional_keys__:  # pragma: no cover  (2026.3 to 2026.7)
        # Not in DeviceInfo's type since 2026.9, hence the cast.
        return cast(DeviceInfo, {"via_device": next(iter(device.identifiers))})
    return DeviceInfo(via_device_id=device.id)
