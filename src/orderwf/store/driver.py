"""Bulk statements on the DBAPI cursor.

Writes are `executemany` of plain tuples, with each column's values converted by SQLAlchemy's
own bind processors for the dialect (`Money` text, naive UTC times, JSON), so rows are stored
exactly as Core stores them. Reads (`selects_by_ids`) run a Core select compiled once, and
convert each column with SQLAlchemy's own result processor for the dialect, so rows come back
as Core returns them. Core's per-row handling (a dict of parameters per row, a `Row` and its
processors per result row) costs more than the database's own work in a bulk apply."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Date, DateTime, Select, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from orderwf.store.columns import UTCDateTime

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": None}


@dataclass(frozen=True)
class Statement:
    """SQL for one dialect, and the bind processor of each of its parameters (None: as is)."""

    sql: str
    processors: tuple[Callable[[Any], Any] | None, ...]

    def execute(self, session: Session, rows: Iterable[Sequence[Any]]) -> Sent:
        """Run once per row, on the DBAPI cursor. Inside `pipeline` the rows are only queued:
        the returned `Sent` gives the number of rows matched once the pipeline has ended."""
        rows = list(rows)
        if not rows:
            return _NOTHING
        if any(self.processors):  # column by column: one `map` each instead of a loop per row
            columns: list[Any] = list(zip(*rows, strict=True))
            if len(columns) != len(self.processors):
                raise ValueError(f"{len(columns)} values a row for {len(self.processors)} columns")
            for i, process in enumerate(self.processors):
                if process is not None:
                    columns[i] = map(process, columns[i])
            rows = list(zip(*columns, strict=True))
        connection = session.connection()
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(self.sql, rows)
        except connection.dialect.loaded_dbapi.Error as e:
            cursor.close()
            raise _wrapped(connection, e, self.sql, rows[0]) from e
        return Sent(cursor)


class Sent:
    """A statement sent on a cursor: its `rowcount`, read once (the cursor is closed then).
    Inside a `pipeline` it is known only after the pipeline's end."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self._count: int | None = None

    @property
    def rowcount(self) -> int:
        if self._count is None:
            self._count = int(self._cursor.rowcount) if self._cursor is not None else 0
            if self._cursor is not None:
                self._cursor.close()
                self._cursor = None
        return self._count


_NOTHING = Sent(None)


@contextmanager
def pipeline(session: Session) -> Iterator[None]:
    """The statements sent inside (`Statement.execute`) go to the server together: on
    psycopg with pipeline mode, queued and sent with one sync at the end, one round trip
    instead of one each; elsewhere each runs as it is sent. A failing statement raises at the
    end (the transaction is then aborted: the caller's rollback follows), as SQLAlchemy's
    `DBAPIError`. The cost: a `Sent.rowcount`, and so any check on it, waits for the end."""
    connection = session.connection()
    dialect = connection.dialect
    if not _pipelines(dialect):
        yield
        return
    try:
        with connection.connection.driver_connection.pipeline():  # type: ignore[union-attr]
            yield
    except dialect.loaded_dbapi.Error as e:
        raise _wrapped(connection, e, "(the statements of a pipeline)", None) from e


_CACHE: dict[tuple[str, str], Statement] = {}


def _placeholder(dialect: Dialect) -> str:
    mark = _PLACEHOLDERS.get(dialect.paramstyle)
    if mark is None:
        raise NotImplementedError(f"paramstyle {dialect.paramstyle!r}")
    return mark


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column's bind processor. A time column's remembers its last results: the rows of a
    bulk apply carry the same `now` a few times each (modified, status changed, paid, every
    note's and history row's time), and converting it is the costliest step of their binding."""
    process = column.type._cached_bind_processor(dialect)
    if process is None:
        return None
    timely = isinstance(column.type, UTCDateTime | Date | DateTime)
    return lru_cache(maxsize=64)(process) if timely else process


def _statement(dialect: Dialect, key: str, sql: str, params: Sequence[Column[Any]]) -> Statement:
    processors = tuple(_processor(c, dialect) for c in params)
    return _CACHE.setdefault((dialect.name, key), Statement(sql, processors))


def update(session: Session, table: Table, set_: Sequence[str], where: Sequence[str]) -> Statement:
    """`UPDATE table SET a = ?, … WHERE x = ? AND …`: rows give the SET values, then WHERE's.
    A `+name` in `set_` increments the column by the value instead (`name = name + ?`)."""
    dialect = session.get_bind().dialect
    key = f"update {table.name} {set_} {where}"
    found = _CACHE.get((dialect.name, key))
    if found is not None:
        return found
    q, mark = dialect.identifier_preparer.quote, _placeholder(dialect)
    sets, cols = [], []
    for name in set_:
        bare = name.removeprefix("+")
        col = q(bare)
        sets.append(f"{col} = {col} + {mark}" if name.startswith("+") else f"{col} = {mark}")
        cols.append(table.c[bare])
    conds = [f"{q(name)} = {mark}" for name in where]
    cols += [table.c[name] for name in where]
    sql = f"UPDATE {q(table.name)} SET {', '.join(sets)} WHERE {' AND '.join(conds)}"
    return _statement(dialect, key, sql, cols)


def insert(session: Session, table: Table, names: Sequence[str]) -> Statement:
    """`INSERT INTO table (names…) VALUES (?, …)`; rows give the values in that order."""
    dialect = session.get_bind().dialect
    key = f"insert {table.name} {names}"
    found = _CACHE.get((dialect.name, key))
    if found is not None:
        return found
    q, mark = dialect.identifier_preparer.quote, _placeholder(dialect)
    sql = (
        f"INSERT INTO {q(table.name)} ({', '.join(q(n) for n in names)}) "
        f"VALUES ({', '.join(mark for _ in names)})"
    )
    return _statement(dialect, key, sql, [table.c[n] for n in names])


def insert_dicts(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows given as dicts, as Core's `insert(table)` with executemany does: the
    columns of the first row, and every other non-key column with a Python-side default
    at that default."""
    if not rows:
        return
    given = list(rows[0])
    defaults = {
        c.name: c.default.arg(None) if c.default.is_callable else c.default.arg  # type: ignore[attr-defined]
        for c in table.columns
        if c.name not in rows[0]
        and not c.primary_key
        and c.default is not None
        and (c.default.is_scalar or c.default.is_callable)
    }
    names = [*given, *defaults]
    fill = tuple(defaults.values())
    values = itemgetter(*given)
    if len(given) == 1:  # itemgetter of one key gives the value, not a 1-tuple
        tuples = [(values(row), *fill) for row in rows]
    else:
        tuples = [(*values(row), *fill) for row in rows]
    insert(session, table, names).execute(session, tuples)


def _array_ids(dialect: str) -> bool:
    """PostgreSQL takes the ids as one array parameter (`= ANY(:ids)`): the statement's text
    is the same for every batch, so the server prepares it once, where `IN (…)` with 500
    parameters is parsed and planned on every query. SQLite has no arrays: an expanding `IN`,
    one `?` per id."""
    return dialect == "postgresql"


def where_in_ids(column: Any, dialect: str) -> Any:
    """`column` is one of the ids `selects_by_ids` is given (its only parameter, `ids`)."""
    if _array_ids(dialect):
        from sqlalchemy import Integer, any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY  # the dialect, only when it is used

        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    from sqlalchemy import bindparam

    return column.in_(bindparam("ids", expanding=True))


@dataclass(frozen=True)
class _Select:
    """A select by a list of ids, compiled for one dialect: its SQL, its columns' labels, and
    the result processor of each column that has one (by position)."""

    sql: str
    labels: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]


# By dialect, statement (built once and kept, `snapshots._queries`) and, on SQLite, number of ids.
_SELECTS: dict[tuple[str, Select[Any], int], _Select] = {}


def _compile_select(dialect: Dialect, stmt: Select[Any], n: int) -> _Select:
    if _array_ids(dialect.name):
        compiled = stmt.compile(dialect=dialect)
    else:  # an expanding `IN`, rendered for n ids
        compiled = stmt.params(ids=[0] * n).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
        if len(compiled.positiontup or ()) != n:
            raise ValueError(f"a select by ids takes only the ids: {compiled.positiontup}")
    columns = list(stmt.selected_columns)
    processors = []
    for i, column in enumerate(columns):
        process = column.type._cached_result_processor(dialect, None)
        if process is not None:
            processors.append((i, process))
    labels = tuple(str(c.key) for c in columns)
    return _Select(str(compiled), labels, tuple(processors))


def selects_by_ids(
    session: Session, stmts: Mapping[str, Select[Any]], ids: Sequence[int]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of each statement, by key, as dicts by column label. Each statement's only
    parameter is the list `ids` (`where_in_ids`); it is compiled once per dialect (and on
    SQLite per number of ids). On PostgreSQL the
    statements go in one pipeline: one round trip to the server for all of them, where each
    would wait for its own (an apply reads seven tables)."""
    if not ids:
        return {key: [] for key in stmts}
    dialect = session.get_bind().dialect
    queries = {key: _select(dialect, stmt, len(ids)) for key, stmt in stmts.items()}
    params: Any = {"ids": list(ids)} if _array_ids(dialect.name) else tuple(ids)
    connection = session.connection()
    dbapi = connection.connection
    cursors: dict[str, Any] = {}
    try:
        for key in queries:
            cursors[key] = dbapi.cursor()
        if _pipelines(dialect):
            with dbapi.driver_connection.pipeline():  # type: ignore[union-attr]
                for key, query in queries.items():
                    cursors[key].execute(query.sql, params)
        else:
            for key, query in queries.items():
                cursors[key].execute(query.sql, params)
        return {key: _rows(query, cursors[key].fetchall()) for key, query in queries.items()}
    except dialect.loaded_dbapi.Error as e:
        raise _wrapped(connection, e, list(queries.values())[0].sql, params) from e
    finally:
        for cursor in cursors.values():
            cursor.close()


def _pipelines(dialect: Dialect) -> bool:
    """psycopg 3 with a libpq that has pipeline mode (14+); other drivers read one by one."""
    return dialect.driver == "psycopg" and bool(dialect.loaded_dbapi.Pipeline.is_supported())


def _wrapped(connection: Connection, error: Any, sql: str, params: Any) -> StatementError:
    """A DBAPI error as SQLAlchemy raises it from its own statements (`StoreError` handling
    and the pool's invalidation of a dropped connection rely on that)."""
    dialect = connection.dialect
    dbapi_connection = connection.connection.dbapi_connection
    invalidated = dialect.is_disconnect(error, dbapi_connection, None)
    if invalidated:
        connection.invalidate(error)
    wrapped: StatementError = DBAPIError.instance(
        sql,
        params,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=invalidated,
        dialect=dialect,
    )
    return wrapped


def _select(dialect: Dialect, stmt: Select[Any], n: int) -> _Select:
    cache_key = (dialect.name, stmt, 0 if _array_ids(dialect.name) else n)
    query = _SELECTS.get(cache_key)
    if query is None:
        if len(_SELECTS) >= 512:  # SQLite compiles per batch length: keep a long process small
            _SELECTS.clear()
        query = _SELECTS.setdefault(cache_key, _compile_select(dialect, stmt, n))
    return query


def _rows(query: _Select, rows: Any) -> list[dict[str, Any]]:
    """Fetched tuples as dicts by label, each column through its result processor."""
    if not rows:
        return []
    if query.processors:  # column by column: one `map` each instead of a loop per row
        columns: list[Any] = list(zip(*rows, strict=True))
        for i, process in query.processors:
            columns[i] = map(process, columns[i])
        rows = zip(*columns, strict=True)
    labels = query.labels  # as many as the select's columns, so as each row's values
    return [dict(zip(labels, row, strict=False)) for row in rows]
