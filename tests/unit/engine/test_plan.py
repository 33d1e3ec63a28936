"""Planning one action: status checks, `to` alternatives, guards, final statuses, notes in
WooCommerce's order, the effects and the plan's bookkeeping (SPEC §2.1, §2.2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
import yaml
from order_factory import (
    NOW,
    ebook,
    note_texts,
    order,
    plan,
    product,
    refusal,
    shipping,
    stock_of,
    tshirt,
)

from orderwf.engine import events as ev
from orderwf.engine.plan import availability
from orderwf.errors import NotFound, WorkflowError
from orderwf.orders import Note, QueuedEmail
from orderwf.workflow.build import build
from orderwf.workflow.model import Workflow

FINAL = """
orderwf: 1
name: woocommerce
title: Final statuses
initial: pending
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  pending: {label: Pending payment}
  closed: {label: Closed, final: true}
actions:
  close: {label: Close, from: [pending], to: closed}
  stay: {label: Stay, from: any, to: closed, effects: [{note: Still closed.}]}
  remark:
    label: Remark
    from: any
    effects:
      - note: "Remark by {{ actor }} on {{ order.status.label }}."
      - set: {meta.checked: "{{ now.strftime('%Y-%m-%d') }}"}
"""
LEAVE = """  reopen: {label: Reopen, from: any, to: pending}
"""


def test_pay_goes_to_completed_when_every_product_is_virtual_and_downloadable(
    workflow: Workflow,
) -> None:
    p = plan(workflow, order(ebook()), "pay")
    assert p.after.status == "completed"
    assert note_texts(p) == ["Order status changed from Pending payment to Completed."]
    assert p.stock == ()
    assert p.after.date_paid == NOW
    assert p.after.date_completed == NOW


@pytest.mark.parametrize(
    "lines",
    [
        (tshirt(),),
        (tshirt(), ebook()),
        (product("Poster", "8.00", 1, virtual=True),),
        (product("Manual", "3.00", 1, downloadable=True),),
    ],
    ids=["physical", "mixed", "virtual-only", "downloadable-only"],
)
def test_pay_goes_to_processing_otherwise(workflow: Workflow, lines: tuple[Any, ...]) -> None:
    p = plan(workflow, order(*lines, shipping()), "pay")
    assert p.after.status == "processing"
    assert p.after.date_paid == NOW
    assert p.after.date_completed is None


def test_a_line_whose_product_is_gone_does_not_need_processing(workflow: Workflow) -> None:
    gone = product("Old poster", "4.00", 1, product_known=False)
    assert plan(workflow, order(ebook(), gone), "pay").after.status == "completed"


def test_an_action_not_allowed_in_the_status_is_refused(workflow: Workflow) -> None:
    error = refusal(workflow, order(tshirt()), "refund", {"amount": "1"})
    assert error.message == (
        "action 'refund' is not allowed when order #100 is Pending payment "
        "(allowed from: Processing, Completed, On hold)"
    )
    assert error.reasons == [error.message]


ACTIONS = (
    "pay, process, hold, complete, cancel, fail, reopen, refund, mark_refunded, add_note, "
    "add_tracking, send_order_details, resend_new_order"
)


def test_an_unknown_action_is_not_found(workflow: Workflow) -> None:
    with pytest.raises(NotFound) as info:
        plan(workflow, order(tshirt()), "ship")
    assert (
        str(info.value) == f"unknown action 'ship' in workflow 'woocommerce' (actions: {ACTIONS})"
    )


def test_an_unknown_action_close_to_one_gets_a_hint(workflow: Workflow) -> None:
    with pytest.raises(NotFound) as info:
        plan(workflow, order(tshirt()), "refnud")
    assert str(info.value) == (
        "unknown action 'refnud' in workflow 'woocommerce'; did you mean 'refund'? "
        f"(actions: {ACTIONS})"
    )


def test_an_order_of_another_workflow_is_refused(workflow: Workflow) -> None:
    error = refusal(workflow, order(tshirt(), workflow="digital"), "pay")
    assert error.message == ("order #100 was created under workflow 'digital', not 'woocommerce'")


def test_an_undeclared_status_is_refused(workflow: Workflow) -> None:
    # WooCommerce turns an unknown status into pending (reference §2.1); orderwf refuses.
    error = refusal(workflow, order(tshirt(), status="shipped"), "add_note", {"text": "x"})
    assert error.message == (
        "order #100 has status 'shipped', which workflow 'woocommerce' does not declare; run "
        "`orderwf migrate --move shipped=NEW` to move its orders"
    )


def test_an_order_in_a_renamed_status_is_refused_with_the_migrate_hint(
    workflow: Workflow,
) -> None:
    from dataclasses import replace

    statuses = dict(workflow.statuses)
    statuses["paused"] = replace(statuses.pop("on-hold"), id="paused", renamed_from=("on-hold",))
    renamed = replace(workflow, statuses=statuses)
    error = refusal(renamed, order(tshirt(), status="on-hold"), "add_note", {"text": "x"})
    assert error.message == (
        "order #100 is still in 'on-hold', which workflow 'woocommerce' renamed to 'paused'; "
        "run `orderwf migrate` first"
    )


def test_a_failed_guard_refuses_with_its_message(workflow: Workflow) -> None:
    no_email = order(tshirt(), status="processing", billing={"first_name": "Camille"})
    error = refusal(workflow, no_email, "send_order_details")
    assert error.message == "Order has no billing email address."
    assert error.reasons == ["Order has no billing email address."]


def test_a_guard_that_holds_lets_the_action_run(workflow: Workflow) -> None:
    p = plan(workflow, order(tshirt(), status="processing"), "send_order_details")
    assert note_texts(p) == ["Order details manually sent to customer."]
    assert p.notes[0].author == "admin"
    assert [e.email for e in p.emails] == ["customer_invoice"]
    assert p.after.status == "processing"


def test_the_stock_note_comes_before_the_status_note(workflow: Workflow) -> None:
    p = plan(workflow, order(tshirt(), shipping()), "pay")
    assert note_texts(p) == [
        "Stock levels reduced: T-Shirt (TS) 10→8",
        "Order status changed from Pending payment to Processing.",
    ]
    assert [n.author for n in p.notes] == ["system", "system"]


def test_the_effects_are_listed_in_event_order(workflow: Workflow, snapshot: Any) -> None:
    p = plan(workflow, order(tshirt(), shipping()), "pay")
    assert list(p.effects) == snapshot


def test_the_plan_logs_each_step_once_in_order(workflow: Workflow) -> None:
    """One log: the action, then each step as it happens (the status change, its stock
    policy, the stock note, the status note), then the emails queued for them."""
    p = plan(workflow, order(tshirt(), shipping()), "pay")
    assert [type(e) for e in p.events] == [
        ev.ActionApplied,
        ev.StatusChanged,
        ev.StockMoved,
        Note,
        Note,
        QueuedEmail,
        QueuedEmail,
    ]
    assert p.events[:2] == (ev.ActionApplied("pay"), ev.StatusChanged("pending", "processing"))
    assert [e.email for e in p.emails] == ["new_order", "customer_processing_order"]


def test_tracking_and_metadata_are_stored_as_effects(
    workflow: Workflow, write_workflow: Callable[[str], Workflow]
) -> None:
    params = {"number": "1z999aa10123456784", "carrier": "ups", "shipped_on": "2026-11-20"}
    tracked = plan(workflow, order(tshirt(), status="completed"), "add_tracking", params)
    assert tracked.effects == [
        {
            "type": "tracking",
            "carrier": "ups",
            "number": "1Z999AA10123456784",
            "url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
            "shipped_on": "2026-11-20",
        }
    ]
    remark = plan(write_workflow(FINAL), order(tshirt(), status="closed"), "remark")
    assert remark.effects[1:] == [{"type": "set", "meta": {"checked": "2026-11-26"}}]


def test_a_note_prefix_goes_before_the_status_note(workflow: Workflow) -> None:
    from orderwf.engine import plan as planner

    p = planner.plan(
        workflow,
        order(tshirt(1), created_via="checkout"),
        "cancel",
        {},
        actor="timer",
        now=NOW,
        note_prefix="Unpaid order cancelled - time limit reached.",
    )
    assert note_texts(p) == [
        "Unpaid order cancelled - time limit reached. Order status changed from Pending "
        "payment to Cancelled."
    ]


def test_an_action_without_to_keeps_the_status(workflow: Workflow) -> None:
    p = plan(workflow, order(tshirt(), status="on-hold"), "add_note", {"text": "Ships Monday"})
    assert p.after.status == "on-hold"
    assert not p.status_changed
    assert p.after.status_changed_at is None


def test_private_and_customer_notes(workflow: Workflow) -> None:
    before = order(tshirt(), status="processing")
    private = plan(workflow, before, "add_note", {"text": "Ships Monday"})
    public = plan(workflow, before, "add_note", {"text": "Ships Monday", "customer": "true"})
    assert [(n.note, n.customer_note, n.author) for n in private.notes] == [
        ("Ships Monday", False, "admin")
    ]
    assert [(n.note, n.customer_note, n.author) for n in public.notes] == [
        ("Ships Monday", True, "admin")
    ]


def test_the_plan_bumps_the_version_and_keeps_the_before(workflow: Workflow) -> None:
    before = order(tshirt(), version=4)
    p = plan(workflow, before, "hold")
    assert p.before is before
    assert (p.after.version, p.after.status, p.after.status_changed_at) == (5, "on-hold", NOW)
    assert (p.action, p.actor, p.now) == ("hold", "admin", NOW)
    assert p.status_changed


def test_complete_with_a_tracking_number_adds_an_entry(workflow: Workflow) -> None:
    p = plan(
        workflow,
        order(tshirt(), status="processing"),
        "complete",
        {"tracking_number": "6A12345678901"},
    )
    assert [(t.carrier, t.number, t.url, t.shipped_on) for t in p.tracking] == [
        (
            "colissimo",
            "6A12345678901",
            "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
            date(2026, 11, 26),
        )
    ]
    assert p.after.tracking == p.tracking
    assert p.after.status == "completed"


def test_complete_without_a_tracking_number_adds_none(workflow: Workflow) -> None:
    p = plan(workflow, order(tshirt(), status="processing"), "complete")
    assert p.tracking == ()


def test_add_tracking_upper_cases_the_number_and_takes_the_carrier(workflow: Workflow) -> None:
    p = plan(
        workflow,
        order(tshirt(), status="completed"),
        "add_tracking",
        {"number": "1z999aa10123456784", "carrier": "ups", "shipped_on": "2026-11-20"},
    )
    assert [(t.carrier, t.number, t.url, t.shipped_on) for t in p.tracking] == [
        (
            "ups",
            "1Z999AA10123456784",
            "https://www.ups.com/track?tracknum=1Z999AA10123456784",
            date(2026, 11, 20),
        )
    ]


def test_add_tracking_is_refused_before_the_order_is_paid(workflow: Workflow) -> None:
    error = refusal(workflow, order(tshirt()), "add_tracking", {"number": "6A12345678901"})
    assert error.message == (
        "action 'add_tracking' is not allowed when order #100 is Pending payment "
        "(allowed from: Processing, Completed)"
    )


def final_workflow(extra: str = "") -> Workflow:
    # Built without validation, which refuses an action that leaves a final status (OWF201):
    # the engine refuses it too, for a workflow that reaches it by another way.
    return build(yaml.safe_load(FINAL + extra))


def test_validation_refuses_an_action_leaving_a_final_status(
    write_workflow: Callable[[str], Workflow],
) -> None:
    with pytest.raises(WorkflowError) as info:
        write_workflow(FINAL + LEAVE)
    assert [f.code for f in info.value.findings] == ["OWF201"]  # type: ignore[attr-defined]


def test_a_final_status_cannot_be_left() -> None:
    closed = order(tshirt(), status="closed")
    error = refusal(final_workflow(LEAVE), closed, "reopen")
    assert error.message == "order #100 is Closed, a final status that no action may leave"


def test_a_final_status_still_takes_notes_and_metadata(
    write_workflow: Callable[[str], Workflow],
) -> None:
    final = write_workflow(FINAL)
    closed = order(tshirt(), status="closed")
    p = plan(final, closed, "remark")
    assert note_texts(p) == ["Remark by admin on Closed."]
    assert p.after.meta == {"checked": "2026-11-26"}
    assert p.after.status == "closed"
    # An action whose only target is the status it is in does not leave it.
    stay = plan(final, closed, "stay")
    assert note_texts(stay) == ["Still closed."]
    assert not stay.status_changed


def test_the_order_given_to_the_plan_is_left_untouched(workflow: Workflow) -> None:
    before = order(tshirt(), shipping())
    copy = replace(before)
    plan(workflow, before, "pay")
    assert before == copy
    assert stock_of(before) == (10, 0)


def test_status_notes_of_different_transitions_differ(workflow: Workflow) -> None:
    # The status note is remembered per (from, to): each pair keeps its own text.
    texts = [note_texts(plan(workflow, order(tshirt()), a))[-1] for a in ("process", "hold")]
    texts.append(note_texts(plan(workflow, order(tshirt(), status="on-hold"), "process"))[-1])
    assert texts == [
        "Order status changed from Pending payment to Processing.",
        "Order status changed from Pending payment to On hold.",
        "Order status changed from On hold to Processing.",
    ]


def test_a_status_note_reading_the_order_is_rendered_for_each_order(
    write_workflow: Callable[[str], Workflow],
) -> None:
    text = FINAL + 'messages:\n  status_changed: "#{{ order.number }}: {{ to.label }}"\n'
    custom = write_workflow(text)
    notes = [note_texts(plan(custom, replace(order(), number=n), "close")) for n in ("7", "8")]
    assert notes == [["#7: Closed"], ["#8: Closed"]]


# -- availability: what `order actions` lists ------------------------------------------------

GUARDED = """
orderwf: 1
name: woocommerce
title: Guards
initial: pending
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  pending: {label: Pending payment}
  processing: {label: Processing, paid: true}
actions:
  pay: {label: Pay, from: [pending], to: processing}
  big:
    label: Big
    from: any
    guard: [{if: "order.total > 100", message: "Only orders above 100.00."}]
  by_param:
    label: By param
    from: any
    params: {code: {type: integer, required: true}}
    guard: [{if: "params.code + 1 > 1", message: "Code must be positive."}]
"""


def test_availability_says_why_an_action_is_not_available(
    write_workflow: Callable[[str], Workflow],
) -> None:
    guarded = write_workflow(GUARDED)
    pending = order(tshirt())
    action = guarded.actions

    def why(name: str, o: Any = pending) -> list[str]:
        return availability(guarded, o, action[name], "admin", NOW)

    assert why("pay") == []
    assert why("pay", order(tshirt(), status="processing")) == [
        "action 'pay' is not allowed when order #100 is Processing (allowed from: Pending payment)"
    ]
    assert why("big") == ["Only orders above 100.00."]
    assert why("big", order(tshirt(20))) == []
    [reason] = why("by_param")
    assert reason.startswith("depends on params (")
