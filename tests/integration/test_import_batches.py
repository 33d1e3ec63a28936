"""An import larger than one statement can hold: streamed from its file and stored in batches
(issue 11 §3: a million orders hit SQLite's "too many SQL variables" and gigabytes of memory).

SQLite's limit on variables in one statement is lowered to 999 (its value before 3.32), so a
file of 1,200 orders proves the batching without a million of them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from orderwf import woo
from orderwf.errors import StoreError, UsageError
from orderwf.service.imports import import_orders, import_products
from orderwf.store import db
from orderwf.workflow.loader import load_workflow

ORDERS = 1_200
VARIABLE_LIMIT = 999


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = db.connect(f"sqlite:///{tmp_path / 'shop.db'}")

    @event.listens_for(engine, "connect")
    def _limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, VARIABLE_LIMIT)

    engine.dispose()  # every connection from now on has the limit
    yield engine
    engine.dispose()


def _order(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "status": "processing",
        "currency": "EUR",
        "date_created_gmt": "2026-11-20T08:00:00",
        "total": "12.00",
        "billing": {"email": f"c{n}@example.com"},
        "line_items": [
            {"id": 10 * n + 1, "product_id": 1, "quantity": 2, "total": "6.00"},
            {"id": 10 * n + 2, "product_id": 2, "quantity": 1, "total": "6.00"},
        ],
    }


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_an_import_past_the_variable_limit_is_stored_in_batches(
    engine: Engine, tmp_path: Path
) -> None:
    products = [{"id": i, "name": f"P{i}", "price": "3.00", "manage_stock": True,
                 "stock_quantity": 5} for i in range(1, ORDERS + 1)]  # fmt: skip
    (tmp_path / "products.json").write_text(json.dumps(products))
    (tmp_path / "orders.json").write_text(json.dumps([_order(n) for n in range(1, ORDERS + 1)]))
    workflow = load_workflow(None)

    import_products(engine, woo.stream(tmp_path / "products.json"))
    ids = import_orders(engine, workflow, woo.stream(tmp_path / "orders.json"))

    assert ids == list(range(1, ORDERS + 1))
    assert (_count(engine, "orders"), _count(engine, "line_item")) == (ORDERS, 2 * ORDERS)
    # Again: every order exists, refused in the first batch; then replaced with --update.
    with pytest.raises(StoreError) as refused:
        import_orders(engine, workflow, woo.stream(tmp_path / "orders.json"))
    assert refused.value.message == (  # one line, not the ids of a whole batch
        f"orders {', '.join(f'#{i}' for i in range(1, 11))} and 490 more already exist; "
        "nothing was imported (use --update to replace)"
    )
    assert import_orders(engine, workflow, woo.stream(tmp_path / "orders.json"), update=True) == ids
    assert (_count(engine, "orders"), _count(engine, "line_item")) == (ORDERS, 2 * ORDERS)


def test_a_bad_order_late_in_the_file_stores_none(engine: Engine, tmp_path: Path) -> None:
    orders = [_order(n) for n in range(1, ORDERS + 1)]
    orders[-1]["total"] = "NaN"
    (tmp_path / "orders.json").write_text(json.dumps(orders))

    with pytest.raises(UsageError) as refused:
        import_orders(engine, load_workflow(None), woo.stream(tmp_path / "orders.json"))

    assert refused.value.message == f"order #{ORDERS} has 'total' 'NaN', expected a finite amount"
    assert _count(engine, "orders") == 0


def test_a_repeated_id_far_apart_is_refused(engine: Engine, tmp_path: Path) -> None:
    orders = [_order(n) for n in range(1, ORDERS + 1)]
    orders.append(_order(3) | {"line_items": []})
    (tmp_path / "orders.json").write_text(json.dumps(orders))

    with pytest.raises(UsageError, match=r"^order #3 appears twice in the file$"):
        import_orders(engine, load_workflow(None), woo.stream(tmp_path / "orders.json"))
    assert _count(engine, "orders") == 0
