"""Human output: orders and lists as rich tables, plans as plain lines. rich is imported
by the functions that draw tables: `apply` prints lines and should not pay for it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from orderwf import money
from orderwf.engine import snapshot as s
from orderwf.engine.plan import Plan
from orderwf.views import iso
from orderwf.workflow.model import Workflow

if TYPE_CHECKING:
    from rich.console import Console


def when(value: datetime | date | None) -> str:
    """Short human time: '2026-11-26 08:00' (UTC)."""
    text = iso(value) or ""
    return text[:16].replace("T", " ") if isinstance(value, datetime) else text


def _m(value: Any, currency: str) -> str:
    return money.show(value, currency)


def order(out: Console, wf: Workflow, o: s.Order, *, customer: bool = False) -> None:
    from rich.table import Table

    cur = o.currency
    label = wf.status(o.status).label
    name = " ".join(x for x in (o.billing.get("first_name"), o.billing.get("last_name")) if x)
    out.print(f"[bold]Order #{o.number}[/bold] — {label}")
    out.print(f"Placed {when(o.created_at)} by {name or 'guest'} <{o.billing.get('email', '')}>")
    items = Table("Item", "Product", "SKU", "Qty", "Total", "Refunded", title=None)
    if not customer:
        items.add_column("Reduced")
    for li in o.lines:
        qty = str(li.quantity) if li.kind == "line_item" else ""
        if li.quantity_refunded:
            qty += f" (−{li.quantity_refunded})"
        row = [
            f"#{li.id}",
            li.name if li.kind == "line_item" else f"{li.kind}: {li.name}",
            li.sku,
            qty,
            _m(li.gross, cur),
            _m(li.total_refunded, cur) if li.total_refunded else "",
        ]
        if not customer:
            row.append(str(li.reduced_stock) if li.kind == "line_item" else "")
        items.add_row(*row)
    out.print(items)
    out.print(
        f"Total {_m(o.total, cur)}   refunded {_m(o.total_refunded, cur)}   "
        f"remaining {_m(o.remaining_refundable, cur)}"
    )
    for r in o.refunds:
        reason = f" — {r.reason}" if r.reason else ""
        restock = "" if customer else (" (restocked)" if r.restock else " (no restock)")
        out.print(f"Refund {_m(r.amount, cur)}{reason}{restock} on {when(r.created_at)}")
    for tr in o.tracking:
        out.print(
            f"Shipped {iso(tr.shipped_on)} with {tr.carrier or 'carrier'}: {tr.number}"
            + (f" — track: {tr.url}" if tr.url else "")
        )
    notes = [n for n in o.notes if n.customer_note or not customer]
    if notes:
        out.print("[bold]Order updates[/bold]" if customer else "[bold]Notes[/bold]")
        for n in notes:
            kind = "" if customer else ("to customer, " if n.customer_note else "private, ")
            out.print(f"  {when(n.created_at)} ({kind}{n.author}): ", end="")
            out.print(n.note, markup=False)


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
    if p.refund is not None:
        reason = f" — {p.refund.reason}" if p.refund.reason else ""
        lines.append(
            f"  refund: {_m(p.refund.amount, cur)}{reason}; "
            f"remaining {_m(after.remaining_refundable, cur)}"
        )
    lines += [f"  tracking: {tr.carrier} {tr.number} {tr.url}" for tr in p.tracking]
    lines += [f"  {'customer note' if n.customer_note else 'note'}: {n.note}" for n in p.notes]
    for e in p.emails:
        failing = f" (will fail: {e.error})" if e.error else ""
        lines.append(f"  email {e.email} → {e.to or '(no address)'}: {e.subject}{failing}")
    return lines


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


def labels_of(wf: Workflow) -> Callable[[str, str], str]:
    """(workflow name, status id) → its label, for rows that all have workflow `wf`."""

    def label(_name: str, status: str) -> str:
        return wf.status(status).label

    return label


def orders_table(
    out: Console, label_of: Callable[[str, str], str], rows: list[dict[str, Any]]
) -> None:
    """The orders list; `label_of` gives a row's status label from (workflow, status id)."""
    from rich.table import Table

    table = Table("Order", "Date", "Status", "Customer", "Total")
    for r in rows:
        table.add_row(
            f"#{r['number'] or r['id']}",
            when(r["date_created"]),
            label_of(r.get("workflow", ""), r["status"]),
            r["customer_name"] or r["customer_email"],
            _m(r["total"], r["currency"]),
        )
    out.print(table)
