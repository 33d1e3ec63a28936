"""JSON Schema, and only here: checks a workflow's data against `schemas/workflow.schema.json`
and turns each error into a finding placed through the YAML node tree.

`jsonschema` (with `referencing` and `rpds`) is the most expensive import on the validation
path, so it is imported inside `check`; the loader skips this stage altogether for a file its
cache has already seen validate clean."""

from __future__ import annotations

import json
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
    """The schema's validator (of a workflow, or of a scenario file), built once per process.
    The loader builds it before forking the schema stage of a second file, so that each
    further child inherits it instead of importing jsonschema and building it again (a folder
    of twenty workflows)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind))


def path_kind(e: ValidationError) -> str:
    """'step' for an error about a scenario's step, else 'effect'."""
    path = list(e.absolute_path)
    return "step" if len(path) == 2 and path[0] == "steps" else "effect"


def check(source: Source, file: str, kind: str = "workflow") -> list[Finding]:
    """Every schema error of `source.data`, as findings of `file`; `kind` is `workflow` or
    `scenario`."""
    placer = _Placer(source, file, kind)
    for error in validator(kind).iter_errors(source.data):
        for leaf in _leaves(error):
            placer.error(leaf)
    return placer.findings
