"""Order snapshots built by hand, after the reference's parity setup: product A "T-Shirt"
(SKU TS, id 11, 10.00, manages stock), product B "E-book" (id 12, virtual and downloadable,
5.00), flat shipping 5.00, billing c@x.test."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from orderwf import orders as s
from orderwf.engine import plan as planner
from orderwf.errors import Refused
from orderwf.workflow.model import Workflow

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def tshirt(quantity: int = 2, *, item_id: int = 1, stock: int | None = 10, **kw: Any) -> s.Line:
    """Product A: 10.00 a unit, manages stock."""
    values: dict[str, Any] = {
        "name": "T-Shirt",
        "sku": "TS",
        "product_id": 11,
        "price": Decimal("10.00"),
        "total": Decimal("10.00") * quantity,
        "manage_stock": True,
        "stock_quantity": stock,
        **kw,
    }
    return s.Line(id=item_id, kind="line_item", quantity=quantity, **values)


def ebook(quantity: int = 1, *, item_id: int = 2) -> s.Line:
    """Product B: 5.00, virtual and downloadable, no stock management."""
    return s.Line(
        id=item_id,
        kind="line_item",
        name="E-book",
        sku="EB",
        product_id=12,
        quantity=quantity,
        price=Decimal("5.00"),
        total=Decimal("5.00") * quantity,
        virtual=True,
        downloadable=True,
    )


def shipping(total: str = "5.00", *, item_id: int = 3) -> s.Line:
    return s.Line(
        id=item_id, kind="shipping", name="Flat rate", method_id="flat_rate", total=Decimal(total)
    )


def fee(total: str, *, item_id: int = 4) -> s.Line:
    return s.Line(id=item_id, kind="fee", name="Gift wrap", total=Decimal(total))


def product(
    name: str, total: str, quantity: int, *, item_id: int = 1, tax: str = "0", **kw: Any
) -> s.Line:
    """Any product line, not stocked unless asked."""
    return s.Line(
        id=item_id,
        kind="line_item",
        name=name,
        product_id=20 + item_id,
        quantity=quantity,
        total=Decimal(total),
        total_tax=Decimal(tax),
        **kw,
    )


def order(*lines: s.Line, status: str = "pending", currency: str = "EUR", **kw: Any) -> s.Order:
    """Order #100 of these lines; its total is what they cost, tax included."""
    values: dict[str, Any] = {
        "workflow": "woocommerce",
        "total": sum((line.gross for line in lines), Decimal(0)),
        "billing": {"first_name": "Camille", "email": "c@x.test"},
        **kw,
    }
    return s.Order(
        id=100,
        number="100",
        status=status,
        currency=currency,
        created_at=NOW,
        lines=lines,
        **values,
    )


def reduced(line: s.Line) -> s.Line:
    """The line as it stands once its order's stock was reduced (the product level too)."""
    assert line.stock_quantity is not None
    return replace(
        line, reduced_stock=line.quantity, stock_quantity=line.stock_quantity - line.quantity
    )


def plan(
    workflow: Workflow,
    before: s.Order,
    action: str,
    params: Mapping[str, Any] | None = None,
    *,
    actor: str = "admin",
) -> planner.Plan:
    return planner.plan(workflow, before, action, params or {}, actor=actor, now=NOW)


def run(workflow: Workflow, before: s.Order, *actions: str) -> s.Order:
    """The order after applying each action in turn (no params)."""
    for action in actions:
        before = plan(workflow, before, action).after
    return before


def refusal(
    workflow: Workflow, before: s.Order, action: str, params: Mapping[str, Any] | None = None
) -> Refused:
    with pytest.raises(Refused) as info:
        plan(workflow, before, action, params)
    return info.value


def note_texts(p: planner.Plan) -> list[str]:
    return [n.note for n in p.notes]


def email_rows(p: planner.Plan) -> list[tuple[str, str, str]]:
    """(email id, recipient, subject) of every email the plan queues, in order."""
    return [(e.email, e.to, e.subject) for e in p.emails]


def stock_of(o: s.Order, item_id: int = 1) -> tuple[int | None, int]:
    """(product stock level, units this order holds reduced) of one line."""
    line = o.line(item_id)
    assert line is not None
    return line.stock_quantity, line.reduced_stock
