"""Refund arithmetic (SPEC §2.3): exact to the currency, every refusal naming its figures.
Per-line amount: the line's total including tax × qty / quantity, rounded half-up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from orderwf import money
from orderwf import orders as s
from orderwf.engine.stock import move, stock_levels, with_levels
from orderwf.errors import OrderwfError
from orderwf.orders import StockChange, evolve

_LINE = re.compile(r"^\s*#?(\d+)\s*=\s*(\d*)\s*(?:@\s*(\S+))?\s*$", re.ASCII)
_DIGITS = 12  # an item id or a quantity longer than this is no line of any order


@dataclass(frozen=True)
class LineRequest:
    item_id: int
    quantity: int | None
    amount: Decimal | None


@dataclass(frozen=True)
class RefundResult:
    order: s.Order
    refund: s.Refund
    restocked: tuple[tuple[s.Line, StockChange], ...]
    full: bool


def parse_lines(specs: list[str], currency: str) -> tuple[list[LineRequest], list[str]]:
    requests, problems = [], []
    for spec in specs:
        match = _LINE.match(str(spec))
        if not match or (not match[2] and match[3] is None):
            problems.append(f"line {spec!r} is not ITEM=QTY, ITEM=QTY@AMOUNT or ITEM=@AMOUNT")
            continue
        if len(match[1]) > _DIGITS or len(match[2]) > _DIGITS:
            problems.append(f"line {spec[:40]!r}: the item id or quantity is too large")
            continue
        amount = None
        if match[3] is not None:
            try:
                amount = money.parse(match[3], currency, what=f"line amount of item #{match[1]}")
            except OrderwfError as e:
                problems.append(e.message)
                continue
        quantity = int(match[2]) if match[2] else None
        requests.append(LineRequest(int(match[1]), quantity, amount))
    return requests, problems


def line_amount(line: s.Line, quantity: int, currency: str) -> Decimal:
    """What `quantity` units of a product line are worth, tax included: total × qty /
    quantity, rounded half-up. The last units of a line are worth what remains of it, so
    per-unit rounding can neither block the final refund nor leave a cent behind
    (WooCommerce #64668). `quantity` is at least 1 and at most the units not yet refunded
    (`plan_refund` refuses anything else), so `line.quantity` is never 0 here."""
    if quantity == line.quantity - line.quantity_refunded:
        return money.quantize(line.remaining, currency)
    return money.quantize(line.gross * quantity / line.quantity, currency)


def plan_refund(
    order: s.Order,
    *,
    amount: Decimal | None,
    lines: list[str],
    restock: bool,
    reason: str,
    line_cap: bool,
    actor: str,
    now: datetime,
) -> tuple[RefundResult | None, list[str]]:
    """The order after the refund, or every problem with it."""
    cur = order.currency

    def show(value: Decimal) -> str:
        return money.show(value, cur)

    requests, problems = parse_lines(lines, cur)
    refund_lines: list[s.RefundLine] = []
    seen: set[int] = set()
    for req in requests:
        line = order.line(req.item_id)
        if line is None:
            problems.append(f"item #{req.item_id} is not on order #{order.number}")
            continue
        if req.item_id in seen:
            problems.append(f"item #{req.item_id} is given twice")
            continue
        seen.add(req.item_id)
        quantity = req.quantity or 0
        if line.kind != "line_item" and (quantity or req.amount is None):
            problems.append(
                f"item #{line.id} is a {line.kind} line: refund it by amount (#{line.id}=@AMOUNT)"
            )
            continue
        if req.quantity == 0 and req.amount is None:
            problems.append(
                f"quantity 0 of item #{line.id} ({line.name}) refunds nothing (expected 1 or "
                f"more units, or an amount: #{line.id}=@AMOUNT)"
            )
            continue
        unrefunded = line.quantity - line.quantity_refunded
        if quantity > unrefunded:
            problems.append(
                f"quantity {quantity} of item #{line.id} ({line.name}) is more than the "
                f"{unrefunded} not yet refunded"
            )
            continue
        value = req.amount if req.amount is not None else line_amount(line, quantity, cur)
        if value < 0:
            problems.append(f"line amount {show(value)} of item #{line.id} is negative")
            continue
        if line_cap and value > line.remaining:
            problems.append(
                f"refund of {show(value)} on item #{line.id} ({line.name}) exceeds the "
                f"{show(line.remaining)} still refundable on that line"
            )
            continue
        refund_lines.append(s.RefundLine(line.id, quantity, value))
    lines_total = sum((r.amount for r in refund_lines), Decimal(0))
    units = sum(r.quantity for r in refund_lines)
    if amount is None:
        amount = money.quantize(lines_total, cur)
    elif refund_lines and amount != lines_total:
        problems.append(
            f"amount {show(amount)} does not match the {show(lines_total)} of the lines"
        )
    if amount < 0:
        problems.append(f"refund amount {show(amount)} is negative")
    elif amount == 0 and not units and not problems:
        problems.append("refund amount must be greater than zero (or give item quantities)")
    remaining = order.remaining_refundable
    if amount > remaining:
        problems.append(
            f"refund of {show(amount)} exceeds the {show(remaining)} still refundable "
            f"on order #{order.number}"
        )
    if problems:
        return None, problems
    return _refund(order, amount, refund_lines, restock, reason, actor, now), []


def _refund(
    order: s.Order,
    amount: Decimal,
    refund_lines: list[s.RefundLine],
    restock: bool,
    reason: str,
    actor: str,
    now: datetime,
) -> RefundResult:
    levels = stock_levels(order.line_items)
    updated: dict[int, s.Line] = {}
    restocked = []
    stored_lines = []
    for req in refund_lines:
        line = order.line(req.item_id)
        assert line is not None
        line = evolve(
            line,
            quantity_refunded=line.quantity_refunded + req.quantity,
            total_refunded=line.total_refunded + req.amount,
        )
        back = 0
        if req.quantity and line.manage_stock and line.stock_product is not None:
            if restock:
                back = max(0, min(req.quantity, line.reduced_stock - line.refunded_kept))
                line = evolve(line, refunded_restocked=line.refunded_restocked + req.quantity)
            else:
                line = evolve(line, refunded_kept=line.refunded_kept + req.quantity)
        if back:
            line, change = move(line, back, levels)
            restocked.append((line, change))
        updated[line.id] = line
        stored_lines.append(evolve(req, restocked=back))
    refund = s.Refund(None, amount, reason, restock, tuple(stored_lines), now, actor)
    after = with_levels(order, updated, levels, refunds=(*order.refunds, refund))
    return RefundResult(after, refund, tuple(restocked), after.remaining_refundable <= 0)
