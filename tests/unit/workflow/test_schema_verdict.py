"""`schema.valid`, the verdict that spares a valid file jsonschema's import, agrees with
`Draft202012Validator`: on every file of the corpus and shipped with orderwf, and on data
generated from them by Hypothesis (a key removed, added or renamed, a value replaced by another
JSON value, one of the schema's own words, a float, a bool, a list item repeated). Where it
cannot decide (`Undecided`), jsonschema does; it must never call data valid that jsonschema
does not, nor the other way round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderwf.workflow import schema, yamlsrc

REPO = Path(__file__).resolve().parents[3]
FILES = sorted(
    [
        REPO / "workflows/woocommerce.yaml",
        *(REPO / "workflows/examples").glob("*.y*ml"),
        *(REPO / "src/orderwf/data").rglob("*.yaml"),
        *(REPO / "tests/data/workflows").rglob("*.yaml"),
    ]
)
SCENARIOS = sorted((REPO / "scenarios").rglob("*.yaml")) + sorted(
    (REPO / "tests/data/scenarios").rglob("*.yaml")
)


def _data(path: Path) -> Any:
    try:
        return yamlsrc.parse(path.read_text(encoding="utf-8")).data
    except (UnicodeDecodeError, OSError):
        return None


def _jsonschema_valid(data: Any, kind: str = "workflow") -> bool:
    validator = jsonschema.Draft202012Validator(schema.load_schema(kind))
    return not any(validator.iter_errors(data))


def _verdict(data: Any, kind: str = "workflow") -> bool | None:
    """`valid`'s verdict, None when undecided."""
    root = schema.load_schema(kind)
    try:
        return schema.valid_in(root, data, root)
    except schema.Undecided:
        return None


def _words(node: Any, found: set[Any]) -> set[Any]:
    """Every property name, enum value and const of the schema."""
    if isinstance(node, dict):
        found.update(node.get("properties", {}))
        found.update(v for v in node.get("enum", []) if isinstance(v, str | int | bool))
        if isinstance(node.get("const"), str | int | bool):
            found.add(node["const"])
        for value in node.values():
            _words(value, found)
    elif isinstance(node, list):
        for value in node:
            _words(value, found)
    return found


WORKFLOWS = [d for d in map(_data, FILES) if d is not None]
WORDS = sorted(_words(schema.load_schema(), set()), key=repr)
KEYS = sorted(w for w in WORDS if isinstance(w, str))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-2, 3)
    | st.sampled_from([0.0, 1.0, 2.5, -1.0])
    | st.text(max_size=6)
    | st.sampled_from(["60m", "2d", "EUR", "fr_FR", "Europe/Paris", "a-b", "A", "", "x" * 3])
    | st.sampled_from(WORDS)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _mutate(draw: st.DrawFn, data: Any) -> Any:
    """`data` with one change somewhere in it (a copy)."""
    if isinstance(data, dict) and data and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(data)))
        return {**data, key: _mutate(draw, data[key])}
    if isinstance(data, list) and data and draw(st.booleans()):
        i = draw(st.integers(0, len(data) - 1))
        return [*data[:i], _mutate(draw, data[i]), *data[i + 1 :]]
    if isinstance(data, dict):
        change = draw(st.sampled_from(["drop", "add", "rename", "replace"]))
        if change == "drop" and data:
            key = draw(st.sampled_from(sorted(data)))
            return {k: v for k, v in data.items() if k != key}
        if change == "rename" and data:
            key = draw(st.sampled_from(sorted(data)))
            new = draw(st.sampled_from(KEYS) | st.text(max_size=5))
            return {(new if k == key else k): v for k, v in data.items()}
        if change == "add":
            return {**data, draw(st.sampled_from(KEYS) | st.text(max_size=5)): draw(JSON)}
    if isinstance(data, list) and data and draw(st.booleans()):
        return [*data, draw(st.sampled_from(data))]  # a repeated item: uniqueItems
    return draw(JSON)


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    data = draw(st.sampled_from(WORKFLOWS))
    for _ in range(draw(st.integers(1, 3))):
        data = _mutate(draw, data)
    return data


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_verdict_on_every_file(path: Path) -> None:
    data = _data(path)
    verdict = _verdict(data)
    if "invalid" not in path.parts:  # what a shop writes is decided without jsonschema
        assert verdict is not None, "the verdict does not decide a valid file"
    if verdict is not None:
        assert verdict == _jsonschema_valid(data)
    assert schema.valid(data) is bool(verdict)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(REPO)))
def test_verdict_on_every_scenario(path: Path) -> None:
    data = _data(path)
    verdict = _verdict(data, "scenario")
    if verdict is not None:
        assert verdict == _jsonschema_valid(data, "scenario")


@given(mutated())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_verdict_equals_jsonschema_on_generated_data(data: Any) -> None:
    verdict = _verdict(data)
    if verdict is not None:
        assert verdict == _jsonschema_valid(data)
    else:
        assert schema.valid(data) is False  # undecided: jsonschema decides


def test_the_shipped_workflow_is_decided_without_jsonschema() -> None:
    assert schema.valid(_data(REPO / "workflows/woocommerce.yaml")) is True


def test_undecided_goes_to_jsonschema() -> None:
    with pytest.raises(schema.Undecided):
        schema.valid_in({"type": "array"}, {1, 2}, {})  # not a JSON value
    root = {"type": "object", "dependentRequired": {"a": ["b"]}}
    with pytest.raises(schema.Undecided):
        schema.valid_in(root, {"a": 1}, root)
    for ref in ("other.json#/x", "#/$defs/missing"):
        with pytest.raises(schema.Undecided):
            schema.valid_in({"$ref": ref}, 1, {"$defs": {}})


def test_types_and_equality_as_jsonschema() -> None:
    cases: list[tuple[dict[str, Any], Any]] = [
        ({"type": "integer"}, 1.0),
        ({"type": "integer"}, True),
        ({"type": "number"}, False),
        ({"type": "integer"}, 1.5),
        ({"const": 1}, True),
        ({"const": 1}, 1.0),
        ({"enum": [0, "a"]}, False),
        ({"enum": [[1, "a"]]}, [1, "a"]),
        ({"uniqueItems": True}, ["a", "b", "a"]),
        ({"minimum": 1}, True),
        ({"minimum": 1}, 0.5),
        ({"items": False}, []),
        ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1, "b": 2}),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ab": 1, "Ab": 2}),
        ({"oneOf": [{"type": "string"}, {"minLength": 2}]}, "abc"),
        ({"oneOf": [{"type": "string"}, {"minLength": 2}]}, "a"),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 3),
    ]
    for case, value in cases:
        expected = not any(jsonschema.Draft202012Validator(case).iter_errors(value))
        assert schema.valid_in(case, value, case) is expected, (case, value)
