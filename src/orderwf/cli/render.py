"""Human output: orders and lists as rich tables, plans as plain lines. What an order or a
plan says is `views`'s (`order_text`, `plan_lines`); this module draws it. rich is imported by
the functions that draw tables: `apply` prints lines and should not pay for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orderwf import money
from orderwf.views import order_text, when
from orderwf.views import plan_lines as plan_lines
from orderwf.workflow.model import Workflow

if TYPE_CHECKING:
    from rich.console import Console

    from orderwf.views import Order


def _m(value: Any, currency: str) -> str:
    return money.show(value, currency)


def order(out: Console, wf: Workflow, o: Order, *, customer: bool = False) -> None:
    from rich.table import Table

    view = order_text(wf, o, customer=customer)
    out.print(f"[bold]{view.title}[/bold] — {view.status}")
    out.print(view.placed)
    items = Table(*view.columns, title=None)
    for row in view.rows:
        items.add_row(*row)
    out.print(items)
    for line in view.lines:
        out.print(line)
    if view.notes:
        out.print(f"[bold]{view.notes_title}[/bold]")
        for head, note in view.notes:
            out.print(head, end="")
            out.print(note, markup=False)


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
