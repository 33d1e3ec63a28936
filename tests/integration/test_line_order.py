"""An order's lines come out of the store by their place in the order, then by id, whatever
the order they were stored in: on PostgreSQL sorted by the select, on SQLite read unsorted and
put in order by `snapshots._build` (`snapshots.queries`). For one order and for a batch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from parity import A, B, G, open_shop, parity_order
from sqlalchemy import update

from orderwf.store import db, snapshots
from orderwf.store.core import LINES
from shop import Shop, default_workflow


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, db_url, default_workflow())


# Each order's product lines get these places (ids x1, x2, x3): the last stored comes first,
# two share a place (then the lower id first).
PLACES = {1: 5, 2: 5, 3: 1}


def test_lines_come_by_their_place_then_id_for_one_order_and_a_batch(shop: Shop) -> None:
    ids = [300, 100, 200]
    shop.add(*(parity_order(i, (A, 1), (B, 1), (G, 1)) for i in ids))
    with db.transaction(shop.engine) as tx:
        for order_id in ids:
            for n, place in PLACES.items():
                line = LINES.c.id == order_id * 10 + n
                tx.execute(update(LINES).where(line).values(position=place))
            # the shipping line (x9) first of all
            tx.execute(update(LINES).where(LINES.c.id == order_id * 10 + 9).values(position=0))
    with db.read_transaction(shop.engine) as tx:
        batch = snapshots.load_orders(tx, ids)
        alone = {i: snapshots.load_order(tx, i) for i in ids}
    for order_id in ids:
        expected = [order_id * 10 + n for n in (9, 3, 1, 2)]
        assert [line.id for line in batch[order_id].lines] == expected
        assert [line.id for line in alone[order_id].lines] == expected
        assert [line.name for line in batch[order_id].line_items] == ["Gift", "T-Shirt", "E-book"]
