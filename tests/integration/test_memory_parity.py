"""`orderwf test` runs orders in memory (`engine.memory.Shop`); `apply` runs them on the
database. The same steps on the same order must leave the same order, stock and outbox in
both, or a passing scenario would promise what the shop does not do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from orderwf import orders as s
from orderwf.engine.memory import LineSpec, OrderSpec, Product, Shop
from orderwf.service import bulk
from orderwf.service import orders as service_orders
from orderwf.service.imports import import_products
from orderwf.service.orders import create_order
from orderwf.store import db
from orderwf.store.core import OUTBOX
from orderwf.store.core import PRODUCTS as PRODUCT_TABLE
from orderwf.workflow.loader import load_workflow

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PRODUCT_ROWS = [
    {"id": 1, "sku": "TS", "name": "T-shirt", "price": "20.00", "manage_stock": True,
     "stock_quantity": 5},
    {"id": 2, "sku": "MUG", "name": "Mug", "price": "8.50", "manage_stock": False},
]  # fmt: skip
PRODUCTS = (
    Product(1, "TS", "T-shirt", Decimal("20.00"), 5),
    Product(2, "MUG", "Mug", Decimal("8.50")),
)
# (minutes after the start, action, params): a path through pay, tracking, partial refunds
# with and without restock, a customer note, a full refund and a timer run.
STEPS: list[tuple[int, str, dict[str, Any]]] = [
    (5, "hold", {}),
    (10, "pay", {}),
    (20, "complete", {"tracking_number": "6A12345678901"}),
    (30, "refund", {"lines": ["1=1"], "restock": "true", "reason": "Damaged"}),
    (40, "add_note", {"text": "Sorry about that", "customer": "true"}),
    (50, "refund", {"lines": ["1=1"], "restock": "false"}),
    (60, "send_order_details", {}),
    (70, "refund", {"amount": "13.40"}),
]


def _view(order: s.Order) -> dict[str, Any]:
    return {
        "status": order.status,
        "stock_reduced": order.stock_reduced,
        "emails_sent": sorted(order.emails_sent),
        "lines": [
            (
                ln.id,
                ln.quantity_refunded,
                ln.total_refunded,
                ln.reduced_stock,
                ln.refunded_kept,
                ln.refunded_restocked,
                ln.stock_quantity,
            )
            for ln in order.lines
        ],  # fmt: skip
        "notes": [(n.note, n.customer_note, n.author) for n in order.notes],
        "refunds": [
            (r.amount, r.reason, r.restock, [(x.item_id, x.quantity, x.amount) for x in r.lines])
            for r in order.refunds
        ],
        "tracking": [(t.carrier, t.number, t.url, t.shipped_on) for t in order.tracking],
        "dates": (order.date_paid, order.date_completed, order.status_changed_at),
    }


def test_memory_shop_leaves_what_the_store_stores(tmp_path: Path) -> None:
    workflow = load_workflow(ROOT / "workflows" / "woocommerce.yaml")
    engine = db.connect(f"sqlite:///{tmp_path / 'shop.db'}")
    import_products(engine, PRODUCT_ROWS)
    order_id = create_order(
        engine, workflow, email="c@x.test", lines=["TS=2", "MUG=1"], shipping="4.90", now=NOW
    )
    spec = OrderSpec(
        (LineSpec("TS", 2), LineSpec("MUG", 1)), email="c@x.test", shipping=Decimal("4.90")
    )
    memory = Shop.start(workflow, PRODUCTS, spec, NOW)
    for minutes, action, params in STEPS:
        when = NOW + timedelta(minutes=minutes)
        service_orders.apply(engine, workflow, order_id, action, params, actor="alice", now=when)
        memory.now = when
        memory.apply(action, params, actor="alice")
        assert _view(memory.order) == _view(service_orders.show(engine, order_id)), action
    assert (memory.levels, memory_outbox(memory)) == stored_state(engine)
    assert memory.order.status == "refunded"
    engine.dispose()


def memory_outbox(memory: Shop) -> list[tuple[Any, ...]]:
    return [
        (e.email, e.to, e.subject, e.text, e.html, "failed" if e.error else "pending")
        for e in memory.outbox
    ]


def stored_state(engine: Any) -> tuple[dict[int, int | None], list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        query = select(PRODUCT_TABLE.c.id, PRODUCT_TABLE.c.stock_quantity)
        levels = {row[0]: row[1] for row in conn.execute(query)}
        outbox = [
            (r.email, r.to_addr, r.subject, r.body_text, r.body_html, r.status)
            for r in conn.execute(select(OUTBOX).order_by(OUTBOX.c.id))
        ]
    return levels, outbox


def test_wait_runs_the_timers_tick_runs(tmp_path: Path) -> None:
    workflow = load_workflow(ROOT / "workflows" / "woocommerce.yaml")
    engine = db.connect(f"sqlite:///{tmp_path / 'shop.db'}")
    import_products(engine, PRODUCT_ROWS)
    spec = OrderSpec((LineSpec("TS", 1),), email="c@x.test", via="checkout")
    order_id = create_order(
        engine, workflow, email="c@x.test", lines=["TS=1"], via="checkout", now=NOW
    )
    memory = Shop.start(workflow, PRODUCTS, spec, NOW)
    service_orders.apply(engine, workflow, order_id, "hold", {}, actor="alice", now=NOW)
    memory.apply("hold", {}, actor="alice")
    service_orders.apply(engine, workflow, order_id, "reopen", {}, actor="alice", now=NOW)
    memory.apply("reopen", {}, actor="alice")
    for minutes in (59, 1, 60):
        memory.wait(timedelta(minutes=minutes))
        bulk.tick(engine, workflow, now=memory.now)
        assert _view(memory.order) == _view(service_orders.show(engine, order_id))
    assert memory.order.status == "cancelled"
    assert (memory.levels, memory_outbox(memory)) == stored_state(engine)
    engine.dispose()
