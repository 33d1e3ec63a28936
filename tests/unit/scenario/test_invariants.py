"""The invariants checked after every step of a scenario and of `--explore`: each one fires
on a plan that breaks it, and none on what the engine plans."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderwf.engine.invariants import violations
from orderwf.engine.memory import LineSpec, OrderSpec, Product, Shop
from orderwf.engine.plan import Plan
from orderwf.orders import Order, Refund, evolve
from orderwf.scenario.load import DEFAULT_NOW
from orderwf.workflow.loader import load_workflow
from orderwf.workflow.model import Workflow

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def workflow() -> Workflow:
    return load_workflow(ROOT / "workflows" / "woocommerce.yaml")


def paid(workflow: Workflow) -> tuple[Shop, Plan]:
    shop = Shop.start(
        workflow,
        (Product(1, "TS", "T-shirt", Decimal("20.00"), 5),),
        OrderSpec((LineSpec("TS", 2),), shipping=Decimal("5.00")),
        DEFAULT_NOW,
    )
    start = shop.order
    plan = shop.apply("pay", actor="admin")
    assert violations(workflow, plan, start=start, start_levels={1: 5}, levels=shop.levels) == []
    return shop, plan


def check(workflow: Workflow, plan: Plan, levels: dict[int, int | None] | None = None) -> list[str]:
    return violations(
        workflow, plan, start=plan.before, start_levels={1: 5}, levels=levels or {1: 3}
    )


def test_more_refunded_than_paid(workflow: Workflow) -> None:
    _, plan = paid(workflow)
    bad_line = evolve(plan.after.lines[1], total_refunded=Decimal("6.00"))
    refund = Refund(1, Decimal("46.00"), "", False, (), DEFAULT_NOW)
    after = evolve(plan.after, lines=(plan.after.lines[0], bad_line), refunds=(refund,))
    assert check(workflow, replace(plan, after=after)) == [
        "refunded 46.00 EUR of an order of 45.00 EUR",
        "item #2 (Shipping): refunded 6.00 EUR of 5.00 EUR",
    ]


def test_units_out_of_stock_out_of_range_and_stock_drift(workflow: Workflow) -> None:
    _, plan = paid(workflow)
    line = evolve(plan.after.lines[0], reduced_stock=3)
    after = evolve(plan.after, lines=(line, *plan.after.lines[1:]))
    assert check(workflow, replace(plan, after=after), {1: 3}) == [
        "item #1 (T-shirt): 3 units out of stock, expected between 0 and 2",
        "product #1: stock moved from 5 to 3, but the order has +3 units out of stock "
        "since the start",
    ]


def test_leaving_a_final_status(workflow: Workflow) -> None:
    _, plan = paid(workflow)
    final = replace(workflow, statuses={**workflow.statuses, "pending": replace(
        workflow.statuses["pending"], final=True)})  # fmt: skip
    assert check(final, plan) == ["the order left the final status 'pending' for 'processing'"]


def test_an_email_without_recipient(workflow: Workflow) -> None:
    _, plan = paid(workflow)
    first = plan.emails[0]
    events = tuple(replace(first, to="") if e is first else e for e in plan.events)
    assert check(workflow, replace(plan, events=events)) == ["email 'new_order' has no recipient"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_sequence_of_moves_breaks_an_invariant(workflow: Workflow, data: st.DataObject) -> None:
    """Whatever actions, refunds and waits follow one another (the moves `--explore` makes),
    money, stock and emails stay consistent and every refusal changes nothing."""
    from orderwf.errors import OrderwfError
    from orderwf.scenario import explore

    sample = data.draw(st.sampled_from(explore.samples(workflow)))
    shop = Shop.start(workflow, sample.products, sample.order, DEFAULT_NOW)
    start, levels = shop.order, dict(shop.levels)
    for _ in range(data.draw(st.integers(1, 8))):
        move = data.draw(st.sampled_from(list(explore.moves(workflow, shop.order))))
        before = shop.order
        try:
            plans = (
                shop.wait(move.wait).plans
                if move.wait is not None
                else [shop.apply(move.action, move.params, actor="admin")]
            )
        except OrderwfError:
            assert shop.order is before
            continue
        for plan in plans:
            assert (
                violations(workflow, plan, start=start, start_levels=levels, levels=shop.levels)
                == []
            )


def test_units_restocked_by_a_refund_cannot_still_be_out_of_stock(workflow: Workflow) -> None:
    _, plan = paid(workflow)
    # One of the two units refunded with restock, yet both still counted out of stock.
    line = evolve(plan.after.lines[0], refunded_restocked=1, quantity_refunded=1)
    after = evolve(plan.after, lines=(line, *plan.after.lines[1:]))
    assert check(workflow, replace(plan, after=after)) == [
        "item #1 (T-shirt): 2 units out of stock, expected between 0 and 1"
    ]


def test_cancelling_a_paid_order_puts_its_units_back_without_a_violation(
    workflow: Workflow,
) -> None:
    """The run starts from an order whose stock is already out: the units it had out at the
    start count against what the level moved."""
    shop, _ = paid(workflow)
    start, start_levels = shop.order, dict(shop.levels)
    assert start_levels == {1: 3}
    plan = shop.apply("cancel", actor="admin")
    assert shop.levels == {1: 5}
    assert (
        violations(workflow, plan, start=start, start_levels=start_levels, levels=shop.levels) == []
    )
    # Had the level not moved back, that would be a drift.
    assert violations(workflow, plan, start=start, start_levels=start_levels, levels={1: 3}) == [
        "product #1: stock moved from 3 to 3, but the order has -2 units out of stock since "
        "the start"
    ]


def test_a_product_that_stopped_managing_stock_is_not_counted(workflow: Workflow) -> None:
    """Its lines keep the units they took out, but no level moves any more: nothing to
    check, at the start or after."""
    _, plan = paid(workflow)

    def unmanaged(order: Order) -> Order:
        line = evolve(order.lines[0], manage_stock=False, reduced_stock=2)
        return evolve(order, lines=(line, *order.lines[1:]))

    start = unmanaged(plan.before)
    after = replace(plan, after=unmanaged(plan.after))
    assert violations(workflow, after, start=start, start_levels={1: 5}, levels={1: 5}) == []
