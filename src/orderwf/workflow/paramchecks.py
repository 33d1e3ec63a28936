"""Checks of parameter declarations: a pattern that compiles, enum values and a default that
satisfy the parameter's own type, enum, pattern and range (SPEC §3)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from orderwf.suggest import did_you_mean

if TYPE_CHECKING:
    from orderwf.workflow.checks import Data
    from orderwf.workflow.findings import Collector
    from orderwf.workflow.yamlsrc import JsonPath

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_param(out: Collector, path: JsonPath, param: Data) -> None:
    """Findings about one parameter declaration: its pattern, enum and default."""
    ptype = param.get("type", "string")
    pattern = param.get("pattern")
    regex = None
    if pattern is not None:
        try:
            regex = re.compile(pattern)
        except re.error as e:
            out.add(
                "OWF304",
                (*path, "pattern"),
                f"pattern {pattern!r} is not a valid regular expression: {e}",
            )
    for i, value in enumerate(param.get("enum") or ()):
        problem = type_problem(ptype, value)
        if problem:
            out.add("OWF305", (*path, "enum", i), f"enum value {value!r} {problem}")
    if "default" not in param or param["default"] is None:
        return
    default = param["default"]
    name = path[-1]
    problem = type_problem(ptype, default)
    if problem:
        out.add(
            "OWF301",
            (*path, "default"),
            f"default of {name!r}: {default!r} {problem}",
            hint='quote money, e.g. default: "12.50"' if ptype == "decimal" else None,
        )
        return
    enum = param.get("enum")
    if enum is not None and default not in enum:
        out.add(
            "OWF302",
            (*path, "default"),
            f"default of {name!r}: {default!r} is not one of its enum values",
            hint=did_you_mean(default, enum) or f"allowed: {', '.join(map(str, enum))}",
        )
    if regex is not None and isinstance(default, str) and not regex.search(default):
        out.add(
            "OWF303",
            (*path, "default"),
            f"default of {name!r}: {default!r} does not match its pattern {pattern!r}",
        )
    for bound, bad in (("minimum", "below"), ("maximum", "above")):
        limit = param.get(bound)
        if limit is not None and out_of_range(ptype, default, limit, bound):
            out.add(
                "OWF306",
                (*path, "default"),
                f"default of {name!r}: {default!r} is {bad} its {bound} {limit!r}",
            )


def type_problem(ptype: str, value: Any) -> str | None:
    """Why `value` (as written in YAML) is not of the parameter type, or None."""
    if ptype == "string":
        return None if isinstance(value, str) else "is not a string"
    if ptype == "boolean":
        return None if isinstance(value, bool) else "is not true or false"
    if ptype == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "is not a whole number"
    if ptype == "decimal":
        if isinstance(value, float):
            return "is a float; a decimal (money) is written as a quoted string"
        if isinstance(value, bool) or not isinstance(value, str | int):
            return "is not a decimal"
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return "is not a decimal number"
        return None if number.is_finite() else "is not a finite number"
    if ptype == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            return "is not a date written YYYY-MM-DD"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "is not a valid date"
    return None


def out_of_range(ptype: str, value: Any, limit: Any, bound: str) -> bool:
    try:
        if ptype in ("integer", "decimal"):
            v, lim = Decimal(str(value)), Decimal(str(limit))
        elif ptype == "date":
            v, lim = date.fromisoformat(str(value)), date.fromisoformat(str(limit))  # type: ignore[assignment]
        else:
            return False
    except (InvalidOperation, ValueError):
        return False
    return v < lim if bound == "minimum" else v > lim
