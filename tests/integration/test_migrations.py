"""The packaged Alembic migrations and `store.db`: a fresh database is migrated to exactly the
models, a second upgrade changes nothing, and databases orderwf cannot use are refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, inspect, select, text

from orderwf.errors import StoreError, UsageError
from orderwf.store import db
from orderwf.store.core import PRODUCTS
from orderwf.store.migrations import HEAD


def _schema(engine: Engine) -> dict[str, Any]:
    insp = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
            sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(table)),
        )
        for table in sorted(insp.get_table_names())
    }


def test_upgrade_head_matches_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import orderwf.store.tables  # noqa: F401

    engine = db.connect(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [(HEAD,)]
    finally:
        engine.dispose()


def test_second_upgrade_changes_nothing(db_url: str) -> None:
    assert db.upgrade(db_url) == (None, HEAD)
    engine = db.connect(db_url, migrate=False)
    try:
        before = _schema(engine)
        assert db.upgrade(db_url) == (HEAD, HEAD)
        db.connect(db_url).dispose()
        assert _schema(engine) == before
    finally:
        engine.dispose()


def test_head_names_the_newest_revision() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(db.alembic_config()).get_current_head() == HEAD


def test_newer_revision_is_refused(db_url: str) -> None:
    db.upgrade(db_url)
    engine = db.connect(db_url, migrate=False)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()

    with pytest.raises(StoreError) as refused:
        db.connect(db_url)
    assert str(refused.value) == (
        "the database has schema revision 9999, which this version of orderwf does not know "
        f"(its newest is {HEAD}): upgrade orderwf to use it"
    )


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    path.write_text('{"id": 727}\n' * 200)

    with pytest.raises(StoreError) as refused:
        db.connect(f"sqlite:///{path}")
    assert str(refused.value) == (
        f"cannot open the database sqlite:///{path}: file is not a database"
    )
    assert path.read_text() == '{"id": 727}\n' * 200


def test_a_database_that_cannot_be_opened_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'orderwf.db'}"
    with pytest.raises(StoreError) as refused:
        db.connect(url)
    assert str(refused.value) == f"cannot open the database {url}: unable to open database file"


@pytest.mark.parametrize(
    ("url", "shown"),
    [("orders.db", "orders.db"), ("postgresql://u:secret@h:abc/db", "postgresql://u:***@h:abc/db")],
)
def test_a_url_that_is_not_a_url_is_a_usage_error(url: str, shown: str) -> None:
    with pytest.raises(UsageError) as refused:
        db.connect(url)
    assert refused.value.exit_code == 2
    assert str(refused.value) == (
        f"{shown!r} is not a database URL (expected e.g. sqlite:///orderwf.db or "
        "postgresql+psycopg://user@host/db)"
    )


def test_a_url_of_a_database_without_a_driver_here_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as refused:
        db.connect("oracle://scott:tiger@db/orders")
    assert refused.value.exit_code == 2
    assert str(refused.value) == (
        "cannot use the database URL oracle://scott:***@db/orders: No module named 'oracledb' "
        "(expected sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)"
    )


def test_tables_without_a_revision_are_refused(sqlite_url: str) -> None:
    engine = db.connect(sqlite_url, migrate=False)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE stuff (id INTEGER)"))
    engine.dispose()
    with pytest.raises(StoreError, match="has tables .* but no orderwf schema revision"):
        db.connect(sqlite_url)


def test_a_current_database_is_checked_without_loading_alembic(sqlite_url: str) -> None:
    db.upgrade(sqlite_url)
    probe = (
        "import sys; from orderwf.store import db; "
        f"db.connect({sqlite_url!r}).dispose(); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_url: str) -> None:
    engine = db.connect(sqlite_url)
    try:
        with engine.connect() as conn:
            pragma = conn.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


def test_write_transaction_begins_immediate_and_commits(sqlite_url: str) -> None:
    from orderwf.store.tables import Product

    engine = db.connect(sqlite_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        with db.write_transaction(engine) as session:
            session.add(Product(id=1, sku="TS", name="T-Shirt"))
        with db.read_transaction(engine) as session:
            assert session.execute(select(PRODUCTS.c.id).where(PRODUCTS.c.id == 1)).all()
    finally:
        engine.dispose()
    assert statements[0] == "BEGIN IMMEDIATE"
    assert "BEGIN" in statements[1:]


def test_write_transaction_rolls_back_on_error(db_url: str) -> None:
    from orderwf.store.tables import Product

    def insert_then_fail() -> None:
        with db.write_transaction(engine) as session:
            session.add(Product(id=1, sku="TS", name="T-Shirt"))
            session.flush()
            raise RuntimeError("boom")

    engine = db.connect(db_url)
    try:
        with pytest.raises(RuntimeError):
            insert_then_fail()
        with db.read_transaction(engine) as session:
            assert not session.execute(select(PRODUCTS.c.id).where(PRODUCTS.c.id == 1)).all()
    finally:
        engine.dispose()
