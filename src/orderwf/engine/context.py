"""The context templates and expressions see (SPEC §2.1), filled from a snapshot: plain dicts,
so the sandbox has nothing to reach through. Money stays `Decimal` (comparable in `if`s,
printed with the currency's decimals). Which names there are, and a sample of each for
validation, is `context_names`; a test checks this module fills exactly those."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from orderwf import orders as s
from orderwf.context_names import address
from orderwf.engine.remembered import PerObject
from orderwf.workflow.model import Shop, Workflow


def status_context(workflow: Workflow, status_id: str) -> dict[str, Any]:
    status = workflow.status(status_id)
    return {"id": status.id, "label": status.label, "paid": status.paid}


def line_context(line: s.Line) -> dict[str, Any]:
    """A line as templates see it. Read without its details (`orders.NotLoaded`), each
    stands for its names, `gross`'s too: reading them raises, building them does not."""
    details = s.loaded(line.total)
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
        "gross": line.gross if details else line.total,
        "quantity_refunded": line.quantity_refunded,
        "total_refunded": line.total_refunded,
        "reduced_stock": line.reduced_stock,
        "virtual": line.virtual,
        "downloadable": line.downloadable,
        "meta": dict(line.meta) if details else line.meta,
    }


# What the order's sums and flags of its lines are when the lines were read without details.
_NO_DETAILS: Any = s.NotLoaded("lines' details")


def order_context(workflow: Workflow, order: s.Order) -> dict[str, Any]:
    """The order as templates see it. A part the store did not load (`orders.NotLoaded`)
    stands for its names too, so reading them raises instead of looking empty."""
    notes, refunds, tracking = order.notes, order.refunds, order.tracking
    if not s.loaded(refunds):
        refunded: Any = refunds
        remaining: Any = refunds
    else:  # what is left needs the total too (the part "order details")
        refunded = order.total_refunded
        remaining = order.remaining_refundable if s.loaded(order.total) else order.total
    # One pass over the lines for the three kinds and the three sums (the properties and
    # `sum`s walked them six times); the sums add in the same order, so the same decimals.
    items: list[dict[str, Any]] = []
    shipping: Any = []
    fees: Any = []
    subtotal = shipping_total = total_tax = Decimal(0)
    lines = order.lines
    # Read without their details (`orders.ProductLines`): no sums, no shipping or fee lines.
    details = type(lines) is not s.ProductLines
    for li in lines:
        kind = li.kind
        if kind == "line_item":
            items.append(line_context(li))
            if details:
                subtotal += li.total
        elif kind == "shipping":
            shipping.append(line_context(li))
            if details:
                shipping_total += li.total
        elif kind == "fee":
            fees.append(line_context(li))
        if details:
            total_tax += li.total_tax
    needs_processing: Any = order.needs_processing if details else _NO_DETAILS
    if not details:
        subtotal = shipping_total = total_tax = _NO_DETAILS
        shipping = fees = s.OTHER_LINES_NOT_LOADED  # not read: reading them raises
    return {
        "id": order.id,
        "number": order.number,
        "status": status_context(workflow, order.status),
        "workflow": order.workflow,
        "currency": order.currency,
        "total": order.total,
        "total_refunded": refunded,
        "remaining_refundable": remaining,
        "subtotal": subtotal,
        "shipping_total": shipping_total,
        "total_tax": total_tax,
        "billing": address(order.billing) if s.loaded(order.billing) else order.billing,
        "shipping": address(order.shipping) if s.loaded(order.shipping) else order.shipping,
        "line_items": items,
        "lines": items,  # the product lines, by the name routes use (SPEC §8)
        "shipping_lines": shipping,
        "fee_lines": fees,
        "notes": [
            {
                "note": n.note,
                "customer_note": n.customer_note,
                "author": n.author,
                "created_at": n.created_at,
            }
            for n in notes
        ]
        if s.loaded(notes)
        else notes,
        "customer_notes": [n.note for n in notes if n.customer_note] if s.loaded(notes) else notes,
        "refunds": [
            {
                "amount": r.amount,
                "reason": r.reason,
                "restock": r.restock,
                "created_at": r.created_at,
            }
            for r in refunds
        ]
        if s.loaded(refunds)
        else refunds,
        "tracking": [
            {"carrier": t.carrier, "number": t.number, "url": t.url, "shipped_on": t.shipped_on}
            for t in tracking
        ]
        if s.loaded(tracking)
        else tracking,
        "meta": dict(order.meta) if s.loaded(order.meta) else order.meta,
        "customer_note": order.customer_note,
        "created_via": order.created_via,
        "payment_method_title": order.payment_method_title,
        "needs_processing": needs_processing,
        "stock_reduced": order.stock_reduced,
        "date_created": order.created_at,
        "date_paid": order.date_paid,
        "date_completed": order.date_completed,
    }


# The shop's names by its settings' object.
_SHOPS: PerObject[dict[str, Any]] = PerObject()


def shop_context(workflow: Workflow) -> dict[str, Any]:
    """What templates see as `shop`: built once per workflow's shop (a bulk apply plans
    thousands of orders with it), each caller given its own copy."""
    shop = workflow.shop
    return dict(_SHOPS.get(shop, lambda: _shop_names(shop)))


def _shop_names(shop: Shop) -> dict[str, Any]:
    return {
        "name": shop.name,
        "email": shop.email,
        "from": shop.sender,
        "currency": shop.currency,
        "locale": shop.locale,
        "timezone": shop.timezone,
        "lang": shop.locale.replace("_", "-"),  # for `<html lang>` (BCP 47)
    }


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
