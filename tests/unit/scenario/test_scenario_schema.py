"""The scenario schema, the loader and the docs agree: every key the schema allows is one the
loader reads and docs/testing.md documents, and the shipped scenarios name the schema."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
DOC = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
LOADER = (ROOT / "src" / "orderwf" / "scenario" / "load.py").read_text(encoding="utf-8")


def keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            yield name
            yield from keys(value)
        for value in node.values():
            if isinstance(value, dict | list):
                yield from keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from keys(item)


ALL_KEYS = sorted(set(keys(SCHEMA)))


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_schema_key_is_documented_and_read(key: str) -> None:
    assert f"`{key}" in DOC, f"docs/testing.md does not document {key!r}"
    if key != "description":  # free text for people
        assert f'"{key}"' in LOADER, f"scenario/load.py never reads {key!r}"


def test_shipped_scenarios_carry_the_modeline() -> None:
    files = sorted((ROOT / "scenarios").rglob("*.yaml"))
    assert len(files) > 20
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, path
        assert (path.parent / match[1]).resolve() == ROOT / "schemas" / "scenario.schema.json"
