"""What must hold after every step, whatever the workflow says (SPEC §10): never more refunded
than paid, per line and in total; every line's units out of stock between 0 and its quantity
less the units restocked, and the product's level moved by exactly as much; every queued email
rendered, with a recipient; no step leaves a `final` status. `orderwf test` checks them after
each step of a scenario, and `--explore` after each step it generates."""

from __future__ import annotations

from collections.abc import Mapping

from orderwf import money
from orderwf import orders as s
from orderwf.engine.plan import Plan
from orderwf.workflow import model as m


def violations(
    workflow: m.Workflow,
    plan: Plan,
    *,
    start: s.Order,
    start_levels: Mapping[int, int | None],
    levels: Mapping[int, int | None],
) -> list[str]:
    """Every invariant `plan` breaks. `start` and `start_levels`: the order and the stock
    levels the run began with; `levels`: the stock levels after the plan."""
    order = plan.after
    cur = order.currency
    found: list[str] = []
    if order.total_refunded > order.total:
        found.append(
            f"refunded {money.show(order.total_refunded, cur)} of an order of "
            f"{money.show(order.total, cur)}"
        )
    reduced: dict[int, int] = {}
    for line in order.lines:
        if line.total_refunded > line.gross:
            found.append(
                f"item #{line.id} ({line.name}): refunded {money.show(line.total_refunded, cur)} "
                f"of {money.show(line.gross, cur)}"
            )
        if line.quantity_refunded > line.quantity:
            found.append(
                f"item #{line.id} ({line.name}): {line.quantity_refunded} units refunded "
                f"of {line.quantity}"
            )
        if not line.manage_stock or line.stock_product is None:
            continue
        most = line.quantity - line.refunded_restocked
        if not 0 <= line.reduced_stock <= most:
            found.append(
                f"item #{line.id} ({line.name}): {line.reduced_stock} units out of stock, "
                f"expected between 0 and {most}"
            )
        reduced[line.stock_product] = reduced.get(line.stock_product, 0) + line.reduced_stock
    for line in start.line_items:
        if line.manage_stock and line.stock_product is not None:
            reduced[line.stock_product] = reduced.get(line.stock_product, 0) - line.reduced_stock
    for product, out in reduced.items():
        first, now = start_levels.get(product), levels.get(product)
        if first is not None and now is not None and first - now != out:
            found.append(
                f"product #{product}: stock moved from {first} to {now}, but the order has "
                f"{out:+d} units out of stock since the start"
            )
    for email in plan.emails:
        if email.error:
            found.append(f"email {email.email!r} did not render: {email.error}")
        elif not email.to:
            found.append(f"email {email.email!r} has no recipient")
    before = workflow.statuses.get(plan.before.status)
    if before is not None and before.final and order.status != plan.before.status:
        found.append(f"the order left the final status {before.id!r} for {order.status!r}")
    return found
