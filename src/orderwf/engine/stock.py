"""Stock policies with the per-line bookkeeping of SPEC §2.3. A policy sets each managed
line's `reduced_stock` to a target and moves stock by the difference, so reducing twice takes
nothing more out, and a cancel after refunds gives back only what is still out and coming back
(WooCommerce #28854 fixed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Literal

from orderwf.orders import Line, Order, StockChange, copied, evolve


def stock_levels(items: Iterable[Line]) -> dict[int, int | None]:
    """The stock level of each product the product lines `items` (an order's `line_items`)
    move."""
    return {
        product: line.stock_quantity
        for line in items
        if (product := line.stock_product) is not None
    }


def move(line: Line, units_back: int, levels: dict[int, int | None]) -> tuple[Line, StockChange]:
    """Give `units_back` units of a line back to stock (negative: take them out), from the
    product whose stock the line moves: its stored variation, else the product."""
    product = line.stock_product
    assert product is not None
    old = levels.get(product)
    new = None if old is None else old + units_back
    levels[product] = new
    change = StockChange(line.id, product, line.sku, line.name, units_back, old, new)
    # The line carries its product's new level already: `with_levels` copies it only again
    # when another line of the same product moved after it.
    return evolve(line, reduced_stock=line.reduced_stock - units_back, stock_quantity=new), change


def with_levels(
    order: Order,
    lines: Mapping[int, Line],
    levels: Mapping[int, int | None],
    **changes: Any,
) -> Order:
    """The order with replaced lines, every line's product stock level brought up to date
    (a bulk batch passes on what its earlier orders moved), and `changes` to its other
    fields; the order itself when nothing changes."""
    new_lines = []
    changed = False
    for old in order.lines:  # a plain loop, no zip afterwards: two calls an order in bulk
        line = lines.get(old.id, old) if lines else old
        product = line.stock_id if line.stock_id is not None else line.product_id
        if product is not None and product in levels:
            level = levels[product]
            if level != line.stock_quantity:
                line = evolve(line, stock_quantity=level)
        if line is not old:
            changed = True
        new_lines.append(line)
    if not changes and not changed:
        return order
    return evolve(order, lines=type(order.lines)(new_lines), **changes)


class BatchStock:
    """The stock levels of a bulk batch, whose orders were read at once: each plan's stock
    moves are carried to the orders planned after it (`plan(levels=…)`), so their notes and
    `stock.negative: refuse` see the real levels."""

    __slots__ = ("levels",)

    def __init__(self) -> None:
        self.levels: dict[int, int | None] = {}

    def moved(self, changes: Iterable[StockChange]) -> None:
        """Record a plan's stock moves for the orders after it."""
        levels = self.levels
        for change in changes:
            levels[change.product_id] = change.new


_NONE_CARRIED: Mapping[int, int | None] = {}
NO_CHANGES: Mapping[str, Any] = MappingProxyType({})


def apply_policy(
    order: Order,
    policy: Literal["reduce", "restore"],
    carried: Mapping[int, int | None] = _NONE_CARRIED,
    changes: Mapping[str, Any] = NO_CHANGES,
) -> tuple[Order, tuple[StockChange, ...]]:
    """The order after the policy, and the stock changes it makes (possibly none).
    `carried`: newer levels of some products than the order's lines hold (a bulk batch's,
    `BatchStock.levels`), applied in the same pass: the order's lines leave with those levels
    or the moves' (`with_levels`), each line copied once. `changes`: to the order's other
    fields in the same copy (a status change's: fields of the order's row, set as given).

    Each managed product line's target (`quantity - refunded_restocked` to reduce; what the
    customer keeps, at most what is out, to restore), then `stock_levels`, `move` and
    `with_levels`, in three loops over the lines without a call a line: a bulk apply runs it
    for every order, and the calls were half its cost (a test compares the two ways). So
    `Line.stock_product` is written out: calling the property, even once a line, made this
    25 % slower."""
    lines = order.lines
    levels: dict[int, int | None] = {}  # `stock_levels` of the product lines
    managed = []  # the managed product lines, with their products
    for line in lines:
        if line.kind == "line_item":
            product = line.stock_id if line.stock_id is not None else line.product_id
            if product is not None:
                levels[product] = line.stock_quantity
                if line.manage_stock:
                    managed.append((line, product))
    if carried:
        for product in levels.keys() & carried.keys():
            levels[product] = carried[product]
    reduce = policy == "reduce"
    reduced: dict[int, int] = {}  # the moved lines' new `reduced_stock`, by line id
    moves = []
    for line, product in managed:  # `move` of each managed product line off its `target`
        if reduce:
            units_back = line.reduced_stock - line.quantity + line.refunded_restocked
        else:
            units_back = line.reduced_stock - min(line.refunded_kept, line.reduced_stock)
        if units_back:
            old = levels.get(product)
            new = None if old is None else old + units_back
            levels[product] = new
            reduced[line.id] = line.reduced_stock - units_back
            moves.append(StockChange(line.id, product, line.sku, line.name, units_back, old, new))
    new_lines = []
    for line in lines:  # `with_levels`: each line copied once, with its last level
        product = line.stock_id if line.stock_id is not None else line.product_id
        level = levels.get(product, line.stock_quantity) if product is not None else None
        if line.id in reduced:
            line = copied(line, {"reduced_stock": reduced[line.id], "stock_quantity": level})
        elif product is not None and product in levels and level != line.stock_quantity:
            line = copied(line, {"stock_quantity": level})
        new_lines.append(line)
    # `changes` are fields of the order's row, which every snapshot holds.
    fields = {**changes, "lines": type(lines)(new_lines), "stock_reduced": reduce}
    return copied(order, fields), tuple(moves)
