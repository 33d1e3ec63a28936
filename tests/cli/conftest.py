"""Fixtures of the CLI tests: a shop on a real SQLite file in `tmp_path` (see helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Shop


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shop:
    """An empty shop: a SQLite file in `tmp_path`, the packaged workflow."""
    monkeypatch.chdir(tmp_path)  # no workflows/ folder here: the packaged default applies
    for name in ("ORDERWF_DB", "ORDERWF_WORKFLOW", "ORDERWF_ACTOR", "ORDERWF_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return Shop(tmp_path)


@pytest.fixture
def seeded(shop: Shop) -> Shop:
    return shop.seed()
