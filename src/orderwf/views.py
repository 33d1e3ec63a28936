"""Orders and plans as the JSON of SPEC §5 (money as strings with the currency's decimals,
times as ISO 8601 UTC) and as text: what `apply` and `order history` print, and the words of
`order show`, whose table the CLI draws. Pure: the CLI prints these, tests compare them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from orderwf import money
from orderwf import orders as s

if TYPE_CHECKING:
    # The CLI names the engine's Plan and the Order it renders through this module.
    from orderwf.engine.plan import Plan as Plan
    from orderwf.orders import Order as Order
    from orderwf.workflow.model import Workflow


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


# -- text ---------------------------------------------------------------------------------------


def when(value: datetime | date | None) -> str:
    """Short human time: '2026-11-26 08:00' (UTC)."""
    text = iso(value) or ""
    return text[:16].replace("T", " ") if isinstance(value, datetime) else text


def plan_lines(wf: Workflow, p: Plan, *, dry_run: bool) -> list[str]:
    """The plan as plain lines: what `apply` prints (no rich: it is the hot path)."""
    head = "Dry run: nothing stored." if dry_run else "Applied."
    before, after = p.before, p.after
    cur = after.currency
    lines = [f"{head} {p.action} on order #{after.number}"]
    if p.status_changed:
        lines.append(
            f"  status: {wf.status(before.status).label} → {wf.status(after.status).label}"
        )
    lines += [f"  stock: {c.label} {c.old}→{c.new} ({c.delta:+d})" for c in p.stock]
    refund = p.refund
    if refund is not None:
        reason = f" — {refund.reason}" if refund.reason else ""
        lines.append(
            f"  refund: {money.show(refund.amount, cur)}{reason}; "
            f"remaining {money.show(after.remaining_refundable, cur)}"
        )
    lines += [f"  tracking: {tr.carrier} {tr.number} {tr.url}" for tr in p.tracking]
    lines += [f"  {'customer note' if n.customer_note else 'note'}: {n.note}" for n in p.notes]
    for e in p.emails:
        failing = f" (will fail: {e.error})" if e.error else ""
        lines.append(f"  email {e.email} → {e.to or '(no address)'}: {e.subject}{failing}")
    return lines


class OrderText(NamedTuple):
    """An order as `order show` prints it, cell by cell: the CLI draws the table and the
    emphasis (`title` and `notes_title` in bold)."""

    title: str  # "Order #100"
    status: str  # its status's label
    placed: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    lines: list[str]  # totals, refunds, shipments
    notes_title: str
    notes: list[tuple[str, str]]  # (when and who, the note as written)


def order_text(wf: Workflow, o: s.Order, *, customer: bool = False) -> OrderText:
    """`customer`: what the customer may see (customer notes; no stock or restock figures)."""
    cur = o.currency

    def m(value: Decimal) -> str:
        return money.show(value, cur)

    name = " ".join(x for x in (o.billing.get("first_name"), o.billing.get("last_name")) if x)
    columns: tuple[str, ...] = ("Item", "Product", "SKU", "Qty", "Total", "Refunded")
    if not customer:
        columns += ("Reduced",)
    rows = []
    for li in o.lines:
        qty = str(li.quantity) if li.kind == "line_item" else ""
        if li.quantity_refunded:
            qty += f" (−{li.quantity_refunded})"
        row: tuple[str, ...] = (
            f"#{li.id}",
            li.name if li.kind == "line_item" else f"{li.kind}: {li.name}",
            li.sku,
            qty,
            m(li.gross),
            m(li.total_refunded) if li.total_refunded else "",
        )
        if not customer:
            row += (str(li.reduced_stock) if li.kind == "line_item" else "",)
        rows.append(row)
    lines = [
        f"Total {m(o.total)}   refunded {m(o.total_refunded)}   "
        f"remaining {m(o.remaining_refundable)}"
    ]
    for r in o.refunds:
        reason = f" — {r.reason}" if r.reason else ""
        restock = "" if customer else (" (restocked)" if r.restock else " (no restock)")
        lines.append(f"Refund {m(r.amount)}{reason}{restock} on {when(r.created_at)}")
    for tr in o.tracking:
        lines.append(
            f"Shipped {iso(tr.shipped_on)} with {tr.carrier or 'carrier'}: {tr.number}"
            + (f" — track: {tr.url}" if tr.url else "")
        )
    notes = []
    for n in o.notes:
        if n.customer_note or not customer:
            kind = "" if customer else ("to customer, " if n.customer_note else "private, ")
            notes.append((f"  {when(n.created_at)} ({kind}{n.author}): ", n.note))
    return OrderText(
        title=f"Order #{o.number}",
        status=wf.status(o.status).label,
        placed=f"Placed {when(o.created_at)} by {name or 'guest'} <{o.billing.get('email', '')}>",
        columns=columns,
        rows=rows,
        lines=lines,
        notes_title="Order updates" if customer else "Notes",
        notes=notes,
    )


def history_lines(rows: list[dict[str, Any]]) -> list[str]:
    """`order history` as plain lines: each apply, then its params, key and every effect it
    stored (what docs/cli.md promises; the JSON has the same, structured)."""
    lines = []
    for r in rows:
        move = f"{r['from']} → {r['to']}" if r["from"] != r["to"] else r["from"]
        version = f"  {r['workflow_version']}" if r.get("workflow_version") else ""
        lines.append(f"{r['at']}  {r['actor']}  {r['action']}  {move}{version}")
        given = {k: v for k, v in (r["params"] or {}).items() if v not in (None, [], "")}
        if given:
            lines.append("  params: " + ", ".join(f"{k}={_param(v)}" for k, v in given.items()))
        if r["key"]:
            lines.append(f"  key: {r['key']}")
        lines += [f"  {_effect(e)}" for e in r["effects"]]
    return lines


def _param(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _effect(e: dict[str, Any]) -> str:
    kind = e.get("type")
    if kind == "status":
        return f"status: {e['from']} → {e['to']}"
    if kind == "migrate":
        return f"moved by migrate: {e['from']} → {e['to']} (no note, email or stock move)"
    if kind == "note":
        who = "customer note" if e.get("customer") else "note"
        return f"{who}: {e['text']}"
    if kind == "stock":
        changes = ", ".join(
            f"{c.get('sku') or '#' + str(c.get('product_id'))} {c['old']}→{c['new']}"
            for c in e.get("changes", ())
        )
        return f"stock ({e.get('policy')}): {changes}"
    if kind == "refund":
        reason = f" — {e['reason']}" if e.get("reason") else ""
        lines = ", ".join(
            f"item #{ln['item_id']}"
            + (f" ×{ln['quantity']}" if ln.get("quantity") else "")
            + f" {ln['amount']}"
            for ln in e.get("lines", ())
        )
        return f"refund: {e['amount']}{reason}" + (f" ({lines})" if lines else "")
    if kind == "tracking":
        return f"tracking: {e['carrier']} {e['number']} {e.get('url') or ''}".rstrip()
    if kind == "email":
        return f"email {e['email']} → {e.get('to') or '(no address)'}: {e.get('subject', '')}"
    if kind == "set":
        return "set: " + ", ".join(f"{k}={v}" for k, v in (e.get("meta") or {}).items())
    return f"{kind}: {e}"
