"""Write requirements_oldest.txt: every package of the oldest-Home-Assistant run, pinned.

``scripts/test --oldest`` runs the whole suite against the oldest Home Assistant the
integration supports (hacs.json's ``homeassistant``), installed from that file with
``pip install --no-deps``: a complete lock, so the run does not move when PyPI does. Run
``scripts/lock_oldest`` after changing the minimum, the integration's requirements or a
test requirement that the old Home Assistant pins differently (PLUGIN and EXTRA below).
"""

import json
from pathlib import Path
import subprocess
import sys
import tempfile

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements_oldest.txt"

# The test plugin release of the minimum. Home Assistant 2026.3.0 has none: 0.13.317 pins
# 2026.3.1, and 2026.3.0 goes in its place (overrides() below: same requirements, same
# test API).
PLUGIN = "pytest-homeassistant-custom-component==0.13.317"
# Test requirements that Home Assistant pins per release: the conversation integration's
# (Assist over SMS talks to Home Assistant's default agent), as 2026.3 pins them.
EXTRA = ["hassil==3.5.0", "home-assistant-intents==2026.3.3"]


def overrides() -> dict[str, str]:
    """Versions that replace what the resolver picks."""
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    return {
        "homeassistant": hacs["homeassistant"],
        # Home Assistant 2026.3 pins 1.3.0, which has no Python 3.14 wheel on PyPI (Home
        # Assistant builds its own) and would need a compiler and Python's headers; 1.4.1,
        # which later releases pin, only adds wheels.
        "lru-dict": "1.4.1",
    }


def main() -> None:
    """Resolve with pip (no install), apply the overrides, write the lock."""
    manifest = json.loads(
        (ROOT / "custom_components" / "ovh_sms_virtual" / "manifest.json").read_text(
            encoding="utf-8"
        )
    )
    wanted = [PLUGIN, *manifest["requirements"], *EXTRA]
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(  # noqa: S603  (this interpreter's pip, fixed arguments)
            [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run",
             "--ignore-installed", "--disable-pip-version-check", "--report", str(report),
             *wanted],
            check=True,
        )  # fmt: skip
        resolved = json.loads(report.read_text(encoding="utf-8"))["install"]
    pins = {item["metadata"]["name"]: item["metadata"]["version"] for item in resolved}
    replaced = overrides()
    for name, version in replaced.items():
        assert name in pins, f"{name} is no longer a requirement: drop its override"
        pins[name] = version
    header = [
        "# The oldest-Home-Assistant test run (scripts/test --oldest), fully pinned and installed",
        "# with --no-deps. Written by scripts/lock_oldest: edit that script, not this file.",
        f"# From: {' '.join(wanted)}; then {', '.join(f'{n}=={v}' for n, v in replaced.items())}.",
    ]
    lines = [f"{name}=={pins[name]}" for name in sorted(pins, key=str.lower)]
    LOCK.write_text("\n".join([*header, *lines]) + "\n", encoding="utf-8")
    print(f"{LOCK.name}: {len(lines)} packages, Home Assistant {pins['homeassistant']}")  # noqa: T201


if __name__ == "__main__":
    main()
