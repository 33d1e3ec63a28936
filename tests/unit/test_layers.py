"""The layers of `src/orderwf` (docs/architecture.md draws them): every import, at module level
or inside a function, follows an arrow of `ALLOWED`, or is one of the `KNOWN_EXCEPTIONS` that
issue 12's redesign removes. A new import across a forbidden boundary fails here; so does an
arrow of the table (or of the drawing) that no import uses any more."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
ARCHITECTURE = REPO / "docs" / "architecture.md"

# The layer of each module: its longest dotted prefix in this table. A new top-level module
# (or package) must be placed here first.
LAYER_OF = {
    "orderwf.cli": "cli",
    "orderwf.__main__": "cli",
    "orderwf.views": "views",
    "orderwf.service": "service",
    "orderwf.workflows": "service",
    "orderwf.live": "service",
    "orderwf.moves": "service",
    "orderwf.scenario": "service",  # `orderwf test`: a use case, on orders in memory
    "orderwf.engine": "engine",
    "orderwf.store": "store",
    "orderwf.mail": "mail",
    "orderwf.workflow": "workflow",
    "orderwf.woo": "woo",
    "orderwf.workflow.model": "model",
    "orderwf.workflow.paramtypes": "model",  # the one converter of param values
    "orderwf.orders": "model",  # the order snapshot and what an apply writes: engine and store
    "orderwf.templating": "templating",
    "orderwf.precompiled": "templating",  # Jinja2's modules of the shipped email templates
    # base: imported by every layer, imports nothing above itself
    "orderwf": "base",
    "orderwf.errors": "base",
    "orderwf.money": "base",
    "orderwf.collector": "base",
    "orderwf.urls": "base",
    "orderwf.addresses": "base",
    "orderwf.resources": "base",
    "orderwf.project": "base",
    "orderwf.demo_data": "base",
    "orderwf.context_names": "base",
    "orderwf.suggest": "base",
    "orderwf.l10n": "base",
    "orderwf.languages": "base",
    "orderwf.quantities": "base",
    "orderwf.jsonstream": "base",
}

# Which layers each layer may import, besides its own modules. Every layer may import `base`
# (an arrow drawn once, as the bottom row). Each arrow here is used by some import (a test
# checks), so the table and its drawing say what the code does.
ALLOWED: dict[str, frozenset[str]] = {
    "cli": frozenset({"service", "views", "model"}),
    "views": frozenset({"engine", "model"}),
    "service": frozenset({"engine", "store", "mail", "woo", "model", "workflow"}),
    "engine": frozenset({"model"}),
    "store": frozenset({"model"}),
    "mail": frozenset(),
    "workflow": frozenset({"model", "templating"}),
    "woo": frozenset({"model"}),
    "model": frozenset(),
    "templating": frozenset(),
    "base": frozenset(),
}

# Imports across a forbidden boundary that the code has today: (importer, imported module)
# → why, and the issue that removes it. Remove an entry when its import goes (a test fails
# on an entry no import needs); never add one without an issue that removes it.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


class Import(NamedTuple):
    importer: str
    imported: str
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = SRC.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / "orderwf").rglob("*.py"))}


def imports_of(name: str, path: Path) -> Iterator[Import]:
    """Every orderwf module `name` imports, anywhere in the file (function-local and
    `TYPE_CHECKING` imports included: a type is a dependency too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            # `from orderwf.engine import context` imports a module; `from
            # orderwf.engine.plan import Plan` imports from one
            targets = [
                f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
                for alias in node.names
            ]
        else:
            continue
        for target in dict.fromkeys(targets):
            if target == "orderwf" or target.startswith("orderwf."):
                yield Import(name, target, node.lineno)


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        layer = LAYER_OF.get(".".join(parts[:end]))
        if layer is not None:
            return layer
    return None


def crossings() -> list[Import]:
    """Every import from one layer into another."""
    return [
        imp
        for name, path in modules().items()
        for imp in imports_of(name, path)
        if layer_of(imp.importer) != layer_of(imp.imported)
    ]


def allowed(source: str, target: str) -> bool:
    return target == "base" or target in ALLOWED[source]


def forbidden() -> list[Import]:
    return [
        imp
        for imp in crossings()
        if not allowed(str(layer_of(imp.importer)), str(layer_of(imp.imported)))
    ]


def test_the_walk_finds_the_imports() -> None:
    found = {(i.importer, i.imported) for i in crossings()}
    assert ("orderwf.cli.app", "orderwf.errors") in found  # module level
    assert ("orderwf.service.orders", "orderwf.store.db") in found  # inside a function
    assert ("orderwf.engine.plan", "orderwf.workflow.model") in found  # from a module


def test_every_module_has_a_layer() -> None:
    unplaced = [name for name in modules() if layer_of(name) is None]
    assert unplaced == [], "add each to LAYER_OF (tests/unit/test_layers.py) and its drawing"
    assert set(LAYER_OF.values()) == set(ALLOWED)


def test_no_import_crosses_a_forbidden_boundary() -> None:
    new = [
        f"{i.importer} (line {i.line}) imports {i.imported}: "
        f"{layer_of(i.importer)} may import only {sorted(ALLOWED[str(layer_of(i.importer))])} "
        "and base"
        for i in forbidden()
        if (i.importer, i.imported) not in KNOWN_EXCEPTIONS
    ]
    assert new == [], "import through the layer that owns it (docs/architecture.md)"


def test_every_known_exception_is_still_needed() -> None:
    still = {(i.importer, i.imported) for i in forbidden()}
    assert [pair for pair in KNOWN_EXCEPTIONS if pair not in still] == []


def _arrows() -> set[tuple[str, str]]:
    return {(source, target) for source, targets in ALLOWED.items() for target in targets} | {
        (source, "base") for source in ALLOWED if source != "base"
    }


def test_every_allowed_arrow_is_used() -> None:
    used = {(str(layer_of(i.importer)), str(layer_of(i.imported))) for i in crossings()}
    assert sorted(_arrows() - used) == []


_EDGE = re.compile(r"^\s*(\w+)(?:\[[^\]]*\])?\s*(-->|-\.->)\s*(\w+)", re.MULTILINE)


def _drawing() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The arrows of the mermaid drawing in docs/architecture.md: allowed (`-->`) and known
    exceptions (`-.->`). `all --> base` stands for every layer's arrow to base."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = text.split("```mermaid", 1)[1].split("```", 1)[0]
    solid: set[tuple[str, str]] = set()
    dotted: set[tuple[str, str]] = set()
    for source, arrow, target in _EDGE.findall(block):
        if source == "all":
            solid |= {(layer, target) for layer in ALLOWED if layer != target}
        else:
            (solid if arrow == "-->" else dotted).add((source, target))
    return solid, dotted


def test_the_architecture_page_draws_the_table() -> None:
    solid, dotted = _drawing()
    assert sorted(solid ^ _arrows()) == []
    exceptions = {(str(layer_of(a)), str(layer_of(b))) for a, b in KNOWN_EXCEPTIONS}
    assert sorted(dotted ^ exceptions) == []
