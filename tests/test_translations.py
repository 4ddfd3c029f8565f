"""The texts: English copy in sync, French complete, every placeholder kept."""

import json
from pathlib import Path
import re
from typing import Any

import pytest

COMPONENT = Path(__file__).parent.parent / "custom_components" / "ovh_sms_virtual"


def _load(name: str) -> dict[str, Any]:
    texts = json.loads((COMPONENT / name).read_text(encoding="utf-8"))
    assert isinstance(texts, dict), name
    return texts


def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_leaves(value, path))
        else:
            out[path] = value
    return out


def test_english_translation_is_strings_json() -> None:
    assert _load("translations/en.json") == _load("strings.json")


@pytest.mark.parametrize("language", ["fr"])
def test_translation_is_complete(language: str) -> None:
    english = _leaves(_load("strings.json"))
    other = _leaves(_load(f"translations/{language}.json"))
    assert other.keys() == english.keys()
    for path, text in english.items():
        if text.startswith("[%key:"):
            continue
        placeholders = set(re.findall(r"{(\w+)}", text))
        assert set(re.findall(r"{(\w+)}", other[path])) == placeholders, path
        assert other[path].strip(), path
