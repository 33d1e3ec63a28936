"""Human output: orders and lists as rich tables. What an order, a plan or a history says is
`views`'s (`order_text`, `plan_lines`, `history_lines`); commands print the lines `views`
gives, and this module draws the tables. rich is imported by the functions that draw them:
`apply` prints lines and should not pay for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orderwf import money
from orderwf.views import order_text, when
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
