"""How PostgreSQL reads an order's lines (`store.snapshots.queries`): each line's product and
variation looked up by key, one line at a time, whatever the planner's statistics say. A join
let it walk the whole product index instead when its statistics had not seen the products
lines name: 40–45 ms a read on a catalog of 200,000 (docs/performance.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from parity import A, B, open_shop, parity_order
from sqlalchemy.dialects import postgresql

from orderwf.store import driver, snapshots
from shop import Shop, default_workflow, libpq_dsn

pytestmark = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, db_url, default_workflow())


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plan(url: str, one: bool, products: int) -> list[dict[str, Any]]:
    """The generic plan of the lines select (for one order, or a batch), on a product table
    of `products` more rows whose statistics say lines name only the first few."""
    dialect = postgresql.psycopg.dialect()  # type: ignore[attr-defined]
    select = driver._select(dialect, snapshots.queries("postgresql", one=one).lines, 1)
    sql = select.sql.replace("%s", "$1")
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO product (sku, name, price, manage_stock, stock_quantity, virtual,"
            " downloadable) SELECT 'P' || g, 'P', '1.00', true, 5, false, false"
            " FROM generate_series(1, %s) AS g",
            (products,),
        )
        conn.execute("ANALYZE")
        conn.execute(f"PREPARE lines(int{'' if one else '[]'}) AS {sql}")
        conn.execute("SET plan_cache_mode = force_generic_plan")
        param = "100" if one else "ARRAY[100]"
        row = conn.execute(f"EXPLAIN (FORMAT JSON) EXECUTE lines({param})").fetchone()
    assert row is not None
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return list(_nodes(document[0]["Plan"]))


@pytest.mark.parametrize("one", [True, False], ids=["one order", "a batch"])
def test_a_lines_read_looks_each_product_up_by_key(db_url: str, shop: Shop, one: bool) -> None:
    shop.add(parity_order(100, (A, 2), (B, 1)))
    nodes = _plan(db_url, one, products=20_000)
    products = [n for n in nodes if n.get("Relation Name") == "product"]
    assert len(products) == 2  # the product and the variation
    for node in products:
        assert node["Node Type"] == "Index Scan", node
        assert "line_item." in node["Index Cond"], node  # keyed by the line's column
    assert not [n for n in nodes if n["Node Type"] in ("Merge Join", "Hash Join")]
    # And the lines read as before: the product's flags and stock, the variation's none.
    lines = shop.show(100).line_items
    assert [(ln.product_id, ln.manage_stock, ln.stock_quantity) for ln in lines] == [
        (A, True, 10),
        (B, False, None),
    ]
