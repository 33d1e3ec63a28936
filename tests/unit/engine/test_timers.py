"""When a timer is due (`engine.timers`): in its status, once `after` has passed since the
order's last status change (or its creation), and only if its `if` holds; and the note it
leaves. The shop's `tick` and `orderwf test`'s `wait` both ask here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from order_factory import NOW, order, tshirt

from orderwf import orders as s
from orderwf.engine import timers
from orderwf.workflow.model import Workflow

HOUR = timedelta(minutes=60)
TICK = timedelta(microseconds=1)


def unpaid() -> s.Order:
    """A pending order from the checkout, created at NOW."""
    return order(tshirt(), status="pending", created_via="checkout")


@pytest.mark.parametrize(
    ("waited", "due"),
    [(HOUR - TICK, False), (HOUR, True), (HOUR + timedelta(days=3), True)],
)
def test_an_unpaid_order_is_cancelled_once_the_hour_is_up(
    workflow: Workflow, waited: timedelta, due: bool
) -> None:
    timer = workflow.timers["cancel_unpaid"]
    assert timers.due(workflow, timer, unpaid(), NOW + waited) is due


def test_the_hour_runs_from_the_last_status_change_not_the_creation(workflow: Workflow) -> None:
    timer = workflow.timers["cancel_unpaid"]
    # Created two days ago, back to pending ten minutes ago: not due yet, due in 50 minutes.
    back = replace(
        unpaid(), created_at=NOW - timedelta(days=2), status_changed_at=NOW - timedelta(minutes=10)
    )
    assert timers.due(workflow, timer, back, NOW) is False
    assert timers.due(workflow, timer, back, NOW + timedelta(minutes=50)) is True


def test_a_timer_applies_only_in_its_status_and_when_its_if_holds(workflow: Workflow) -> None:
    timer = workflow.timers["cancel_unpaid"]
    later = NOW + timedelta(days=1)
    paid = order(tshirt(), status="processing", created_via="checkout")
    assert timers.due(workflow, timer, paid, later) is False
    # An order the shop keyed in by hand is never cancelled for want of payment.
    by_hand = order(tshirt(), status="pending", created_via="admin")
    assert timers.due(workflow, timer, by_hand, later) is False


REMIND = """
orderwf: 1
name: woocommerce
initial: on-hold
shop: {name: Corner Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  on-hold: {label: On hold}
  pending: {label: Pending}
actions:
  nudge: {label: Nudge, from: [on-hold], to: pending}
  shelve: {label: Shelve, from: [pending], to: on-hold}
timers:
  remind:
    status: on-hold
    after: 2d
    action: nudge
    note: "{{ shop.name }} nudged the order on {{ now.strftime('%Y-%m-%d') }}."
  forget:
    status: pending
    after: 30d
    action: shelve
"""


def test_a_timer_without_an_if_is_due_on_time_alone_and_leaves_its_note(
    write_workflow: Callable[[str], Workflow],
) -> None:
    wf = write_workflow(REMIND)
    timer = wf.timers["remind"]
    held = order(tshirt(), status="on-hold")
    assert timers.due(wf, timer, held, NOW + timedelta(days=2)) is True
    assert timers.due(wf, timer, held, NOW + timedelta(days=2) - TICK) is False
    assert timers.note(wf, timer, NOW) == "Corner Shop nudged the order on 2026-11-26."
    assert timers.note(wf, wf.timers["forget"], NOW) is None  # no note: the history's own


def test_the_default_cancel_leaves_woocommerces_note(workflow: Workflow) -> None:
    timer = workflow.timers["cancel_unpaid"]
    assert timers.note(workflow, timer, NOW) == "Unpaid order cancelled - time limit reached."
    assert timers.ACTOR == "timer"  # the actor history shows for a timer's apply
