"""Orders, plans and history as the JSON of SPEC §5: money as strings with the currency's
decimals, times as ISO 8601 UTC. Pure: the CLI prints these, tests compare them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orderwf import money
from orderwf.engine import snapshot as s

if TYPE_CHECKING:
    from orderwf.engine.plan import Plan


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def order_json(order: s.Order) -> dict[str, Any]:
    cur = order.currency

    def m(value: Decimal) -> str:
        return money.fmt(value, cur)

    return {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "workflow": order.workflow,
        "currency": cur,
        "total": m(order.total),
        "total_refunded": m(order.total_refunded),
        "remaining_refundable": m(order.remaining_refundable),
        "billing": dict(order.billing),
        "shipping": dict(order.shipping),
        "line_items": [
            {
                "id": li.id,
                "product_id": li.product_id,
                "sku": li.sku,
                "name": li.name,
                "quantity": li.quantity,
                "total": m(li.total),
                "total_tax": m(li.total_tax),
                "quantity_refunded": li.quantity_refunded,
                "total_refunded": m(li.total_refunded),
                "reduced_stock": li.reduced_stock,
            }
            for li in order.line_items
        ],
        "shipping_lines": [
            {
                "id": li.id,
                "method_title": li.name,
                "total": m(li.total),
                "total_refunded": m(li.total_refunded),
            }
            for li in order.shipping_lines
        ],
        "fee_lines": [
            {
                "id": li.id,
                "name": li.name,
                "total": m(li.total),
                "total_refunded": m(li.total_refunded),
            }
            for li in order.fee_lines
        ],
        "refunds": [
            {
                "id": r.id,
                "amount": m(r.amount),
                "reason": r.reason,
                "restock": r.restock,
                "lines": [
                    {"item_id": ln.item_id, "quantity": ln.quantity, "amount": m(ln.amount)}
                    for ln in r.lines
                ],
                "created_at": iso(r.created_at),
            }
            for r in order.refunds
        ],
        "notes": [
            {
                "id": n.id,
                "note": n.note,
                "customer_note": n.customer_note,
                "author": n.author,
                "created_at": iso(n.created_at),
            }
            for n in order.notes
        ],
        "tracking": [
            {
                "carrier": tr.carrier,
                "number": tr.number,
                "url": tr.url,
                "shipped_on": iso(tr.shipped_on),
            }
            for tr in order.tracking
        ],
        "customer_note": order.customer_note,
        "created_via": order.created_via,
        "date_created": iso(order.created_at),
        "date_paid": iso(order.date_paid),
        "date_completed": iso(order.date_completed),
        "meta": dict(order.meta),
        "stock_reduced": order.stock_reduced,
        "version": order.version,
    }


def plan_json(plan: Plan, *, dry_run: bool) -> dict[str, Any]:
    return {"order": order_json(plan.after), "effects": list(plan.effects), "dry_run": dry_run}
