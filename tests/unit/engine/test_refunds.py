"""Refunds (SPEC §2.3): the per-line arithmetic in 0, 2 and 3-decimal currencies, the
`ITEM=QTY@AMOUNT` forms, every refusal with the sentence that names its figures, full versus
partial, the move to `refunds.full_status` and `mark_refunded`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from order_factory import (
    ebook,
    email_rows,
    fee,
    note_texts,
    order,
    plan,
    product,
    reduced,
    refusal,
    run,
    shipping,
    stock_of,
    tshirt,
)

from orderwf import orders as s
from orderwf.workflow.model import Workflow

RULES = """
orderwf: 1
name: woocommerce
title: Refund rules
initial: processing
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  processing: {label: Processing, paid: true, stock: reduce}
actions:
  refund: {label: Refund, from: [processing], effects: [refund]}
"""
PARTIAL = "Your Example Shop order #100 has been partially refunded"
FULL = "Your Example Shop order #100 has been refunded"


@pytest.fixture
def paid(workflow: Workflow) -> s.Order:
    """Scenario 1's order once paid: A×2 (20.00) + shipping 5.00 = 25.00, A at 8."""
    return run(workflow, order(tshirt(), shipping()), "pay")


def refund_of(workflow: Workflow, before: s.Order, **params: Any) -> s.Refund:
    refund = plan(workflow, before, "refund", params).refund
    assert refund is not None
    return refund


def amounts(refund: s.Refund) -> tuple[str, list[tuple[int, int, str]]]:
    return str(refund.amount), [(ln.item_id, ln.quantity, str(ln.amount)) for ln in refund.lines]


# -- arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "total", "tax", "quantity", "units", "amount"),
    [
        ("EUR", "20.00", "0", 2, 1, "10.00"),
        ("EUR", "20.00", "4.00", 3, 1, "8.00"),
        ("EUR", "10.00", "0", 3, 1, "3.33"),
        ("EUR", "10.00", "0", 3, 2, "6.67"),
        ("EUR", "0.05", "0", 2, 1, "0.03"),  # 0.025: half-up
        ("JPY", "1000", "0", 3, 1, "333"),
        ("JPY", "1000", "0", 3, 2, "667"),
        ("JPY", "5", "0", 2, 1, "3"),  # 2.5: half-up
        ("JPY", "1100", "110", 2, 1, "605"),
        ("KWD", "10.000", "0", 3, 1, "3.333"),
        ("KWD", "10.000", "0", 3, 2, "6.667"),
        ("KWD", "0.005", "0", 2, 1, "0.003"),  # 0.0025: half-up
        ("KWD", "2.500", "0.125", 2, 1, "1.313"),  # 1.3125: half-up
    ],
)
def test_a_line_refunds_its_total_with_tax_per_unit_rounded_half_up(
    workflow: Workflow,
    currency: str,
    total: str,
    tax: str,
    quantity: int,
    units: int,
    amount: str,
) -> None:
    before = order(product("Pen", total, quantity, tax=tax), status="processing", currency=currency)
    refund = refund_of(workflow, before, lines=f"1={units}")
    assert amounts(refund) == (amount, [(1, units, amount)])


def test_money_only_refund(workflow: Workflow, paid: s.Order) -> None:
    p = plan(workflow, paid, "refund", {"amount": "10", "reason": "Late delivery"})
    assert p.refund is not None
    assert amounts(p.refund) == ("10.00", [])
    assert (p.refund.reason, p.refund.restock, p.refund.refunded_by) == (
        "Late delivery",
        True,
        "admin",
    )
    assert p.stock == ()
    assert note_texts(p) == []
    assert p.after.status == "processing"
    assert (p.after.total_refunded, p.after.remaining_refundable) == (
        Decimal("10.00"),
        Decimal("15.00"),
    )


def test_a_quantity_refund_restocks_and_keeps_the_books(workflow: Workflow, paid: s.Order) -> None:
    p = plan(workflow, paid, "refund", {"amount": "10.00", "lines": ["1=1"]})
    assert p.refund is not None
    assert amounts(p.refund) == ("10.00", [(1, 1, "10.00")])
    assert p.refund.lines[0].restocked == 1
    assert note_texts(p) == ["T-Shirt (TS) stock increased from 8 to 9."]
    assert [c.describe() for c in p.stock] == ["T-Shirt (TS) 8→9"]
    line = p.after.line(1)
    assert line is not None
    assert (line.quantity_refunded, line.total_refunded, line.reduced_stock) == (
        1,
        Decimal("10.00"),
        1,
    )
    assert (line.refunded_restocked, line.refunded_kept) == (1, 0)
    assert p.after.remaining_refundable == Decimal("15.00")
    assert p.after.status == "processing"


def test_the_amount_is_the_sum_of_the_lines(workflow: Workflow, paid: s.Order) -> None:
    refund = refund_of(workflow, paid, lines=["1=1", "3=@2.50"])
    assert amounts(refund) == ("12.50", [(1, 1, "10.00"), (3, 0, "2.50")])


def test_a_line_amount_overrides_the_computed_one(workflow: Workflow, paid: s.Order) -> None:
    refund = refund_of(workflow, paid, lines="1=1@7.50", amount="7.50")
    assert amounts(refund) == ("7.50", [(1, 1, "7.50")])


def test_shipping_and_fee_lines_are_refunded_by_amount(workflow: Workflow) -> None:
    before = order(tshirt(), shipping(), fee("2.00"), status="processing")
    refund = refund_of(workflow, before, lines=["#3=@5", "4=@2.00"])
    assert amounts(refund) == ("7.00", [(3, 0, "5.00"), (4, 0, "2.00")])


def test_a_product_line_refunded_by_amount_moves_no_stock(
    workflow: Workflow, paid: s.Order
) -> None:
    p = plan(workflow, paid, "refund", {"lines": "1=@4.00"})
    assert p.refund is not None
    assert amounts(p.refund) == ("4.00", [(1, 0, "4.00")])
    assert p.stock == ()


def test_a_free_item_is_refunded_by_quantity(workflow: Workflow) -> None:
    gift = product("Gift", "0.00", 1, item_id=2)
    before = order(tshirt(1), gift, shipping(), status="processing")
    refund = refund_of(workflow, before, lines="2=1")
    assert amounts(refund) == ("0.00", [(2, 1, "0.00")])


def test_restock_follows_the_param(workflow: Workflow, paid: s.Order) -> None:
    p = plan(workflow, paid, "refund", {"lines": "1=2", "restock": "no"})
    assert p.refund is not None
    assert (p.refund.restock, p.refund.lines[0].restocked) == (False, 0)
    assert p.stock == ()
    line = p.after.line(1)
    assert line is not None
    assert (line.reduced_stock, line.refunded_kept) == (2, 2)


def test_restock_defaults_to_the_workflow(write_workflow: Callable[[str], Workflow]) -> None:
    no_restock = write_workflow(RULES + "refunds: {restock: false}\n")
    before = order(reduced(tshirt()), status="processing")
    refund = refund_of(no_restock, before, lines="1=1")
    assert (refund.restock, refund.lines[0].restocked) == (False, 0)


def test_restock_of_an_order_whose_stock_was_never_reduced_moves_nothing(
    workflow: Workflow,
) -> None:
    p = plan(workflow, order(tshirt(), status="processing"), "refund", {"lines": "1=1"})
    assert p.stock == ()
    assert note_texts(p) == []


def test_restock_after_units_kept_gives_back_only_what_is_out(workflow: Workflow) -> None:
    before = order(reduced(tshirt(3)), shipping(), status="processing")
    kept = plan(workflow, before, "refund", {"lines": "1=2", "restock": "false"}).after
    p = plan(workflow, kept, "refund", {"lines": "1=1"})
    assert note_texts(p) == ["T-Shirt (TS) stock increased from 7 to 8."]
    assert stock_of(p.after) == (8, 2)


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        (
            {"amount": "25.01"},
            "refund of 25.01 EUR exceeds the 25.00 EUR still refundable on order #100",
        ),
        ({"amount": "-1"}, "refund amount -1.00 EUR is negative"),
        ({"amount": "0"}, "refund amount must be greater than zero (or give item quantities)"),
        ({}, "refund amount must be greater than zero (or give item quantities)"),
        (
            {"lines": "1=0"},
            "quantity 0 of item #1 (T-Shirt) refunds nothing (expected 1 or more units, or an "
            "amount: #1=@AMOUNT)",
        ),
        (
            {"lines": ["1=0", "3=@5"]},
            "quantity 0 of item #1 (T-Shirt) refunds nothing (expected 1 or more units, or an "
            "amount: #1=@AMOUNT)",
        ),
        ({"lines": "3=0"}, "item #3 is a shipping line: refund it by amount (#3=@AMOUNT)"),
        ({"amount": "abc"}, "param 'amount': 'abc' is not a number (expected e.g. '12.50')"),
        ({"amount": "NaN"}, "param 'amount': 'NaN' is not a finite number"),
        ({"amount": "Infinity"}, "param 'amount': 'Infinity' is not a finite number"),
        ({"amount": "1.001"}, "param 'amount': 1.001 has more decimals than EUR allows (2)"),
        ({"lines": "9=1"}, "item #9 is not on order #100"),
        ({"lines": "123456789012=1"}, "item #123456789012 is not on order #100"),  # 12 digits
        (
            {"lines": "1234567890123=1"},
            "line '1234567890123=1': the item id or quantity is too large",
        ),
        (
            {"lines": "1=999999999999"},
            "quantity 999999999999 of item #1 (T-Shirt) is more than the 2 not yet refunded",
        ),
        (
            {"lines": "1=1234567890123"},
            "line '1=1234567890123': the item id or quantity is too large",
        ),
        (
            {"lines": "1=" + "9" * 5000},
            f"line '1={'9' * 38}': the item id or quantity is too large",  # 40 characters shown
        ),
        ({"lines": "1=3"}, "quantity 3 of item #1 (T-Shirt) is more than the 2 not yet refunded"),
        ({"lines": ["1=1", "1=1"]}, "item #1 is given twice"),
        ({"lines": "1=1@-2"}, "line amount -2.00 EUR of item #1 is negative"),
        (
            {"lines": "1=1@abc"},
            "line amount of item #1 'abc' is not a number (expected e.g. '12.50')",
        ),
        ({"lines": "1=@NaN"}, "line amount of item #1 'NaN' is not a finite number"),
        ({"lines": "3=@Infinity"}, "line amount of item #3 'Infinity' is not a finite number"),
        (
            {"lines": "1=1@1.001"},
            "line amount of item #1 1.001 has more decimals than EUR allows (2)",
        ),
        ({"lines": "1="}, "line '1=' is not ITEM=QTY, ITEM=QTY@AMOUNT or ITEM=@AMOUNT"),
        (
            {"lines": "T-Shirt=1"},
            "line 'T-Shirt=1' is not ITEM=QTY, ITEM=QTY@AMOUNT or ITEM=@AMOUNT",
        ),
        ({"lines": "3=1"}, "item #3 is a shipping line: refund it by amount (#3=@AMOUNT)"),
        (
            {"lines": "3=@5.01"},
            "refund of 5.01 EUR on item #3 (Flat rate) exceeds the 5.00 EUR still refundable "
            "on that line",
        ),
        (
            {"lines": "1=2@20.01"},
            "refund of 20.01 EUR on item #1 (T-Shirt) exceeds the 20.00 EUR still refundable "
            "on that line",
        ),
        (
            {"amount": "5", "lines": "1=1"},
            "amount 5.00 EUR does not match the 10.00 EUR of the lines",
        ),
        (
            {"restock": "maybe", "amount": "1"},
            "param 'restock': 'maybe' is not a boolean (expected true or false)",
        ),
    ],
)
def test_a_bad_refund_is_refused_with_its_figures(
    workflow: Workflow, paid: s.Order, params: dict[str, Any], reason: str
) -> None:
    error = refusal(workflow, paid, "refund", params)
    assert error.message == reason
    assert error.reasons == [reason]


def test_more_than_still_refundable_is_refused(workflow: Workflow, paid: s.Order) -> None:
    after = plan(workflow, paid, "refund", {"amount": "10"}).after
    error = refusal(workflow, after, "refund", {"amount": "15.01"})
    assert (
        error.message == "refund of 15.01 EUR exceeds the 15.00 EUR still refundable on order #100"
    )


def test_a_quantity_already_refunded_is_refused(workflow: Workflow, paid: s.Order) -> None:
    after = plan(workflow, paid, "refund", {"lines": "1=1"}).after
    error = refusal(workflow, after, "refund", {"lines": "1=2"})
    assert error.message == "quantity 2 of item #1 (T-Shirt) is more than the 1 not yet refunded"


def test_a_line_refunded_by_amount_caps_later_refunds(workflow: Workflow, paid: s.Order) -> None:
    after = plan(workflow, paid, "refund", {"lines": "3=@3"}).after
    error = refusal(workflow, after, "refund", {"lines": "3=@2.01"})
    assert error.message == (
        "refund of 2.01 EUR on item #3 (Flat rate) exceeds the 2.00 EUR still refundable on "
        "that line"
    )


@pytest.mark.parametrize(
    ("currency", "amount", "reason"),
    [
        ("JPY", "100.5", "param 'amount': 100.5 has more decimals than JPY allows (0)"),
        ("KWD", "1.0005", "param 'amount': 1.0005 has more decimals than KWD allows (3)"),
        (
            "KWD",
            "30.001",
            "refund of 30.001 KWD exceeds the 30.000 KWD still refundable on order #100",
        ),
        ("JPY", "3001", "refund of 3001 JPY exceeds the 3000 JPY still refundable on order #100"),
    ],
)
def test_currency_decimals_are_enforced(
    workflow: Workflow, currency: str, amount: str, reason: str
) -> None:
    total = "30.000" if currency == "KWD" else "3000"
    before = order(product("Tea", total, 1), status="processing", currency=currency)
    assert refusal(workflow, before, "refund", {"amount": amount}).message == reason


def test_trailing_zeros_are_not_extra_decimals(workflow: Workflow) -> None:
    before = order(product("Tea", "3000", 1), status="processing", currency="JPY")
    assert amounts(refund_of(workflow, before, amount="100.00")) == ("100", [])


def test_every_refund_problem_is_reported_at_once(
    workflow: Workflow, paid: s.Order, snapshot: Any
) -> None:
    error = refusal(
        workflow, paid, "refund", {"amount": "30", "lines": ["9=1", "1=5", "3=@9", "oops"]}
    )
    assert error.message == "cannot apply 'refund' to order #100: 5 problems"
    assert error.reasons == snapshot


def test_without_line_cap_a_line_may_be_refunded_above_its_total(
    write_workflow: Callable[[str], Workflow],
) -> None:
    # WooCommerce #25248 is refused by default; `line_cap: false` allows it.
    uncapped = write_workflow(RULES + "refunds: {line_cap: false}\n")
    before = order(tshirt(), shipping(), status="processing")
    assert amounts(refund_of(uncapped, before, lines="3=@6")) == ("6.00", [(3, 0, "6.00")])


def test_a_required_reason_must_be_given(write_workflow: Callable[[str], Workflow]) -> None:
    strict = write_workflow(RULES + "refunds: {reason: required}\n")
    before = order(tshirt(), shipping(), status="processing")
    for params in ({"amount": "5"}, {"amount": "5", "reason": "  "}):
        error = refusal(strict, before, "refund", params)
        assert error.message == "a reason is required for this refund (refunds.reason: required)"
    assert refund_of(strict, before, amount="5", reason="Damaged").reason == "Damaged"


def test_the_last_units_of_a_line_refund_what_remains_of_it(workflow: Workflow) -> None:
    before = order(product("Pen", "0.05", 2), status="processing")
    first = plan(workflow, before, "refund", {"lines": "1=1"}).after
    last = refund_of(workflow, first, lines="1=1")
    assert amounts(last) == ("0.02", [(1, 1, "0.02")])


def test_a_one_unit_line_refunds_its_whole_total(workflow: Workflow) -> None:
    before = order(tshirt(1), shipping(), status="processing")
    assert amounts(refund_of(workflow, before, lines="1=1")) == ("10.00", [(1, 1, "10.00")])


def test_a_zero_quantity_with_an_amount_refunds_the_amount(
    workflow: Workflow, paid: s.Order
) -> None:
    assert amounts(refund_of(workflow, paid, lines="1=0@4")) == ("4.00", [(1, 0, "4.00")])
    assert amounts(refund_of(workflow, paid, lines="3=0@4")) == ("4.00", [(3, 0, "4.00")])


def test_a_line_of_no_units_is_refunded_by_amount_only(workflow: Workflow) -> None:
    empty = tshirt(0, stock=None)
    before = order(empty, shipping(), status="processing", total=Decimal("5.00"))
    error = refusal(workflow, before, "refund", {"lines": "1=1"})
    assert error.message == "quantity 1 of item #1 (T-Shirt) is more than the 0 not yet refunded"


# -- restock bookkeeping -----------------------------------------------------------------------

REFUND_AFTER_CANCEL = """
orderwf: 1
name: woocommerce
title: Refunds after a cancel
initial: processing
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  processing: {label: Processing, paid: true, stock: reduce}
  cancelled: {label: Cancelled, stock: restore}
actions:
  refund: {label: Refund, from: [processing, cancelled], effects: [refund]}
  cancel: {label: Cancel, from: [processing], to: cancelled}
"""


def test_a_unit_the_customer_kept_is_never_restocked_later(
    write_workflow: Callable[[str], Workflow],
) -> None:
    after_cancel = write_workflow(REFUND_AFTER_CANCEL)
    before = order(reduced(tshirt(2)), status="processing")  # 10 - 2 = 8 in stock
    kept = plan(after_cancel, before, "refund", {"lines": "1=1", "restock": "no"}).after
    cancelled = plan(after_cancel, kept, "cancel").after
    assert stock_of(cancelled) == (9, 1)  # the unrefunded unit came back; the kept one did not
    p = plan(after_cancel, cancelled, "refund", {"lines": "1=1", "restock": "yes"})
    assert p.stock == ()
    assert note_texts(p) == ["Order fully refunded."]  # and no stock note
    assert p.refund is not None
    assert p.refund.lines[0].restocked == 0
    assert stock_of(p.after) == (9, 1)


def _line(o: s.Order, item_id: int) -> s.Line:
    line = o.line(item_id)
    assert line is not None
    return line


@pytest.mark.parametrize("restock", ["yes", "no"])
def test_only_stock_managed_product_lines_keep_restock_books(
    workflow: Workflow, restock: str
) -> None:
    gone = tshirt(1, item_id=5, stock=None, manage_stock=True, product_id=None)
    before = order(reduced(tshirt(2)), ebook(), gone, shipping(), status="processing")
    p = plan(
        workflow,
        before,
        "refund",
        {"lines": ["1=@4", "2=1", "5=1", "3=@5"], "restock": restock},
    )
    assert p.stock == ()
    books = {
        line.id: (line.refunded_restocked, line.refunded_kept, line.reduced_stock)
        for line in p.after.lines
    }
    assert books == {1: (0, 0, 2), 2: (0, 0, 0), 5: (0, 0, 0), 3: (0, 0, 0)}
    assert [ln.restocked for ln in p.refund.lines] == [0, 0, 0, 0]  # type: ignore[union-attr]


@pytest.mark.parametrize(("restock", "books"), [("yes", (1, 0, 1)), ("no", (0, 1, 2))])
def test_a_stock_managed_line_keeps_its_restock_books(
    workflow: Workflow, restock: str, books: tuple[int, int, int]
) -> None:
    before = order(reduced(tshirt(2)), status="processing")
    after = plan(workflow, before, "refund", {"lines": "1=1", "restock": restock}).after
    line = _line(after, 1)
    assert (line.refunded_restocked, line.refunded_kept, line.reduced_stock) == books


# -- the refund effect's own settings ----------------------------------------------------------

EFFECTS = RULES.replace(
    "  refund: {label: Refund, from: [processing], effects: [refund]}\n",
    """  refund: {label: Refund, from: [processing], effects: [refund: {reason: Returned}]}
  rest: {label: Rest, from: [processing], effects: [refund: {remaining: true}]}
  rest_restocked:
    label: Rest restocked
    from: [processing]
    effects: [refund: {remaining: true, restock: true, reason: "All of {{ order.number }}"}]
""",
)


def test_a_refund_of_the_remainder_does_not_restock_by_default(
    write_workflow: Callable[[str], Workflow],
) -> None:
    effects = write_workflow(EFFECTS + "refunds: {restock: true}\n")
    p = plan(effects, order(reduced(tshirt()), status="processing"), "rest")
    assert p.refund is not None
    assert (p.refund.amount, p.refund.restock, p.refund.reason) == (Decimal("20.00"), False, "")
    assert p.effects[0]["restock"] is False


def test_a_refund_of_the_remainder_honours_its_restock(
    write_workflow: Callable[[str], Workflow],
) -> None:
    effects = write_workflow(EFFECTS + "refunds: {restock: false}\n")
    p = plan(effects, order(reduced(tshirt()), status="processing"), "rest_restocked")
    assert p.refund is not None
    assert (p.refund.restock, p.refund.reason) == (True, "All of 100")
    assert p.effects[0]["restock"] is True


def test_the_effects_reason_is_the_default_of_the_operators(
    write_workflow: Callable[[str], Workflow],
) -> None:
    effects = write_workflow(EFFECTS)
    before = order(tshirt(), status="processing")
    assert refund_of(effects, before, amount="5").reason == "Returned"
    assert refund_of(effects, before, amount="5", reason="  ").reason == "Returned"
    assert refund_of(effects, before, amount="5", reason="Damaged").reason == "Damaged"


# -- full and partial ------------------------------------------------------------------------


def test_a_partial_refund_keeps_the_status(workflow: Workflow, paid: s.Order) -> None:
    p = plan(workflow, paid, "refund", {"amount": "10"})
    assert p.after.status == "processing"
    assert email_rows(p) == [("customer_refunded_order", "c@x.test", PARTIAL)]


def test_a_full_refund_moves_to_the_full_status(workflow: Workflow, paid: s.Order) -> None:
    p = plan(workflow, paid, "refund", {"amount": "25"})
    assert p.after.status == "refunded"
    # messages.fully_refunded, then the move to refunds.full_status (docs/woocommerce.md).
    assert note_texts(p) == [
        "Order fully refunded.",
        "Order status changed from Processing to Refunded.",
    ]
    assert email_rows(p) == [("customer_refunded_order", "c@x.test", FULL)]
    assert p.stock == ()
    assert p.after.stock_reduced


@pytest.mark.parametrize(
    ("amount", "status", "subject", "full"),
    [
        ("24.99", "processing", PARTIAL, False),  # 0.01 left: partial
        ("25.00", "refunded", FULL, True),  # 0.00 left: full
    ],
)
def test_full_or_partial_at_the_last_cent(
    workflow: Workflow, paid: s.Order, amount: str, status: str, subject: str, full: bool
) -> None:
    p = plan(workflow, paid, "refund", {"amount": amount})
    assert p.after.status == status
    assert email_rows(p) == [("customer_refunded_order", "c@x.test", subject)]
    assert p.effects[0]["full"] is full


def test_the_refund_that_takes_the_rest_is_full(workflow: Workflow, paid: s.Order) -> None:
    first = plan(workflow, paid, "refund", {"lines": "1=1"}).after
    p = plan(workflow, first, "refund", {"lines": ["1=1", "3=@5"]})
    assert note_texts(p) == [
        "T-Shirt (TS) stock increased from 9 to 10.",
        "Order fully refunded.",
        "Order status changed from Processing to Refunded.",
    ]
    assert p.after.status == "refunded"
    assert p.after.remaining_refundable == Decimal("0.00")
    assert email_rows(p) == [("customer_refunded_order", "c@x.test", FULL)]


def test_without_a_full_status_a_full_refund_stays(
    write_workflow: Callable[[str], Workflow],
) -> None:
    stays = write_workflow(RULES)
    p = plan(stays, order(tshirt(), status="processing"), "refund", {"amount": "20"})
    assert p.after.status == "processing"
    assert p.after.remaining_refundable == 0


def test_mark_refunded_refunds_the_remainder(workflow: Workflow, paid: s.Order) -> None:
    after = plan(workflow, paid, "refund", {"amount": "10"}).after
    p = plan(workflow, after, "mark_refunded")
    assert p.refund is not None
    assert amounts(p.refund) == ("15.00", [])
    assert (p.refund.reason, p.refund.restock) == ("Order fully refunded.", False)
    assert note_texts(p) == [
        "Order fully refunded.",
        "Order status set to refunded. To return funds to the customer you will need to issue "
        "a refund through your payment gateway.",
        "Order status changed from Processing to Refunded.",
    ]
    assert email_rows(p) == [("customer_refunded_order", "c@x.test", FULL)]
    assert p.stock == ()
    assert p.after.status == "refunded"
    assert p.after.total_refunded == Decimal("25.00")


def test_mark_refunded_with_nothing_left_refunds_nothing(
    write_workflow: Callable[[str], Workflow], workflow: Workflow
) -> None:
    stays = write_workflow(RULES)
    done = plan(stays, order(tshirt(), status="processing"), "refund", {"amount": "20"}).after
    p = plan(workflow, done, "mark_refunded")
    assert p.refund is None
    assert email_rows(p) == []
    assert p.after.status == "refunded"
