"""`repo.order_ids`, the keyset listing of a bulk apply's batches, compiled once for each set
of its conditions (`driver.first_column`): on both databases, each set lists what the same
select through SQLAlchemy lists, whatever set was compiled before it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import permutations
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from orderwf.store import db, repo
from orderwf.store.core import ORDERS

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = db.connect(db_url)
    with db.write_transaction(engine) as session:
        for i in range(1, 41):
            session.execute(
                ORDERS.insert().values(
                    id=i, status="pending" if i % 3 else "on-hold",
                    workflow="woocommerce" if i % 4 else "b2b", total=Decimal(1),
                    date_created=T0 + timedelta(hours=i), billing={}, shipping={}, meta={},
                    status_changed_at=None if i % 5 else T0 + timedelta(days=2),
                )
            )  # fmt: skip
    yield engine
    engine.dispose()


def expected(engine: Engine, **kw: Any) -> list[int]:
    o = ORDERS.c
    query = select(o.id).where(o.status == kw["status"], o.id > kw["after"])
    if kw.get("workflow") is not None:
        query = query.where(o.workflow == kw["workflow"])
    if kw.get("changed_before") is not None:
        since = func.coalesce(o.status_changed_at, o.date_created)
        query = query.where(since <= kw["changed_before"])
    with db.read_transaction(engine) as session:
        return list(session.execute(query.order_by(o.id).limit(kw["limit"])).scalars())


CONDITIONS: list[dict[str, Any]] = [
    {},
    {"workflow": "b2b"},
    {"changed_before": T0 + timedelta(hours=20)},
    {"workflow": "woocommerce", "changed_before": T0 + timedelta(days=1)},
]


@pytest.mark.parametrize("order", list(permutations(range(len(CONDITIONS)), 2)))
def test_each_set_of_conditions_lists_what_sqlalchemy_lists(
    engine: Engine, order: tuple[int, int]
) -> None:
    for index in order:
        for status, after, limit in [("pending", 0, 500), ("pending", 7, 5), ("on-hold", 3, 2)]:
            kw = {"status": status, "after": after, "limit": limit, **CONDITIONS[index]}
            with db.read_transaction(engine) as session:
                found = repo.order_ids(session, **kw)
            assert found == expected(engine, **kw)
            assert found  # every case lists some orders: a wrong filter cannot pass as empty
            assert all(isinstance(i, int) for i in found)
