"""`store/core.py`, the Core tables generated from the SQLModel tables by
`tools/core_tables.py`: fresh, and the same schema as the models' own tables (the DDL each
database is sent, and the defaults a Core insert fills in)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from orderwf.store import core, tables

REPO = Path(__file__).resolve().parents[2]


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location("core_tables", REPO / "tools/core_tables.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_core_py_is_what_the_tool_writes_from_the_models() -> None:
    """Fails after an edit of `store/tables.py` until `python tools/core_tables.py` runs."""
    written = Path(core.__file__).read_text(encoding="utf-8")
    assert written == _tool().render(), "run python tools/core_tables.py"


def test_every_model_has_its_core_table() -> None:
    assert sorted(core.METADATA.tables) == sorted(SQLModel.metadata.tables)
    assert len(tables.ALL_TABLES) == len(core.METADATA.tables)


def _ddl(table: Table, dialect: Any) -> list[str]:
    statements = [str(CreateTable(table).compile(dialect=dialect)).strip()]
    indexes = sorted(table.indexes, key=lambda i: str(i.name))
    return statements + [str(CreateIndex(i).compile(dialect=dialect)) for i in indexes]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "pg"])
@pytest.mark.parametrize("name", sorted(SQLModel.metadata.tables))
def test_the_core_table_sends_the_models_ddl(name: str, dialect: Any) -> None:
    model, generated = SQLModel.metadata.tables[name], core.METADATA.tables[name]
    assert _ddl(generated, dialect) == _ddl(model, dialect)


def _default(column: Any) -> Any:
    if column.default is None:
        return None
    if column.default.is_scalar:
        return ("value", column.default.arg)
    return ("made", column.default.arg(None))  # SQLAlchemy wraps a factory to take a context


@pytest.mark.parametrize("name", sorted(SQLModel.metadata.tables))
def test_the_core_table_fills_in_the_models_defaults(name: str) -> None:
    model, generated = SQLModel.metadata.tables[name], core.METADATA.tables[name]
    assert [c.name for c in generated.columns] == [c.name for c in model.columns]
    for ours, theirs in zip(generated.columns, model.columns, strict=True):
        assert (ours.name, _default(ours)) == (theirs.name, _default(theirs))
        assert type(ours.type).__name__ == type(theirs.type).__name__.replace(
            "AutoString", "String"
        )
        assert (ours.nullable, ours.primary_key, ours.autoincrement) == (
            theirs.nullable,
            theirs.primary_key,
            theirs.autoincrement,
        )
