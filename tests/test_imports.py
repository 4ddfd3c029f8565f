"""What Home Assistant's start imports with the integration.

``phonenumbers`` is only needed to read a typed phone number, which happens in the executor:
importing it with the integration would add 58 modules to every start (``scripts/bench``
measures the rest).
"""

from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).parent.parent
# The package and every platform Home Assistant imports for a loaded entry.
MODULES = ("", ".config_flow", ".diagnostics", ".event", ".notify", ".sensor")


def test_phonenumbers_is_imported_on_first_use_only() -> None:
    imports = "\n".join(f"import custom_components.ovh_sms_virtual{name}" for name in MODULES)
    code = (
        f"import sys, homeassistant\n{imports}\n"
        "print(sorted(name for name in sys.modules if name.startswith('phonenumbers')))\n"
        "from custom_components.ovh_sms_virtual.sms import normalize_phone_number\n"
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
