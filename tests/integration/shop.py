"""The parity scenarios' shop on a real SQLite file (reference, "Parity scenarios"): products
A "T-Shirt" (SKU TS, id 11, 10.00, stock 10, manages stock), B "E-book" (id 12, virtual and
downloadable, 5.00) and a free gift G (id 13); flat shipping 5.00; billing c@x.test; the
shop's address comes from the default workflow. Orders are imported as WooCommerce REST JSON
and changed only through `service`; what the tests read comes back from the tables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from orderwf import service
from orderwf.engine import snapshot as s
from orderwf.store import db, repo
from orderwf.store.imports import import_orders, import_products
from orderwf.store.tables import Outbox, Product, table
from orderwf.workflow.loader import load_workflow
from orderwf.workflow.model import Workflow

ROOT = Path(__file__).resolve().parents[2]
CREATED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
NOW = CREATED + timedelta(hours=1)
SHOP = "shop@example.com"
CUSTOMER = "c@x.test"
A, B, G = 11, 12, 13
PRODUCTS = [
    {
        "id": A,
        "name": "T-Shirt",
        "sku": "TS",
        "price": "10.00",
        "manage_stock": True,
        "stock_quantity": 10,
    },
    {
        "id": B,
        "name": "E-book",
        "sku": "EB",
        "price": "5.00",
        "virtual": True,
        "downloadable": True,
        "manage_stock": False,
        "stock_quantity": None,
    },
    {"id": G, "name": "Gift", "sku": "GIFT", "price": "0.00", "manage_stock": False},
]
_NAMES = {p["id"]: (p["name"], p["sku"], p["price"]) for p in PRODUCTS}


def default_workflow() -> Workflow:
    """The default workflow, without the validation cache (callers may run before the
    per-test cache folder exists; no test writes to the real home)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ORDERWF_NO_CACHE", "1")
        return load_workflow(ROOT / "workflows" / "woocommerce.yaml")


def woo_order(
    order_id: int,
    *items: tuple[int, int],
    status: str = "pending",
    shipping: bool = True,
    via: str = "checkout",
    first_line: int | None = None,
    created: datetime = CREATED,
    refunds: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A WooCommerce REST v3 order: `items` are (product id, quantity); line ids are
    `first_line`, `first_line + 1`… (default order id × 10 + 1); shipping 5.00 is item
    order id × 10 + 9."""
    first = first_line or order_id * 10 + 1
    lines = []
    for n, (product_id, quantity) in enumerate(items):
        name, sku, price = _NAMES[product_id]
        total = f"{float(price) * quantity:.2f}"
        lines.append(
            {
                "id": first + n,
                "name": name,
                "product_id": product_id,
                "variation_id": 0,
                "quantity": quantity,
                "subtotal": total,
                "total": total,
                "total_tax": "0.00",
                "sku": sku,
                "price": float(price),
            }
        )
    ship = [
        {
            "id": order_id * 10 + 9,
            "method_title": "Flat rate",
            "method_id": "flat_rate",
            "total": "5.00",
            "total_tax": "0.00",
        }
    ]
    total = sum(float(line["total"]) for line in lines) + (5 if shipping else 0)
    stamp = created.replace(tzinfo=None).isoformat()
    return {
        "id": order_id,
        "number": str(order_id),
        "status": status,
        "currency": "EUR",
        "created_via": via,
        "date_created_gmt": stamp,
        "date_modified_gmt": stamp,
        "total": f"{total:.2f}",
        "billing": {"first_name": "Camille", "last_name": "Martin", "email": CUSTOMER},
        "line_items": lines,
        "shipping_lines": ship if shipping else [],
        "fee_lines": [],
        "refunds": refunds or [],
    }


@dataclass
class Shop:
    engine: Engine
    workflow: Workflow

    def add(self, *orders: dict[str, Any]) -> None:
        import_orders(self.engine, self.workflow, list(orders))

    def apply(
        self, order_id: int, action: str, params: Mapping[str, Any] | None = None, **kw: Any
    ) -> service.ApplyResult:
        kw.setdefault("actor", "admin")
        kw.setdefault("now", NOW)
        return service.apply(self.engine, self.workflow, order_id, action, params, **kw)

    def order(self, order_id: int) -> s.Order:
        return service.show(self.engine, order_id)

    def status(self, order_id: int) -> str:
        return self.order(order_id).status

    def stock(self, product_id: int = A) -> int | None:
        with db.read_session(self.engine) as session:
            return session.execute(
                select(table(Product).c.stock_quantity).where(table(Product).c.id == product_id)
            ).scalar_one()

    def notes(self, order_id: int) -> list[str]:
        return [n.note for n in self.order(order_id).notes]

    def line(self, order_id: int, item_id: int) -> s.Line:
        line = self.order(order_id).line(item_id)
        assert line is not None
        return line

    def outbox(self, order_id: int) -> list[tuple[str, str, str]]:
        """(email id, recipient, subject) of every queued email of the order, in order."""
        rows = table(Outbox)
        with db.read_session(self.engine) as session:
            return [
                (r.email, r.to_addr, r.subject)
                for r in session.execute(
                    select(rows).where(rows.c.order_id == order_id).order_by(rows.c.id)
                )
            ]

    def history(self, order_id: int) -> list[tuple[str, str, str, str]]:
        """(actor, action, from, to) of every apply, in order."""
        with db.read_session(self.engine) as session:
            return [
                (h["actor"], h["action"], h["from_status"], h["to_status"])
                for h in repo.history(session, order_id)
            ]

    def state(self, order_id: int) -> tuple[Any, ...]:
        """Everything an apply may change: to compare before and after a refusal."""
        return (
            self.order(order_id),
            self.outbox(order_id),
            self.history(order_id),
            [self.stock(p["id"]) for p in PRODUCTS],
        )


def open_shop(url: str, workflow: Workflow) -> Iterator[Shop]:
    engine = db.connect(url)
    try:
        import_products(engine, PRODUCTS)
        yield Shop(engine, workflow)
    finally:
        engine.dispose()
