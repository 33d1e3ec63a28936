"""A bulk batch's new rows go to PostgreSQL by COPY (`driver.copies`, `Write.copy`): its
notes, `once` markers, outbox and history read back exactly as the pipeline's `executemany`
writes them; a batch of fewer than `driver.COPY_FROM` rows of a table, and SQLite, send none
by COPY; a COPY that fails leaves the whole batch unwritten."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parity import NOW, B, open_shop, parity_order
from sqlalchemy import Table, select

from orderwf.engine import plan as planner
from orderwf.service import bulk
from orderwf.store import db, driver, faults, repo, snapshots
from orderwf.store.core import HISTORY, NOTES, ONCE, OUTBOX, TRACKING
from shop import Shop, default_workflow

N = 40  # orders a batch: more notes, history and outbox rows than `driver.COPY_FROM`


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, db_url, default_workflow())


@pytest.fixture
def pg_shop(tmp_path: Path, pg_db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, pg_db_url, default_workflow())


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements sent by COPY from now on (each `Write.copy` of rows, as it runs)."""
    sent: list[str] = []
    copy = driver.Write.copy

    def observed(self: driver.Write, session: Any, rows: list[dict[str, Any]]) -> None:
        sent.append(str(self.copy_sql))
        copy(self, session, rows)

    monkeypatch.setattr(driver.Write, "copy", observed)
    return sent


def _orders(shop: Shop, first: int, n: int = N) -> list[int]:
    ids = list(range(first, first + n))
    shop.add(*(parity_order(i, (B, 1)) for i in ids))
    return ids


def _pay(shop: Shop, ids: list[int], action: str = "pay", **params: Any) -> None:
    report = bulk.apply(shop.engine, shop.model, action, params, actor="admin", ids=ids, now=NOW)
    assert (report.applied, report.refused) == (len(ids), [])


SHIPPED = {"number": "AB12345678", "carrier": "ups"}  # what `add_tracking` adds


def _rows(shop: Shop, table: Table, ids: list[int]) -> list[dict[str, Any]]:
    """The table's rows of the orders `ids`, in order, as the next order would have them: no
    row id, the order by its place in `ids`, its number in texts as N, no message id."""
    place = {order_id: i for i, order_id in enumerate(ids)}
    query = select(table).where(table.c.order_id.in_(ids)).order_by(*table.primary_key)
    with db.read_transaction(shop.engine) as session:
        found = [dict(r) for r in session.execute(query).mappings()]
    for row in found:
        order_id = row.pop("order_id")
        row.pop("id", None)
        row.pop("message_id", None)
        for key, value in row.items():
            if isinstance(value, str):
                row[key] = value.replace(str(order_id), "N")
            elif isinstance(value, dict | list):  # a JSON column: the history's effects
                row[key] = json.loads(json.dumps(value).replace(str(order_id), "N"))
        row["order"] = place[order_id]  # (order ids that are not a year, an amount or a date)
    return found


@pytest.mark.postgres
def test_a_batch_copied_stores_what_executemany_stores(
    pg_shop: Shop, copied: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    by_copy, by_executemany = _orders(pg_shop, 7001), _orders(pg_shop, 8001)
    _pay(pg_shop, by_copy)
    assert [sql.split()[1] for sql in copied] == ["order_note", "email_once", "outbox", "history"]
    _pay(pg_shop, by_copy, "add_tracking", **SHIPPED)
    assert "tracking" in [sql.split()[1] for sql in copied]
    copied.clear()
    monkeypatch.setattr(driver, "COPY_FROM", 10**9)
    _pay(pg_shop, by_executemany)
    _pay(pg_shop, by_executemany, "add_tracking", **SHIPPED)
    assert copied == []
    for table in (NOTES, ONCE, OUTBOX, HISTORY, TRACKING):
        rows = _rows(pg_shop, table, by_copy)
        assert len(rows) >= N, table.name
        assert rows == _rows(pg_shop, table, by_executemany), table.name
    assert pg_shop.status(7001) == pg_shop.status(8001) == "completed"


def test_a_small_batch_and_sqlite_send_nothing_by_copy(shop: Shop, copied: list[str]) -> None:
    few = _orders(shop, 100, n=driver.COPY_FROM // 3)  # 3 new rows an order at most
    _pay(shop, few)
    shop.apply(_orders(shop, 500, n=1)[0], "pay")
    if shop.url.startswith("sqlite"):
        _pay(shop, _orders(shop, 1000))
    assert copied == []
    assert _rows(shop, NOTES, few)


@pytest.mark.postgres
def test_a_failing_copy_leaves_the_whole_batch_unwritten(pg_shop: Shop, copied: list[str]) -> None:
    ids = _orders(pg_shop, 1000)
    before = [pg_shop.stored(i) for i in ids]
    # One idempotency key for every history row: the history's COPY, the last one, breaks
    # its uniqueness after the notes', the `once` markers' and the outbox's went.
    # The error is the store's, raised as the transaction ends (`db.transaction`).
    conflict = pytest.raises(faults.Conflict, match="idempotency_key")
    with conflict, db.transaction(pg_shop.engine) as tx:  # noqa: PT012
        orders = snapshots.load_orders(tx, ids, lock=True)
        plans = [
            planner.plan(pg_shop.model, orders[i], "pay", {}, actor="admin", now=NOW) for i in ids
        ]
        repo.apply_plans(tx, plans, key="one key for all")
    assert [sql.split()[1] for sql in copied] == ["order_note", "email_once", "outbox", "history"]
    assert [pg_shop.stored(i) for i in ids] == before
    _pay(pg_shop, ids)  # the connection is usable again


@pytest.mark.postgres
def test_a_failing_copy_is_one_sentence_without_its_rows(pg_shop: Shop) -> None:
    # As a failing `executemany` (test_database_faults): the store's one sentence, and under
    # it SQLAlchemy's error, with no row's values (COPY's context names a line, not its data).
    from sqlalchemy.exc import DBAPIError

    ids = _orders(pg_shop, 1000)
    secret = "someone@private.test"
    rows = [
        {"order_id": i, "at": NOW, "actor": secret, "action": "hold", "params": {},
         "from_status": "pending", "to_status": "on-hold", "idempotency_key": "K",
         "request_hash": "", "effects": [], "workflow_version_id": None}
        for i in ids
    ]  # fmt: skip
    with pytest.raises(faults.Conflict) as failed, db.write_transaction(pg_shop.engine) as tx:
        driver.insert(tx, HISTORY).copy(tx, rows)
    assert str(failed.value).startswith("a unique value is already taken")
    assert isinstance(failed.value.__context__, DBAPIError)
    assert secret not in str(failed.value)
    assert secret not in str(failed.value.__context__)
