"""Stock policies with the per-line bookkeeping of SPEC §2.3: reduce once, restore only what
is still out, refunds with and without restock before a cancel (WooCommerce #28854 fixed),
and `stock.negative: refuse`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

from hypothesis import given, settings
from hypothesis import strategies as st
from order_factory import (
    NOW,
    ebook,
    note_texts,
    order,
    plan,
    reduced,
    refusal,
    run,
    shipping,
    stock_of,
    tshirt,
)

from orderwf import orders as s
from orderwf.engine import plan as planner
from orderwf.engine.stock import BatchStock, apply_policy, move, stock_levels, with_levels
from orderwf.orders import StockChange
from orderwf.workflow.model import Workflow

NEGATIVE_REFUSED = """
orderwf: 1
name: woocommerce
title: No overselling
initial: pending
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  pending: {label: Pending payment, stock: restore}
  processing: {label: Processing, paid: true, stock: reduce}
actions:
  process: {label: Process, from: [pending], to: processing}
  take: {label: Take out now, from: any, effects: [{stock: reduce}]}
stock:
  negative: refuse
"""


def test_reduce_takes_each_stocked_line_out_once() -> None:
    before = order(tshirt(2), ebook(), shipping())
    after, changes = apply_policy(before, "reduce")
    assert [c.describe() for c in changes] == ["T-Shirt (TS) 10→8"]
    assert stock_of(after) == (8, 2)
    assert after.stock_reduced
    again, more = apply_policy(after, "reduce")
    assert more == ()
    assert stock_of(again) == (8, 2)


def test_restore_gives_back_what_is_out() -> None:
    after, changes = apply_policy(order(reduced(tshirt(2)), status="processing"), "restore")
    assert [(c.delta, c.old, c.new) for c in changes] == [(2, 8, 10)]
    assert stock_of(after) == (10, 0)
    assert not after.stock_reduced
    assert apply_policy(after, "restore")[1] == ()


def test_restore_of_an_order_never_reduced_moves_nothing() -> None:
    after, changes = apply_policy(order(tshirt(2)), "restore")
    assert changes == ()
    assert stock_of(after) == (10, 0)


def test_a_line_without_a_sku_is_named_by_its_product_id() -> None:
    _, changes = apply_policy(order(tshirt(1, sku="")), "reduce")
    assert [c.describe() for c in changes] == ["T-Shirt (#11) 10→9"]


def test_a_product_without_a_stock_level_is_tracked_without_moving(workflow: Workflow) -> None:
    p = plan(workflow, order(tshirt(2, stock=None)), "pay")
    assert [(c.delta, c.old, c.new) for c in p.stock] == [(-2, None, None)]
    assert note_texts(p)[0] == "Stock levels reduced: T-Shirt (TS) None→None"


def test_processing_to_on_hold_to_processing_reduces_once(workflow: Workflow) -> None:
    paid = run(workflow, order(tshirt(), shipping()), "pay")
    held = plan(workflow, paid, "hold")
    assert held.stock == ()
    assert note_texts(held) == ["Order status changed from Processing to On hold."]
    back = plan(workflow, held.after, "process")
    assert back.stock == ()
    assert stock_of(back.after) == (8, 2)


def test_every_stocked_line_is_listed_in_one_note(workflow: Workflow) -> None:
    mug = tshirt(3, item_id=5, name="Mug", sku="MG", product_id=13, stock=4)
    p = plan(workflow, order(tshirt(), mug, ebook()), "hold")
    assert note_texts(p) == [
        "Stock levels reduced: T-Shirt (TS) 10→8, Mug (MG) 4→1",
        "Order status changed from Pending payment to On hold.",
    ]


def test_two_lines_of_one_product_share_its_stock_level(workflow: Workflow) -> None:
    first = tshirt(2, item_id=1, stock=10)
    second = tshirt(3, item_id=5, stock=10)
    p = plan(workflow, order(first, second), "hold")
    assert [c.describe() for c in p.stock] == ["T-Shirt (TS) 10→8", "T-Shirt (TS) 8→5"]
    assert stock_of(p.after, 1) == (5, 2)
    assert stock_of(p.after, 5) == (5, 3)


def test_cancel_gives_back_everything_out(workflow: Workflow) -> None:
    paid = run(workflow, order(tshirt(), shipping()), "pay")
    p = plan(workflow, paid, "cancel")
    assert note_texts(p) == [
        "Stock levels increased: T-Shirt (TS) 8→10",
        "Order status changed from Processing to Cancelled.",
    ]
    assert stock_of(p.after) == (10, 0)
    assert not p.after.stock_reduced


def test_cancel_after_a_restocked_refund_gives_back_only_the_rest(workflow: Workflow) -> None:
    paid = run(workflow, order(tshirt(), shipping()), "pay")
    refunded = plan(workflow, paid, "refund", {"lines": "1=1"}).after
    assert stock_of(refunded) == (9, 1)
    p = plan(workflow, refunded, "cancel")
    assert note_texts(p)[0] == "Stock levels increased: T-Shirt (TS) 9→10"
    assert stock_of(p.after) == (10, 0)


def test_cancel_after_a_refund_without_restock_keeps_the_refunded_unit_out(
    workflow: Workflow,
) -> None:
    # WooCommerce #28854: the unit the customer kept came back to stock on cancel.
    paid = run(workflow, order(tshirt(), shipping()), "pay")
    refunded = plan(workflow, paid, "refund", {"lines": "1=1", "restock": "false"})
    assert refunded.stock == ()
    assert note_texts(refunded) == []
    assert stock_of(refunded.after) == (8, 2)
    p = plan(workflow, refunded.after, "cancel")
    assert note_texts(p)[0] == "Stock levels increased: T-Shirt (TS) 8→9"
    assert stock_of(p.after) == (9, 1)


def test_pay_again_after_a_cancel_takes_out_only_what_is_owed(workflow: Workflow) -> None:
    paid = run(workflow, order(tshirt(3, stock=10), shipping()), "pay")
    with_restock = plan(workflow, paid, "refund", {"lines": "1=1"}).after
    both = plan(workflow, with_restock, "refund", {"lines": "1=1", "restock": "no"}).after
    assert stock_of(both) == (8, 2)
    cancelled = plan(workflow, both, "cancel").after
    assert stock_of(cancelled) == (9, 1)
    repaid = plan(workflow, cancelled, "pay")
    # 3 ordered − 1 refunded with restock = 2 out; 1 (kept by the customer) already is.
    assert note_texts(repaid)[0] == "Stock levels reduced: T-Shirt (TS) 9→8"
    assert stock_of(repaid.after) == (8, 2)


def test_reopen_restores_and_pay_reduces_again(workflow: Workflow) -> None:
    completed = run(workflow, order(tshirt(), shipping()), "pay", "complete")
    reopened = plan(workflow, completed, "reopen")
    assert note_texts(reopened) == [
        "Stock levels increased: T-Shirt (TS) 8→10",
        "Order status changed from Completed to Pending payment.",
    ]
    repaid = plan(workflow, reopened.after, "process")
    assert note_texts(repaid)[0] == "Stock levels reduced: T-Shirt (TS) 10→8"
    assert stock_of(repaid.after) == (8, 2)


def test_failed_and_refunded_do_not_touch_stock(workflow: Workflow) -> None:
    failed = plan(workflow, order(tshirt()), "fail")
    assert failed.stock == ()
    paid = run(workflow, order(tshirt(), shipping()), "pay")
    refunded = plan(workflow, paid, "mark_refunded")
    assert refunded.stock == ()
    assert stock_of(refunded.after) == (8, 2)
    assert refunded.after.stock_reduced


def test_negative_stock_is_allowed_by_default(workflow: Workflow) -> None:
    p = plan(workflow, order(tshirt(3, stock=1)), "hold")
    assert [c.describe() for c in p.stock] == ["T-Shirt (TS) 1→-2"]


def test_negative_stock_refused(write_workflow: Callable[[str], Workflow]) -> None:
    strict = write_workflow(NEGATIVE_REFUSED)
    mug = tshirt(3, item_id=5, name="Mug", sku="MG", product_id=13, stock=0)
    error = refusal(strict, order(tshirt(3, stock=1), mug), "process")
    assert error.message == "cannot apply 'process' to order #100: 2 problems"
    assert error.reasons == [
        "not enough stock for T-Shirt (TS): 1 in stock, 3 needed",
        "not enough stock for Mug (MG): 0 in stock, 3 needed",
    ]


def test_negative_stock_refused_by_a_stock_effect_too(
    write_workflow: Callable[[str], Workflow],
) -> None:
    strict = write_workflow(NEGATIVE_REFUSED)
    error = refusal(strict, order(tshirt(2, stock=1)), "take")
    assert error.message == "not enough stock for T-Shirt (TS): 1 in stock, 2 needed"


def test_exactly_enough_stock_is_not_negative(write_workflow: Callable[[str], Workflow]) -> None:
    strict = write_workflow(NEGATIVE_REFUSED)
    p = plan(strict, order(tshirt(2, stock=2)), "process")
    assert [c.describe() for c in p.stock] == ["T-Shirt (TS) 2→0"]


def test_a_stored_variation_moves_its_own_stock_not_its_parents() -> None:
    """A line of variation 21 of product 11, where the variation is stored with its own level:
    WooCommerce takes the units out of the variation's stock."""
    variant = tshirt(2, variation_id=21, stock_id=21, stock=4)
    after, changes = apply_policy(order(variant, shipping()), "reduce")
    assert [(c.product_id, c.delta, c.old, c.new) for c in changes] == [(21, -2, 4, 2)]
    assert [c.describe() for c in changes] == ["T-Shirt (TS) 4→2"]
    assert stock_of(after) == (2, 2)
    back, restored = apply_policy(after, "restore")
    assert [(c.product_id, c.delta, c.old, c.new) for c in restored] == [(21, 2, 2, 4)]
    assert stock_of(back) == (4, 0)


def test_a_variation_and_its_parent_keep_separate_levels() -> None:
    parent = tshirt(1, item_id=1, stock=10)
    variant = tshirt(2, item_id=5, variation_id=21, stock_id=21, stock=4)
    _, changes = apply_policy(order(parent, variant), "reduce")
    assert sorted((c.product_id, c.old, c.new) for c in changes) == [(11, 10, 9), (21, 4, 2)]


# -- a bulk batch: the levels its earlier orders moved ----------------------------------------


def test_with_levels_returns_the_order_itself_when_nothing_changes() -> None:
    before = order(tshirt(2, stock=10), ebook(), shipping())
    assert with_levels(before, {}, {}) is before
    assert with_levels(before, {}, {11: 10}) is before  # the level the order already has
    assert with_levels(before, {}, {99: 3}) is before  # a product the order does not hold


def test_with_levels_brings_each_line_of_the_product_up_to_date() -> None:
    before = order(tshirt(2, stock=10), tshirt(1, item_id=5, stock=10), ebook(), shipping())
    after = with_levels(before, {}, {11: 4})
    assert after is not before
    assert [line.stock_quantity for line in after.lines] == [4, 4, None, None]
    assert after.lines[2] is before.lines[2]
    assert [line.stock_quantity for line in before.lines] == [10, 10, None, None]


def test_a_batch_passes_its_stock_moves_to_the_next_order(workflow: Workflow) -> None:
    """What a bulk apply does (`BatchStock`, `plan(levels=…)`): each order is planned against
    the levels the batch's earlier plans left, though every order was read before any was
    planned; the plan's order leaves with them, the order read is left as it was."""
    first, second = order(tshirt(2, stock=10)), order(tshirt(3, stock=10), ebook())
    stock = BatchStock()
    for before, note, level in [
        (first, "Stock levels reduced: T-Shirt (TS) 10→8", 8),
        (second, "Stock levels reduced: T-Shirt (TS) 8→5", 5),
    ]:
        p = planner.plan(workflow, before, "hold", {}, actor="admin", now=NOW, levels=stock.levels)
        assert note_texts(p)[0] == note
        assert p.after.lines[0].stock_quantity == level
        assert p.before is before
        stock.moved(p.stock)
    assert stock.levels == {11: 5}
    assert second.lines[0].stock_quantity == 10


def test_a_batch_s_levels_reach_a_refund_s_restock(workflow: Workflow) -> None:
    """A refund's restock reads the lines' levels: the batch's are taken in before it."""
    paid = run(workflow, order(tshirt(3, stock=10)), "process")  # 3 out: 10→7 in its lines
    p = planner.plan(
        workflow, paid, "refund", {"lines": "1=1"}, actor="admin", now=NOW, levels={11: 4}
    )
    assert note_texts(p)[0] == "T-Shirt (TS) stock increased from 4 to 5."
    assert p.after.lines[0].stock_quantity == 5


BOUNCE = """
orderwf: 1
name: woocommerce
title: Out and back in one action
initial: pending
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  pending: {label: Pending payment, stock: restore}
  cancelled: {label: Cancelled, stock: restore}
actions:
  bounce: {label: Bounce, from: [pending], to: cancelled, effects: [{stock: reduce}]}
"""


def test_a_batch_s_levels_are_taken_in_once_by_the_first_stock_move(
    write_workflow: Callable[[str], Workflow],
) -> None:
    """The second move of one plan starts from the levels the first left, not from the
    batch's again."""
    bounce = write_workflow(BOUNCE)
    p = planner.plan(
        bounce, order(tshirt(2, stock=10)), "bounce", {}, actor="admin", now=NOW, levels={11: 4}
    )
    assert [(c.old, c.new) for c in p.stock] == [(4, 2), (2, 4)]
    assert p.after.lines[0].stock_quantity == 4


def _policy_from_its_parts(
    before: s.Order,
    policy: Literal["reduce", "restore"],
    carried: Mapping[int, int | None],
    **changes: Any,
) -> tuple[s.Order, tuple[StockChange, ...]]:
    """`apply_policy` as the steps SPEC §2.3 names, one call each: every managed product
    line's `reduced_stock` set to the policy's target, its product moved by the difference
    (`move`), then each line given its product's last level (`with_levels`)."""
    items = before.line_items
    levels = stock_levels(items)
    for product in levels.keys() & carried.keys():
        levels[product] = carried[product]
    moved: dict[int, s.Line] = {}
    changes_made = []
    for line in items:
        if not line.manage_stock or line.stock_product is None:
            continue
        if policy == "reduce":
            target = line.quantity - line.refunded_restocked
        else:
            target = min(line.refunded_kept, line.reduced_stock)
        if units_back := line.reduced_stock - target:
            moved[line.id], change = move(line, units_back, levels)
            changes_made.append(change)
    after = with_levels(before, moved, levels, stock_reduced=policy == "reduce", **changes)
    return after, tuple(changes_made)


_LINES = st.lists(
    st.builds(
        s.Line,
        id=st.integers(1, 10**6),
        kind=st.sampled_from(["line_item", "line_item", "shipping", "fee"]),
        name=st.sampled_from(["T-Shirt", "Mug"]),
        total=st.just(Decimal("1.00")),
        quantity=st.integers(1, 5),
        product_id=st.one_of(st.none(), st.integers(1, 3)),
        stock_id=st.one_of(st.none(), st.integers(2, 4)),
        sku=st.sampled_from(["", "TS"]),
        reduced_stock=st.integers(0, 5),
        refunded_kept=st.integers(0, 3),
        refunded_restocked=st.integers(0, 3),
        manage_stock=st.booleans(),
        stock_quantity=st.one_of(st.none(), st.integers(-3, 20)),
    ),
    max_size=5,
    unique_by=lambda line: line.id,
)


@settings(max_examples=300, deadline=None)
@given(
    lines=_LINES,
    policy=st.sampled_from(["reduce", "restore"]),
    carried=st.dictionaries(st.integers(1, 4), st.one_of(st.none(), st.integers(0, 30))),
)
def test_the_policy_in_one_pass_is_the_policy_from_its_parts(
    lines: list[s.Line], policy: Literal["reduce", "restore"], carried: dict[int, int | None]
) -> None:
    before = order(*lines)
    expected = _policy_from_its_parts(before, policy, carried, status="processing")
    assert apply_policy(before, policy, carried, {"status": "processing"}) == expected
