"""When the database misbehaves (SPEC §4, issue 17): lock waits are bounded, bulk runs skip
what others hold, a lost connection says what was done, and every database error a user can
meet is one sentence (exit 1) with no password and no SQL parameter in it. Real SQLite files
and a real PostgreSQL server; the faults are real too (a lock held by another connection, a
killed backend, a read-only database, a role over its connection limit, a file size limit),
or raised by the server itself from a trigger with the SQLSTATE it would use."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from orderwf.cli.app import get_app
from orderwf.service import bulk
from orderwf.service import orders as service_orders
from orderwf.service.imports import import_products
from orderwf.service.orders import create_order
from orderwf.store import db
from orderwf.store.core import HISTORY
from orderwf.workflow.loader import load_workflow
from orderwf.workflow.model import Workflow
from shop import libpq_dsn

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "workflows" / "woocommerce.yaml"
SECRET, QUERY_SECRET = "Sekr3tPW", "Sekr3tKEY"
CUSTOMER = "private.customer@example.com"
PRODUCTS = [
    {"id": 1, "sku": "TS", "name": "T-Shirt", "price": "12.00", "manage_stock": True,
     "stock_quantity": 100},
]  # fmt: skip
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "ORDERWF_DB": None}


def _with_secrets(url: str) -> str:
    """The same database, with a password in the user info and a password-like parameter:
    PostgreSQL's trust authentication ignores both, and neither may ever be printed."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.set(password=SECRET, query={"sslpassword": QUERY_SECRET}).render_as_string(
        hide_password=False
    )


@pytest.fixture
def url(db_url: str) -> str:
    return _with_secrets(db_url)


@pytest.fixture
def shop(url: str) -> Iterator[tuple[Engine, Workflow, list[int]]]:
    """Six pending orders of one T-shirt each (from the checkout: the timer may cancel them)."""
    engine = db.connect(url)
    wf = load_workflow(WORKFLOW)
    import_products(engine, PRODUCTS)
    created = datetime.now(UTC) - timedelta(hours=2)
    ids = [
        create_order(engine, wf, email=CUSTOMER, lines=["TS=1"], via="checkout", now=created)
        for _ in range(6)
    ]
    yield engine, wf, ids
    engine.dispose()


def run(url: str, *args: str, env: dict[str, str | None] | None = None) -> Result:
    result = CliRunner().invoke(
        get_app(),
        ["--db", url, "--workflow", str(WORKFLOW), "--actor", "alice", *args],
        env=ENV | (env or {}),
        catch_exceptions=False,
    )
    output = result.stdout + result.stderr
    assert SECRET not in output
    assert QUERY_SECRET not in output
    assert CUSTOMER not in result.stderr  # no SQL parameters
    assert "Traceback" not in output
    return result


def _history(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(HISTORY)).scalar_one())


def _shown(url: str) -> str:
    """The URL as messages show it."""
    return url.replace(f":{SECRET}@", ":***@").replace(QUERY_SECRET, "***")


class Locker:
    """Another session holding locks: order rows (`FOR UPDATE`) on PostgreSQL, the write lock
    (`BEGIN IMMEDIATE`) on SQLite."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        if self.sqlite:
            self.conn: Any = sqlite3.connect(parsed.database or "", isolation_level=None)
        else:
            dsn = parsed.set(drivername="postgresql", query={}).render_as_string(False)
            self.conn = psycopg.connect(dsn)

    def hold(self, table_name: str = "orders", *ids: int) -> Locker:
        if self.sqlite:
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            for row_id in ids:
                self.conn.execute(
                    f"SELECT id FROM {table_name} WHERE id = %s FOR UPDATE", (row_id,)
                )
        return self

    def release(self) -> None:
        if self.sqlite:
            self.conn.execute("ROLLBACK")
        else:
            self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def locker(url: str, shop: Any) -> Iterator[Locker]:
    held = Locker(url)
    yield held
    held.close()


# --- Lock waits ---------------------------------------------------------------------------------


def test_an_apply_waits_at_most_the_lock_timeout(
    url: str, shop: Any, locker: Locker, db_url: str
) -> None:
    engine, _, ids = shop
    locker.hold("orders", ids[0])
    before = _history(engine)

    result = run(url, "--lock-timeout", "0.2", "apply", str(ids[0]), "hold")

    assert result.exit_code == 1
    if locker.sqlite:
        expected = (
            f"error: order #{ids[0]} cannot be changed now: the database is locked by another "
            "process (waited 0.2 s); try again\n"
        )
    else:
        expected = (
            f"error: order #{ids[0]} is being changed by someone else (waited 0.2 s); try again\n"
        )
    assert result.stderr == expected
    locker.release()
    assert _history(engine) == before


def test_the_lock_timeout_comes_from_the_environment(url: str, shop: Any, locker: Locker) -> None:
    _, _, ids = shop
    locker.hold("orders", ids[0])

    result = run(url, "apply", str(ids[0]), "hold", env={"ORDERWF_LOCK_TIMEOUT": "0.1"})

    assert result.exit_code == 1
    assert "(waited 0.1 s); try again" in result.stderr


@pytest.mark.parametrize("value", ["nan", "-1", "inf", "x"])
def test_a_bad_lock_timeout_is_a_usage_error(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(
        get_app(), ["--lock-timeout", value, "--db", f"sqlite:///{tmp_path}/x.db", "order", "list"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid value for '--lock-timeout'")
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_bulk_apply_skips_locked_orders_and_lists_them_as_busy(
    url: str, shop: Any, locker: Locker
) -> None:
    engine, _, ids = shop
    locker.hold("orders", ids[1], ids[4])

    result = run(url, "apply", "--ids", ",".join(map(str, ids)), "hold")

    assert result.exit_code == 1
    assert result.stdout == (
        "hold: 4 order(s) applied, 0 refused, 2 busy\n"
        f"  #{ids[1]}: busy (being changed by someone else); run the command again\n"
        f"  #{ids[4]}: busy (being changed by someone else); run the command again\n"
    )
    locker.release()
    again = run(url, "apply", "--status", "pending", "hold")
    assert (again.exit_code, again.stdout) == (0, "hold: 2 order(s) applied, 0 refused\n")


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_tick_skips_locked_orders_and_lists_them_as_busy(
    url: str, shop: Any, locker: Locker
) -> None:
    _, _, ids = shop
    locker.hold("orders", ids[2])

    result = run(url, "tick", "--json")

    assert result.exit_code == 1
    assert result.stdout.replace(" ", "").replace("\n", "") == (
        f'{{"cancel_unpaid":{{"applied":5,"refused":[],"busy":[{ids[2]}]}}}}'
    )


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_batch_that_waits_too_long_for_a_product_is_busy_and_unchanged(
    url: str, shop: Any, locker: Locker
) -> None:
    engine, _, ids = shop
    locker.hold("product", 1)  # the stock every order of the batch reduces
    before = _history(engine)

    result = run(url, "--lock-timeout", "0.2", "apply", "--status", "pending", "process")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "process: 0 order(s) applied, 0 refused, 6 busy"
    assert _history(engine) == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_a_write_lock_held_too_long_stops_a_bulk_run_saying_what_was_done(
    url: str, shop: Any
) -> None:
    _, wf, ids = shop
    engine = db.connect(url, lock_timeout=0.2)
    holder = Locker(url)

    def after_batch(_n: int) -> None:
        if not holder.conn.in_transaction:
            holder.hold()

    try:
        with pytest.raises(bulk.RunStopped) as stopped:
            bulk.apply(engine, wf, "hold", actor="t", ids=ids, batch_size=2, progress=after_batch)
    finally:
        holder.close()
        engine.dispose()
    assert str(stopped.value) == (
        "the database is locked by another process (waited 0.2 s): 2 orders applied in 1 "
        "batch; the others are unchanged; run the command again to finish"
    )
    assert stopped.value.report.applied == 2


# --- A lost connection -------------------------------------------------------------------------


def _terminate_backends(engine: Engine) -> None:
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        conn.commit()


def _allow_connections(admin_url: str, url: str, allowed: bool) -> None:
    name = make_url(url).database
    dsn = libpq_dsn(admin_url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_connection_killed_between_batches_is_replaced(url: str, shop: Any) -> None:
    engine, wf, ids = shop
    bystander = db.connect(url)  # kills the run's connections from outside them

    report = bulk.apply(
        engine, wf, "hold", actor="t", ids=ids, batch_size=2,
        progress=lambda _n: _terminate_backends(bystander),
    )  # fmt: skip

    bystander.dispose()
    assert (report.applied, report.batches, report.refused, report.busy) == (6, 3, [], [])


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_connection_lost_mid_run_says_what_was_done(
    pg_url: str, url: str, shop: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    engine, wf, ids = shop
    bystander = db.connect(url)
    lost = False

    def after_batch(_n: int) -> None:
        nonlocal lost
        if not lost:
            lost = True
            _allow_connections(pg_url, url, False)
            _terminate_backends(bystander)

    try:
        with pytest.raises(bulk.RunStopped) as stopped:
            bulk.apply(engine, wf, "hold", actor="t", ids=ids, batch_size=2, progress=after_batch)
    finally:
        _allow_connections(pg_url, url, True)
        bystander.dispose()
    message = str(stopped.value)
    assert message.startswith(f"the connection to the database {_shown(url)} was lost (")
    assert message.endswith(
        "): 2 orders applied in 1 batch; the others are unchanged; run the command again to finish"
    )
    assert SECRET not in message
    assert QUERY_SECRET not in message
    assert capfd.readouterr().err == ""  # no "error ignored terminating <psycopg.Pipeline …>"
    again = run(url, "apply", "--status", "pending", "hold")
    assert (again.exit_code, again.stdout) == (0, "hold: 4 order(s) applied, 0 refused\n")


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_connection_lost_during_one_apply_says_how_to_check(
    url: str, shop: Any, locker: Locker
) -> None:
    engine, _, ids = shop
    locker.hold("orders", ids[0])
    results: list[Result] = []
    apply = threading.Thread(
        target=lambda: results.append(run(url, "apply", str(ids[0]), "hold", "--key", "k1"))
    )
    apply.start()
    _wait_until_blocked(locker.conn)  # the apply waits for the order, inside its pipeline
    with psycopg.connect(locker.conn.info.dsn, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
    apply.join()
    locker.release()

    [result] = results
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()  # no "error ignored terminating <psycopg.Pipeline …>"
    assert line.startswith(f"error: the connection to the database {_shown(url)} was lost (")
    assert line.endswith(
        f") during 'hold' on order #{ids[0]}; see `orderwf order history {ids[0]}` for whether "
        "it was applied, or run the command again (the key 'k1' makes that safe)"
    )
    assert service_orders.show(engine, ids[0]).status == "pending"


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_psycopg_teardown_warnings_are_not_printed(url: str) -> None:
    # What psycopg logs when a pipeline cannot be closed on a dead connection (seen after
    # pg_terminate_backend): the one sentence of the error says it all.
    probe = (
        f"import logging; from orderwf.store import db; db.connect({url!r}).dispose(); "
        "logging.getLogger('psycopg').warning('error ignored terminating <psycopg.Pipeline>')"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stderr == ""


# --- One sentence per kind of failure -----------------------------------------------------------


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_read_only_postgresql_database_is_one_sentence(pg_url: str, url: str, shop: Any) -> None:
    engine, _, ids = shop
    name = make_url(url).database
    admin = libpq_dsn(pg_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    engine.dispose()  # new sessions get the setting

    result = run(url, "apply", str(ids[0]), "hold")

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the database {_shown(url)} is read-only (a standby, or "
        "default_transaction_read_only is on): nothing was changed\n"
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_read_only_sqlite_database_is_one_sentence(url: str, shop: Any) -> None:
    _, _, ids = shop
    path = make_url(url).database
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"

    result = run(read_only, "apply", str(ids[0]), "hold")

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the database {read_only} is read-only (check the file's and folder's "
        "permissions): nothing was changed\n"
    )


@pytest.mark.parametrize(
    ("sqlstate", "sentence"),
    [
        ("53100", "has no disk space left: nothing was changed by the transaction that failed; "
                  "free space and run the command again"),
        ("53300", "has too many connections open: try again later, or raise the server's "
                  "max_connections"),
        ("40001", "stopped this change because of a concurrent one (serialization failure): "
                  "nothing was changed by it; run the command again"),
        ("40P01", "stopped this change to break a deadlock with a concurrent one: nothing was "
                  "changed by it; run the command again"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_server_error_a_user_can_meet_is_one_sentence(
    url: str, shop: Any, sqlstate: str, sentence: str
) -> None:
    engine, _, ids = shop
    _fail_updates_of_orders(url, sqlstate)
    before = _history(engine)

    result = run(url, "apply", str(ids[0]), "hold")

    assert result.exit_code == 1
    assert result.stderr == f"error: the database {_shown(url)} {sentence}\n"
    assert _history(engine) == before


@pytest.mark.parametrize(
    ("sqlstate", "message", "error"),
    [
        ("XX000", "raised by the test", "InternalError_"),
        # Words that mean a bad URL or a missing database at connect, and a bug once connected
        ("42P01", 'relation "nope" does not exist', "UndefinedTable"),
        ("22P02", "invalid input value for enum nope", "InvalidTextRepresentation"),
    ],
)
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_an_unexpected_database_error_is_a_bug_without_sql_parameters(
    url: str, shop: Any, sqlstate: str, message: str, error: str
) -> None:
    _, _, ids = shop
    _fail_updates_of_orders(url, sqlstate, message)

    result = run(url, "apply", str(ids[0]), "hold")

    assert result.exit_code == 3
    assert result.stderr == (
        f"internal error: DatabaseFailure: the database {_shown(url)} reported an unexpected "
        f"error (psycopg.errors.{error}: {message}). This is a bug in orderwf; please report it "
        "with the command you ran (add --debug for details).\n"
    )


def _fail_updates_of_orders(url: str, sqlstate: str, message: str = "raised by the test") -> None:
    """A trigger makes the server raise `sqlstate` on any update of an order, as it would for
    a full disk or a serialization failure."""
    dsn = make_url(url).set(drivername="postgresql", query={}).render_as_string(False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION orderwf_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '%', {_quoted(message)} USING ERRCODE = '{sqlstate}'; END $$"
        )
        conn.execute(
            "CREATE TRIGGER orderwf_test_fail BEFORE UPDATE ON orders "
            "FOR EACH ROW EXECUTE FUNCTION orderwf_test_fail()"
        )


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_role_over_its_connection_limit_is_one_sentence(pg_url: str, url: str) -> None:
    role = f"orderwf_limited_{uuid.uuid4().hex[:8]}"
    admin = libpq_dsn(pg_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0")
    limited = make_url(url).set(username=role).render_as_string(hide_password=False)
    try:
        result = run(limited, "order", "list")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP ROLE {role}")

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the database {_shown(limited)} has too many connections open: try again later, "
        "or raise the server's max_connections\n"
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_full_disk_is_one_sentence_without_sql_parameters(url: str, shop: Any) -> None:
    engine, _, ids = shop
    before = _history(engine)
    engine.dispose()

    def small_files() -> None:  # a file size limit: writes past it fail as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    command = [sys.executable, "-m", "orderwf", "--db", url, "--workflow", str(WORKFLOW)]
    done = subprocess.run(
        [*command, "apply", "--ids", ",".join(map(str, ids)), "hold"],
        preexec_fn=small_files,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("ORDERWF_")},
        check=False,
    )

    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: the database {url} ")
    assert "run the command again" in line
    assert CUSTOMER not in done.stderr
    assert _history(engine) == before


# --- Idempotency keys under concurrency ---------------------------------------------------------


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_the_same_key_on_two_orders_at_once_is_a_refusal(url: str, shop: Any) -> None:
    engine, wf, ids = shop
    dsn = make_url(url).set(drivername="postgresql", query={}).render_as_string(False)
    first = psycopg.connect(dsn)  # an apply with key K on the first order, not committed yet
    first.execute(
        "INSERT INTO history (order_id, at, actor, action, params, from_status, to_status, "
        "idempotency_key, request_hash, effects) VALUES (%s, now(), 'bob', 'hold', '{}', "
        "'pending', 'on-hold', 'K', 'x', '[]')",
        (ids[0],),
    )
    results: list[Result] = []
    second = threading.Thread(
        target=lambda: results.append(run(url, "apply", str(ids[1]), "hold", "--key", "K"))
    )
    second.start()
    _wait_until_blocked(first)
    first.commit()
    second.join()
    first.close()

    [result] = results
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: idempotency key 'K' was already used for 'hold' on order #{ids[0]}; "
        "use a new key\n"
    )
    assert service_orders.show(engine, ids[1]).status == "pending"


def _wait_until_blocked(conn: psycopg.Connection[Any]) -> None:
    """Until another session waits for a lock this one holds."""
    deadline = time.monotonic() + 60  # against a hang, not a measure
    while time.monotonic() < deadline:
        with psycopg.connect(conn.info.dsn, autocommit=True) as probe:
            waiting = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).fetchone()
        if waiting and waiting[0]:
            return
        time.sleep(0.05)
    pytest.fail("the second apply never waited for the first")


# --- URLs: never a password ---------------------------------------------------------------------


HOST = f"postgresql+psycopg://u:{SECRET}@127.0.0.1"
MODES = "disable, allow, prefer, require, verify-ca, verify-full"


@pytest.mark.parametrize(
    ("given", "shown", "code"),
    [
        (f"postgresql+psycopg://u:{SECRET}@[::1/db",
         "'postgresql+psycopg://u:***@[::1/db' is not a database URL", 2),
        (f"{HOST}:99999/db", "has port 99999: expected a port number from 1 to 65535", 2),
        (f"{HOST}/db?port=0", "has port 0: expected a port number from 1 to 65535", 2),
        (f"{HOST}/db?sslmode=bogus&password={QUERY_SECRET}",
         f"?sslmode=bogus&password=*** has sslmode=bogus: expected one of {MODES}", 2),
        (f"{HOST}/db?connect_timeout=x",
         "has connect_timeout=x: expected a whole number of seconds", 2),
        (f"{HOST}/db?bogus=1&sslpassword={QUERY_SECRET}",
         'has a bad option: invalid connection option "bogus"', 2),
        (f"{HOST}:1/db?sslpassword={QUERY_SECRET}",
         "cannot open the database postgresql+psycopg://u:***@127.0.0.1:1/db?sslpassword=***: "
         "connection failed", 1),
        (f"postgresql://u:p/{SECRET}@127.0.0.1:1/db", "postgresql://u:***@127.0.0.1:1/db", 1),
    ],
)  # fmt: skip
def test_urls_in_messages_never_show_a_password(given: str, shown: str, code: int) -> None:
    result = run(given, "order", "list")

    assert result.exit_code == code
    assert result.stderr.count("\n") == 1
    assert shown in result.stderr


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_database_that_does_not_exist_shows_no_password(url: str) -> None:
    missing = make_url(url).set(database="orderwf_no_such_db").render_as_string(False)

    result = run(missing, "order", "list")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot open the database {_shown(missing)}: ")


# --- The bulk writer's errors ---------------------------------------------------------------


def test_a_failing_bulk_write_is_one_sentence_without_its_parameters(url: str, shop: Any) -> None:
    # `driver.Write` runs on the DBAPI cursor: its error is SQLAlchemy's `DBAPIError`, as from
    # Core's own statements, which the one-sentence translation reads; neither holds a row.
    from sqlalchemy.exc import DBAPIError

    from orderwf.store import driver, faults
    from orderwf.store.core import HISTORY

    engine, _wf, ids = shop
    row = {
        "order_id": ids[0], "at": datetime.now(UTC), "actor": CUSTOMER, "action": "hold",
        "params": {}, "from_status": "pending", "to_status": "on-hold", "idempotency_key": "K",
        "request_hash": "", "effects": [], "workflow_version_id": None,
    }  # fmt: skip
    with pytest.raises(faults.Conflict) as failed, db.write_transaction(engine) as session:
        driver.insert(session, HISTORY).send_dicts(session, [row, {**row, "order_id": ids[1]}])
    assert CUSTOMER not in str(failed.value)
    assert isinstance(failed.value.__context__, DBAPIError)
    assert CUSTOMER not in str(failed.value.__context__)
