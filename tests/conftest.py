"""Fixtures for the whole suite. No test may touch the real home directory: orderwf's
validation cache goes to a per-test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("ORDERWF_CACHE_DIR", str(cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache / "xdg"))
    monkeypatch.delenv("ORDERWF_NO_CACHE", raising=False)
    monkeypatch.delenv("ORDERWF_PROJECT", raising=False)  # no test picks up a real shop
    return cache
