"""The column types read back what was written, on both databases, whether a row is read
through SQLAlchemy's own results or the bulk reader (`driver.selects_by_ids`): exact amounts,
and times that come back as aware UTC whatever offset they were given with."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from orderwf.store import db, driver, snapshots
from orderwf.store.core import ORDERS

AMOUNTS = [Decimal("0"), Decimal("25.00"), Decimal("-3.5"), Decimal("12345678901234.56789")]
PARIS = timezone(timedelta(hours=2))
TIMES = [
    datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
    datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=PARIS),
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
]
ROWS = list(enumerate(zip(AMOUNTS, TIMES, strict=True), start=1))  # (id, (amount, time))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = db.connect(db_url)
    yield engine
    engine.dispose()


def test_amounts_and_times_round_trip(engine: Engine) -> None:
    with db.write_transaction(engine) as session:
        for i, (amount, when) in ROWS:
            session.execute(
                ORDERS.insert().values(
                    id=i,
                    status="pending",
                    workflow="woocommerce",
                    total=amount,
                    date_created=when,
                    billing={},
                    shipping={},
                    meta={},
                    date_paid=None if i == 2 else when,
                )
            )
    ids = list(range(1, len(AMOUNTS) + 1))
    query = select(ORDERS.c.id, ORDERS.c.total, ORDERS.c.date_created, ORDERS.c.date_paid)
    bulk_query = snapshots.queries(engine.dialect.name).orders_reading(snapshots.ALL_PARTS)
    with db.read_transaction(engine) as session:
        core = [tuple(r) for r in session.execute(query.order_by(ORDERS.c.id)).all()]
        rows = driver.selects_by_ids(session, {"orders": bulk_query}, ids)["orders"]
        bulk = [(r["id"], r["total"], r["created_at"], r["date_paid"]) for r in rows]
    expected = [
        (i, amount, when.astimezone(UTC), None if i == 2 else when.astimezone(UTC))
        for i, (amount, when) in ROWS
    ]
    assert core == expected
    assert sorted(bulk) == expected
    for _, _, created, paid in bulk:
        assert created.tzinfo == UTC
        assert paid is None or paid.tzinfo == UTC


JSON_VALUES = [
    {},
    {"first_name": "Zoë", "email": "z@example.com", "note": "Crème – 📦"},
    {"big": 2**70 + 1, "nested": {"list": [1, None, True, 1.5, -(2**63) - 1]}},  # > 64 bits
]


def test_json_columns_read_back_what_was_written_by_both_readers(engine: Engine) -> None:
    with db.write_transaction(engine) as session:
        for i, value in enumerate(JSON_VALUES, start=1):
            session.execute(
                ORDERS.insert().values(
                    id=i, status="pending", workflow="woocommerce", total=Decimal(1),
                    date_created=TIMES[0], billing=value, shipping={"v": i}, meta=value,
                )
            )  # fmt: skip
    ids = list(range(1, len(JSON_VALUES) + 1))
    query = select(ORDERS.c.billing, ORDERS.c.shipping, ORDERS.c.meta).order_by(ORDERS.c.id)
    with db.read_transaction(engine) as session:
        core = [tuple(r) for r in session.execute(query).all()]
        rows = driver.selects_by_ids(
            session,
            {"orders": snapshots.queries(engine.dialect.name).orders_reading(snapshots.ALL_PARTS)},
            ids,
        )["orders"]
    expected = [(value, {"v": i}, value) for i, value in enumerate(JSON_VALUES, start=1)]
    assert core == expected
    assert [(r["billing"], r["shipping"], r["meta"]) for r in rows] == expected
    # Big integers read back as integers, not floats (`==` holds for 2**70 as a float).
    assert repr(core) == repr(expected)
    assert repr([(r["billing"], r["shipping"], r["meta"]) for r in rows]) == repr(expected)


@pytest.mark.postgres
def test_psycopg_reads_json_through_json_loads_itself(pg_db_url: str) -> None:
    # Not through psycopg's own loader, which copies each value to `bytes` and then calls it.
    from psycopg.pq import Format

    from orderwf.store.columns import json_loads

    engine = db.connect(pg_db_url)
    try:
        with engine.connect() as conn:
            adapters = conn.connection.driver_connection.adapters  # type: ignore[union-attr]
            for name in ("json", "jsonb"):
                oid = adapters.types[name].oid
                assert adapters.get_loader(oid, Format.TEXT).load is json_loads
                assert adapters.get_loader(oid, Format.BINARY) is not None
            value = conn.exec_driver_sql("""SELECT '{"a": [1, "é", null]}'::jsonb""").scalar()
            assert value == {"a": [1, "é", None]}
    finally:
        engine.dispose()


def test_a_failing_read_raises_as_sqlalchemys_own_statements_do(engine: Engine) -> None:
    # The bulk reader runs on the DBAPI cursor; its errors still come as SQLAlchemy's, which
    # the store's error handling (and the pool's invalidation of a dropped connection) expect.
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with db.write_transaction(engine) as session:
        session.execute(text("DROP TABLE tracking"))
    with db.read_transaction(engine) as session, pytest.raises(DBAPIError) as failed:
        snapshots.load_orders(session, [1, 2])
    assert "tracking" in str(failed.value.orig)


def test_the_bulk_writer_stores_amounts_and_times_as_core_reads_them(engine: Engine) -> None:
    # `driver.Write`: compiled Core statements on the DBAPI cursor, each value through its
    # type's bind processor; Core reads back what it would have stored itself.
    from orderwf.store.core import REFUNDS

    with db.write_transaction(engine) as session:
        session.execute(
            ORDERS.insert().values(
                id=1, status="pending", workflow="w", billing={}, shipping={}, meta={},
                date_created=TIMES[0],
            )
        )  # fmt: skip
        driver.insert(session, REFUNDS).send_dicts(
            session,
            [
                {"order_id": 1, "amount": amount, "reason": f"r{i}", "restock": i % 2 == 0,
                 "refunded_by": "ann", "created_at": when}
                for i, (amount, when) in ROWS
            ],
        )  # fmt: skip
        updated = driver.update(session, ORDERS, ("total", "date_paid"), ("id",)).send(
            session, [(AMOUNTS[3], TIMES[1], 1), (AMOUNTS[2], TIMES[2], 2)]
        )
        assert updated.rowcount == 1  # order 2 does not exist
    query = select(REFUNDS.c.amount, REFUNDS.c.created_at, REFUNDS.c.restock)
    with db.read_transaction(engine) as session:
        refunds = [tuple(r) for r in session.execute(query.order_by(REFUNDS.c.id)).all()]
        order = session.execute(select(ORDERS.c.total, ORDERS.c.date_paid)).one()
    assert refunds == [(amount, when.astimezone(UTC), i % 2 == 0) for i, (amount, when) in ROWS]
    assert tuple(order) == (AMOUNTS[3], TIMES[1].astimezone(UTC))


def test_the_bulk_writer_fills_in_no_column_a_row_lacks(engine: Engine) -> None:
    # An insert gives every column its value: a row without one is refused, never stored with
    # a default the caller did not choose.
    from orderwf.store.core import NOTES

    note = {"order_id": 1, "note": "n", "customer_note": False, "created_at": TIMES[0]}
    with db.write_transaction(engine) as session, pytest.raises(KeyError, match="author"):
        driver.insert(session, NOTES).send_dicts(session, [note])


@pytest.mark.parametrize("count", [1, 2, 3, 5, 9, 17, 600, 1025])
def test_a_select_by_ids_padded_to_its_bucket_reads_each_order_once(
    engine: Engine, count: int
) -> None:
    # On SQLite the id list is padded with its last id (`driver.padded`): 3 ids are sent as
    # 4, 600 as 1,024. The rows are those of the ids given, each once.
    with db.write_transaction(engine) as session:
        session.execute(
            ORDERS.insert(),
            [
                {
                    "id": i,
                    "status": "pending",
                    "workflow": "woocommerce",
                    "total": Decimal(i),
                    "date_created": TIMES[0],
                    "billing": {},
                    "shipping": {},
                    "meta": {},
                }  # fmt: skip
                for i in range(1, 2100)
            ],
        )
    ids = list(range(2, 2 + 2 * count, 2))[::-1]  # not in order, not contiguous
    query = snapshots.queries(engine.dialect.name).orders_reading(snapshots.ALL_PARTS)
    with db.read_transaction(engine) as session:
        rows = driver.selects_by_ids(session, {"orders": query}, ids)["orders"]
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert {r["id"]: r["total"] for r in rows} == {i: Decimal(i) for i in ids}


def test_padded_sizes_share_a_statement_and_stay_within_sqlite_limit() -> None:
    assert [driver.padded(n) for n in (1, 2, 3, 4, 5, 472, 500, 512, 513)] == [
        1, 2, 4, 4, 8, 512, 512, 512, 1024,
    ]  # fmt: skip
    assert [driver.padded(n) for n in (1025, 2048, 2049, 32256, 32257, 32766)] == [
        2048, 2048, 3072, 32256, 32257, 32766,
    ]  # fmt: skip
