"""What hassfest and HACS check on the repository, checked here too."""

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import string
import struct
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
from homeassistant.helpers import selector
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.ovh_sms_virtual import PLATFORMS
from custom_components.ovh_sms_virtual.api import OvhSmsError, OvhSmsNotGrantedError
from custom_components.ovh_sms_virtual.config_flow import OvhSmsConfigFlow
from custom_components.ovh_sms_virtual.const import (
    DELIVERY_STATUSES,
    DOMAIN,
    EVENT_TYPE_RECEIVED,
    STANDARD_ENDPOINTS,
)
from custom_components.ovh_sms_virtual.coordinator import (
    ISSUE_SERVICE_EXPIRED,
    update_error_translation,
)
from custom_components.ovh_sms_virtual.credits import ISSUE_LOW_CREDITS, ISSUE_OUT_OF_CREDITS
from custom_components.ovh_sms_virtual.trigger import TRIGGERS
from custom_components.ovh_sms_virtual.webhook import ISSUE_UNREACHABLE

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / DOMAIN
MANIFEST = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))


def _json(name: str) -> dict[str, Any]:
    tree = json.loads((COMPONENT / name).read_text(encoding="utf-8"))
    assert isinstance(tree, dict), name
    return tree


STRINGS = _json("strings.json")
ICONS = _json("icons.json")
SERVICES_YAML = yaml.safe_load((COMPONENT / "services.yaml").read_text(encoding="utf-8"))
# Read with Home Assistant's loader; keys starting with a dot only hold YAML anchors, and
# Home Assistant drops them.
TRIGGERS_YAML = {
    key: value
    for key, value in load_yaml_dict(str(COMPONENT / "triggers.yaml")).items()
    if not key.startswith(".")
}
SOURCES = {
    path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in COMPONENT.glob("*.py")
}
# hassfest's rule for the keys of selector options, states, service fields and entities:
# lower-case letters and digits, single "-" or "_" between them.
TRANSLATION_KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


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
    assert MANIFEST["after_dependencies"] == ["cloud", "conversation"]
    assert MANIFEST["codeowners"]
    for key in ("documentation", "issue_tracker"):
        assert MANIFEST[key].startswith("https://")
    assert AwesomeVersion(MANIFEST["version"]).valid


def _pins(name: str) -> dict[str, str]:
    """The ``name==version`` lines of a requirements file."""
    return dict(
        line.split("==", 1)
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )


@pytest.mark.parametrize("requirements", ["requirements_test.txt", "requirements_oldest.txt"])
def test_requirements_are_pinned_and_match_the_test_requirements(requirements: str) -> None:
    pinned = _pins(requirements)
    for requirement in MANIFEST["requirements"]:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement} is not pinned"
        assert pinned[name] == version


def test_minimum_home_assistant_is_the_one_ci_tests() -> None:
    """hacs.json's minimum is the release that ``scripts/test --oldest`` runs the suite on.

    The README says the same; and the minimum is the first release on Python 3.14, which
    the integration's code needs (``except A, B:``, annotations read lazily).
    """
    minimum = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))["homeassistant"]
    assert _pins("requirements_oldest.txt")["homeassistant"] == minimum
    major_minor = minimum.rsplit(".", 1)[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"You need Home Assistant {major_minor} or newer" in readme
    assert f"run against {minimum} and" in " ".join(readme.split())
    assert AwesomeVersion(minimum) <= AwesomeVersion(ha_version)


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


# --- Texts: what hassfest checks in strings.json and translations/en.json ---


def _texts(tree: dict[str, Any], path: str = "") -> Iterator[tuple[str, str]]:
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _texts(value, f"{path}{key}.")
        else:
            yield f"{path}{key}", value


def test_texts_follow_hassfest_rules() -> None:
    for name in ("strings.json", "translations/en.json", "translations/fr.json"):
        for path, text in _texts(_json(name)):
            where = f"{name}: {path}"
            assert text == text.strip(), where
            assert not re.search(r"<[a-z]", text, re.IGNORECASE), f"HTML in {where}"
            assert not re.search(r"\w://|www\.", text), f"URL in {where}: use a placeholder"
            # References are resolved when core's texts are built, never for a custom one.
            assert "[%key:" not in text, where
            assert not re.search(r"'\{\w+\}'", text), f"quoted placeholder in {where}"
            fields = [field for _, field, _, _ in string.Formatter().parse(text) if field]
            assert all(field.isidentifier() for field in fields), where


def test_translation_keys_are_lower_case_slugs() -> None:
    keys = [
        *STRINGS["exceptions"],
        *STRINGS["issues"],
        *STRINGS["services"],
        *(option for selector in STRINGS["selector"].values() for option in selector["options"]),
    ]
    for service in STRINGS["services"].values():
        keys += [*service.get("fields", {}), *service.get("sections", {})]
    for trigger in STRINGS["triggers"].values():
        keys += [*trigger.get("fields", {})]
    for entities in STRINGS["entity"].values():
        for key, entity in entities.items():
            keys += [key, *entity.get("state", {})]
            for attribute, texts in entity.get("state_attributes", {}).items():
                keys += [attribute, *texts.get("state", {})]
    assert [key for key in keys if not TRANSLATION_KEY.fullmatch(key)] == []


def _flows() -> dict[str, dict[str, Any]]:
    return {"config": STRINGS["config"], "options": STRINGS["options"]} | {
        f"config_subentries.{kind}": texts for kind, texts in STRINGS["config_subentries"].items()
    }


def test_flow_texts_are_complete() -> None:
    for flow, texts in _flows().items():
        for step_id, step in texts["step"].items():
            described = set(step.get("data_description", {}))
            assert described <= set(step.get("data", {})), f"{flow}.step.{step_id}"
    for texts in STRINGS["config_subentries"].values():
        assert texts["entry_type"]
        assert texts["initiate_flow"]["user"]


def test_icons_are_mdi_and_name_known_keys() -> None:
    assert all(icon.startswith("mdi:") for _, icon in _texts(ICONS))
    assert set(ICONS["services"]) == set(STRINGS["services"])
    assert set(ICONS["triggers"]) == set(STRINGS["triggers"])
    assert all(set(icons) == {"trigger"} for icons in ICONS["triggers"].values())
    for platform, entities in ICONS["entity"].items():
        for key, icons in entities.items():
            texts = STRINGS["entity"][platform][key]
            assert set(icons.get("state", {})) <= set(texts.get("state", {}))
            for attribute, attribute_icons in icons.get("state_attributes", {}).items():
                states = texts["state_attributes"][attribute]["state"]
                assert set(attribute_icons.get("state", {})) <= set(states)


# --- What the code uses, against the texts ---


def _str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _name(call: ast.Call) -> str:
    match call.func:
        case ast.Name(id=name) | ast.Attribute(attr=name):
            return name
    return ""


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _ovh_errors() -> Iterator[OvhSmsError]:
    classes: list[type[OvhSmsError]] = [OvhSmsError]
    for cls in classes:
        classes += cls.__subclasses__()
        if cls is OvhSmsNotGrantedError:
            yield OvhSmsNotGrantedError("refused", method="GET", path="/sms")
        else:
            yield from (cls("failed"), cls("failed", status=500))


def _exception_translations() -> dict[str, set[str] | None]:
    """Every ``exceptions`` key the package raises, with its placeholders when known.

    A translated exception names ``translation_domain`` and ``translation_key``; its key is
    a literal, a parameter of a helper called with literal keys (``_invalid("key", a=1)``),
    or, in the coordinator, the key ``update_error_translation`` gives for an OVH error.
    """
    used: dict[str, set[str] | None] = {}
    helpers: dict[str, int] = {}
    unresolved: set[str] = set()
    for tree in SOURCES.values():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [arg.arg for arg in function.args.args]
            for call in _calls(function):
                key = _keyword(call, "translation_key")
                if key is None or _keyword(call, "translation_domain") is None:
                    continue
                placeholders = _keyword(call, "translation_placeholders")
                if (literal := _str(key)) is not None:
                    # Placeholders built other than as a dict display are not checked.
                    used[literal] = set() if placeholders is None else None
                    if isinstance(placeholders, ast.Dict):
                        used[literal] = {_str(item) or "" for item in placeholders.keys}
                elif isinstance(key, ast.Name) and key.id in params:
                    helpers[function.name] = params.index(key.id)
                else:
                    unresolved.add(function.name)
    for tree in SOURCES.values():
        for call in _calls(tree):
            index = helpers.get(_name(call))
            if index is not None and (literal := _str(call.args[index])) is not None:
                used[literal] = {keyword.arg or "" for keyword in call.keywords}
    # The one translated exception whose key comes from a function, checked at run time.
    assert unresolved == {"_update_failed"}
    for error in _ovh_errors():
        error_key, error_placeholders = update_error_translation(error)
        used[error_key] = set(error_placeholders)
    return used


def test_raised_exceptions_have_texts_and_every_text_is_raised() -> None:
    used = _exception_translations()
    texts = STRINGS["exceptions"]
    assert set(used) == set(texts)
    for key, placeholders in used.items():
        if placeholders is not None:
            assert placeholders == _placeholders(texts[key]["message"]), key


def test_entities_use_their_texts() -> None:
    assert set(STRINGS["entity"]) <= {platform.value for platform in PLATFORMS}
    for platform, texts in STRINGS["entity"].items():
        keys = {
            key
            for call in _calls(SOURCES[platform])
            if _name(call) == "__init__" and call.args
            if (key := _str(call.args[-1])) is not None
        }
        assert keys == set(texts), platform
    event_types = {
        key: set(texts["state_attributes"]["event_type"]["state"])
        for key, texts in STRINGS["entity"]["event"].items()
    }
    assert event_types == {
        "received_sms": {EVENT_TYPE_RECEIVED},
        "delivery_status": set(DELIVERY_STATUSES),
    }


def test_issue_texts() -> None:
    placeholders = {
        ISSUE_UNREACHABLE: {"name"},
        ISSUE_LOW_CREDITS: {"name", "credits", "threshold"},
        ISSUE_OUT_OF_CREDITS: {"name", "credits", "threshold"},
        ISSUE_SERVICE_EXPIRED: {"name", "service_name"},
    }
    assert set(STRINGS["issues"]) == set(placeholders)
    for key, issue in STRINGS["issues"].items():
        used = _placeholders(issue["title"]) | _placeholders(issue["description"])
        assert used == placeholders[key], key


def test_selectors_have_their_texts() -> None:
    options = {key: set(texts["options"]) for key, texts in STRINGS["selector"].items()}
    in_flows = {
        key
        for call in _calls(SOURCES["config_flow"])
        if (key := _str(_keyword(call, "translation_key"))) is not None
    }
    in_services: dict[str, set[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "translation_key" in node:
                in_services[node["translation_key"]] = set(node["options"])
            for value in node.values():
                walk(value)

    walk(SERVICES_YAML)
    walk(TRIGGERS_YAML)
    assert set(options) == in_flows | set(in_services)
    assert options["endpoint"] == set(STANDARD_ENDPOINTS)
    for key, values in in_services.items():
        assert options[key] == values, key


def test_services_yaml_and_texts_describe_the_same_fields() -> None:
    assert set(SERVICES_YAML) == set(STRINGS["services"])
    for service, description in SERVICES_YAML.items():
        texts = STRINGS["services"][service]
        fields = description.get("fields", {})
        sections = {name for name, field in fields.items() if "fields" in field}
        assert sections == set(texts.get("sections", {}))
        flat = {
            name
            for key, field in fields.items()
            for name in (field["fields"] if key in sections else [key])
        }
        assert flat == set(texts.get("fields", {}))


def _flow_classes() -> dict[str, ast.ClassDef]:
    """The flow classes of config_flow.py, by the part of strings.json that holds their texts."""
    entry = MockConfigEntry(domain=DOMAIN)
    subentries = OvhSmsConfigFlow.async_get_supported_subentry_types(entry)
    sections = {OvhSmsConfigFlow.__name__: "config"} | {
        flow.__name__: f"config_subentries.{kind}" for kind, flow in subentries.items()
    }
    classes: dict[str, ast.ClassDef] = {}
    for node in SOURCES["config_flow"].body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
        if node.name in sections:
            classes[sections[node.name]] = node
        elif bases & {"OptionsFlow", "OptionsFlowWithReload"}:
            classes["options"] = node
    return classes


def _error_keys(tree: ast.AST) -> set[str]:
    """Form errors: literal values of dict displays and of ``errors[...] = "key"``."""
    keys = {
        key
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for value in node.values
        if (key := _str(value)) is not None
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0].value
            if isinstance(target, ast.Name) and target.id == "errors":
                keys.add(_str(node.value) or "")
    return keys


def _module_errors(names: set[str]) -> set[str]:
    """The form errors of config_flow.py's functions ``names`` and of those they use."""
    functions = {
        node.name: node
        for node in SOURCES["config_flow"].body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    seen: set[str] = set()
    todo = names & set(functions)
    while todo:
        name = todo.pop()
        seen.add(name)
        used = {node.id for node in ast.walk(functions[name]) if isinstance(node, ast.Name)}
        todo |= (used & set(functions)) - seen
    return set().union(*(_error_keys(functions[name]) for name in seen))


def test_flows_use_their_texts() -> None:
    flows = _flows()
    classes = _flow_classes()
    assert set(classes) == set(flows)
    # Module functions that show a form for the step that calls them.
    form_helpers = {
        node.name
        for node in SOURCES["config_flow"].body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if any("show_form" in _name(call) for call in _calls(node))
    }
    for flow, cls in classes.items():
        texts = flows[flow]
        # The flow's own methods that show a form through those, for the step calling them.
        flow_helpers = form_helpers | {
            method.name
            for method in cls.body
            if isinstance(method, ast.AsyncFunctionDef | ast.FunctionDef)
            and not method.name.startswith("async_step_")
            and any(_name(call) in form_helpers for call in _calls(method))
        }
        # Steps handled by another step's method (``async_step_b = async_step_a``).
        shown = {
            target.id.removeprefix("async_step_")
            for node in cls.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name) and target.id.startswith("async_step_")
        }
        aborts: set[str] = set()
        descriptions = {"default"}
        for method in cls.body:
            if not isinstance(method, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            step = method.name.removeprefix("async_step_")
            for call in _calls(method):
                name = _name(call)
                if name in flow_helpers and step != method.name:
                    shown.add(step)
                if "show_form" in name or "show_menu" in name:
                    step_id = _keyword(call, "step_id") or (call.args[0] if call.args else None)
                    assert _str(step_id) in {step, None}, f"{flow}: {method.name}"
                    if step != method.name:
                        shown.add(step)
                if (menu := _keyword(call, "menu_options")) is not None:
                    assert isinstance(menu, ast.List)
                    options = {_str(option) for option in menu.elts}
                    assert options == set(texts["step"][step]["menu_options"]), flow
                if (reason := _str(_keyword(call, "reason"))) is not None:
                    aborts.add(reason)
                if name == "AbortFlow" and (reason := _str(call.args[0])) is not None:
                    aborts.add(reason)
                if name == "_abort_if_unique_id_configured":
                    aborts.add("already_configured")
                if name == "async_create_entry" and (kw := _keyword(call, "description")):
                    descriptions |= {_str(node) or "" for node in ast.walk(kw)} - {""}
        assert shown == set(texts["step"]), f"{flow}: steps"
        assert aborts == set(texts.get("abort", {})), f"{flow}: aborts"
        if flow == "config":
            assert descriptions == set(texts["create_entry"])
        names = {node.id for node in ast.walk(cls) if isinstance(node, ast.Name)}
        errors = _error_keys(cls) | _module_errors(names)
        assert errors == set(texts.get("error", {})), f"{flow}: errors"


# --- Triggers: what hassfest checks in triggers.yaml, strings.json and icons.json ---

# hassfest's FIELD_SCHEMA for a trigger field (the texts live in strings.json).
TRIGGER_FIELD_KEYS = {"example", "default", "required", "selector", "context"}


def test_triggers_yaml_describes_the_integrations_triggers() -> None:
    assert set(TRIGGERS_YAML) == set(TRIGGERS) == set(STRINGS["triggers"])
    for name, description in TRIGGERS_YAML.items():
        assert TRANSLATION_KEY.fullmatch(name), name
        assert set(description) <= {"target", "fields"}, name
        for field, spec in description["fields"].items():
            assert TRANSLATION_KEY.fullmatch(field), f"{name}.{field}"
            assert set(spec) <= TRIGGER_FIELD_KEYS, f"{name}.{field}"
            assert None not in (spec.get("example", ""), spec.get("default", "")), field
            selector.validate_selector(spec["selector"])


def test_trigger_texts_name_and_describe_every_field() -> None:
    for name, description in TRIGGERS_YAML.items():
        texts = STRINGS["triggers"][name]
        assert texts["name"]
        assert texts["description"]
        assert set(texts["fields"]) == set(description["fields"]), name
        for field, field_texts in texts["fields"].items():
            assert set(field_texts) == {"name", "description"}, f"{name}.{field}"
            assert all(field_texts.values()), f"{name}.{field}"
