"""Checks of a shop folder as a whole (SPEC §8), beside each file's own: two workflow files
with one `name` (OWF601), a `default` (OWF602) or a route (OWF603) naming a workflow no file
declares, a route `if` that does not compile or reads a name it cannot (OWF604), several
workflows and no `default` (OWF605)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from orderwf.workflow.findings import Finding, display_path

if TYPE_CHECKING:
    from orderwf.project import Project
    from orderwf.workflow.loader import Checked
    from orderwf.workflow.model import Expr

# What a route's `if` may read: an order being created has no params, refund or statuses yet.
ROUTE_NAMES = frozenset({"order", "shop", "actor", "now"})


def _line_of_name(path: Path) -> tuple[int, int]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1, 1
    match = re.search(r"^name:[ \t]*", text, re.M)
    if match is None:
        return 1, 1
    line = text.count("\n", 0, match.start()) + 1
    return line, match.end() - match.start() + 1


_NAME = re.compile(r"""^name:[ \t]*["']?([^"'#\s]+)""", re.M)


def declared_name(path: Path) -> str | None:
    """The workflow name a file declares on its top-level `name:` line, or None: read with a
    regular expression, so finding one workflow among twenty loads only that one."""
    try:
        match = _NAME.search(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return match[1] if match else None


def _name(checked: Checked) -> str | None:
    data = checked.data
    if isinstance(data, dict) and isinstance(data.get("name"), str):
        return str(data["name"])
    return declared_name(checked.path)


def check(project: Project, checked: Sequence[Checked]) -> list[Finding]:
    found: list[Finding] = []
    toml = display_path(project.file)
    owners: dict[str, Path] = {}
    for c in checked:
        name = _name(c)
        if name is None:
            continue
        if name in owners:
            line, column = _line_of_name(c.path)
            found.append(
                Finding(
                    display_path(c.path),
                    line,
                    column,
                    "error",
                    "OWF601",
                    f"workflow name {name!r} is already declared by {display_path(owners[name])}",
                    "each workflow of the folder needs its own name",
                    "$.name",
                )
            )
        else:
            owners[name] = c.path
    known = ", ".join(sorted(owners)) or "none"
    if project.default is not None and project.default not in owners:
        found.append(
            Finding(
                toml,
                project.line_of("default"),
                1,
                "error",
                "OWF602",
                f"default workflow {project.default!r} is not declared by any file in "
                f"{display_path(project.workflows)} (its workflows: {known})",
                None,
                "$.shop.default",
            )
        )
    if project.default is None and len(owners) > 1:
        found.append(
            Finding(
                toml,
                1,
                1,
                "error",
                "OWF605",
                f"{len(owners)} workflows and no default: a new order no route picks has none",
                'add default = "NAME" to [shop]',
                "$.shop",
            )
        )
    for index, route in enumerate(project.routes):
        where = f"$.route[{index}]"
        if route.workflow not in owners:
            found.append(
                Finding(
                    toml,
                    route.line,
                    1,
                    "error",
                    "OWF603",
                    f"route workflow {route.workflow!r} is not declared by any file in "
                    f"{display_path(project.workflows)} (its workflows: {known})",
                    None,
                    f"{where}.workflow",
                )
            )
        problem = _route_problem(route.cond)
        if problem is not None:
            found.append(
                Finding(toml, route.line, 1, "error", "OWF604", problem, None, f"{where}.if")
            )
    return found


def route_expr(source: str) -> tuple[Expr | None, str | None]:
    """A route's `if` compiled, or the reason it does not compile."""
    from orderwf import templating

    try:
        return templating.compile_expr(source), None
    except templating.TemplateProblem as e:
        return None, f"route if does not compile: {e.message}"


def _route_problem(source: str) -> str | None:
    from orderwf import templating

    _, problem = route_expr(source)
    if problem is not None:
        return problem
    unknown = sorted(templating.names_used(source, expression=True) - ROUTE_NAMES)
    if unknown:
        return (
            f"route if {source!r} reads {', '.join(repr(n) for n in unknown)}; a route sees "
            f"only {', '.join(sorted(ROUTE_NAMES))}"
        )
    return None
