"""What hassfest and HACS check on the repository, checked here too."""

import json
from pathlib import Path
import re
import struct

from awesomeversion import AwesomeVersion

from custom_components.ovh_sms_virtual.const import DOMAIN

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / DOMAIN
MANIFEST = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_keys_are_sorted_as_hassfest_wants() -> None:
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_has_what_hassfest_and_hacs_require() -> None:
    assert MANIFEST["domain"] == DOMAIN == COMPONENT.name
    assert MANIFEST["config_flow"] is True
    assert MANIFEST["iot_class"] == "cloud_polling"
    assert MANIFEST["integration_type"] == "service"
    assert MANIFEST["dependencies"] == ["webhook"]
    assert MANIFEST["after_dependencies"] == ["cloud"]
    assert MANIFEST["codeowners"]
    for key in ("documentation", "issue_tracker"):
        assert MANIFEST[key].startswith("https://")
    assert AwesomeVersion(MANIFEST["version"]).valid


def test_requirements_are_pinned_and_match_the_test_requirements() -> None:
    pinned = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements_test.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    for requirement in MANIFEST["requirements"]:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement} is not pinned"
        assert pinned[name] == version


def test_hacs_json_uses_only_known_keys() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    allowed = {
        "name", "content_in_root", "zip_release", "filename", "hide_default_branch",
        "country", "homeassistant", "hacs", "persistent_directory", "render_readme",
    }  # fmt: skip
    assert hacs["name"]
    assert set(hacs) <= allowed
    assert AwesomeVersion(hacs["homeassistant"]).valid


def test_brand_icon_is_a_256_pixel_png() -> None:
    data = (COMPONENT / "brand" / "icon.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (256, 256)


def test_no_url_inside_translated_strings() -> None:
    text = (COMPONENT / "strings.json").read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
