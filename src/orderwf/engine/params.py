"""Action params: text from the command line converted to typed values and checked against
their declaration. Every problem is reported, not only the first."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from orderwf import money
from orderwf.errors import OrderwfError
from orderwf.workflow.model import REFUND_PARAMS, Action, Param

_TRUE = {"true", "yes", "1", "on", "y"}
_FALSE = {"false", "no", "0", "off", "n"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d{1,18}", re.ASCII)  # what any integer column holds


def declared(action: Action) -> tuple[Param, ...]:
    """The action's params, and a refund's own when it refunds."""
    return action.declared_params


def _convert(param: Param, raw: Any, currency: str) -> Any:
    """One value to its type; raises ValueError with the sentence to show."""
    text = raw if not isinstance(raw, str) else raw.strip()
    if param.type == "string":
        return str(text)
    if param.type == "boolean":
        if isinstance(text, bool):
            return text
        if str(text).lower() in _TRUE:
            return True
        if str(text).lower() in _FALSE:
            return False
        raise ValueError(f"{text!r} is not a boolean (expected true or false)")
    if param.type == "integer":
        if isinstance(text, bool):
            raise ValueError(f"{text!r} is not an integer")
        if isinstance(text, int):
            return text
        # ASCII digits only: `int` also takes `1_0` and `１０`, as `Decimal` did for money.
        if not _INTEGER.fullmatch(str(text)):
            raise ValueError(f"{text!r} is not an integer")
        return int(str(text))
    if param.type == "decimal":
        try:
            return money.parse(text, currency, what="value")
        except OrderwfError as e:
            raise ValueError(e.message.removeprefix("value ")) from None
    if param.type == "date":
        if isinstance(text, date):
            return text
        try:
            # Python 3.11's fromisoformat also takes 20261126 and 2026-W48-4: SPEC says YYYY-MM-DD.
            if not _DATE.fullmatch(str(text)):
                raise ValueError
            return date.fromisoformat(str(text))
        except ValueError:
            raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None
    raise ValueError(f"unknown type {param.type!r}")


def _check(param: Param, value: Any) -> list[str]:
    problems = []
    if param.enum is not None and value not in param.enum:
        choices = ", ".join(str(v) for v in param.enum)
        problems.append(f"{value!r} is not one of {choices}")
    if param.pattern is not None and isinstance(value, str) and not re.search(param.pattern, value):
        problems.append(f"{value!r} does not match the pattern {param.pattern}")
    if param.minimum is not None and value < _bound(param, param.minimum):
        problems.append(f"{value} is below the minimum {param.minimum}")
    if param.maximum is not None and value > _bound(param, param.maximum):
        problems.append(f"{value} is above the maximum {param.maximum}")
    return problems


def _bound(param: Param, bound: Any) -> Any:
    return Decimal(str(bound)) if param.type == "decimal" else bound


def convert(
    action: Action, raw: Mapping[str, Any], currency: str
) -> tuple[dict[str, Any], list[str]]:
    """(values for every declared param, problems). Absent optional params are None (or their
    default); `lines` is always a list."""
    params = declared(action)
    known = {p.name: p for p in params}
    problems = [
        f"unknown param {name!r} for action {action.id!r}"
        + (f" (expected one of: {', '.join(known)})" if known else " (it takes no params)")
        for name in raw
        if name not in known
    ]
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
            value = _convert(param, given, currency)
        except ValueError as e:
            problems.append(f"param {param.name!r}: {e}")
            continue
        problems.extend(f"param {param.name!r}: {p}" for p in _check(param, value))
        values[param.name] = value
    return values, problems
