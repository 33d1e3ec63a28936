"""The five parameter types (SPEC §2.1), and the one converter of their values: what a person
types on the command line (`from_text`, the engine's) and what a workflow file writes as a
default or an enum value (`from_file`, validation's), to the typed value both compare against
the declaration's enum, pattern and range (`limit`, `outside`).

Part of the model layer: `engine/` and `workflow/` both import it, neither through the other."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from orderwf import money
from orderwf.errors import OrderwfError
from orderwf.workflow.model import Param

_TRUE = {"true", "yes", "1", "on", "y"}
_FALSE = {"false", "no", "0", "off", "n"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d{1,18}", re.ASCII)  # what any integer column holds
_FILE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # its own findings' wording: see `from_file`


def from_text(param: Param, raw: Any, currency: str) -> Any:
    """A value given for `param` (text from the command line, or a typed value from a scenario
    or a timer) to its type; raises ValueError with the sentence to show."""
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


def from_file(ptype: str, value: Any) -> Any:
    """A default or enum value as the workflow file writes it (YAML's own types: money is a
    quoted string, a date a `YYYY-MM-DD` string) to its type; raises ValueError with why it is
    not one, worded to follow the value (`'abc' is not a whole number`)."""
    if ptype == "string":
        if not isinstance(value, str):
            raise ValueError("is not a string")
        return value
    if ptype == "boolean":
        if not isinstance(value, bool):
            raise ValueError("is not true or false")
        return value
    if ptype == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("is not a whole number")
        return value
    if ptype == "decimal":
        if isinstance(value, float):
            raise ValueError("is a float; a decimal (money) is written as a quoted string")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError("is not a decimal")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("is not a decimal number") from None
        if not number.is_finite():
            raise ValueError("is not a finite number")
        return number
    if ptype == "date":
        if not isinstance(value, str) or not _FILE_DATE.match(value):
            raise ValueError("is not a date written YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("is not a valid date") from None
    raise ValueError(f"is not of the unknown type {ptype!r}")


def limit(ptype: str, bound: Any) -> Any:
    """A `minimum`/`maximum` as a value of the type, comparable with a converted value; None
    when it is not one (or the type has no order)."""
    try:
        if ptype in ("integer", "decimal"):
            return Decimal(str(bound))
        if ptype == "date":
            return bound if isinstance(bound, date) else date.fromisoformat(str(bound))
    except (InvalidOperation, ValueError):
        return None
    return None


def outside(param: Param, value: Any) -> Iterator[tuple[str, str]]:
    """(bound, "below"/"above") for each of `param`'s `minimum` and `maximum` that the
    converted `value` breaks."""
    for bound, bad in (("minimum", "below"), ("maximum", "above")):
        edge = limit(param.type, getattr(param, bound))
        if edge is None:
            continue
        if (value < edge) if bound == "minimum" else (value > edge):
            yield bound, bad
