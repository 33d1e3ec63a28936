"""Core statements run on the DBAPI cursor: the bulk path's reads and writes.

The store talks to the database one way per job:

- **a batch of orders read as snapshots** (`snapshots.load_orders`): Core selects, compiled
  here once per dialect, run on the DBAPI cursor (`selects_by_ids`); on PostgreSQL all of them
  in one psycopg pipeline;
- **a batch of plans written** (`repo.apply_plans`, and `migrate`'s history rows): Core
  `insert(table)` and `update(table).where(table.c.id == bindparam(…))`, compiled here once
  per dialect, one `executemany` of positional tuples each on the DBAPI cursor (`Write`); on
  PostgreSQL all of them in one pipeline (`pipeline`), but for a bulk batch's many new rows of
  a table, which go before it by `COPY … FROM STDIN` (`Write.copy`, `copies`), and its many
  updated rows of a table, which go in it as one `UPDATE … FROM unnest(arrays)`
  (`_unnest_sql`);
- **anything else** — one row (a refund, whose id its lines need; the workflow version), lists,
  counts, history, `migrate`'s move: Core, through `session.execute`;
- **creating orders and products** (`store/imports.py`, `store/catalog.py`): SQLModel objects
  in the session.

The first three run in any `tx.Tx`: a plain `CoreTx` for an apply, a bulk batch and a look on
PostgreSQL (`db.transaction`, `db.look`), a `Session` elsewhere.

Why the cursor for the first two: on PostgreSQL the seven reads of a batch, and a plan's
writes, go to the server in one psycopg pipeline (one round trip instead of one per
statement), and the version check reads the orders update's row count once the pipeline has
ended; SQLAlchemy's `execute` closes a statement's cursor when it returns, which inside a
pipeline is before its row count is known. On SQLite, Core's `session.execute` of the same
statements with a dict per row cost more than the database's own work (docs/performance.md,
"Round 5"). The SQL is SQLAlchemy's, compiled for the dialect (positional parameters: `?` on
SQLite, `%s` on psycopg); each parameter and result column goes through its type's public
`bind_processor` / `result_processor` for the dialect, column by column, so values are stored
and read exactly as Core stores and reads them. What that costs: no `before_cursor_execute`
events fire for these statements, and an insert gives every column its value (no Python-side
defaults are filled in: a row that lacks a column is a `KeyError`)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Table,
    bindparam,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeEngine

from orderwf.store.columns import Money, UTCDateTime, json_dumps
from orderwf.store.tx import Tx

Process = Callable[[Any], Any]


@lru_cache(maxsize=8)
def _positional(dialect: Dialect) -> Dialect:
    """The dialect to compile for: itself when its paramstyle is positional (SQLite's `?`),
    else a twin of its class with the `format` paramstyle (`%s`: psycopg takes both), so that
    rows are plain tuples, not a dict each."""
    if dialect.positional:
        return dialect
    return type(dialect)(paramstyle="format")  # type: ignore[call-arg]


def _compiled(
    dialect: Dialect, stmt: Executable, **kw: Any
) -> tuple[str, tuple[str, ...], Mapping[str, Any]]:
    """The statement's SQL for `dialect`, the names of its parameters in order, and its bound
    parameters by name."""
    compiled = stmt.compile(dialect=_positional(dialect), **kw)  # type: ignore[attr-defined]
    return compiled.string, tuple(compiled.positiontup or ()), compiled.binds


def _bind(type_: TypeEngine[Any], dialect: Dialect) -> Process | None:
    """The type's bind processor for the dialect. A time's, a flag's and an amount's remember
    their last results: the rows of a bulk apply carry the same `now` a few times each
    (modified, status changed, paid, every note's and history row's time), and converting it
    is the costliest step of binding; flags (a note to the customer or not, stock reduced)
    and amounts (a line's refunded total, 0.00 until it is refunded) take few values, and a
    remembered one costs half its conversion."""
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    few_values = isinstance(type_, UTCDateTime | Date | DateTime | Boolean | Money)
    return lru_cache(maxsize=64)(process) if few_values else process


@dataclass(frozen=True)
class Write:
    """A compiled insert or update, run once per row with `executemany`: its SQL for one
    dialect, the names of its parameters in the order of a row's values, and the bind
    processor of each (None: as is); on psycopg, an insert's COPY of the same rows, and an
    update's one statement for many rows (`UPDATE … FROM unnest(arrays)`, from `UNNEST_FROM`
    rows that update distinct rows)."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Process | None, ...]
    copy_sql: str | None = None  # an insert's `COPY … FROM STDIN` (psycopg: `copy`)
    # Each column's type for COPY's binary format (`_binary_types`); None: the text format.
    copy_types: tuple[str, ...] | None = None
    # An update's one statement for many rows (psycopg): `UPDATE … FROM unnest(arrays)`
    # (`_unnest_sql`), each column's values made one parameter (`_array_param`); the last
    # `keys` parameters are the WHERE's.
    unnest_sql: str | None = None
    arrays: tuple[Callable[[Sequence[Any]], str], ...] = ()
    keys: int = 0

    def send(self, session: Tx, rows: Iterable[Sequence[Any]]) -> Sent:
        """Run once per row (each row's values in the order of `names`), on the DBAPI cursor.
        Inside `pipeline` the rows are only queued: the returned `Sent` gives the number of
        rows matched once the pipeline has ended."""
        rows = list(rows)
        if not rows:
            return _NOTHING
        if len(rows[0]) != len(self.names):
            raise ValueError(f"{len(rows[0])} values a row for {self.names}")
        if self.unnest_sql is not None and len(rows) >= UNNEST_FROM and self._distinct(rows):
            columns = zip(*rows, strict=True)
            params = [param(column) for param, column in zip(self.arrays, columns, strict=True)]
            return self._execute(session, self.unnest_sql, params, many=False)
        if any(self.processors):
            rows = self._bound(rows)
        return self._execute(session, self.sql, rows, many=True)

    def _distinct(self, rows: Sequence[Sequence[Any]]) -> bool:
        """Whether no two rows update the same row, by the WHERE's first column (the row's
        id; a version beside it does not make two rows of one order distinct): a join
        updates each target row once (with one of its rows, PostgreSQL's pick), where
        `executemany` would apply them one after the other."""
        first = -self.keys
        return len({row[first] for row in rows}) == len(rows)

    def send_dicts(self, session: Tx, rows: list[dict[str, Any]]) -> Sent:
        """`send` for rows given as dicts holding (at least) every name of the statement."""
        if not rows:
            return _NOTHING
        return self._execute(session, self.sql, self._bound_dicts(rows), many=True)

    @cached_property
    def _bound(self) -> Callable[[Sequence[Sequence[Any]]], list[tuple[Any, ...]]]:
        return converter(range(len(self.names)), self.processors)

    @cached_property
    def _bound_dicts(self) -> Callable[[list[dict[str, Any]]], list[tuple[Any, ...]]]:
        return converter(self.names, self.processors)

    def copy(self, session: Tx, rows: list[tuple[Any, ...]]) -> None:
        """`send` of an insert by PostgreSQL's `COPY … FROM STDIN` (psycopg's `copy`):
        each row's values, bound as `send` binds them, written in COPY's binary format (its
        text format for a table with a type `_binary_types` does not know). Not
        inside a `pipeline` (psycopg refuses COPY there), and one round trip more than a
        statement in one: for a bulk batch's many rows (`copies`)."""
        if rows:
            self._copy(session, self._bound(rows))

    def copy_dicts(self, session: Tx, rows: list[dict[str, Any]]) -> None:
        """`copy` for rows given as dicts holding (at least) every name of the statement."""
        if rows:
            self._copy(session, self._bound_dicts(rows))

    def _copy(self, session: Tx, values: list[tuple[Any, ...]]) -> None:
        assert self.copy_sql is not None, "COPY is for PostgreSQL inserts (`copies`)"
        with _cursor(session, self.copy_sql) as cursor, cursor.copy(self.copy_sql) as copy:
            if self.copy_types is not None:
                copy.set_types(self.copy_types)
            for row in values:
                copy.write_row(row)

    def _execute(self, session: Tx, sql: str, params: Sequence[Any], *, many: bool) -> Sent:
        """`sql` on the DBAPI cursor: once per row of `params` (`many`), or once with them
        (the statement of arrays)."""
        connection = session.connection()
        cursor = connection.connection.cursor()
        try:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
        except connection.dialect.loaded_dbapi.Error as e:
            cursor.close()
            raise _wrapped(connection, e, sql) from e
        return Sent(cursor)


# By dialect name and what the statement is: compiled once per process.
_WRITES: dict[tuple[str, str], Write] = {}


def _write(dialect: Dialect, key: str, build: Callable[[], Write]) -> Write:
    found = _WRITES.get((dialect.name, key))
    if found is None:
        found = _WRITES.setdefault((dialect.name, key), build())
    return found


def insert(session: Tx, table: Table, columns: Sequence[str] | None = None) -> Write:
    """`insert(table)` of `columns`, in the table's order (default: every column but an
    autoincremented key, `id`): each row gives them all, in that order (`Write.names`). A
    column left out is NULL (or its server default); one with a Python-side default cannot
    be (its parameter would be one no row gives: `ValueError`)."""
    dialect = session.get_bind().dialect

    def build() -> Write:
        if columns is None:
            keys = [c.key for c in table.columns if c is not table.autoincrement_column]
        else:
            keys = list(columns)
        sql, names, _ = _compiled(dialect, table.insert(), column_keys=keys, for_executemany=True)
        if list(names) != keys:  # a parameter no row gives (a Python-side default)
            raise ValueError(f"insert into {table.name}: parameters {names} for columns {keys}")
        copy_sql, copy_types = None, None
        if _psycopg(dialect):
            quote = dialect.identifier_preparer
            listed = ", ".join(quote.format_column(table.c[n]) for n in names)
            copy_sql = f"COPY {quote.format_table(table)} ({listed}) FROM STDIN"
            copy_types = _binary_types(dialect, [table.c[n] for n in names])
            if copy_types is not None:
                copy_sql += " (FORMAT BINARY)"
        processors = tuple(_bind(table.c[n].type, dialect) for n in names)
        return Write(sql, names, processors, copy_sql, copy_types=copy_types)

    key = f"insert {table.name}" if columns is None else f"insert {table.name} {list(columns)}"
    return _write(dialect, key, build)


def update(
    session: Tx,
    table: Table,
    set_: Sequence[str],
    where: Sequence[str],
    *,
    increment: bool = False,
) -> Write:
    """`update(table).values(a=…, …).where(table.c.x == …, …)`: each row gives the SET values,
    then the WHERE's, in that order. `increment`: the SET columns are incremented by the
    values instead (`a = a + …`), never read and written back."""
    dialect = session.get_bind().dialect

    def build() -> Write:
        # Parameter names apart from the columns': Core reserves a column's own name in SET.
        params = {f"set_{name}": table.c[name] for name in set_}
        params |= {f"where_{name}": table.c[name] for name in where}
        binds = {key: bindparam(key, type_=column.type) for key, column in params.items()}
        values: list[tuple[str, ColumnElement[Any]]] = [
            (name, table.c[name] + binds[f"set_{name}"] if increment else binds[f"set_{name}"])
            for name in set_
        ]
        conditions = [table.c[name] == binds[f"where_{name}"] for name in where]
        stmt = table.update().ordered_values(*values).where(*conditions)  # SET in set_'s order
        sql, names, _ = _compiled(dialect, stmt, for_executemany=True)
        order = [*(f"set_{n}" for n in set_), *(f"where_{n}" for n in where)]
        if list(names) != order:  # the compiler's order is the rows' order: never reordered
            raise ValueError(f"update of {table.name}: parameters {names}, rows give {order}")
        processors = tuple(_bind(params[n].type, dialect) for n in names)
        if not _psycopg(dialect):
            return Write(sql, names, processors)
        arrays = [_array_param(params[n].type, dialect) for n in names]
        if None in arrays:  # a column type with no array text: executemany only
            return Write(sql, names, processors)
        unnest = _unnest_sql(dialect, table, set_, where, increment=increment)
        complete = tuple(param for param in arrays if param is not None)
        return Write(sql, names, processors, unnest_sql=unnest, arrays=complete, keys=len(where))

    key = f"update {table.name} {'+' if increment else ''}{list(set_)} {list(where)}"
    return _write(dialect, key, build)


def _unnest_sql(
    dialect: Dialect, table: Table, set_: Sequence[str], where: Sequence[str], *, increment: bool
) -> str:
    """`update`'s statement for many rows at once on PostgreSQL: `UPDATE t SET a = v.set_a, …
    FROM unnest(%s::type[], …) AS v(set_a, …, where_id) WHERE t.id = v.where_id`, one array
    parameter per column (the rows' values, bound as for `executemany`), each cast to its
    column's type. PostgreSQL joins the arrays to the table by its key: an index scan per row
    (nested loop) on a table of 30,000 orders and of 1,000,000, with a custom or a generic
    plan (docs/performance.md)."""
    quote = dialect.identifier_preparer
    name = quote.format_table(table)

    def column(key: str) -> str:
        return quote.format_column(table.c[key])

    def array(key: str) -> str:
        kind = dialect.type_compiler_instance.process(table.c[key].type.dialect_impl(dialect))
        return f"%s::{kind}[]"

    sets = ", ".join(
        f"{column(k)} = {name}.{column(k)} + v.set_{k}" if increment else f"{column(k)} = v.set_{k}"
        for k in set_
    )
    arrays = ", ".join(array(k) for k in [*set_, *where])
    aliases = ", ".join([*(f"set_{k}" for k in set_), *(f"where_{k}" for k in where)])
    conditions = " AND ".join(f"{name}.{column(k)} = v.where_{k}" for k in where)
    return f"UPDATE {name} SET {sets} FROM unnest({arrays}) AS v({aliases}) WHERE {conditions}"


def _array_param(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Sequence[Any]], str] | None:
    """How one column's values go as one array parameter of `_unnest_sql`'s statement: as the
    text of the array, in PostgreSQL's array input syntax, for the store's column types
    (integers, booleans, text and amounts, times, JSON), which psycopg would dump element by
    element at ~7 times the client's CPU (docs/performance.md); None for another type (the
    update then goes by `executemany`). Each value goes through its type's bind processor first, as
    for `executemany`; a JSON value through the engine's serializer, as SQLAlchemy's JSON
    does (None is JSON's `null`). `tests/integration/test_bulk_writes.py` reads back what
    each stores against what `executemany` stores, over Hypothesis's values."""
    bind = _bind(type_, dialect)
    impl = getattr(type_, "impl_instance", type_)
    if isinstance(impl, JSON):
        return lambda values: _array_text([_quoted(json_dumps(v)) for v in values])
    element: Callable[[Any], str]
    if isinstance(impl, Boolean):
        element = _boolean
    elif isinstance(impl, Integer):
        element = _integer
    elif isinstance(impl, String | DateTime | Date):
        element = _text
    else:
        return None

    def text(values: Sequence[Any]) -> str:
        if bind is not None:
            values = [bind(v) for v in values]
        seen: dict[Any, str] = {}  # a batch's one `now`, its few statuses: written once each
        return _array_text(
            ["NULL" if v is None else seen.get(v) or seen.setdefault(v, element(v)) for v in values]
        )

    return text


def _array_text(elements: list[str]) -> str:
    return "{" + ",".join(elements) + "}"


def _quoted(value: str) -> str:
    """An array element in double quotes, its backslashes and quotes escaped: any text, even
    empty, `NULL`, or with commas, braces and spaces, is read back as it was."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value: Any) -> str:
    return _quoted(str(value))  # a time: `2026-12-06 09:30:00.123456`, as PostgreSQL reads it


def _integer(value: Any) -> str:
    return str(operator.index(value))  # an int, never a float's or a string's text


def _boolean(value: Any) -> str:
    return "t" if value else "f"


# The fewest rows an update sends as one statement of arrays (`Write.send`, psycopg): below,
# `executemany` (an apply's order and its few lines); from there, a bulk batch's orders and
# lines, where psycopg costs the client ~12 µs of CPU a row of `executemany` in a pipeline.
UNNEST_FROM = 32

# The fewest rows of a table a batch inserts by COPY (`copies`): below, COPY's own round trip
# and set-up cost more than the rows save (an apply inserts two or three of each).
COPY_FROM = 32


# PostgreSQL's column types (as the dialect writes them in DDL) and psycopg's name of the type
# whose binary format each takes: a `varchar`'s is a `text`'s, the bytes as they are.
_BINARY_TYPES = {
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "VARCHAR": "text",
    "TEXT": "text",
    "BOOLEAN": "bool",
    "TIMESTAMP WITHOUT TIME ZONE": "timestamp",
    "DATE": "date",
    "JSON": "json",  # the bound value is psycopg's `Json`, dumped by the engine's serializer
}


def _binary_types(dialect: Dialect, columns: Sequence[Any]) -> tuple[str, ...] | None:
    """The types `Write.copy` declares (`Copy.set_types`) to send the columns' values in
    COPY's binary format: each value as its bytes, with its length, where the text format
    escapes every backslash, tab and newline of it (an email's HTML body: ~17 µs of client
    CPU a row instead of ~3.5). None when a column's type is not one of `_BINARY_TYPES`:
    those go in the text format."""
    found = []
    for column in columns:
        name = column.type.compile(dialect=dialect).split("(", 1)[0].strip()
        if name not in _BINARY_TYPES:
            return None
        found.append(_BINARY_TYPES[name])
    return tuple(found)


def _psycopg(dialect: Dialect) -> bool:
    """psycopg 3: COPY for a batch's new rows, arrays for its updated ones."""
    return dialect.driver == "psycopg"


def copies(session: Tx, rows: int) -> bool:
    """Whether `rows` new rows of one table go by `Write.copy`: on psycopg, from `COPY_FROM`
    rows (a bulk batch's notes, history, outbox), where COPY costs the client ~3 µs of CPU a
    row against ~12 for a row of `executemany` in a pipeline."""
    return rows >= COPY_FROM and _psycopg(session.get_bind().dialect)


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
def pipeline(session: Tx) -> Iterator[None]:
    """The statements sent inside (`Write.send`) go to the server together: on psycopg with
    pipeline mode, queued and sent with one sync at the end, one round trip instead of one
    each; elsewhere each runs as it is sent. A failing statement raises at the end (the
    transaction is then aborted: the caller's rollback follows), as SQLAlchemy's `DBAPIError`.
    The cost: a `Sent.rowcount`, and so any check on it, waits for the end."""
    connection = session.connection()
    dialect = connection.dialect
    if not _pipelines(dialect):
        yield
        return
    try:
        with connection.connection.driver_connection.pipeline():  # type: ignore[union-attr]
            yield
    except dialect.loaded_dbapi.Error as e:
        raise _wrapped(connection, e, "(the statements of a pipeline)") from e


def can_commit_in_pipeline(session: Tx) -> bool:
    """Whether the session's transaction may end in the writes' `pipeline`
    (`commit_in_pipeline`): on psycopg with pipeline mode, in a transaction begun by hand
    (`db.transaction` or `db.write_transaction` on PostgreSQL: psycopg in autocommit, so its
    own `commit` at the session's end finds the transaction over and sends nothing), with no
    ORM change the session's commit would flush afterwards. Asked before the pipeline starts
    (inside one the connection's status is "active")."""
    if any(getattr(session, name, None) for name in ("new", "dirty", "deleted")):
        return False  # a `Session`'s ORM changes (a `CoreTx` has none)
    connection = session.connection()
    if not _pipelines(connection.dialect):
        return False
    raw: Any = connection.connection.driver_connection
    intrans = connection.dialect.loaded_dbapi.pq.TransactionStatus.INTRANS
    return bool(raw.autocommit) and raw.info.transaction_status == intrans


def commit_in_pipeline(session: Tx) -> None:
    """Queue `COMMIT` after the statements sent in the open `pipeline` (one round trip fewer
    an apply). A statement of the pipeline that fails makes the server skip it: the
    transaction is rolled back, as when `COMMIT` goes on its own."""
    raw: Any = session.connection().connection.driver_connection
    raw.execute("COMMIT")


def _array_ids(dialect: str) -> bool:
    """PostgreSQL takes the ids as one array parameter (`= ANY(:ids)`): the statement's text
    is the same for every batch, so the server prepares it once, where `IN (…)` with 500
    parameters is parsed and planned on every query. SQLite has no arrays: an expanding `IN`,
    one `?` per id."""
    return dialect == "postgresql"


def where_in_ids(column: Any, dialect: str, *, one: bool = False) -> Any:
    """`column` is one of the ids `selects_by_ids` is given (its only parameter, `ids`).

    `one`: the statement for a single id, which on PostgreSQL compares with one value
    (`= :ids`). The server plans a prepared `= ANY(:ids)` anew at every run: its generic plan,
    costed for an array of unknown length, never beats the custom plan of a one-element
    array, so PostgreSQL keeps making custom ones (measured with `pg_stat_statements`: the
    seven-part read of an operator's apply spent more time planning than running). With one
    value the generic plan costs what the custom one does, and after its first five runs on a
    connection the server reuses it. SQLite's expanding `IN` is the same either way."""
    if _array_ids(dialect):
        from sqlalchemy import Integer, any_
        from sqlalchemy.dialects.postgresql import ARRAY  # the dialect, only when it is used

        if one:
            return column == bindparam("ids", type_=Integer)
        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    return column.in_(bindparam("ids", expanding=True))


# A select's execution options that `selects_by_ids` reads: the labels of the columns to put
# its rows in order by, in Python (`SORTED_BY`), and those its rows leave out (`UNSHOWN`).
SORTED_BY = "orderwf_sorted_by"
UNSHOWN = "orderwf_unshown"


@dataclass(frozen=True)
class _Select:
    """A select by a list of ids, compiled for one dialect: its SQL, its columns' labels, the
    result processor of each column that has one (by position), whether it takes the ids
    as one array (PostgreSQL's `= ANY(:ids)`; else each id is a parameter), the columns
    (by position) its fetched tuples are sorted by, and those its rows leave out."""

    sql: str
    labels: tuple[str, ...]
    processors: tuple[tuple[int, Process], ...]
    array: bool
    sorted_by: tuple[int, ...] = ()
    unshown: frozenset[int] = frozenset()

    @cached_property
    def convert(self) -> Callable[[Any], list[dict[str, Any]]]:
        """Fetched tuples as dicts by label (but the columns left out), each value through
        its column's processor."""
        by_column = dict(self.processors)
        shown = [i for i in range(len(self.labels)) if i not in self.unshown]
        return converter(shown, [by_column.get(i) for i in shown], [self.labels[i] for i in shown])

    @cached_property
    def order(self) -> Callable[[Any], Any] | None:
        return operator.itemgetter(*self.sorted_by) if self.sorted_by else None


# By dialect, statement (built once and kept, `snapshots.queries`) and, on SQLite, number of ids.
_SELECTS: dict[tuple[str, Select[Any], int], _Select] = {}


def _compile_select(dialect: Dialect, stmt: Select[Any], n: int) -> _Select:
    if _array_ids(dialect.name):
        sql, names, binds = _compiled(dialect, stmt)
        expected = 1
        array = isinstance(binds["ids"].type, ARRAY)
    else:  # an expanding `IN`, rendered for n ids
        sql, names, _ = _compiled(
            dialect, stmt.params(ids=[0] * n), compile_kwargs={"render_postcompile": True}
        )
        expected = n
        array = False
    if len(names) != expected:
        raise ValueError(f"a select by ids takes only the ids: {names}")
    columns = list(stmt.selected_columns)
    processors = []
    for i, column in enumerate(columns):
        # No cursor type code (None): none of the store's types needs one.
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            processors.append((i, process))
    labels = tuple(str(c.key) for c in columns)
    options = stmt.get_execution_options()
    return _Select(
        sql,
        labels,
        tuple(processors),
        array,
        sorted_by=tuple(labels.index(label) for label in options.get(SORTED_BY, ())),
        unshown=frozenset(labels.index(label) for label in options.get(UNSHOWN, ())),
    )


def selects_by_ids(
    session: Tx, stmts: Mapping[str, Select[Any]], ids: Sequence[int]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of each statement, by key, as dicts by column label. Each statement's only
    parameter is the list `ids` (`where_in_ids`); it is compiled once per dialect (and on
    SQLite per `padded` number of ids: the list is padded with its last id, which matches
    the same rows). On PostgreSQL the statements go in one pipeline: one round
    trip to the server for all of them, where each would wait for its own (an apply reads
    seven tables). One statement alone (a look at an order's row) is sent plainly: entering
    and leaving a pipeline cost ~4 % of an operator's step."""
    if not ids:
        return {key: [] for key in stmts}
    dialect = session.get_bind().dialect
    given = len(ids)
    n = given if _array_ids(dialect.name) else padded(given)
    queries = {key: _select(dialect, stmt, n) for key, stmt in stmts.items()}
    arrays = {query.array for query in queries.values()}
    if arrays == {True}:
        params: tuple[Any, ...] = (list(ids),)
    elif arrays == {False} and (given == 1 or not _array_ids(dialect.name)):
        params = (*ids, *(ids[-1],) * (n - given))
    else:  # a select for one id (`where_in_ids(…, one=True)`) given several, or a mix
        raise ValueError(f"selects by {len(ids)} ids that take them {sorted(arrays)} as arrays")
    connection = session.connection()
    dbapi = connection.connection
    cursors: dict[str, Any] = {}
    try:
        for key in queries:
            cursors[key] = dbapi.cursor()
        if len(queries) > 1 and _pipelines(dialect):  # one statement: nothing to batch
            with dbapi.driver_connection.pipeline():  # type: ignore[union-attr]
                for key, query in queries.items():
                    cursors[key].execute(query.sql, params)
        else:
            for key, query in queries.items():
                cursors[key].execute(query.sql, params)
        found = {}
        for key, query in queries.items():
            rows = cursors[key].fetchall()
            if query.order is not None:  # put in order here, not by the database (`SORTED_BY`)
                rows.sort(key=query.order)
            found[key] = query.convert(rows)
        return found
    except dialect.loaded_dbapi.Error as e:
        raise _wrapped(connection, e, list(queries.values())[0].sql) from e
    finally:
        for cursor in cursors.values():
            cursor.close()


@dataclass(frozen=True)
class _Column:
    """A compiled select of one column (`first_column`): its SQL, its parameters' names in
    order with their bind processors, and the column's result processor."""

    sql: str
    names: tuple[str, ...]
    binds: tuple[Process | None, ...]
    process: Process | None
    given: Mapping[str, Any]  # the values of the parameters the dialect adds (SQLite's OFFSET)


# By dialect name and the caller's key: compiled once per process.
_COLUMNS: dict[tuple[str, Hashable], _Column] = {}


def first_column(
    session: Tx, key: Hashable, build: Callable[[], Select[Any]], params: Mapping[str, Any]
) -> list[Any]:
    """The first column of the rows of the select `build()` makes, whose parameters are
    `bindparam`s named in `params` (any other keeps its value: SQLite's `OFFSET 0` after a
    `LIMIT`): compiled once per dialect and `key` (what tells the selects `build` may make
    apart), run on the DBAPI cursor. A bulk apply lists each batch's ids so
    (`repo.order_ids`): building, compiling and running the select through SQLAlchemy, its
    result rows included, cost ~1 ms a batch of 500 ids, 4 % of its client CPU."""
    dialect = session.get_bind().dialect
    column = _COLUMNS.get((dialect.name, key))
    if column is None:
        stmt = build()
        sql, names, binds = _compiled(dialect, stmt)
        first = stmt.selected_columns[0].type.dialect_impl(dialect)
        column = _COLUMNS.setdefault(
            (dialect.name, key),
            _Column(
                sql,
                names,
                tuple(_bind(binds[name].type, dialect) for name in names),
                first.result_processor(dialect, None),
                {name: binds[name].effective_value for name in names},
            ),
        )
    params = {**column.given, **params}
    values = [
        params[name] if bind is None else bind(params[name])
        for name, bind in zip(column.names, column.binds, strict=True)
    ]
    with _cursor(session, column.sql) as cursor:
        cursor.execute(column.sql, values)
        rows = cursor.fetchall()
    process = column.process
    return [row[0] for row in rows] if process is None else [process(row[0]) for row in rows]


@contextmanager
def _cursor(session: Tx, sql: str) -> Iterator[Any]:
    """A DBAPI cursor of the session's connection, closed after use; a driver error meanwhile
    is raised as SQLAlchemy raises its own statements' (`_wrapped`), naming `sql`."""
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        yield cursor
    except connection.dialect.loaded_dbapi.Error as e:
        raise _wrapped(connection, e, sql) from e
    finally:
        cursor.close()


def _pipelines(dialect: Dialect) -> bool:
    """psycopg 3 with a libpq that has pipeline mode (14+); other drivers read one by one."""
    return dialect.driver == "psycopg" and bool(dialect.loaded_dbapi.Pipeline.is_supported())


def _wrapped(connection: Connection, error: Any, sql: str) -> StatementError:
    """A DBAPI error as SQLAlchemy raises it from its own statements (`StoreError` handling
    and the pool's invalidation of a dropped connection rely on that), through SQLAlchemy's
    public `DBAPIError.instance`. Never with the parameters (the engine hides them anyway)."""
    dialect = connection.dialect
    dbapi_connection = connection.connection.dbapi_connection
    invalidated = dialect.is_disconnect(error, dbapi_connection, None)
    if invalidated:
        connection.invalidate(error)
    wrapped: StatementError = DBAPIError.instance(
        sql,
        None,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=invalidated,
        dialect=dialect,
    )
    return wrapped


# SQLite's limit on a statement's parameters (`SQLITE_MAX_VARIABLE_NUMBER` since 3.32).
_SQLITE_MAX_PARAMS = 32766


def padded(n: int) -> int:
    """How many ids a select by `n` ids takes on SQLite, where each id is a parameter and
    each number of them a statement to compile (SQLAlchemy's ~0.8 ms, then SQLite's own): the
    next power of two up to 1,024, then the next multiple of 1,024 (never past SQLite's
    limit). A bulk apply's batches of 500 and its shorter last batch share one statement."""
    if n <= 1024:
        return 1 << (n - 1).bit_length() if n > 1 else n
    rounded = -(-n // 1024) * 1024
    return rounded if rounded <= _SQLITE_MAX_PARAMS else n


def _select(dialect: Dialect, stmt: Select[Any], n: int) -> _Select:
    cache_key = (dialect.name, stmt, 0 if _array_ids(dialect.name) else n)
    query = _SELECTS.get(cache_key)
    if query is None:
        if len(_SELECTS) >= 512:  # SQLite compiles per `padded` length: keep a process small
            _SELECTS.clear()
        query = _SELECTS.setdefault(cache_key, _compile_select(dialect, stmt, n))
    return query


def converter(
    keys: Sequence[int] | Sequence[str],
    processors: Sequence[Process | None],
    labels: Sequence[str] | None = None,
) -> Callable[[Any], list[Any]]:
    """A function of a list of rows that gives, for each row, the values at `keys` (indexes
    of a tuple, or names of a dict), each through its processor (None: as is): as a tuple, or
    as a dict by `labels` when given. Python generated once per statement, one comprehension
    with every column written out (`(p0(r[0]), r[1], …)`): the bulk path converts ~40 values
    an order both ways, and this costs about half of transposing rows into columns, mapping
    each column and transposing back, or of a loop over the columns of each row."""
    namespace: dict[str, Any] = {}
    values = []
    for i, (key, process) in enumerate(zip(keys, processors, strict=True)):
        value = f"r[{key!r}]"
        if process is not None:
            namespace[f"p{i}"] = process
            value = f"p{i}({value})"
        values.append(value)
    if labels is None:
        row = "(" + "".join(f"{v}, " for v in values) + ")"
    else:
        pairs = zip(labels, values, strict=True)
        row = "{" + ", ".join(f"{label!r}: {v}" for label, v in pairs) + "}"
    exec(f"def convert(rows):\n    return [{row} for r in rows]\n", namespace)  # noqa: S102
    return namespace["convert"]  # type: ignore[no-any-return]
