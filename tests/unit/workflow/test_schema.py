"""The schema and the model agree on every key (neither can drift: a key the schema allows is a
field of the model, or named here as free text the model does not keep), and the schema is a
valid draft 2020-12 schema that ships in the wheel."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from orderwf import resources
from orderwf.workflow import model
from orderwf.workflow.schema import load_schema

REPO = Path(__file__).resolve().parents[3]


def _keys(node: dict[str, Any]) -> set[str]:
    return set(node["properties"])


def _object_branch(node: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in node["anyOf"] if b.get("type") == "object")


def _schema() -> dict[str, Any]:
    return load_schema()


# Where each object of the schema lands in the model: its class, the YAML keys whose field has
# another name (None: free text for people, which the model does not keep), and the fields
# that do not come from a key (the id is the object's key in its mapping).
SHAPES: list[tuple[tuple[str, ...], type, dict[str, str | None], set[str]]] = [
    (
        (),
        model.Workflow,
        {"orderwf": "version", "description": None},
        {"path", "templates_dir", "content_hash", "text"},
    ),
    (("$defs", "shop"), model.Shop, {"from": "sender"}, set()),
    (("$defs", "status"), model.Status, {}, {"id"}),
    (
        ("$defs", "action"),
        model.Action,
        {"from": "sources", "to": "targets", "guard": "guards"},
        {"id"},
    ),
    (("$defs", "target"), model.Target, {"if": "cond"}, set()),
    (("$defs", "param"), model.Param, {}, {"name"}),
    (("$defs", "guard"), model.Guard, {"if": "cond"}, set()),
    (("$defs", "noteEffect"), model.NoteEffect, {}, {"cond"}),
    (("$defs", "emailEffect"), model.EmailEffect, {"id": "email"}, {"cond"}),
    (("$defs", "trackingEffect"), model.TrackingEffect, {}, {"cond"}),
    (("$defs", "refundEffect"), model.RefundEffect, {}, {"cond"}),
    (
        ("$defs", "email"),
        model.Email,
        {"description": None},
        {"id", "to_template", "text", "html"},
    ),
    (("$defs", "timer"), model.Timer, {"if": "cond"}, {"id"}),
    (("$defs", "refunds"), model.RefundRules, {}, set()),
    (("$defs", "stock"), model.StockRules, {}, set()),
]
# Each effect kind of the schema, and the class it builds (the bare `refund` builds a refund).
EFFECT_CLASSES = {
    "note": model.NoteEffect,
    "email": model.EmailEffect,
    "tracking": model.TrackingEffect,
    "refund": model.RefundEffect,
    "set": model.SetEffect,
    "stock": model.StockEffect,
}


@pytest.mark.parametrize(
    ("location", "cls", "renamed", "own"),
    SHAPES,
    ids=lambda v: "/".join(v) or "top" if isinstance(v, tuple) else None,
)
def test_schema_keys_equal_the_model_fields(
    location: tuple[str, ...], cls: type, renamed: dict[str, str | None], own: set[str]
) -> None:
    node = _schema()
    for part in location:
        node = node[part]
    assert node["additionalProperties"] is False
    kept = {renamed.get(key, key) for key in _keys(node)} - {None}
    assert kept == {f.name for f in dataclasses.fields(cls)} - own


def test_the_messages_are_the_models() -> None:
    messages = _schema()["$defs"]["messages"]
    assert _keys(messages) == set(model.DEFAULT_MESSAGES)
    assert messages["additionalProperties"] is False


def test_effect_kinds_equal_the_model_effects() -> None:
    effect = _object_branch(_schema()["$defs"]["effect"])
    assert _keys(effect) - {"if"} == set(EFFECT_CLASSES)
    assert {b["required"][0] for b in effect["oneOf"]} == set(EFFECT_CLASSES)
    assert set(EFFECT_CLASSES.values()) == set(typing.get_args(model.Effect))


def test_event_kinds_equal_the_model_event_kinds() -> None:
    event = _schema()["$defs"]["event"]
    kinds = typing.get_args(typing.get_type_hints(model.EventFilter)["kind"])
    assert _keys(_object_branch(event)) == set(kinds)
    assert set(event["anyOf"][0]["enum"]) == set(kinds)


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
