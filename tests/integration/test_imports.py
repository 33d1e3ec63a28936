"""Importing WooCommerce REST v3 payloads (the API documentation's own examples) and creating
orders, on real SQLite files: ids kept, money exact, refunds, duplicates, stock bookkeeping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from orderwf import woo
from orderwf.errors import NotFound, OrderwfError, Refused, StoreError, UsageError
from orderwf.service.imports import import_orders, import_products
from orderwf.service.orders import create_order
from orderwf.store import db
from orderwf.store.tables import ALL_TABLES, LineItem, Order, Product, Refund, RefundLine
from orderwf.workflow.loader import load_workflow
from orderwf.workflow.model import Workflow


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    engine = db.connect(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def workflow() -> Workflow:
    return load_workflow(None)


def _load(woo_dir: Path, name: str) -> list[Any]:
    return list(woo.load(woo_dir / name))


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t.__tablename__: conn.execute(text(f"SELECT * FROM {t.__tablename__} ORDER BY 1")).all()  # type: ignore[attr-defined]
            for t in ALL_TABLES
        }


def _get(engine: Engine, model: Any, key: Any) -> Any:
    with Session(engine) as session:  # the ORM's own: the store reads through Core
        return session.get(model, key)


def _lines(engine: Engine, order_id: int) -> dict[int, LineItem]:
    from sqlmodel import select

    with Session(engine) as session:
        rows = session.exec(select(LineItem).where(LineItem.order_id == order_id)).all()
        return {row.id: row for row in rows if row.id is not None}


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("product.json", [794]),
        ("products-list.json", [799, 794]),
        ("order-727.json", [727]),
        ("orders-list.json", [727, 723]),
    ],
)
def test_every_example_payload_imports(
    engine: Engine, workflow: Workflow, woo_dir: Path, name: str, ids: list[int]
) -> None:
    items = _load(woo_dir, name)
    if name.startswith("product"):
        assert import_products(engine, items, currency="USD") == ids
    else:
        assert import_orders(engine, workflow, items) == ids


def test_ids_money_and_dates_are_kept(engine: Engine, workflow: Workflow, woo_dir: Path) -> None:
    import_orders(engine, workflow, _load(woo_dir, "orders-list.json"))

    order = _get(engine, Order, 727)
    assert (order.number, order.status, order.currency) == ("727", "processing", "USD")
    assert order.total == Decimal("29.35")
    assert order.date_created == datetime(2017, 3, 22, 19, 28, 2, tzinfo=UTC)  # the _gmt field
    assert order.date_paid == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert order.date_completed is None
    assert (order.workflow, order.workflow_hash) == ("woocommerce", workflow.content_hash)
    assert order.customer_email == "john.doe@example.com"
    assert order.customer_name == "John Doe"
    assert order.meta["_download_permissions_granted"] == "yes"

    lines = _lines(engine, 727)
    assert {i: (li.kind, li.position) for i, li in lines.items()} == {
        315: ("line_item", 0),
        316: ("line_item", 1),
        317: ("shipping", 2),
    }
    first = lines[315]
    assert (first.product_id, first.quantity, first.price) == (93, 2, Decimal("3.00"))
    assert (first.total, first.total_tax) == (Decimal("6.00"), Decimal("0.45"))
    # Product 22 is not imported: the line keeps its name (HTML entities decoded), SKU and price.
    variant = lines[316]
    assert (variant.name, variant.sku, variant.price) == (
        "Ship Your Idea \u2013 Color: Black, Size: M Test",
        "Bar3",
        Decimal("12.00"),
    )
    assert (variant.variation_id, variant.meta) == (23, {"pa_color": "black", "size": "M Test"})
    shipping = lines[317]
    assert (shipping.name, shipping.method_id, shipping.total) == (
        "Flat Rate",
        "flat_rate",
        Decimal("10.00"),
    )


def test_refunds_in_the_order_are_money_only_refunds(
    engine: Engine, workflow: Workflow, woo_dir: Path
) -> None:
    import_orders(engine, workflow, _load(woo_dir, "orders-list.json"))

    refund = _get(engine, Refund, 726)
    assert (refund.order_id, refund.amount, refund.reason, refund.restock) == (
        723,
        Decimal("10.00"),
        "",
        False,
    )
    assert _get(engine, Refund, 724).amount == Decimal("9.00")
    assert _dump(engine)[RefundLine.__tablename__] == []
    assert _get(engine, Order, 723).total == Decimal("39.00")


def test_a_duplicate_order_is_refused_and_nothing_changes(
    engine: Engine, workflow: Workflow, woo_dir: Path
) -> None:
    import_orders(engine, workflow, _load(woo_dir, "order-727.json"))
    before = _dump(engine)

    with pytest.raises(StoreError) as refused:
        import_orders(engine, workflow, _load(woo_dir, "orders-list.json"))

    assert str(refused.value) == (
        "order #727 already exists; nothing was imported (use --update to replace)"
    )
    assert _dump(engine) == before  # order 723, listed after 727, was not stored either


def test_update_replaces_an_order(engine: Engine, workflow: Workflow, woo_dir: Path) -> None:
    import_orders(engine, workflow, _load(woo_dir, "orders-list.json"))
    changed = _load(woo_dir, "order-727.json")[0] | {"status": "completed", "total": "31.35"}
    changed["line_items"] = changed["line_items"][:1]

    assert import_orders(engine, workflow, [changed], update=True) == [727]

    order = _get(engine, Order, 727)
    assert (order.status, order.total) == ("completed", Decimal("31.35"))
    assert sorted(_lines(engine, 727)) == [315, 317]
    assert _get(engine, Order, 723) is not None


def test_a_duplicate_product_is_refused_unless_update(engine: Engine, woo_dir: Path) -> None:
    import_products(engine, _load(woo_dir, "product.json"))
    before = _dump(engine)

    with pytest.raises(StoreError, match=r"^product #794 already exists; nothing was imported"):
        import_products(engine, _load(woo_dir, "products-list.json"))
    assert _dump(engine) == before

    renamed = _load(woo_dir, "product.json")[0] | {"name": "Premium Quality II", "price": "19.5"}
    import_products(engine, [renamed], update=True)
    product = _get(engine, Product, 794)
    assert (product.name, product.price) == ("Premium Quality II", Decimal("19.50"))


@pytest.fixture
def stocked(engine: Engine) -> Engine:
    """Product 93 of order 727 manages stock (10 units); product 22 is not imported."""
    import_products(
        engine,
        [{"id": 93, "sku": "WS1", "name": "Woo Single #1", "price": "3.00",
          "manage_stock": True, "stock_quantity": 10}],
    )  # fmt: skip
    return engine


@pytest.mark.parametrize(
    ("status", "meta", "mode", "reduced"),
    [
        ("processing", [], "auto", True),  # `stock: reduce` in the workflow
        ("pending", [], "auto", False),
        ("pending", [{"key": "_order_stock_reduced", "value": "yes"}], "auto", True),
        ("processing", [], "no", False),
        ("pending", [], "yes", True),
    ],
)
def test_stock_reduced_modes(
    stocked: Engine,
    workflow: Workflow,
    woo_dir: Path,
    status: str,
    meta: list[dict[str, str]],
    mode: Any,
    reduced: bool,
) -> None:
    order = _load(woo_dir, "order-727.json")[0] | {"status": status, "meta_data": meta}

    import_orders(stocked, workflow, [order], stock_reduced=mode)

    assert _get(stocked, Order, 727).stock_reduced is reduced
    lines = _lines(stocked, 727)
    assert lines[315].reduced_stock == (2 if reduced else 0)
    assert lines[316].reduced_stock == 0  # unknown product: does not manage stock
    assert lines[317].reduced_stock == 0
    assert _get(stocked, Product, 93).stock_quantity == 10  # an import never moves stock


def test_an_unknown_status_is_refused(engine: Engine, workflow: Workflow, woo_dir: Path) -> None:
    order = _load(woo_dir, "order-727.json")[0] | {"status": "shipped"}
    with pytest.raises(OrderwfError) as refused:
        import_orders(engine, workflow, [order])
    assert str(refused.value) == (
        "order #727 has status 'shipped', which workflow 'woocommerce' does not declare "
        f"(its statuses: {', '.join(workflow.statuses)})"
    )
    assert _dump(engine)[Order.__tablename__] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": 727, ', "is not valid JSON: Expecting property name enclosed in double quotes"),
        ('"727"', "is a JSON string, expected an object (or a list of objects)"),
        ('[{"id": 727, "status": "processing"}, 3]', "item 2 of"),
        ('[{"status": "processing"}]', "order 1 has no 'id'"),
        ('{"id": 727, "date_created": "2017-03-22T16:28:02"}', "order #727 has no 'status'"),
        (
            '{"id": 7, "status": "pending", "date_created": "yesterday"}',
            "order #7 has 'date_created' 'yesterday', expected an ISO date and time",
        ),
        (
            '{"id": 7, "status": "pending", "date_created": "2017-03-22", "total": "a lot"}',
            "order #7 has 'total' 'a lot', expected an amount",
        ),
    ],
)
def test_bad_input_is_one_sentence_and_stores_nothing(
    engine: Engine, workflow: Workflow, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "orders.json"
    path.write_text(content)
    with pytest.raises(UsageError) as refused:
        import_orders(engine, workflow, woo.load(path))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert _dump(engine)[Order.__tablename__] == []


def test_one_bad_order_in_a_list_stores_none(
    engine: Engine, workflow: Workflow, woo_dir: Path
) -> None:
    orders = _load(woo_dir, "orders-list.json")
    orders[1] = orders[1] | {"line_items": [{"id": 1, "name": "x", "quantity": -1}]}
    with pytest.raises(UsageError, match="expected at least 1"):
        import_orders(engine, workflow, orders)
    assert _dump(engine)[Order.__tablename__] == []


def test_create_order_prices_from_products(engine: Engine, workflow: Workflow) -> None:
    import_products(
        engine,
        [
            {"id": 11, "sku": "TS", "name": "T-Shirt", "price": "12.50"},
            {"id": 12, "sku": "MUG", "name": "Mug", "price": "8.00"},
        ],
    )

    order_id = create_order(
        engine, workflow, email="ann@example.com", lines=["TS=2", "MUG=1"], shipping="4.90"
    )

    order = _get(engine, Order, order_id)
    assert (order.status, order.workflow, order.number) == ("pending", "woocommerce", str(order_id))
    assert order.total == Decimal("37.90")
    assert order.billing == {"email": "ann@example.com"}
    lines = sorted(_lines(engine, order_id).values(), key=lambda li: li.position)
    assert [(li.kind, li.sku, li.quantity, li.total) for li in lines] == [
        ("line_item", "TS", 2, Decimal("25.00")),
        ("line_item", "MUG", 1, Decimal("8.00")),
        ("shipping", "", 1, Decimal("4.90")),
    ]


def test_create_order_refuses_an_unknown_sku(engine: Engine, workflow: Workflow) -> None:
    with pytest.raises(NotFound) as refused:
        create_order(engine, workflow, email="ann@example.com", lines=["NOPE=1"])
    assert str(refused.value) == (
        "no product has SKU 'NOPE'; import it first (orderwf product import)"
    )
    assert _dump(engine)[Order.__tablename__] == []


@pytest.mark.parametrize("line", ["TS", "TS=0", "TS=two", "=2"])
def test_create_order_refuses_a_bad_line(engine: Engine, workflow: Workflow, line: str) -> None:
    with pytest.raises(UsageError, match="should be SKU=QTY"):
        create_order(engine, workflow, email="ann@example.com", lines=[line])


@pytest.mark.postgres
def test_imported_ids_do_not_collide_with_new_rows_on_postgres(
    pg_db_url: str, workflow: Workflow, woo_dir: Path
) -> None:
    engine = db.connect(pg_db_url)
    try:
        import_products(engine, [{"id": 794, "sku": "PQ", "name": "Premium", "price": "21.99"}])
        import_orders(engine, workflow, _load(woo_dir, "orders-list.json"))
        order_id = create_order(engine, workflow, email="ann@example.com", lines=["PQ=1"])
        assert order_id > 727
        assert min(_lines(engine, order_id)) > 317
    finally:
        engine.dispose()


def test_fixture_payloads_are_the_documented_ones(woo_dir: Path) -> None:
    assert json.loads((woo_dir / "refund.json").read_text())["id"] == 726


def test_loaded_snapshots_have_every_field_the_constructor_sets(
    engine: Engine, workflow: Workflow, woo_dir: Path
) -> None:
    """The store builds snapshots without their `__init__` (`snapshots.adopt_all`); rebuilding them
    through it must give the same objects, so no field was left out."""
    import dataclasses

    from orderwf.store import snapshots

    import_products(engine, _load(woo_dir, "products-list.json"))
    ids = import_orders(engine, workflow, _load(woo_dir, "orders-list.json"))
    with db.read_transaction(engine) as session:
        loaded = snapshots.load_orders(session, ids)
    assert sorted(loaded) == sorted(ids)
    for order in loaded.values():
        assert vars(order).keys() == {f.name for f in dataclasses.fields(order)}
        assert dataclasses.replace(order) == order
        assert order.lines
        assert order.billing
        for line in order.lines:
            assert vars(line).keys() == {f.name for f in dataclasses.fields(line)}
            assert dataclasses.replace(line) == line


def test_update_refuses_an_order_orderwf_has_acted_on(
    engine: Engine, workflow: Workflow, woo_dir: Path
) -> None:
    from orderwf.service import orders as service_orders

    import_orders(engine, workflow, _load(woo_dir, "orders-list.json"))
    service_orders.apply(engine, workflow, 727, "hold", {}, actor="ann")
    before = _dump(engine)
    changed = _load(woo_dir, "order-727.json")[0] | {"status": "completed"}

    with pytest.raises(Refused) as refused:
        import_orders(engine, workflow, [changed], update=True)

    assert str(refused.value) == (
        "order #727 has 1 action(s) applied here (orderwf order history 727); --update would "
        "overwrite the stock and refund bookkeeping of those actions; nothing was imported"
    )
    assert _dump(engine) == before


@pytest.mark.parametrize("change", ["missing", "extra", "misspelt"])
def test_adopt_all_refuses_rows_that_is_not_the_snapshots_fields(change: str) -> None:
    """A row out of step with the snapshot fails loudly instead of becoming a snapshot with a
    stray attribute or without a field."""
    import dataclasses

    from orderwf import orders as s
    from orderwf.store import snapshots

    line = s.Line(id=1, kind="fee", name="Gift wrap", total=Decimal("1"))
    row = dataclasses.asdict(line)
    assert snapshots.adopt_all(s.Line, [dict(row), dict(row)]) == [line, line]
    if change == "missing":
        del row["sku"]
    elif change == "extra":
        row["order_id"] = 7
    else:
        row["quantiy"] = row.pop("quantity")
    with pytest.raises(TypeError, match="^a Line row lacks"):
        snapshots.adopt_all(s.Line, [row, dataclasses.asdict(line)])
