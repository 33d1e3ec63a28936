"""The database engine: one URL in, a ready SQLAlchemy `Engine` out (SPEC §4).

SQLite gets WAL, foreign keys and a busy timeout on every connection, and SQLAlchemy takes over
`BEGIN` from the sqlite3 driver (the documented pysqlite recipe) so that reads are repeatable and
a write transaction can start with `BEGIN IMMEDIATE`: it takes the write lock before the first
read, so two operators applying actions to one order queue up instead of failing mid-way.

On PostgreSQL an engine keeps the connection its last transaction or look ended with, clean,
for the next one (`_kept`): a process applying actions one after the other does not check a
connection out of the pool and back in each time. `transaction` gives the store a plain
`tx.CoreTx` on it, and `read_transaction` one on a connection of its own; `write_transaction` a
`Session`, for the ORM's users (creating orders and products, a stock level set).

Any command that opens the database migrates a fresh one to the newest schema. The check is one
query against `alembic_version` compared to `migrations.HEAD`; Alembic itself is imported only
when there is something to migrate.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import create_engine, event, exc, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from orderwf.errors import StoreError, UsageError
from orderwf.store import faults
from orderwf.store.columns import json_bytes, json_dumps, json_loads, load_json
from orderwf.store.migrations import HEAD
from orderwf.store.tx import CoreTx, Tx
from orderwf.urls import redact

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlmodel import Session

DEFAULT_LOCK_TIMEOUT = 10.0  # seconds (SPEC §4: `--lock-timeout`)
BUSY_TIMEOUT_MS = int(DEFAULT_LOCK_TIMEOUT * 1000)
# Any constant will do: it only has to be the same in every orderwf process.
_PG_MIGRATION_LOCK = 0x6F7277660001
_BEGIN_OPTION = "orderwf_begin"
T = TypeVar("T")
_SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def connect(
    url: str,
    *,
    migrate: bool = True,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    must_exist: bool = False,
) -> Engine:
    """An engine for `url`, its schema migrated to the newest revision (unless `migrate=False`).
    A lock wait (a row on PostgreSQL, the database's write lock on SQLite) lasts at most
    `lock_timeout` seconds, then fails (`faults.Busy`).

    Raises `StoreError` when the database cannot be opened, is not a database, or carries a
    schema revision this version of orderwf does not know (a newer orderwf wrote it).
    `must_exist` (a command that only reads): a SQLite file that does not exist is refused,
    naming it, instead of being created: a mistyped path must not look like an empty shop."""
    engine = _create_engine(url, lock_timeout)
    if must_exist:
        try:
            refuse_missing_file(engine)
        except BaseException:
            engine.dispose()
            raise
    try:
        if migrate:
            _ensure_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def missing_file(url: str) -> Path | None:
    """The SQLite file `url` names, if it does not exist yet (SQLite would create it on first
    use); else None: it exists, or the database is not a SQLite file, or `url` is malformed
    (which `connect` reports)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    if database.startswith("file:") or Path(database).exists():  # a URI: SQLite's own rules
        return None
    return Path(database).resolve()


def refuse_missing_file(engine: Engine) -> None:
    """`UsageError` when `engine` is a SQLite file that does not exist (SQLite would create it)."""
    missing = missing_file(engine.url.render_as_string(hide_password=False))
    if missing is None:
        return
    raise UsageError(
        f"there is no database at {missing}: check --db (or ORDERWF_DB); "
        "this command only reads, so it creates none (a command that writes, or "
        "'orderwf db upgrade', creates it)"
    )


def upgrade(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> tuple[str | None, str]:
    """Migrate the database at `url` to the newest schema (`orderwf db upgrade`).
    Returns the revision it had before (None for an empty database) and the one it has now."""
    engine = _create_engine(url, lock_timeout)
    try:
        return _ensure_current(engine)
    finally:
        engine.dispose()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """A session in a write transaction (`_writing`), for the ORM's users (creating orders
    and products). Commits on a normal exit, rolls back on an exception."""
    from sqlmodel import Session

    with (
        _translated(engine),
        _writing(engine) as conn,
        Session(conn, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


@contextmanager
def transaction(engine: Engine) -> Iterator[Tx]:
    """`write_transaction` for the store's Core statements and cursor work (an apply, a batch
    of a bulk apply), without the ORM's `Session`: a `CoreTx` on the connection, whose
    transaction SQLAlchemy ends (so a failed `COMMIT` is reported as any other)."""
    with _translated(engine), _writing(engine) as conn, conn.begin():
        yield CoreTx(conn)


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A connection for a write transaction: on SQLite it starts with `BEGIN IMMEDIATE` (the
    write lock is taken before the first read) when SQLAlchemy begins it; on PostgreSQL its
    plain `BEGIN` is already sent (`_begun`: it is the connection's ping; lock rows with
    `SELECT … FOR UPDATE`), and SQLAlchemy's begin sends none (psycopg is in autocommit) but
    its end sends the `COMMIT` or `ROLLBACK`."""
    if engine.dialect.driver != "psycopg":
        # The option on the connection: an engine's `execution_options` copy costs more.
        with engine.connect() as conn:
            conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            yield conn
        return
    with _begun(engine) as conn:
        yield conn


@contextmanager
def _begun(engine: Engine) -> Iterator[Connection]:
    """A PostgreSQL connection whose transaction its `BEGIN` has started, that round trip
    doubling as the pool's ping: the checkout does not ping (one round trip less a write), and
    a `BEGIN` that finds a pooled connection dead (nothing done yet) is retried on the next
    one, as a failed ping is, until a new connection answers or fails. psycopg runs in
    autocommit meanwhile, so that it sends no `BEGIN` of its own; `COMMIT` and `ROLLBACK` go as
    usual (psycopg sends them while a transaction is open), and the checkin, when the
    connection goes back to the pool rather than being kept (`_kept`), turns autocommit off
    again."""
    while True:
        conn, pooled = _unpinged(engine)
        if _first_use(conn, pooled, "BEGIN", lambda raw: raw.execute("BEGIN")):
            with _kept(engine, conn):
                yield conn
            return


def _unpinged(engine: Engine) -> tuple[Connection, bool]:
    """A PostgreSQL connection checked out without the pool's ping (its first statement is the
    ping: `_begun`, `look`), psycopg in autocommit (turned off again at checkin), and whether
    it was pooled (else new: a failure of its first statement is real, not a dead connection
    to replace). The connection the engine kept (`_kept`) comes first, as a pooled one. A
    pooled connection psycopg already knows is broken is replaced here."""
    held = _HELD.pop(engine, None)
    if held is not None:
        return held, True
    while True:
        token = _BEGIN_PINGS.set(True)
        try:
            conn = engine.connect()
        finally:
            _BEGIN_PINGS.reset(token)
        pooled = bool(conn.connection.info.get(_RETURNED))
        if _first_use(conn, pooled, "(autocommit)", _autocommit):
            conn.connection.info[_MANUAL_BEGIN] = True
            return conn, pooled


@contextmanager
def _kept(engine: Engine, conn: Connection) -> Iterator[Connection]:
    """`conn` for a transaction or a look; after it, held for the engine's next one (`_HELD`)
    when it is clean (no transaction open, psycopg idle and still in autocommit) and the
    engine holds none yet, else checked in."""
    try:
        yield conn
    finally:
        if not _hold(engine, conn):
            conn.close()


def _hold(engine: Engine, conn: Connection) -> bool:
    if conn.closed or conn.invalidated or conn.in_transaction():
        return False
    raw = conn.connection.driver_connection
    idle = conn.dialect.loaded_dbapi.pq.TransactionStatus.IDLE
    if raw is None or raw.closed or not raw.autocommit or raw.info.transaction_status != idle:
        return False
    return _HELD.setdefault(engine, conn) is conn


def _autocommit(raw: Any) -> None:
    raw.autocommit = True


def _first_use(conn: Connection, pooled: bool, what: str, use: Callable[[Any], object]) -> bool:
    """`use(psycopg connection)`; False when it failed on a pooled connection the server had
    dropped (closed: take the next one). Any other failure closes the connection and is
    raised as SQLAlchemy raises it."""
    dialect = conn.dialect
    raw = conn.connection.driver_connection
    try:
        use(raw)
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, raw, None)
        if lost:
            conn.invalidate(error)
        conn.close()
        if lost and pooled:
            return False
        raise DBAPIError.instance(
            what,
            None,
            error,
            dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=dialect,
        ) from error
    except BaseException:
        conn.close()
        raise
    return True


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Tx]:
    """A transaction for reading (a deferred `BEGIN` on SQLite), on a Core connection: no
    ORM, so a command that only reads and runs Core statements never imports SQLModel.
    Nothing is committed."""
    with _translated(engine), engine.connect() as conn:
        yield CoreTx(conn)


def look(engine: Engine, read: Callable[[Tx], T]) -> T:
    """`read(tx)`, a read that changes nothing, run in autocommit on PostgreSQL: each
    statement is its own transaction, no `BEGIN` and no `COMMIT`/`ROLLBACK` round trips (nor
    psycopg's `DEALLOCATE ALL` after a rollback). Under PostgreSQL's default isolation, read
    committed, each statement of a transaction sees its own snapshot anyway, so a read loses
    nothing; under a server-wide `repeatable read` the statements of one read (an order's seven
    parts) would no longer share a snapshot. SQLite keeps its transaction (`read_transaction`):
    its statements then do share one.

    The read's first statement is the pooled connection's ping, as a write's `BEGIN` is
    (`_begun`): the checkout sends no `;`, and a connection the server dropped while it sat in
    the pool fails the read, which runs again on the next connection (it changed nothing),
    until a new connection answers or fails. psycopg's autocommit is turned on on the
    connection itself (cheaper than SQLAlchemy's isolation level, set and reset per look) and
    off again when the connection goes back to the pool (the engine keeps it meanwhile:
    `_kept`)."""
    if engine.dialect.name != "postgresql":
        with read_transaction(engine) as tx:
            return read(tx)
    with _translated(engine):
        while True:
            conn, pooled = _unpinged(engine)
            try:
                with _kept(engine, conn):
                    try:
                        return read(CoreTx(conn))
                    finally:
                        if conn.in_transaction():  # begun by a Core statement: no DBAPI call
                            conn.rollback()
            except DBAPIError as e:
                if not (pooled and e.connection_invalidated):
                    raise


def lock_timeout_of(engine: Engine) -> float:
    """The `lock_timeout` the engine was created with, in seconds."""
    return faults.state(engine).lock_timeout


def _create_engine(url: str, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # a bad `--db` value (ValueError: a bad port): exit 2
        raise UsageError(
            f"{redact(url)!r} is not a database URL (expected e.g. sqlite:///orderwf.db or "
            "postgresql+psycopg://user@host/db)"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    postgres = parsed.get_backend_name() == "postgresql"
    if postgres:
        _check_postgres_options(url, parsed)

    options: dict[str, Any] = {
        "json_serializer": json_bytes if postgres else json_dumps,
        "json_deserializer": json_loads,
        "hide_parameters": True,  # customer addresses and email bodies stay out of messages
    }
    if postgres:
        # A connection the server dropped since it was pooled is replaced, not used: pinged
        # at checkout (`_ping_on_checkout`), or by its `BEGIN` (`_begun`).
        # libpq's `options`: the user's own (`?options=…`), then the lock wait bound.
        given = parsed.query.get("options", "")
        given = " ".join(given) if isinstance(given, tuple) else given
        wait = f"-c lock_timeout={max(1, round(lock_timeout * 1000))}"
        options["connect_args"] = {"options": f"{given} {wait}".strip()}
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, NoSuchModuleError, ImportError) as e:  # ImportError: no driver
        raise UsageError(
            f"cannot use the database URL {redact(url)}: {faults.scrubbed(str(e), url)} "
            "(expected sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)"
        ) from None
    faults.track(engine, url, lock_timeout)

    if engine.dialect.name == "sqlite":
        memory = parsed.database in (None, "", ":memory:")

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # sqlite3 must not emit BEGIN itself: `_on_begin` does, with the mode asked for.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout = {round(lock_timeout * 1000)}")
                cursor.execute("PRAGMA foreign_keys = ON")
                if not memory:
                    cursor.execute("PRAGMA journal_mode = WAL")
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get(_BEGIN_OPTION, "")
            conn.exec_driver_sql(f"BEGIN {mode}".rstrip())

    else:
        if engine.dialect.driver == "psycopg":
            event.listen(engine, "connect", lambda dbapi_connection, _: load_json(dbapi_connection))
        faults.quiet_driver()
        _ping_on_checkout(engine)
        event.listen(engine, "engine_disposed", _close_kept)
    return engine


_RETURNED = "orderwf_returned"  # a pool record's `info`: it has been checked in before
_MANUAL_BEGIN = "orderwf_manual_begin"  # … and `_unpinged` turned psycopg's autocommit on
# The connection each PostgreSQL engine keeps checked out between its transactions and looks
# (`_kept`): a checkout and a checkin through the pool cost ~70 µs of CPU, two an operator's
# step. Taken by popping (one user at a time, whatever the thread), put back when clean.
_HELD: weakref.WeakKeyDictionary[Engine, Connection] = weakref.WeakKeyDictionary()
# Set while `_unpinged` checks a connection out: its first statement is the ping.
_BEGIN_PINGS: ContextVar[bool] = ContextVar("orderwf_begin_pings", default=False)


def _ping_on_checkout(engine: Engine) -> None:
    """SQLAlchemy's `pool_pre_ping` (a `;` in autocommit at checkout; a failed one replaces the
    pool's connections), but for the checkouts of `_begun`, whose `BEGIN` is the ping."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is None:
            return
        record.info[_RETURNED] = True
        if record.info.pop(_MANUAL_BEGIN, False) and not dbapi_connection.closed:
            dbapi_connection.autocommit = False  # the pool's reset has ended any transaction

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if not record.info.get(_RETURNED) or _BEGIN_PINGS.get():  # new, or `_begun`'s
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as e:
            if dialect.is_disconnect(e, dbapi_connection, None):
                raise exc.InvalidatePoolError(str(e)) from e  # a new connection, and the others
            raise

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_RETURNED, None)  # a record reconnecting after an invalidation


def _close_kept(engine: Engine) -> None:
    """At `engine.dispose()`: close the connection the engine kept (`_kept`), which belongs
    to the pool `dispose` replaced (checked in, it would stay open until that pool is
    collected)."""
    held = _HELD.pop(engine, None)
    if held is not None:
        held.invalidate()
        held.close()


def _check_postgres_options(url: str, parsed: Any) -> None:
    """The libpq options orderwf can check before connecting: a port out of range, an unknown
    `sslmode`, a `connect_timeout` that is not a number are usage errors (exit 2), said in one
    sentence; libpq's own refusals of other values are turned into usage errors at connect."""

    def bad(what: str, expected: str) -> UsageError:
        return UsageError(f"the database URL {redact(url)} has {what}: expected {expected}")

    query = {k: (v[-1] if isinstance(v, tuple) else v) for k, v in parsed.query.items()}
    ports = [str(parsed.port)] if parsed.port is not None else []
    ports += [p for p in query.get("port", "").split(",") if p]
    for port in ports:
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise bad(f"port {port}", "a port number from 1 to 65535")
    sslmode = query.get("sslmode")
    if sslmode is not None and sslmode not in _SSLMODES:
        raise bad(f"sslmode={sslmode}", f"one of {', '.join(_SSLMODES)}")
    timeout = query.get("connect_timeout")
    if timeout is not None and not timeout.strip().isdigit():
        raise bad(f"connect_timeout={timeout}", "a whole number of seconds")


def _ensure_current(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to HEAD. Fast path: one SELECT when it is already there."""
    with _translated(engine):
        with engine.connect() as conn:
            current = _current_revision(conn)
            conn.rollback()
        if current == HEAD:
            return current, HEAD
        return _migrate(engine)


def _current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        tables = inspect(conn).get_table_names()
        if tables:
            raise StoreError(
                f"the database {redact(str(conn.engine.url))} has tables "
                f"({', '.join(sorted(tables)[:3])}…) but no orderwf schema revision; "
                "use an empty database or one created by orderwf"
            )
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise StoreError(f"the database has several schema revisions ({', '.join(rows)})")
    return rows[0] if rows else None


def _migrate(engine: Engine) -> tuple[str | None, str]:
    """Run Alembic under the write lock, re-reading the revision once the lock is held so that
    two processes opening a fresh database at once migrate it once."""
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config()
    known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
    with engine.connect() as conn:
        conn = conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            before = _current_revision(conn)
            if before is not None and before not in known:
                raise StoreError(
                    f"the database has schema revision {before}, which this version of orderwf "
                    f"does not know (its newest is {HEAD}): upgrade orderwf to use it"
                )
            if before != HEAD:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
    return before, HEAD


def alembic_config() -> Any:
    """The Alembic configuration of the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    return config


@contextmanager
def _translated(engine: Engine) -> Iterator[None]:
    """Database errors a user can cause or meet become one sentence (`faults.explain`); the
    rest, a bug, is reported without its SQL parameters."""
    try:
        yield
    except DBAPIError as e:
        raise faults.explain(engine, e) from None
    except SQLAlchemyError as e:
        raise faults.explain_other(engine, e) from None
