"""Checks of parameter declarations: a pattern that compiles, enum values and a default that
satisfy the parameter's own type, enum, pattern and range (SPEC §3)."""

from __future__ import annotations

import re

from orderwf.suggest import did_you_mean
from orderwf.workflow import paramtypes
from orderwf.workflow.findings import Collector, JsonPath
from orderwf.workflow.model import Param


def check_param(out: Collector, path: JsonPath, param: Param) -> None:
    """Findings about one parameter declaration: its pattern, enum and default, each value
    typed by the converter the engine uses (`paramtypes`)."""
    pattern = param.pattern
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
    for i, value in enumerate(param.enum or ()):
        try:
            paramtypes.from_file(param.type, value)
        except ValueError as e:
            out.add("OWF305", (*path, "enum", i), f"enum value {value!r} {e}")
    default = param.default
    if default is None:
        return
    name = param.name
    try:
        typed = paramtypes.from_file(param.type, default)
    except ValueError as e:
        out.add(
            "OWF301",
            (*path, "default"),
            f"default of {name!r}: {default!r} {e}",
            hint='quote money, e.g. default: "12.50"' if param.type == "decimal" else None,
        )
        return
    enum = param.enum
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
    for bound, bad in paramtypes.outside(param, typed):
        out.add(
            "OWF306",
            (*path, "default"),
            f"default of {name!r}: {default!r} is {bad} its {bound} {getattr(param, bound)!r}",
        )
