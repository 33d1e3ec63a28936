"""The cache folder does not grow without bound (`resources.prune_cache`): what no command has
written or used for `CACHE_KEPT_DAYS` goes when a workflow validates afresh; what is in use is
kept (`resources.refresh`); nothing but orderwf's own files is ever removed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from orderwf import resources
from orderwf.workflow.loader import load_workflow

REPO = Path(__file__).resolve().parents[2]
OLD = time.time() - (resources.CACHE_KEPT_DAYS + 5) * 24 * 3600
HEX64, HEX40 = "ab" * 32, "cd" * 20


def _aged(path: Path, when: float = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("x")
    os.utime(path, (when, when))
    return path


def _workflow(folder: Path, title: str) -> Path:
    text = (REPO / "workflows" / "woocommerce.yaml").read_text(encoding="utf-8")
    text = text.replace("templates: ../templates/emails", f"templates: {REPO}/templates/emails")
    assert "title: WooCommerce" in text
    path = folder / f"{title}.yaml"
    path.write_text(text.replace("title: WooCommerce", f"title: {title}", 1), encoding="utf-8")
    return path


def test_old_entries_go_and_recent_or_foreign_files_stay(isolated_cache: Path) -> None:
    old = [
        _aged(isolated_cache / "validated" / HEX64),
        _aged(isolated_cache / "parsed" / f"{HEX64}.json"),
        _aged(isolated_cache / "parsed" / f"{HEX64}.4242.tmp"),
        _aged(isolated_cache / "jinja" / "trusted-2" / f"__jinja2_{HEX40}.cache"),
        _aged(isolated_cache / "babel" / "2.0.0" / "fr_FR.pickle"),
    ]
    recent = _aged(isolated_cache / "validated" / ("12" * 32), time.time() - 3600)
    foreign = [  # an old file orderwf did not write, in its folders and beside them
        _aged(isolated_cache / "validated" / "notes.txt"),
        _aged(isolated_cache / "jinja" / "trusted-2" / "keep.cache"),
        _aged(isolated_cache / "mine" / f"{HEX64}.json"),
        _aged(isolated_cache / f"{HEX64}.json"),
    ]
    assert resources.prune_cache() == len(old)
    assert [p.exists() for p in old] == [False] * len(old)
    assert recent.exists()
    assert all(p.exists() for p in foreign)
    assert (isolated_cache / "jinja" / "trusted-2").is_dir()  # folders stay
    assert resources.prune_cache() == 0


def test_no_cache_prunes_nothing(isolated_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _aged(isolated_cache / "validated" / HEX64)
    monkeypatch.setenv("ORDERWF_NO_CACHE", "1")
    assert resources.prune_cache() == 0
    assert entry.exists()


def test_refresh_marks_an_old_entry_used_and_leaves_a_recent_one(isolated_cache: Path) -> None:
    old = _aged(isolated_cache / "parsed" / f"{HEX64}.json")
    hour_ago = time.time() - 3600
    recent = _aged(isolated_cache / "parsed" / f"{'12' * 32}.json", hour_ago)
    resources.refresh(old)
    resources.refresh(recent)
    resources.refresh(isolated_cache / "parsed" / "gone.json")  # no error
    assert old.stat().st_mtime > time.time() - 60
    assert recent.stat().st_mtime == pytest.approx(hour_ago)


def test_a_workflow_in_use_is_kept_when_another_validates_afresh(
    isolated_cache: Path, tmp_path: Path
) -> None:
    used, edited = _workflow(tmp_path, "Used"), _workflow(tmp_path, "Edited")
    load_workflow(used)
    load_workflow(edited)
    entries = sorted((isolated_cache / "validated").iterdir())
    entries += sorted((isolated_cache / "parsed").iterdir())
    assert len(entries) == 4
    for entry in entries:
        _aged(entry)
    load_workflow(used)  # a later command: its entries are used, so refreshed
    edited.write_text(edited.read_text().replace("title: Edited", "title: Edited again"))
    load_workflow(edited)  # validated afresh: what nobody used goes
    left = sorted(p.name for p in (isolated_cache / "validated").iterdir())
    left += sorted(p.name for p in (isolated_cache / "parsed").iterdir())
    assert len(left) == 4  # the used file's two entries and the edited file's new two
    kept = {p.name for p in entries if p.exists()}
    assert len(kept) == 2
    assert kept <= set(left)
