"""PostgreSQL connections kept in the pool (`store.db`): a write's `BEGIN` is the connection's
ping (no separate `;` round trip), a look runs in autocommit (no `BEGIN`, no `COMMIT`) and its
own read is its ping, and a connection the server killed while it sat in the pool is
replaced, by the look (its read run again) as by the write's `BEGIN`, without a word."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from parity import A, open_shop, parity_order
from sqlalchemy import event, text

from orderwf.errors import Refused
from orderwf.service import orders as service_orders
from orderwf.store import db
from shop import Shop, default_workflow, libpq_dsn

pytestmark = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, db_url, default_workflow())


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first word of every statement psycopg sends (a pipelined one too)."""
    words: list[str] = []
    for cls, name in ((psycopg.Cursor, "execute"), (psycopg.Cursor, "executemany")):
        original = getattr(cls, name)

        def record(self: Any, query: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
            words.append(str(query).split()[0] if str(query).split() else "")
            return _original(self, query, *args, **kw)

        monkeypatch.setattr(cls, name, record)
    return words


def _the_others(url: str, what: str) -> int:
    """`what` over every other server process on the test database (the engine's
    connections)."""
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
        row = conn.execute(
            f"SELECT {what} FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def _kill_the_others(url: str) -> None:
    """End every other server process on the test database (the engine's connection)."""
    assert _the_others(url, "count(pg_terminate_backend(pid))") >= 1


def test_a_write_pings_with_its_begin_and_a_look_sends_no_transaction(
    shop: Shop, sent: list[str]
) -> None:
    shop.add(parity_order(100, (A, 1)))
    shop.apply(100, "hold")  # the pool now holds a connection that has been used
    sent.clear()

    shop.apply(100, "process")
    assert sent[0] == "BEGIN"
    assert ";" not in sent
    assert sent.count("BEGIN") == 1

    sent.clear()
    assert service_orders.show(shop.engine, 100, parts=()).status == "processing"
    assert sent == ["SELECT"]  # no `;` ping, no BEGIN
    sent.clear()
    assert service_orders.workflow_of(shop.engine, 100) == "woocommerce"
    assert sent == ["SELECT"]


def test_an_apply_commits_with_its_writes(
    db_url: str, shop: Shop, sent: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The apply's `COMMIT` goes after its writes, in their pipeline: when the session
    commits, psycopg finds the transaction over and sends nothing more."""
    shop.add(parity_order(100, (A, 1)))
    shop.apply(100, "hold")
    statuses: list[Any] = []
    commit = psycopg.Connection.commit

    def recorded(self: psycopg.Connection[Any]) -> None:
        statuses.append(self.info.transaction_status)
        commit(self)

    monkeypatch.setattr(psycopg.Connection, "commit", recorded)
    sent.clear()

    shop.apply(100, "process")
    assert sent[:3] == ["BEGIN", "SELECT", "SELECT"]  # the status, locked, and the lines
    assert sent[-1] == "COMMIT"
    assert sent[-2] == "INSERT"  # the history row, the last write
    assert statuses == [psycopg.pq.TransactionStatus.IDLE]  # nothing left to commit
    with psycopg.connect(libpq_dsn(db_url)) as other:  # committed: another connection sees it
        row = other.execute("SELECT status FROM orders WHERE id = 100").fetchone()
    assert row == ("processing",)


def test_a_connection_killed_in_the_pool_is_replaced(db_url: str, shop: Shop) -> None:
    shop.add(parity_order(100, (A, 1)))
    shop.apply(100, "hold")

    _kill_the_others(db_url)
    assert service_orders.show(shop.engine, 100).status == "on-hold"  # the read, run again

    _kill_the_others(db_url)
    assert shop.apply(100, "process").order.status == "processing"  # the BEGIN, retried
    assert shop.history(100)[-1] == ("admin", "process", "on-hold", "processing")


def test_every_dead_connection_in_the_pool_is_replaced(db_url: str, shop: Shop) -> None:
    shop.add(parity_order(100, (A, 1)))
    with shop.engine.connect() as one, shop.engine.connect() as two:  # two pooled connections
        one.execute(text("SELECT 1"))
        two.execute(text("SELECT 1"))

    _kill_the_others(db_url)
    assert shop.apply(100, "hold").order.status == "on-hold"  # two dead ones, then a new one


def test_the_server_plans_an_operators_reads_once_per_connection(shop: Shop) -> None:
    """A look and an apply read one order: their selects (prepared by psycopg after five runs)
    are planned once by the server and reused, not planned anew at every run, as a prepared
    `= ANY(array)` was (PostgreSQL's `pg_prepared_statements` counts each statement's generic
    and custom plans)."""
    shop.add(parity_order(100, (A, 1)))
    for action in ("process", "hold", "process", "hold") * 5:
        assert service_orders.show(shop.engine, 100, parts=()).status != action
        shop.apply(100, action)
    plans = db.look(  # on the connection the engine keeps, which ran all of them
        shop.engine,
        lambda session: session.execute(
            text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        ).all(),
    )
    reads = [(re.search(r"\sFROM\s+(\w+)", stmt), g, c) for stmt, g, c in plans
             if stmt.startswith("SELECT")]  # fmt: skip
    counts = {m.group(1): [] for m, _g, _c in reads if m}
    for m, generic, custom in reads:
        if m:
            counts[m.group(1)].append((generic, custom))
    assert len(counts.get("orders", [])) == 2  # the look's select and the apply's, locked
    assert len(counts.get("line_item", [])) == 1
    for table, plan_counts in counts.items():
        for generic, custom in plan_counts:
            assert custom <= 5, (table, generic, custom)  # the server's first five are custom
            assert generic >= 10, (table, generic, custom)


def _backend(shop: Shop) -> int:
    return int(
        db.look(
            shop.engine,
            lambda session: session.execute(text("SELECT pg_backend_pid()")).scalar_one(),
        )
    )


def _connections(url: str) -> int:
    return _the_others(url, "count(*)")


def test_the_engine_keeps_one_connection_between_transactions(db_url: str, shop: Shop) -> None:
    """Looks and applies run one after the other on one connection, which the engine keeps
    checked out between them (no checkout and checkin through the pool each time); disposing
    of the engine closes it."""
    shop.add(parity_order(100, (A, 1)))
    pid = _backend(shop)
    checkouts: list[object] = []
    event.listen(shop.engine, "checkout", lambda *_: checkouts.append(1))
    for action in ("hold", "process", "hold"):
        assert service_orders.show(shop.engine, 100, parts=()).status != action
        shop.apply(100, action)
    with pytest.raises(Refused):  # a refusal rolls back; the connection is kept all the same
        shop.apply(100, "hold")
    assert _backend(shop) == pid
    assert checkouts == []
    assert _connections(db_url) == 1

    shop.engine.dispose()
    assert _connections(db_url) == 0


def test_a_look_inside_a_transaction_takes_another_connection(shop: Shop) -> None:
    """The kept connection serves one transaction or look at a time: a look made while a
    transaction holds it gets a connection of its own, and neither is lost."""
    shop.add(parity_order(100, (A, 1)))
    outer = _backend(shop)
    with db.write_transaction(shop.engine) as session:
        inside = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        look = _backend(shop)
    assert inside == outer
    assert look != inside
    # The look's connection is kept (it ended first); the transaction's went back to the pool.
    assert shop.engine.pool.checkedin() == 1  # type: ignore[attr-defined]
    assert _backend(shop) == look
    with db.write_transaction(shop.engine) as session:
        assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() == look


def test_a_bulk_apply_lists_its_batches_on_the_connection_it_writes_on(
    db_url: str, shop: Shop, sent: list[str]
) -> None:
    """Each batch's ids are a look (`bulk.order_batches`): one `SELECT` in autocommit on the
    connection the batches' transactions use, no `BEGIN`/`ROLLBACK` of a read transaction,
    no second connection checked out (and pinged) beside it."""
    from orderwf.service import bulk

    shop.add(*(parity_order(i, (A, 1)) for i in range(100, 105)))
    shop.apply(100, "hold")  # the engine now keeps a connection
    checkouts: list[object] = []
    event.listen(shop.engine, "checkout", lambda *args: checkouts.append(args))
    sent.clear()
    report = bulk.apply(
        shop.engine, shop.model, "hold", {}, actor="admin", status="pending", batch_size=2
    )
    assert report.applied == 4
    assert checkouts == []
    assert sent.count("BEGIN") == 2  # one a batch that writes; the lists begin none
    assert "ROLLBACK" not in sent
    assert _the_others(db_url, "count(*)") == 1
