"""`orderwf.toml` read on its own (SPEC §8): finding it, paths relative to it, SQLite URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderwf import project
from orderwf.errors import UsageError
from orderwf.mail.smtp import DEFAULT_URL


def test_the_nearest_project_file_is_found_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "orderwf.toml").write_text('[shop]\ndatabase = "sqlite:///data/shop.db"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert project.locate(start=deep) == tmp_path / "orderwf.toml"
    found = project.load(tmp_path / "orderwf.toml")
    assert found.database == f"sqlite:///{tmp_path}/data/shop.db"
    assert found.workflows == tmp_path / "workflows"
    assert found.scenarios == tmp_path / "scenarios"
    assert (found.default, found.smtp, found.routes) == (None, None, ())


def test_no_project_file_means_none(tmp_path: Path) -> None:
    assert project.locate(start=tmp_path) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///shop.db", "sqlite:////shop/shop.db"),
        ("sqlite+pysqlite:///db/x.db?timeout=5", "sqlite+pysqlite:////shop/db/x.db?timeout=5"),
        ("sqlite:////abs/x.db", "sqlite:////abs/x.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite://", "sqlite://"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ],
)
def test_a_relative_sqlite_file_is_relative_to_the_project(url: str, expected: str) -> None:
    assert project.absolute_sqlite(url, Path("/shop")) == expected


def test_settings_option_then_environment_then_file_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "orderwf.toml").write_text('[shop]\nsmtp = "smtp://file:25"\n')
    found = project.load(tmp_path / "orderwf.toml")
    monkeypatch.setenv("ORDERWF_SMTP_URL", "smtp://env:25")
    assert project.settings_smtp("smtp://option:25", found) == "smtp://option:25"
    assert project.settings_smtp(None, found) == "smtp://env:25"
    monkeypatch.delenv("ORDERWF_SMTP_URL")
    assert project.settings_smtp(None, found) == "smtp://file:25"
    assert project.settings_smtp(None, None) == DEFAULT_URL == project.DEFAULT_SMTP
    assert project.settings_database(None, None) == "sqlite:///orderwf.db"


def test_routes_keep_the_line_of_their_header(tmp_path: Path) -> None:
    file = tmp_path / "orderwf.toml"
    file.write_text(
        '[shop]\ndefault = "shop"\n\n[[route]]\nworkflow = "a"\nif = "true"\n\n'
        '[[route]]\nworkflow = "b"\nif = "false"\n'
    )
    routes = project.load(file).routes
    assert [(r.workflow, r.cond, r.line) for r in routes] == [("a", "true", 4), ("b", "false", 8)]


def test_a_route_without_if_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "orderwf.toml"
    file.write_text('[[route]]\nworkflow = "a"\n')
    with pytest.raises(UsageError) as e:
        project.load(file)
    assert e.value.message == f'{file}:1: [[route]] number 1 needs if = "…" (a non-empty string)'
