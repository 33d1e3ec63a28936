"""What the store's reads and writes need of a transaction (`Tx`), and the plain one that an
apply and a look run in on PostgreSQL (`CoreTx`).

The store talks Core and the DBAPI cursor (`driver`), never the ORM, except for creating
orders and products (`imports`, `catalog`). A SQLAlchemy `Session` around those statements
cost ~60 µs of CPU per transaction (its construction, its transaction's state machine, its
connection lookup at every statement, its close and `expunge_all`): a third of what an
operator's look costs on the client. `CoreTx` is the `Connection` with a dict of its own.
`Session` has the same members, so the store's functions take either."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVarTuple, overload

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, Result
    from sqlalchemy.sql.expression import Executable
    from sqlalchemy.sql.selectable import TypedReturnsRows

Ts = TypeVarTuple("Ts")  # a row's column types, as SQLAlchemy types `execute`


class Tx(Protocol):
    """A transaction the store reads and writes in: a `Session` or a `CoreTx`."""

    @property
    def info(self) -> dict[Any, Any]:
        """What the transaction remembers (rows locked, versions inserted), dropped with it."""
        ...

    def connection(self) -> Connection: ...

    def get_bind(self) -> Engine | Connection: ...

    @overload
    def execute(self, statement: TypedReturnsRows[*Ts], params: Any = None) -> Result[*Ts]: ...

    @overload
    def execute(self, statement: Executable, params: Any = None) -> Result[*tuple[Any, ...]]: ...

    def rollback(self) -> None: ...


class CoreTx:
    """A transaction, or a look in autocommit, on one `Connection`: Core statements run on
    it, the DBAPI cursor is its own, `info` lasts as long as this object. Whoever makes one
    begins and ends the transaction (`store.db`); `rollback` ends it early (a dry run), and
    then nothing more runs in it (unlike a `Session`, which would begin another)."""

    __slots__ = ("_conn", "info")

    def __init__(self, conn: Connection) -> None:
        self._conn: Connection | None = conn
        self.info: dict[Any, Any] = {}

    def connection(self) -> Connection:
        if self._conn is None:  # on PostgreSQL it would run outside any transaction
            raise RuntimeError("this transaction was rolled back: nothing more runs in it")
        return self._conn

    def get_bind(self) -> Connection:
        return self.connection()

    @overload
    def execute(self, statement: TypedReturnsRows[*Ts], params: Any = None) -> Result[*Ts]: ...

    @overload
    def execute(self, statement: Executable, params: Any = None) -> Result[*tuple[Any, ...]]: ...

    def execute(self, statement: Executable, params: Any = None) -> Result[*tuple[Any, ...]]:
        return self.connection().execute(statement, params)

    def rollback(self) -> None:
        """End the transaction now (a dry run); the `CoreTx` is done."""
        conn, self._conn = self._conn, None
        if conn is not None and conn.in_transaction():
            conn.rollback()
