"""A new order priced by the engine (`order create`): line totals rounded to the currency,
the shipping line, the order's total."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from orderwf.engine.pricing import Item, PricedLine, PricedOrder, price

TS = Item(11, "TS", "T-Shirt", Decimal("19.99"))
MUG = Item(12, "MUG", "Mug", Decimal("0.335"))


def test_each_line_is_price_times_quantity_rounded_half_up() -> None:
    priced = price([(TS, 3), (MUG, 1)], None, "EUR")
    assert priced == PricedOrder(
        (
            PricedLine("line_item", "T-Shirt", Decimal("19.99"), Decimal("59.97"), 3, 11, "TS"),
            PricedLine("line_item", "Mug", Decimal("0.335"), Decimal("0.34"), 1, 12, "MUG"),
        ),
        Decimal("60.31"),
    )


def test_the_currency_decides_the_decimals() -> None:
    yen = Item(1, "", "Tea", Decimal("333.5"))
    priced = price([(yen, 1)], None, "JPY")
    assert (priced.lines[0].total, priced.total) == (Decimal("334"), Decimal("334"))
    assert str(priced.total) == "334"


def test_shipping_is_a_last_line_and_counts_in_the_total() -> None:
    priced = price([(TS, 1)], Decimal("4.90"), "EUR")
    assert priced.lines[-1] == PricedLine("shipping", "Shipping", Decimal("4.90"), Decimal("4.90"))
    assert (priced.lines[-1].quantity, priced.lines[-1].product_id) == (1, None)
    assert priced.total == Decimal("24.89")


def test_free_shipping_is_still_a_line() -> None:
    priced = price([(TS, 1)], Decimal("0.00"), "EUR")
    assert [line.kind for line in priced.lines] == ["line_item", "shipping"]


def test_no_line_costs_zero_in_the_currency() -> None:
    priced = price([], None, "EUR")
    assert (priced.lines, str(priced.total)) == ((), "0.00")


def test_what_pricing_returns_cannot_change() -> None:
    priced = price([(TS, 1)], Decimal("4.90"), "EUR")
    for record, field in [(TS, "price"), (priced.lines[0], "total"), (priced, "total")]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, field, Decimal(0))
