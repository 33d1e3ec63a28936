"""tools/mutate.py without running a campaign: every mutant it makes is one valid change of
its module, and every entry of tools/mutate-equivalent.toml still names a mutant (a renamed
function or an edited line would otherwise leave the list stale, silently)."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mutate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("orderwf_mutate", ROOT / "tools" / "mutate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mutants(mutate: ModuleType) -> dict[str, list[Any]]:
    return {module: mutate.mutants_of(module) for module in mutate.modules([])}


def test_every_mutant_is_one_valid_change(
    mutate: ModuleType, mutants: dict[str, list[Any]]
) -> None:
    assert {"money.py", "engine/refunds.py", "engine/plan.py"} <= set(mutants)
    for module, made in mutants.items():
        original = ast.dump(ast.parse((mutate.PACKAGE / module).read_text(encoding="utf-8")))
        assert len({m.key for m in made}) == len(made), module
        for m in made:
            assert ast.dump(ast.parse(m.source)) != original, m.name


def test_the_mutants_of_a_refund_line(mutants: dict[str, list[Any]]) -> None:
    keys = {m.key for m in mutants["engine/refunds.py"]}
    assert (
        "_refund: line.reduced_stock - line.refunded_kept → line.reduced_stock + line.refunded_kept"
        in keys
    )
    assert "_refund: after.remaining_refundable <= 0 → after.remaining_refundable < 0" in keys


def test_every_equivalent_entry_names_a_mutant(
    mutate: ModuleType, mutants: dict[str, list[Any]]
) -> None:
    known = mutate.equivalents()
    assert known, "the list of equivalent mutants is empty"
    for module, entries in known.items():
        keys = {m.key for m in mutants[module]}
        stale = [key for key in entries if key not in keys]
        assert stale == [], f"{module}: no such mutant"
        assert all(why.strip() for why in entries.values())
