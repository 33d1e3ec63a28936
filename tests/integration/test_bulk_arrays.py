"""A bulk batch's updates go to PostgreSQL as one statement of arrays each
(`UPDATE … FROM unnest(…)`: `driver.update`, `Write.send`): its orders and lines read back
exactly as `executemany` leaves them; the version check still counts the rows updated; rows
that update the same row twice, a small batch, a single apply and SQLite go one by one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import NOW, A, open_shop, parity_order
from sqlalchemy import select

from orderwf.service import bulk
from orderwf.service.imports import import_products
from orderwf.store import db, driver
from orderwf.store.core import ORDERS, PRODUCTS
from shop import Shop, default_workflow

N = 40  # orders a batch: more than `driver.UNNEST_FROM`


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, db_url, default_workflow())


@pytest.fixture
def pg_shop(tmp_path: Path, pg_db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, pg_db_url, default_workflow())


@pytest.fixture
def arrays(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables updated by a statement of arrays from now on, as each is sent."""
    sent: list[str] = []
    execute = driver.Write._execute_arrays

    def observed(self: driver.Write, session: Any, sql: str, rows: Sequence[Any]) -> Any:
        sent.append(sql.split()[1])
        return execute(self, session, sql, rows)

    monkeypatch.setattr(driver.Write, "_execute_arrays", observed)
    return sent


def _orders(shop: Shop, first: int, n: int = N) -> list[int]:
    ids = list(range(first, first + n))
    shop.add(*(parity_order(i, (A, 2)) for i in ids))
    return ids


def _apply(shop: Shop, ids: list[int], action: str) -> None:
    report = bulk.apply(shop.engine, shop.model, action, {}, actor="admin", ids=ids, now=NOW)
    assert (report.applied, report.refused) == (len(ids), [])


def _state(shop: Shop, order_id: int) -> tuple[Any, ...]:
    """What the batch's updates write of an order and its lines."""
    o = shop.show(order_id)
    lines = [
        (x.kind, x.reduced_stock, x.quantity_refunded, x.total_refunded, x.refunded_kept)
        for x in o.lines
    ]
    return (o.status, o.version, o.stock_reduced, o.date_paid, o.status_changed_at, o.meta, lines)


@pytest.mark.postgres
def test_a_batch_updated_by_arrays_stores_what_executemany_stores(
    pg_shop: Shop, arrays: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    by_arrays, one_by_one = _orders(pg_shop, 7001), _orders(pg_shop, 8001)
    start = pg_shop.level(A)
    assert start is not None
    _apply(pg_shop, by_arrays, "pay")  # to processing: the stock goes out, 2 an order
    assert arrays == ["orders", "line_item"]  # the products' one row: one by one
    assert pg_shop.level(A) == start - 2 * N
    _apply(pg_shop, by_arrays, "cancel")  # and comes back
    arrays.clear()
    monkeypatch.setattr(driver, "UNNEST_FROM", 10**9)
    _apply(pg_shop, one_by_one, "pay")
    _apply(pg_shop, one_by_one, "cancel")
    assert arrays == []
    assert pg_shop.level(A) == start
    for mine, theirs in zip(by_arrays, one_by_one, strict=True):
        assert _state(pg_shop, mine) == _state(pg_shop, theirs)
    assert _state(pg_shop, by_arrays[0])[:2] == ("cancelled", 3)
    assert _state(pg_shop, by_arrays[0])[-1][0] == ("line_item", 0, 0, 0, 0)


_COLUMNS = ("status", "total", "meta", "date_paid", "stock_reduced", "customer_id")
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
_ZONES = st.none() | st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_ROW = st.tuples(
    _TEXT,
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9
    ),
    _JSON,
    st.none() | st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1), timezones=_ZONES),
    st.booleans(),
    st.integers(-(2**31), 2**31 - 1),
)


@pytest.mark.postgres
def test_every_column_type_reads_back_as_executemany_stores_it(
    pg_shop: Shop, arrays: list[str]
) -> None:
    """The arrays' text (`driver`'s own, not psycopg's dumping) for text with quotes,
    backslashes, braces, commas, spaces, `NULL` and any Unicode; amounts; JSON with None at
    any depth and alone; times naive, in any zone (stored in UTC), and none; booleans; integers."""
    mine, theirs = _orders(pg_shop, 2001), _orders(pg_shop, 3001)
    query = select(*(ORDERS.c[c] for c in _COLUMNS)).order_by(ORDERS.c.id)

    def stored(ids: list[int]) -> list[tuple[Any, ...]]:
        with db.read_transaction(pg_shop.engine) as tx:
            return [tuple(r) for r in tx.execute(query.where(ORDERS.c.id.in_(ids)))]

    def write(ids: list[int], rows: list[tuple[Any, ...]], arrays: bool) -> None:
        with db.transaction(pg_shop.engine) as tx:
            statement = driver.update(tx, ORDERS, _COLUMNS, ("id",))
            driver.UNNEST_FROM = 32 if arrays else 10**9
            try:
                sent = statement.send(tx, [(*r, i) for r, i in zip(rows, ids, strict=True)])
            finally:
                driver.UNNEST_FROM = 32
            assert sent.rowcount == N

    @settings(max_examples=25, deadline=None)
    @given(st.lists(_ROW, min_size=N, max_size=N))
    def check(rows: list[tuple[Any, ...]]) -> None:
        write(mine, rows, arrays=True)
        write(theirs, rows, arrays=False)
        assert stored(mine) == stored(theirs)

    check()
    assert set(arrays) == {"orders"}


def _versions(shop: Shop, ids: list[int]) -> dict[int, int]:
    with db.read_transaction(shop.engine) as tx:
        query = select(ORDERS.c.id, ORDERS.c.version).where(ORDERS.c.id.in_(ids))
        return dict(tx.execute(query).all())


@pytest.mark.postgres
def test_the_version_check_counts_the_rows_arrays_updated(pg_shop: Shop, arrays: list[str]) -> None:
    ids = _orders(pg_shop, 1000)
    stale = ids[7]
    rows = [("on-hold", i, 1 if i != stale else 99) for i in ids]  # one order moved on
    with db.transaction(pg_shop.engine) as tx:
        sent = driver.update(tx, ORDERS, ("status",), ("id", "version")).send(tx, rows)
        assert sent.rowcount == N - 1
    assert arrays == ["orders"]
    assert pg_shop.status(stale) == "pending"
    assert {pg_shop.status(i) for i in ids if i != stale} == {"on-hold"}
    assert _versions(pg_shop, ids) == dict.fromkeys(ids, 1)  # SET only what was given


def test_two_rows_of_one_order_go_one_by_one(shop: Shop, arrays: list[str]) -> None:
    """The second row matches the version the first one wrote: one after the other, as
    `executemany` runs them, both apply; a join would see only the first."""
    ids = _orders(shop, 1000)
    rows = [("on-hold", 2, i, 1) for i in ids] + [("processing", 3, ids[0], 2)]
    with db.transaction(shop.engine) as tx:
        update = driver.update(tx, ORDERS, ("status", "version"), ("id", "version"))
        assert update.send(tx, rows).rowcount == N + 1
    assert (shop.status(ids[0]), _versions(shop, ids[:1])) == ("processing", {ids[0]: 3})
    assert arrays == []


def test_stock_increments_by_arrays_add_to_each_level(shop: Shop, arrays: list[str]) -> None:
    """Never read and written back: each product's level moves by its delta in SQL."""
    ids = range(100, 100 + N)
    products = [
        {"id": i, "sku": f"P{i}", "name": f"P{i}", "price": "1.00", "manage_stock": True,
         "stock_quantity": i}
        for i in ids
    ]  # fmt: skip
    import_products(shop.engine, products)
    rows = [(i % 7 - 3, i) for i in ids]  # in and out
    with db.transaction(shop.engine) as tx:
        sent = driver.update(tx, PRODUCTS, ("stock_quantity",), ("id",), increment=True).send(
            tx, rows
        )
        assert sent.rowcount == N
    levels = shop.levels()
    assert {i: levels[i] for i in ids} == {i: i + i % 7 - 3 for i in ids}
    assert arrays == (["product"] if shop.url.startswith("postgresql") else [])


def test_rows_updating_one_row_twice_go_one_by_one(shop: Shop, arrays: list[str]) -> None:
    start = shop.level(A)
    assert start is not None
    rows = [(1, A)] * N  # executemany adds each; a join would update the product once
    with db.transaction(shop.engine) as tx:
        sent = driver.update(tx, PRODUCTS, ("stock_quantity",), ("id",), increment=True).send(
            tx, rows
        )
        assert sent.rowcount == N
    assert shop.level(A) == start + N
    assert arrays == []


def test_a_small_batch_an_apply_and_sqlite_send_no_arrays(shop: Shop, arrays: list[str]) -> None:
    few = _orders(shop, 100, n=driver.UNNEST_FROM - 1)
    _apply(shop, few, "pay")
    shop.apply(_orders(shop, 500, n=1)[0], "pay")
    if shop.url.startswith("sqlite"):
        _apply(shop, _orders(shop, 1000), "pay")
    assert arrays == []
    assert {shop.status(i) for i in few} == {"processing"}
