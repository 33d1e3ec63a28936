"""When the database misbehaves (SPEC §4, docs/operations.md): every error a user can cause or
meet becomes one sentence, with the URL's secrets masked and never an SQL parameter.

| what | error | exit |
|---|---|---|
| cannot connect, not a database, bad credentials | `StoreError` "cannot open the database …" | 1 |
| a bad libpq option (`sslmode=bogus`) | `UsageError` | 2 |
| a lock wait longer than `--lock-timeout` | `Busy` | 1 |
| the connection lost after it was opened | `ConnectionLost` | 1 |
| read-only, disk full, too many connections, serialization, deadlock | `StoreError` | 1 |
| a unique key taken by a concurrent transaction | `Conflict` | 1 |
| anything else | `DatabaseFailure` (a bug) | 3 |

A lost connection is told apart from one that could not be opened by whether this engine ever
connected: the former happens mid-run, after work may have been committed."""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from orderwf.errors import StoreError, UsageError
from orderwf.urls import redact, scrub

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Busy(StoreError):
    """A lock wait ran out (`--lock-timeout`): a row on PostgreSQL, the whole database on
    SQLite (`whole_database`). Nothing was changed by the transaction that waited."""

    def __init__(self, message: str, *, waited: float, whole_database: bool) -> None:
        super().__init__(message)
        self.waited = waited
        self.whole_database = whole_database


class ConnectionLost(StoreError):
    """The database went away after the run had connected: what was committed stays, the
    transaction in flight is rolled back by the server."""


class Conflict(StoreError):
    """A unique value (`constraint`) was taken by a concurrent transaction."""

    def __init__(self, message: str, *, constraint: str) -> None:
        super().__init__(message)
        self.constraint = constraint


class DatabaseFailure(Exception):
    """A database error orderwf did not expect: a bug, reported (exit 3) in one line without
    the statement's SQL or parameters."""


@dataclass
class State:
    url: str
    lock_timeout: float
    connected: bool = False


_STATES: weakref.WeakKeyDictionary[Engine, State] = weakref.WeakKeyDictionary()

# SQLSTATE (PostgreSQL) or SQLite error name → (kind, what to say). The sentence follows
# "the database URL …".
_PG = {
    "25006": ("read_only", "is read-only (a standby, or default_transaction_read_only is on)"),
    "53100": ("full", "has no disk space left"),
    "53200": ("full", "is out of memory"),
    "53300": ("connections", "has too many connections open"),
    "53400": ("full", "hit a configured limit"),
    "40001": ("retry", "stopped this change because of a concurrent one (serialization failure)"),
    "40P01": ("retry", "stopped this change to break a deadlock with a concurrent one"),
    "57014": ("retry", "cancelled the statement (statement_timeout?)"),
    "25P03": (
        "retry",
        "ended the transaction for being idle (idle_in_transaction_session_timeout)",
    ),
}
_SQLITE = {
    "SQLITE_READONLY": ("read_only", "is read-only (check the file's and folder's permissions)"),
    "SQLITE_FULL": ("full", "has no disk space left (database or disk is full)"),
    "SQLITE_IOERR": ("full", "could not be written (disk I/O error: a full or failing disk?)"),
}
# A server that cannot be reached: at the start, it cannot be opened; mid-run, it was lost.
_CONNECT_FAILURES = (
    "connection failed",
    "connection refused",
    "could not connect",
    "could not translate host name",
)
# A database that cannot be opened: only at connect (PostgreSQL) or on SQLite, since once
# connected "does not exist" is a missing table, a bug.
_OPEN_FAILURES = (
    "unable to open database",
    "file is not a database",
    "database disk image is malformed",
    "password authentication failed",
    "no password supplied",
    "does not exist",  # database "x" does not exist, role "x" does not exist
    "no pg_hba.conf entry",
)
_CONNECTIONS = ("too many clients", "too many connections")
_READ_ONLY = ("read-only transaction", "readonly database")
# libpq refusing an option's value or name: the URL is wrong (exit 2).
_BAD_OPTIONS = ("invalid uri query parameter", "invalid connection option", "bad value for")
_BAD_VALUE = ("invalid ", " value")
# The server going away mid-run (its SQLSTATE class 08 too, and 57P01–57P03).
_LOST = (
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "connection is lost",
    "the connection is lost",
    "consuming input failed",
    "sending query failed",
    "ssl syscall error",
    "eof detected",
)


def track(engine: Engine, url: str, lock_timeout: float) -> None:
    """Remember what the messages about `engine` need: its URL, its lock timeout, and whether
    it ever connected."""

    state = State(url, lock_timeout)
    _STATES[engine] = state

    @event.listens_for(engine, "first_connect")
    def _connected(_dbapi_connection: Any, _record: Any) -> None:
        state.connected = True


def state(engine: Engine) -> State:
    found = _STATES.get(engine)
    if found is None:  # an engine orderwf did not make (a test's): its own URL, the default
        found = _STATES[engine] = State(str(engine.url), 10.0, connected=True)
    return found


def quiet_driver() -> None:
    """psycopg logs "error ignored terminating <psycopg.Pipeline …>" when a pipeline cannot be
    closed on a connection that is already gone; the one sentence of the error says it all.
    A handler here stops Python's last-resort printing; an application's own logging still
    gets the records."""
    logger = logging.getLogger("psycopg")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def waited(seconds: float) -> str:
    return f"{seconds:g} s"


def explain(engine: Engine, error: Any) -> Exception:
    """The exception to raise instead of the DBAPI error `error` (SQLAlchemy's wrapper)."""
    st = state(engine)
    url = redact(st.url)
    orig = getattr(error, "orig", None) or error
    reason = scrubbed(_first_line(orig), st.url)
    lowered = reason.lower()
    sqlstate = str(getattr(orig, "sqlstate", "") or "")
    sqlite = str(getattr(orig, "sqlite_errorname", "") or "")
    if sqlstate == "55P03" or sqlite.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        whole = bool(sqlite)
        what = "the database is locked by another process" if whole else "a row is locked"
        return Busy(
            f"{what} (waited {waited(st.lock_timeout)}); try again",
            waited=st.lock_timeout,
            whole_database=whole,
        )
    if sqlstate == "23505" or sqlite == "SQLITE_CONSTRAINT_UNIQUE":
        diag = getattr(orig, "diag", None)
        constraint = str(getattr(diag, "constraint_name", None) or reason)
        return Conflict(f"a unique value is already taken ({reason})", constraint=constraint)
    if not st.connected and (
        any(s in lowered for s in _BAD_OPTIONS)
        or (lowered.startswith(_BAD_VALUE[0]) and _BAD_VALUE[1] in lowered)
    ):  # libpq checks its options when it connects; later, "invalid … value" is about data
        return UsageError(f"the database URL {url} has a bad option: {reason}")
    known = _PG.get(sqlstate) or _SQLITE.get(sqlite) or _SQLITE.get(_sqlite_base(sqlite))
    if known is None and any(s in lowered for s in _CONNECTIONS):
        known = _PG["53300"]
    if known is None and any(s in lowered for s in _READ_ONLY):
        known = _PG["25006"] if not sqlite else _SQLITE["SQLITE_READONLY"]
    if known is not None:
        kind, what = known
        after = {
            "read_only": "nothing was changed",
            "full": "nothing was changed by the transaction that failed; free space and run "
            "the command again",
            "connections": "try again later, or raise the server's max_connections",
            "retry": "nothing was changed by it; run the command again",
        }[kind]
        return StoreError(f"the database {url} {what}: {after}")
    lost = _is_lost(error, sqlstate, lowered)
    unreachable = any(s in lowered for s in _CONNECT_FAILURES)
    if st.connected and not sqlite and (lost or unreachable):
        # Mid-run: the server went away, or cannot be reached again.
        return ConnectionLost(f"the connection to the database {url} was lost ({reason})")
    opening = any(s in lowered for s in _OPEN_FAILURES) and (sqlite or not st.connected)
    if lost or unreachable or opening:
        return StoreError(f"cannot open the database {url}: {reason}")
    name = f"{type(orig).__module__}.{type(orig).__name__}"
    return DatabaseFailure(f"the database {url} reported an unexpected error ({name}: {reason})")


def explain_other(engine: Engine, error: Exception) -> Exception:
    """A SQLAlchemy error that is not the driver's: after a lost connection, SQLAlchemy refuses
    to go on with the transaction; anything else is a bug, said without SQL parameters."""
    st = state(engine)
    reason = scrubbed(_first_line(error), st.url)
    name = type(error).__name__
    if name in ("PendingRollbackError", "ResourceClosedError") or "invalid transaction" in reason:
        return ConnectionLost(f"the connection to the database {redact(st.url)} was lost")
    return DatabaseFailure(f"SQLAlchemy {name}: {reason}")


def scrubbed(text: str, url: str) -> str:
    return scrub(text, url)


def _sqlite_base(name: str) -> str:
    """`SQLITE_IOERR_WRITE` → `SQLITE_IOERR`."""
    return "_".join(name.split("_")[:2])


def _is_lost(error: Any, sqlstate: str, lowered: str) -> bool:
    if getattr(error, "connection_invalidated", False):
        return True
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return True
    return any(s in lowered for s in _LOST)


def _first_line(error: Any) -> str:
    lines = [ln.strip() for ln in str(error).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(error).__name__
