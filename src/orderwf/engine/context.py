"""The names templates and expressions see (SPEC §2.1): plain dicts built from a snapshot,
so the sandbox has nothing to reach through. Money stays `Decimal` (comparable in `if`s,
printed with the currency's decimals)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from orderwf.engine import snapshot as s
from orderwf.workflow.model import Workflow

BILLING_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
)


def status_context(workflow: Workflow, status_id: str) -> dict[str, Any]:
    status = workflow.status(status_id)
    return {"id": status.id, "label": status.label, "paid": status.paid}


def line_context(line: s.Line) -> dict[str, Any]:
    return {
        "id": line.id,
        "kind": line.kind,
        "name": line.name,
        "method_title": line.name,
        "method_id": line.method_id,
        "product_id": line.product_id,
        "variation_id": line.variation_id,
        "sku": line.sku,
        "quantity": line.quantity,
        "price": line.price,
        "total": line.total,
        "total_tax": line.total_tax,
        "gross": line.gross,
        "quantity_refunded": line.quantity_refunded,
        "total_refunded": line.total_refunded,
        "reduced_stock": line.reduced_stock,
        "meta": dict(line.meta),
    }


def _address(data: Mapping[str, Any]) -> dict[str, Any]:
    return {**dict.fromkeys(BILLING_FIELDS, ""), **data}


def order_context(workflow: Workflow, order: s.Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "number": order.number,
        "status": status_context(workflow, order.status),
        "workflow": order.workflow,
        "currency": order.currency,
        "total": order.total,
        "total_refunded": order.total_refunded,
        "remaining_refundable": order.remaining_refundable,
        "subtotal": sum((li.total for li in order.line_items), Decimal(0)),
        "shipping_total": sum((li.total for li in order.shipping_lines), Decimal(0)),
        "total_tax": sum((li.total_tax for li in order.lines), Decimal(0)),
        "billing": _address(order.billing),
        "shipping": _address(order.shipping),
        "line_items": [line_context(li) for li in order.line_items],
        "shipping_lines": [line_context(li) for li in order.shipping_lines],
        "fee_lines": [line_context(li) for li in order.fee_lines],
        "notes": [
            {
                "note": n.note,
                "customer_note": n.customer_note,
                "author": n.author,
                "created_at": n.created_at,
            }
            for n in order.notes
        ],
        "customer_notes": [n.note for n in order.notes if n.customer_note],
        "refunds": [
            {
                "amount": r.amount,
                "reason": r.reason,
                "restock": r.restock,
                "created_at": r.created_at,
            }
            for r in order.refunds
        ],
        "tracking": [
            {"carrier": t.carrier, "number": t.number, "url": t.url, "shipped_on": t.shipped_on}
            for t in order.tracking
        ],
        "meta": dict(order.meta),
        "customer_note": order.customer_note,
        "created_via": order.created_via,
        "payment_method_title": order.payment_method_title,
        "needs_processing": order.needs_processing,
        "stock_reduced": order.stock_reduced,
        "date_created": order.created_at,
        "date_paid": order.date_paid,
        "date_completed": order.date_completed,
    }


def shop_context(workflow: Workflow) -> dict[str, Any]:
    shop = workflow.shop
    return {"name": shop.name, "email": shop.email, "from": shop.sender, "currency": shop.currency}


def base_context(
    workflow: Workflow,
    order: s.Order,
    *,
    params: Mapping[str, Any] | None = None,
    actor: str = "system",
    now: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "order": order_context(workflow, order),
        "params": dict(params or {}),
        "shop": shop_context(workflow),
        "actor": actor,
        "now": now or datetime.now(UTC),
        **extra,
    }


CONTEXT_NAMES = frozenset({"order", "params", "shop", "actor", "now", "refund", "from", "to"})


def refund_context(refund: s.Refund, *, full: bool) -> dict[str, Any]:
    """What templates see as `refund`."""
    return {
        "amount": refund.amount,
        "reason": refund.reason,
        "restock": refund.restock,
        "full": full,
        "partial": not full,
        "lines": [
            {"item_id": ln.item_id, "quantity": ln.quantity, "amount": ln.amount}
            for ln in refund.lines
        ],
    }


def sample_lines() -> tuple[s.Line, ...]:
    """The lines of `sample_order`: a stocked product, a virtual one, shipping and a fee."""
    return (
        s.Line(
            id=1,
            kind="line_item",
            name="T-Shirt",
            sku="TS",
            product_id=11,
            quantity=2,
            price=Decimal("10"),
            total=Decimal("20"),
            manage_stock=True,
            reduced_stock=2,
            stock_quantity=8,
        ),
        s.Line(
            id=2,
            kind="line_item",
            name="E-book",
            product_id=12,
            quantity=1,
            price=Decimal("5"),
            total=Decimal("5"),
            virtual=True,
            downloadable=True,
        ),
        s.Line(id=3, kind="shipping", name="Flat rate", method_id="flat_rate", total=Decimal("5")),
        s.Line(id=4, kind="fee", name="Gift wrap", total=Decimal("1")),
    )


def sample_order(workflow: Workflow) -> s.Order:
    """A representative order for rendering every template at validation time: two product
    lines, shipping, a fee, a refund, a customer note and a tracking entry."""
    currency = workflow.shop.currency
    created = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    lines = sample_lines()
    return s.Order(
        id=100,
        number="100",
        status=workflow.initial,
        workflow=workflow.name,
        currency=currency,
        total=Decimal("31"),
        created_at=created,
        billing={
            "first_name": "Camille",
            "last_name": "Martin",
            "email": "c@x.test",
            "address_1": "1 rue de la Paix",
            "city": "Paris",
            "postcode": "75002",
            "country": "FR",
            "phone": "+33 1 23 45 67 89",
        },
        shipping={
            "first_name": "Camille",
            "last_name": "Martin",
            "address_1": "1 rue de la Paix",
            "city": "Paris",
            "postcode": "75002",
            "country": "FR",
        },
        lines=lines,
        notes=(s.Note(1, "Ships Monday.", True, "admin", created),),
        refunds=(s.Refund(1, Decimal("5"), "Damaged", True, (), created),),
        tracking=(
            s.Tracking(
                "colissimo",
                "6A12345678901",
                "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
                date(2026, 11, 26),
            ),
        ),
        customer_note="Please leave at the door.",
        created_via="checkout",
        payment_method_title="Credit card",
        stock_reduced=True,
        date_paid=created,
    )


def sample_context(workflow: Workflow) -> dict[str, Any]:
    """Every name a template may use, filled from `sample_order`."""
    order = sample_order(workflow)
    status = status_context(workflow, workflow.initial)
    return base_context(
        workflow,
        order,
        params={},
        actor="admin",
        now=order.created_at,
        refund=refund_context(order.refunds[0], full=False),
        **{"from": status, "to": status},
    )
