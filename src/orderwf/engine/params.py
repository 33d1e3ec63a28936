"""Action params: text from the command line converted to typed values (by
`workflow.paramtypes`, the converter validation checks defaults with) and checked against their
declaration. Every problem is reported, not only the first."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from orderwf.workflow import paramtypes
from orderwf.workflow.model import REFUND_PARAMS, Action, Param


def declared(action: Action) -> tuple[Param, ...]:
    """The action's params, and a refund's own when it refunds."""
    return action.declared_params


def _check(param: Param, value: Any) -> list[str]:
    problems = []
    if param.enum is not None and value not in param.enum:
        choices = ", ".join(str(v) for v in param.enum)
        problems.append(f"{value!r} is not one of {choices}")
    if param.pattern is not None and isinstance(value, str) and not re.search(param.pattern, value):
        problems.append(f"{value!r} does not match the pattern {param.pattern}")
    for bound, bad in paramtypes.outside(param, value):
        problems.append(f"{value} is {bad} the {bound} {getattr(param, bound)}")
    return problems


def unknown(action: Action, raw: Mapping[str, Any]) -> list[str]:
    """A problem for each name of `raw` the action does not take: what no order changes (a
    bulk apply refuses the whole run for it, `service.bulk.request`)."""
    known = [p.name for p in declared(action)]
    return [
        f"unknown param {name!r} for action {action.id!r}"
        + (f" (expected one of: {', '.join(known)})" if known else " (it takes no params)")
        for name in raw
        if name not in known
    ]


def convert(
    action: Action, raw: Mapping[str, Any], currency: str
) -> tuple[dict[str, Any], list[str]]:
    """(values for every declared param, problems). Absent optional params are None (or their
    default); `lines` is always a list."""
    params = declared(action)
    if not params and not raw:  # a plain status change: every order of a bulk apply
        return {}, []
    problems = unknown(action, raw)
    values: dict[str, Any] = {}
    for param in params:
        given = raw.get(param.name)
        if param.name == "lines" and param in REFUND_PARAMS:
            values["lines"] = (
                [] if given is None else list(given if isinstance(given, list | tuple) else [given])
            )
            continue
        if isinstance(given, list | tuple):
            if len(given) > 1:
                problems.append(f"param {param.name!r} is given {len(given)} times")
                continue
            given = given[0]
        if given is None or given == "":
            if param.required:
                problems.append(f"param {param.name!r} is required ({param.type})")
            values[param.name] = param.default
            continue
        try:
            value = paramtypes.from_text(param, given, currency)
        except ValueError as e:
            problems.append(f"param {param.name!r}: {e}")
            continue
        problems.extend(f"param {param.name!r}: {p}" for p in _check(param, value))
        values[param.name] = value
    return values, problems
