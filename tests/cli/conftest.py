"""Fixtures of the CLI tests: a shop on a real SQLite file in `tmp_path` (see tests/shop.py)."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from pathlib import Path

import pytest

from shop import Shop, ok


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shop:
    """An empty shop: a SQLite file in `tmp_path`, the packaged workflow."""
    monkeypatch.chdir(tmp_path)  # no workflows/ folder here: the packaged default applies
    for name in ("ORDERWF_DB", "ORDERWF_WORKFLOW", "ORDERWF_ACTOR", "ORDERWF_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return Shop(tmp_path)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh `orderwf init` folder, the current folder; no ORDERWF_* settings (a test
    module may override it with a folder of its own)."""
    for name in ("ORDERWF_DB", "ORDERWF_WORKFLOW", "ORDERWF_ACTOR", "ORDERWF_SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    shop = tmp_path / "myshop"
    ok("init", str(shop))
    monkeypatch.chdir(shop)
    return shop


@pytest.fixture(scope="session")
def seeded_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seeded shop's database files, built once: copying them is much faster than
    importing again in every test."""
    folder = tmp_path_factory.mktemp("seeded")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ORDERWF_CACHE_DIR", str(tmp_path_factory.mktemp("seed-cache")))
        mp.chdir(folder)
        shop = Shop(folder).seed()
    gc.collect()  # closes the engines the commands left to the garbage collector
    conn = sqlite3.connect(shop.db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    finally:
        conn.close()
    return [shop.db_path]


@pytest.fixture
def seeded(shop: Shop, seeded_files: list[Path]) -> Shop:
    """A shop with stocked products 93, 22, 87, 34 and the WooCommerce orders 727 and 723."""
    for file in seeded_files:
        shutil.copy(file, shop.tmp_path / file.name)
    return shop
