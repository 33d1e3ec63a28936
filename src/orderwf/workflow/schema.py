"""JSON Schema, and only here: checks a workflow's data against `schemas/workflow.schema.json`
and turns each error into a finding placed through the YAML node tree.

`jsonschema` (with `referencing`, `rpds` and `attrs`) is the most expensive import on the
validation path (~45 ms of a cold `validate`), so it is imported inside `check`, and only for
data that is not valid: `valid` decides that without it, for the keywords the shipped schemas
use, exactly as `Draft202012Validator` does (a test compares the two on generated data), and
the findings of invalid data still come from jsonschema's errors. The loader skips this stage
altogether for a file its cache has already seen validate clean."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from orderwf import resources
from orderwf.suggest import did_you_mean
from orderwf.workflow.findings import Collector, Finding, where
from orderwf.workflow.yamlsrc import JsonPath, Source

if TYPE_CHECKING:
    from jsonschema import ValidationError  # type: ignore[import-untyped]

_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}
# propertyNames patterns are about the keys of these mappings
_KEY_KINDS = {
    "statuses": "status id",
    "actions": "action id",
    "emails": "email id",
    "timers": "timer id",
    "params": "parameter name",
    "set": "metadata key",
}


@cache
def load_schema(kind: str = "workflow") -> dict[str, Any]:
    """The JSON Schema of a workflow file, or of a scenario file (`kind="scenario"`)."""
    path = resources.scenario_schema_path() if kind == "scenario" else resources.schema_path()
    with path.open(encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    return schema


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    for name, cls in (("a mapping", dict), ("a list", list), ("a string", str)):
        if isinstance(value, cls):
            return name
    if value is None:
        return "empty"
    return "a number"


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors to report for `error`: for `anyOf`/`oneOf`, those of the one alternative
    that fits the value's shape (so `note: {txt: …}` reports the unknown key `txt`, not that
    the note is not a string either); otherwise the error itself."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    fitting = [
        errors
        for errors in branches.values()
        if not any(e.validator in ("type", "const", "enum") and not e.relative_path for e in errors)
    ]
    if len(fitting) == 1:
        for sub in fitting[0]:
            yield from _leaves(sub)
    else:
        yield error


class _Placer(Collector):
    """Schema errors as findings, placed through the YAML node tree. A scenario file's
    findings take the same numbers with its own prefix (`OWT010` for `OWF010`)."""

    def __init__(self, source: Source, file: str, kind: str = "workflow") -> None:
        super().__init__(source, file)
        self.kind = kind

    def add(self, code: str, path: JsonPath, message: str, **kwargs: Any) -> None:
        if self.kind == "scenario":
            code = "OWT" + code.removeprefix("OWF")
        super().add(code, path, message, **kwargs)

    def error(self, e: ValidationError) -> None:
        path: JsonPath = tuple(e.absolute_path)
        schema: Mapping[str, Any] = e.schema if isinstance(e.schema, Mapping) else {}
        value = e.instance
        at = where(path)
        if path[:1] == ("orderwf",):
            self.add(
                "OWF020",
                path,
                f"unsupported format version {value!r}: orderwf: must be 1",
                hint="this orderwf reads format version 1; write `orderwf: 1`",
            )
        elif "propertyNames" in e.schema_path:
            kind = _KEY_KINDS.get(str(path[-1]) if path else "", "key")
            self.add(
                "OWF014",
                (*path, str(value)),
                f"{value!r} is not a valid {kind} in {at}",
                hint="use lowercase letters, digits, '_' or '-', starting with a letter",
                key=True,
            )
        elif e.validator == "additionalProperties":
            allowed = set(schema.get("properties", {}))
            for extra in [k for k in value if k not in allowed]:
                self.add(
                    "OWF010",
                    (*path, extra),
                    f"unknown key {extra!r} in {at}",
                    hint=did_you_mean(extra, allowed) or f"allowed: {', '.join(sorted(allowed))}",
                    key=True,
                )
        elif e.validator == "required":
            for name in [r for r in schema.get("required", []) if r not in value]:
                self.add("OWF011", path, f"{at} is missing the required key {name!r}", key=True)
        elif e.validator == "type":
            expected = schema.get("type")
            names = [expected] if isinstance(expected, str) else list(expected or [])
            wanted = " or ".join(_TYPES.get(n, n) for n in names)
            self.add("OWF012", path, f"{at} must be {wanted}, not {_type_name(value)}")
        elif e.validator in ("enum", "const"):
            choices = schema.get("enum", [schema.get("const")])
            self.add(
                "OWF013",
                path,
                f"{at}: {value!r} is not one of {', '.join(repr(c) for c in choices)}",
                hint=did_you_mean(value, choices),
            )
        elif e.validator == "pattern":
            if len(path) == 3 and path[0] == "timers" and path[2] == "after":
                self.add(
                    "OWF021",
                    path,
                    f"{at}: {value!r} is not a duration",
                    hint="write a number followed by s, m, h or d, e.g. '60m' or '2d'",
                )
            else:
                self.add(
                    "OWF014",
                    path,
                    f"{at}: {value!r} is not valid",
                    hint=schema.get("description") or f"it must match {e.validator_value}",
                )
        else:
            self.add("OWF015", path, self._other(e, at), hint=schema.get("description"))

    @staticmethod
    def _other(e: ValidationError, at: str) -> str:
        value = e.instance
        if e.validator in ("minItems", "minProperties", "minLength"):
            return f"{at} must not be empty"
        if e.validator == "maxProperties":
            return f"{at} must have exactly one key, not {', '.join(map(repr, value))}"
        if e.validator == "uniqueItems":
            seen: list[Any] = []
            for item in value:
                if item in seen:
                    return f"{at} lists {item!r} more than once"
                seen.append(item)
        if e.validator == "oneOf" and isinstance(value, Mapping):
            kinds = [next(iter(s["required"])) for s in e.validator_value if "required" in s]
            present = [k for k in kinds if k in value]
            if present:
                one = "a step" if path_kind(e) == "step" else "an effect"
                return f"{at} has several kinds ({', '.join(present)}); {one} does one thing"
            return f"{at} needs one of {', '.join(kinds)}"
        return f"{at} has the wrong form"


@cache
def validator(kind: str = "workflow") -> Any:
    """The schema's validator (of a workflow, or of a scenario file), built once per process
    (a folder of twenty workflows builds it once), and only for data `valid` did not accept.
    The shipped schema is trusted: no `check_schema` here; a test checks it against the
    draft 2020-12 metaschema."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind))


def path_kind(e: ValidationError) -> str:
    """'step' for an error about a scenario's step, else 'effect'."""
    path = list(e.absolute_path)
    return "step" if len(path) == 2 and path[0] == "steps" else "effect"


def check(source: Source, file: str, kind: str = "workflow") -> list[Finding]:
    """Every schema error of `source.data`, as findings of `file`; `kind` is `workflow` or
    `scenario`. Valid data (`valid`) is not handed to jsonschema at all."""
    if valid(source.data, kind):
        return []
    placer = _Placer(source, file, kind)
    for error in validator(kind).iter_errors(source.data):
        for leaf in _leaves(error):
            placer.error(leaf)
    return placer.findings


# -- the verdict without jsonschema ----------------------------------------------------------


class Undecided(Exception):
    """A keyword, a reference or a value `valid` does not decide as jsonschema does."""


# Keywords that validate nothing (annotations; `format` too, which Draft202012Validator only
# asserts with a format checker, and `validator` has none).
_ANNOTATIONS = frozenset(
    {"$schema", "$comment", "$defs", "title", "description", "default", "examples", "format"}
)
_JSON_TYPES = (dict, list, str, int, float, bool, type(None))


def valid(data: Any, kind: str = "workflow") -> bool:
    """Whether `data` is valid against the shipped schema of `kind`, decided without importing
    jsonschema: True exactly when `validator(kind).iter_errors(data)` yields nothing. False
    when it cannot decide (a keyword or a value it does not know), which sends the data to
    jsonschema: only True skips it."""
    schema = load_schema(kind)
    try:
        return valid_in(schema, data, schema)
    except (Undecided, RecursionError):
        return False


def valid_in(schema: Any, value: Any, root: dict[str, Any]) -> bool:
    """`value` against `schema` (a subschema of `root`), Draft 2020-12 as jsonschema reads it;
    raises `Undecided` for anything outside the keywords below."""
    if schema is True:
        return True
    if schema is False:
        return False
    if type(schema) is not dict or type(value) not in _JSON_TYPES:
        raise Undecided(type(value).__name__)
    for keyword, argument in schema.items():
        check = _KEYWORDS.get(keyword)
        if check is not None:
            if not check(argument, value, schema, root):
                return False
        elif keyword == "$id" and schema is root:
            continue  # the base of the `#/...` references; any other `$id` is undecided
        elif keyword not in _ANNOTATIONS:
            raise Undecided(keyword)
    return True


def _is_type(value: Any, name: str) -> bool:
    """jsonschema's type checker of Draft 2020-12 (a bool is no number, 1.0 is an integer)."""
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name not in ("integer", "number"):
        raise Undecided(f"type {name!r}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return name == "number" or isinstance(value, int) or value.is_integer()


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's `equal` on JSON values: `True` is not `1`, lists and mappings compare
    item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(map(_equal, one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and _equal(v, two[k]) for k, v in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # `one is two` was not
    if not isinstance(one, int | float | None) or not isinstance(two, int | float | None):
        raise Undecided("equality")
    return bool(one == two)


def _ref(reference: Any, root: dict[str, Any]) -> Any:
    """The subschema of a local reference (`#/$defs/status`)."""
    if not isinstance(reference, str) or not (reference == "#" or reference.startswith("#/")):
        raise Undecided(f"$ref {reference!r}")
    target: Any = root
    for part in reference[2:].split("/") if reference != "#" else ():
        part = part.replace("~1", "/").replace("~0", "~")
        if "%" in part or not isinstance(target, dict) or part not in target:
            raise Undecided(f"$ref {reference!r}")
        target = target[part]
    return target


def _unique(items: list[Any]) -> bool:
    if not all(isinstance(item, str) for item in items):
        raise Undecided("uniqueItems of other than strings")
    return len(set(items)) == len(items)


def _additional(argument: Any, value: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if not isinstance(value, dict):
        return True
    if "patternProperties" in schema:
        raise Undecided("patternProperties")
    known = schema.get("properties", {})
    extras = [key for key in value if key not in known]
    if isinstance(argument, dict):
        return all(valid_in(argument, value[key], root) for key in extras)
    return bool(argument) or not extras


def _items(argument: Any, value: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if not isinstance(value, list):
        return True
    if "prefixItems" in schema:
        raise Undecided("prefixItems")
    if argument is False:
        return not value
    return all(valid_in(argument, item, root) for item in value)


def _one_of(argument: Any, value: Any, root: dict[str, Any]) -> bool:
    return [valid_in(sub, value, root) for sub in argument].count(True) == 1


_Check = Any  # (argument, value, schema, root) -> bool
_KEYWORDS: dict[str, _Check] = {
    "$ref": lambda a, v, s, r: valid_in(_ref(a, r), v, r),
    "type": lambda a, v, s, r: any(_is_type(v, t) for t in (a if isinstance(a, list) else [a])),
    "enum": lambda a, v, s, r: any(_equal(each, v) for each in a),
    "const": lambda a, v, s, r: _equal(v, a),
    "pattern": lambda a, v, s, r: not isinstance(v, str) or re.search(a, v) is not None,
    "minLength": lambda a, v, s, r: not isinstance(v, str) or len(v) >= a,
    "maxLength": lambda a, v, s, r: not isinstance(v, str) or len(v) <= a,
    "minItems": lambda a, v, s, r: not isinstance(v, list) or len(v) >= a,
    "maxItems": lambda a, v, s, r: not isinstance(v, list) or len(v) <= a,
    "uniqueItems": lambda a, v, s, r: not a or not isinstance(v, list) or _unique(v),
    "minProperties": lambda a, v, s, r: not isinstance(v, dict) or len(v) >= a,
    "maxProperties": lambda a, v, s, r: not isinstance(v, dict) or len(v) <= a,
    "minimum": lambda a, v, s, r: not _is_type(v, "number") or not v < a,
    "maximum": lambda a, v, s, r: not _is_type(v, "number") or not v > a,
    "required": lambda a, v, s, r: not isinstance(v, dict) or all(k in v for k in a),
    "properties": lambda a, v, s, r: (
        not isinstance(v, dict) or all(valid_in(sub, v[k], r) for k, sub in a.items() if k in v)
    ),
    "additionalProperties": _additional,
    "propertyNames": lambda a, v, s, r: (
        not isinstance(v, dict) or all(valid_in(a, key, r) for key in v)
    ),
    "items": _items,
    "anyOf": lambda a, v, s, r: any(valid_in(sub, v, r) for sub in a),
    "allOf": lambda a, v, s, r: all(valid_in(sub, v, r) for sub in a),
    "oneOf": lambda a, v, s, r: _one_of(a, v, r),
    "not": lambda a, v, s, r: not valid_in(a, v, r),
}
