"""A new order priced (`order create`): each product line at the product's price times its
quantity, rounded to the currency, an optional shipping line, and the order's total. Pure:
the service looks the products up and the store writes what this returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from orderwf import money


@dataclass(frozen=True)
class Item:
    """A product as it is priced: its id, SKU, name and unit price."""

    product_id: int
    sku: str
    name: str
    price: Decimal


@dataclass(frozen=True)
class PricedLine:
    kind: Literal["line_item", "shipping"]
    name: str
    price: Decimal
    total: Decimal  # the subtotal too: a new order has no discounts and no taxes
    quantity: int = 1
    product_id: int | None = None
    sku: str = ""


@dataclass(frozen=True)
class PricedOrder:
    lines: tuple[PricedLine, ...]
    total: Decimal


def price(
    items: Sequence[tuple[Item, int]], shipping: Decimal | None, currency: str
) -> PricedOrder:
    """The lines of `items` (each product with its quantity), in order, then the shipping line
    (when `shipping` is not None, even at 0), and their total in `currency`."""
    lines = [
        PricedLine(
            "line_item",
            item.name,
            item.price,
            money.quantize(item.price * quantity, currency),
            quantity=quantity,
            product_id=item.product_id,
            sku=item.sku,
        )
        for item, quantity in items
    ]
    if shipping is not None:
        lines.append(PricedLine("shipping", "Shipping", shipping, shipping))
    return PricedOrder(tuple(lines), sum((line.total for line in lines), money.zero(currency)))
