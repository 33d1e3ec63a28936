"""A bulk batch's writes on PostgreSQL: its new rows by COPY (`driver.copies`, `Write.copy`)
and its updated rows as one statement of arrays a table (`UPDATE … FROM unnest(…)`:
`driver.update`, `Write.send`).

By COPY, its notes, `once` markers, outbox and history read back exactly as the pipeline's
`executemany` writes them; a batch of fewer than `driver.COPY_FROM` rows of a table, and
SQLite, send none by COPY; a COPY that fails leaves the whole batch unwritten.

By arrays, its orders and lines read back exactly as `executemany` leaves them; the version
check still counts the rows updated; rows that update the same row twice, a small batch, a
single apply and SQLite go one by one."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import NOW, A, B, open_shop, parity_order
from sqlalchemy import Column, Float, Integer, MetaData, Table, insert, select

from orderwf.engine import plan as planner
from orderwf.service import bulk
from orderwf.service.imports import import_products
from orderwf.store import db, driver, faults, repo, snapshots
from orderwf.store.core import HISTORY, NOTES, ONCE, ORDERS, OUTBOX, PRODUCTS, TRACKING
from shop import Shop, default_workflow, workflow_copy

N = 40  # orders a batch: more new rows of a table than `driver.COPY_FROM`, more updated
# rows than `driver.UNNEST_FROM`
STOCKED = (A, 2)  # an order line whose stock moves: its line and product are updated too


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


@pytest.fixture
def arrays(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables updated by a statement of arrays from now on, as each is sent."""
    sent: list[str] = []
    execute = driver.Write._execute

    def observed(
        self: driver.Write, session: Any, sql: str, params: Sequence[Any], *, many: bool
    ) -> Any:
        if not many:
            sent.append(sql.split()[1])
        return execute(self, session, sql, params, many=many)

    monkeypatch.setattr(driver.Write, "_execute", observed)
    return sent


def _orders(shop: Shop, first: int, n: int = N, item: tuple[int, int] = (B, 1)) -> list[int]:
    ids = list(range(first, first + n))
    shop.add(*(parity_order(i, item) for i in ids))
    return ids


def _apply(shop: Shop, ids: list[int], action: str = "pay", **params: Any) -> None:
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
    _apply(pg_shop, by_copy)
    assert [sql.split()[1] for sql in copied] == ["order_note", "email_once", "outbox", "history"]
    _apply(pg_shop, by_copy, "add_tracking", **SHIPPED)
    assert "tracking" in [sql.split()[1] for sql in copied]
    copied.clear()
    monkeypatch.setattr(driver, "COPY_FROM", 10**9)
    _apply(pg_shop, by_executemany)
    _apply(pg_shop, by_executemany, "add_tracking", **SHIPPED)
    assert copied == []
    for table in (NOTES, ONCE, OUTBOX, HISTORY, TRACKING):
        rows = _rows(pg_shop, table, by_copy)
        assert len(rows) >= N, table.name
        assert rows == _rows(pg_shop, table, by_executemany), table.name
    assert pg_shop.status(7001) == pg_shop.status(8001) == "completed"


def test_a_small_batch_and_sqlite_send_nothing_by_copy(shop: Shop, copied: list[str]) -> None:
    few = _orders(shop, 100, n=driver.COPY_FROM // 3)  # 3 new rows an order at most
    _apply(shop, few)
    shop.apply(_orders(shop, 500, n=1)[0], "pay")
    if shop.url.startswith("sqlite"):
        _apply(shop, _orders(shop, 1000))
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
    _apply(pg_shop, ids)  # the connection is usable again


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
        driver.insert(tx, HISTORY).copy_dicts(tx, rows)
    assert str(failed.value).startswith("a unique value is already taken")
    assert isinstance(failed.value.__context__, DBAPIError)
    assert secret not in str(failed.value)
    assert secret not in str(failed.value.__context__)


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
    by_arrays, one_by_one = (
        _orders(pg_shop, 7001, item=STOCKED),
        _orders(pg_shop, 8001, item=STOCKED),
    )
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
    mine, theirs = _orders(pg_shop, 2001, item=STOCKED), _orders(pg_shop, 3001, item=STOCKED)
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


_HISTORY_ROW = st.tuples(
    _TEXT,
    _JSON,
    st.none() | _TEXT,
    st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1), timezones=_ZONES),
)


@pytest.mark.postgres
def test_copy_in_binary_stores_what_executemany_stores(pg_shop: Shop) -> None:
    """COPY's binary format (`driver._binary_types`): text with tabs, newlines, backslashes
    and any Unicode, JSON at any depth, a NULL, times in any zone read back as the rows
    `executemany` inserts; the history's, notes', outbox's, tracking's and markers' COPY all
    go in it."""
    mine, theirs = _orders(pg_shop, 2001, n=4), _orders(pg_shop, 3001, n=4)
    with db.read_transaction(pg_shop.engine) as tx:
        formats = {
            t.name: driver.insert(tx, t).copy_sql for t in (HISTORY, NOTES, OUTBOX, TRACKING, ONCE)
        }
    assert all(sql and sql.endswith("(FORMAT BINARY)") for sql in formats.values()), formats

    def write(ids: list[int], rows: list[tuple[Any, ...]], copy: bool) -> None:
        side = "c" if copy else "e"  # the keys are unique across both sides' rows
        values = [
            {"order_id": i, "at": at, "actor": text, "action": "hold", "params": data,
             "from_status": "pending", "to_status": "",
             "idempotency_key": None if key is None else side + key,
             "request_hash": text[:5], "effects": [data, text], "workflow_version_id": None}
            for i, (text, data, key, at) in zip(ids * len(rows), rows, strict=False)
        ]  # fmt: skip
        with db.transaction(pg_shop.engine) as tx:
            statement = driver.insert(tx, HISTORY)
            if copy:
                statement.copy_dicts(tx, values)
            else:
                statement.send_dicts(tx, values)

    def stored(ids: list[int]) -> list[dict[str, Any]]:
        query = select(*(c for c in HISTORY.c if c.key not in ("id", "order_id")))
        query = query.where(HISTORY.c.order_id.in_(ids)).order_by(HISTORY.c.id)
        with db.read_transaction(pg_shop.engine) as tx:
            rows = [dict(r) for r in tx.execute(query).mappings()]
        for row in rows:
            key = row["idempotency_key"]
            row["idempotency_key"] = None if key is None else key[1:]
        return rows

    @settings(max_examples=25, deadline=None)
    @given(st.lists(_HISTORY_ROW, min_size=1, max_size=4, unique_by=lambda r: r[2]))
    def check(rows: list[tuple[Any, ...]]) -> None:
        with db.transaction(pg_shop.engine) as tx:
            tx.execute(HISTORY.delete().where(HISTORY.c.order_id.in_(mine + theirs)))
        write(mine, rows, copy=True)
        write(theirs, rows, copy=False)
        assert stored(mine) == stored(theirs)

    check()


@pytest.mark.postgres
def test_a_column_type_without_binary_format_copies_as_text(pg_shop: Shop) -> None:
    """A type `driver` knows no binary format for (a float here; none of the store's tables
    has one): its COPY goes in the text format, and stores the rows."""
    scratch = Table(
        "scratch_copy", MetaData(), Column("id", Integer, primary_key=True), Column("ratio", Float)
    )
    scratch.create(pg_shop.engine)
    with db.transaction(pg_shop.engine) as tx:
        statement = driver.insert(tx, scratch)
        assert statement.copy_sql is not None
        assert "BINARY" not in statement.copy_sql
        statement.copy_dicts(tx, [{"ratio": i / 4} for i in range(N)])
    with db.read_transaction(pg_shop.engine) as tx:
        assert sorted(tx.execute(select(scratch.c.ratio)).scalars()) == [i / 4 for i in range(N)]


def _versions(shop: Shop, ids: list[int]) -> dict[int, int]:
    with db.read_transaction(shop.engine) as tx:
        query = select(ORDERS.c.id, ORDERS.c.version).where(ORDERS.c.id.in_(ids))
        return dict(tx.execute(query).all())


@pytest.mark.postgres
def test_the_version_check_counts_the_rows_arrays_updated(pg_shop: Shop, arrays: list[str]) -> None:
    ids = _orders(pg_shop, 1000, item=STOCKED)
    stale = ids[7]
    rows = [("on-hold", i, 1 if i != stale else 99) for i in ids]  # one order moved on
    with db.transaction(pg_shop.engine) as tx:
        sent = driver.update(tx, ORDERS, ("status",), ("id", "version")).send(tx, rows)
        assert sent.rowcount == N - 1
    assert arrays == ["orders"]
    assert pg_shop.status(stale) == "pending"
    assert {pg_shop.status(i) for i in ids if i != stale} == {"on-hold"}
    assert _versions(pg_shop, ids) == dict.fromkeys(ids, 1)  # SET only what was given


@pytest.mark.postgres
def test_a_column_type_without_array_text_goes_one_by_one(pg_shop: Shop, arrays: list[str]) -> None:
    """A type `driver` writes no array text for (a float here; none of the store's tables
    has one): the update goes by `executemany`."""
    scratch = Table(
        "scratch", MetaData(), Column("id", Integer, primary_key=True), Column("ratio", Float)
    )
    scratch.create(pg_shop.engine)
    ids = range(1, N + 1)
    with db.transaction(pg_shop.engine) as tx:
        tx.execute(insert(scratch), [{"id": i, "ratio": 0.0} for i in ids])
        sent = driver.update(tx, scratch, ("ratio",), ("id",)).send(tx, [(i / 4, i) for i in ids])
        assert sent.rowcount == N
    with db.read_transaction(pg_shop.engine) as tx:
        stored = dict(tx.execute(select(scratch.c.id, scratch.c.ratio)).all())
    assert stored == {i: i / 4 for i in ids}
    assert arrays == []


def test_two_rows_of_one_order_go_one_by_one(shop: Shop, arrays: list[str]) -> None:
    """The second row matches the version the first one wrote: one after the other, as
    `executemany` runs them, both apply; a join would see only the first."""
    ids = _orders(shop, 1000, item=STOCKED)
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
    few = _orders(shop, 100, n=driver.UNNEST_FROM - 1, item=STOCKED)
    _apply(shop, few, "pay")
    shop.apply(_orders(shop, 500, n=1, item=STOCKED)[0], "pay")
    if shop.url.startswith("sqlite"):
        _apply(shop, _orders(shop, 1000, item=STOCKED), "pay")
    assert arrays == []
    assert {shop.status(i) for i in few} == {"processing"}


def test_an_action_that_sets_metadata_writes_it_and_the_others_keep_it(
    tmp_path: Path, db_url: str
) -> None:
    # An order row is written without its metadata when the plan left it as it was
    # (`repo._updates`); a `set` effect's is written, in a batch and in a single apply, beside
    # orders of the same batch whose metadata is kept.
    stamp = """actions:
  stamp:
    label: Stamp
    from: any
    effects: [{set: {meta.checked: "{{ actor }}"}}]
"""
    path = workflow_copy(tmp_path, {"actions:\n": stamp})
    for shop in open_shop(tmp_path, db_url, default_workflow(path)):
        stamped, kept = _orders(shop, 9001, n=3), _orders(shop, 9101, n=2)
        _apply(shop, stamped[:2], "stamp")
        shop.apply(stamped[2], "stamp")
        assert [shop.show(i).meta for i in stamped] == [{"checked": "admin"}] * 3
        # One batch: the kept orders' rows (no metadata written) and a stamped one's.
        shop.apply(stamped[0], "stamp", actor="bob")
        _apply(shop, [*kept, stamped[0]], "pay")
        _apply(shop, [kept[0], stamped[1]], "stamp")
        assert [shop.show(i).meta for i in [*stamped, *kept]] == [
            {"checked": "bob"}, {"checked": "admin"}, {"checked": "admin"},
            {"checked": "admin"}, {},
        ]  # fmt: skip
        assert [shop.show(i).version for i in [*stamped, *kept]] == [4, 3, 2, 3, 2]
