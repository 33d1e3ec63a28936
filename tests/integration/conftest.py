"""Fixtures of the integration tests: real databases (SQLite files; PostgreSQL when a server is
available) and the WooCommerce example payloads."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# --- Databases (store: db, migrations, imports) ----------------------------------------------

WOO_DIR = Path(__file__).parent.parent / "data" / "woocommerce"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(*command: str) -> list[str]:
    """Run a PostgreSQL binary as the `postgres` user: initdb refuses to run as root."""
    if os.geteuid() != 0:
        return list(command)
    return ["runuser", "-u", "postgres", "--", *command]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"no PostgreSQL server: {reason}")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The URL of a PostgreSQL server to test against: `ORDERWF_TEST_PG_URL`, else a throwaway
    cluster started here; skipped when neither works (a failure when `CI` is set)."""
    given = os.environ.get("ORDERWF_TEST_PG_URL")
    if given:
        yield given
        return
    if not shutil.which("initdb") or not shutil.which("pg_ctl"):
        _unavailable("ORDERWF_TEST_PG_URL is not set and initdb/pg_ctl are not on PATH")
    root = Path(tempfile.mkdtemp(prefix="orderwf-pg-"))
    data = root / "data"
    port = _free_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(root, user="postgres")
        subprocess.run(
            _as_postgres("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_postgres(
                "pg_ctl",
                "-D",
                str(data),
                "-l",
                str(root / "log"),
                "-w",
                "start",
                "-o",
                f"-h 127.0.0.1 -p {port} -k {root} -F",
            ),
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError, LookupError) as e:
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"could not start a throwaway cluster ({e})")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres("pg_ctl", "-D", str(data), "-m", "immediate", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_db_url(pg_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(pg_url)
    name = f"orderwf_test_{uuid.uuid4().hex[:12]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'orderwf.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database of each kind."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_db_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def woo_dir() -> Path:
    """The WooCommerce REST API documentation's example payloads."""
    return WOO_DIR
