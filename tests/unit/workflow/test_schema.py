"""The schema and the loader agree on every key set (neither can drift), and the schema is a
valid draft 2020-12 schema that ships in the wheel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from orderwf import resources
from orderwf.workflow import build, model
from orderwf.workflow.schema import load_schema

REPO = Path(__file__).resolve().parents[3]


def _keys(node: dict[str, Any]) -> set[str]:
    return set(node["properties"])


def _object_branch(node: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in node["anyOf"] if b.get("type") == "object")


def _schema() -> dict[str, Any]:
    return load_schema()


@pytest.mark.parametrize(
    ("location", "constant"),
    [
        ((), build.TOP_KEYS),
        (("$defs", "shop"), build.SHOP_KEYS),
        (("$defs", "status"), build.STATUS_KEYS),
        (("$defs", "action"), build.ACTION_KEYS),
        (("$defs", "target"), build.TARGET_KEYS),
        (("$defs", "param"), build.PARAM_KEYS),
        (("$defs", "guard"), build.GUARD_KEYS),
        (("$defs", "noteEffect"), build.NOTE_KEYS),
        (("$defs", "emailEffect"), build.EMAIL_EFFECT_KEYS),
        (("$defs", "trackingEffect"), build.TRACKING_KEYS),
        (("$defs", "refundEffect"), build.REFUND_EFFECT_KEYS),
        (("$defs", "email"), build.EMAIL_KEYS),
        (("$defs", "timer"), build.TIMER_KEYS),
        (("$defs", "refunds"), build.REFUNDS_KEYS),
        (("$defs", "stock"), build.STOCK_KEYS),
        (("$defs", "messages"), frozenset(model.DEFAULT_MESSAGES)),
    ],
    ids=lambda v: "/".join(v) if isinstance(v, tuple) else None,
)
def test_schema_keys_equal_loader_keys(location: tuple[str, ...], constant: frozenset[str]) -> None:
    node = _schema()
    for part in location:
        node = node[part]
    assert _keys(node) == set(constant)
    assert node["additionalProperties"] is False


def test_effect_kinds_equal_loader_effect_kinds() -> None:
    effect = _object_branch(_schema()["$defs"]["effect"])
    assert _keys(effect) - {"if"} == set(build.EFFECT_KINDS)
    assert {b["required"][0] for b in effect["oneOf"]} == set(build.EFFECT_KINDS)


def test_event_kinds_equal_loader_event_kinds() -> None:
    event = _schema()["$defs"]["event"]
    assert _keys(_object_branch(event)) == set(build.EVENT_KINDS)
    assert set(event["anyOf"][0]["enum"]) == set(build.EVENT_KINDS)


def test_param_types_equal_the_model() -> None:
    types = _schema()["$defs"]["param"]["properties"]["type"]["enum"]
    assert tuple(types) == model.ParamType.__args__  # type: ignore[attr-defined]


def test_schema_is_valid_draft_2020_12_with_help_everywhere() -> None:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].startswith("https://")

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if "properties" in node:
                for name, sub in node["properties"].items():
                    assert "description" in sub, f"{path}.{name} has no description"
            for key, sub in node.items():
                walk(sub, f"{path}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}[{i}]")

    walk(schema, "$")
    for name, definition in schema["$defs"].items():
        assert "description" in definition, name


def test_packaged_schema_is_the_repository_schema() -> None:
    assert (
        resources.schema_path().read_bytes() == (REPO / "schemas/workflow.schema.json").read_bytes()
    )
    pyproject = (REPO / "pyproject.toml").read_text()
    assert (
        '"schemas/workflow.schema.json" = "orderwf/data/schemas/workflow.schema.json"' in pyproject
    )


def test_default_workflow_matches_schema_alone() -> None:
    """What an editor sees through the modeline: the default workflow is schema-valid."""
    from orderwf.workflow import yamlsrc

    data = yamlsrc.parse(resources.default_workflow_path().read_text()).data
    errors = list(jsonschema.Draft202012Validator(_schema()).iter_errors(data))
    assert errors == []
    assert json.loads(json.dumps(data)) == data
