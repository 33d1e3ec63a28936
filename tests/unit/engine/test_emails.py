"""Emails chosen by the events of an apply (SPEC §2.2, §2.4): status filters, `once`, forced
resends, the refunded subject, customer notes; and carriers' tracking pages."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from order_factory import NOW, email_rows, order, plan, run, shipping, tshirt

from orderwf.engine import events as ev
from orderwf.engine.carriers import tracking_url
from orderwf.engine.emails import matches, picked, preview
from orderwf.errors import NotFound
from orderwf.orders import Note, Refund, StockChange, Tracking
from orderwf.workflow.model import Workflow

SHOP = "shop@example.com"
NEW_ORDER = ("new_order", SHOP, "[Example Shop]: New order #100")
PROCESSING = ("customer_processing_order", "c@x.test", "Your Example Shop order has been received!")
ON_HOLD = ("customer_on_hold_order", "c@x.test", "Your Example Shop order has been received!")
COMPLETED = ("customer_completed_order", "c@x.test", "Your Example Shop order is now complete")


def emails_of(
    workflow: Workflow, status: str, action: str, **params: str
) -> list[tuple[str, str, str]]:
    before = order(tshirt(), shipping(), status=status)
    return email_rows(plan(workflow, before, action, params))


def test_pay_sends_new_order_then_processing(workflow: Workflow) -> None:
    assert emails_of(workflow, "pending", "pay") == [NEW_ORDER, PROCESSING]


def test_on_hold_sends_new_order_then_on_hold(workflow: Workflow) -> None:
    assert emails_of(workflow, "pending", "hold") == [NEW_ORDER, ON_HOLD]


def test_completed_from_processing_sends_only_the_completed_email(workflow: Workflow) -> None:
    assert emails_of(workflow, "processing", "complete") == [COMPLETED]


def test_transitions_without_emails(workflow: Workflow) -> None:
    assert emails_of(workflow, "processing", "hold") == []
    assert emails_of(workflow, "completed", "reopen") == []
    assert emails_of(workflow, "failed", "reopen") == []


def test_cancel_and_fail_notify_the_shop(workflow: Workflow) -> None:
    assert emails_of(workflow, "processing", "cancel") == [
        ("cancelled_order", SHOP, "[Example Shop]: Order #100 has been cancelled")
    ]
    assert emails_of(workflow, "failed", "cancel") == []
    assert emails_of(workflow, "pending", "fail") == [
        ("failed_order", SHOP, "[Example Shop]: Order #100 has failed"),
        (
            "customer_failed_order",
            "c@x.test",
            "The payment for your order at Example Shop has failed",
        ),
    ]


def test_new_order_is_sent_once_per_order(workflow: Workflow) -> None:
    # pending → processing sends it; cancelled → processing would match its filter again.
    cancelled = run(workflow, order(tshirt(), shipping()), "pay", "cancel")
    assert cancelled.emails_sent == frozenset({"new_order"})
    assert email_rows(plan(workflow, cancelled, "pay")) == [PROCESSING]
    failed = run(workflow, order(tshirt(), shipping()), "hold", "fail")
    assert email_rows(plan(workflow, failed, "process")) == [PROCESSING]


def test_new_order_is_not_resent_through_hold_and_back(workflow: Workflow) -> None:
    paid = run(workflow, order(tshirt(), shipping()), "pay", "hold")
    assert email_rows(plan(workflow, paid, "process")) == [PROCESSING]
    reopened = run(workflow, paid, "reopen")
    assert email_rows(plan(workflow, reopened, "pay")) == [PROCESSING]


def test_resend_new_order_forces_it_without_a_note(workflow: Workflow) -> None:
    paid = run(workflow, order(tshirt(), shipping()), "pay")
    p = plan(workflow, paid, "resend_new_order")
    assert email_rows(p) == [NEW_ORDER]
    assert p.notes == ()
    assert p.after.emails_sent == frozenset({"new_order"})


def test_resend_new_order_before_any_records_it(workflow: Workflow) -> None:
    p = plan(workflow, order(tshirt()), "resend_new_order")
    assert email_rows(p) == [NEW_ORDER]
    assert email_rows(plan(workflow, p.after, "pay")) == [PROCESSING]


def test_the_invoice_is_sent_only_on_demand(workflow: Workflow) -> None:
    assert emails_of(workflow, "completed", "send_order_details") == [
        ("customer_invoice", "c@x.test", "Details for order #100 on Example Shop")
    ]


def test_a_customer_note_emails_the_customer(workflow: Workflow) -> None:
    assert emails_of(workflow, "processing", "add_note", text="Ships Monday", customer="yes") == [
        (
            "customer_note",
            "c@x.test",
            "Note added to your Example Shop order from November 26, 2026",
        )
    ]
    assert emails_of(workflow, "processing", "add_note", text="Ships Monday") == []


def test_the_customer_note_is_in_the_email(workflow: Workflow) -> None:
    before = order(tshirt(), status="processing")
    p = plan(workflow, before, "add_note", {"text": "Ships Monday", "customer": "true"})
    assert "Ships Monday" in p.emails[0].text
    assert p.emails[0].html is not None
    assert "Ships Monday" in p.emails[0].html


def test_emails_are_rendered_against_the_final_order(workflow: Workflow) -> None:
    p = plan(
        workflow,
        order(tshirt(), shipping(), status="processing"),
        "complete",
        {"tracking_number": "6A12345678901"},
    )
    assert email_rows(p) == [COMPLETED]
    assert "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901" in p.emails[0].text


def test_the_refunded_subject_says_partial_or_full(workflow: Workflow) -> None:
    paid = run(workflow, order(tshirt(), shipping()), "pay")
    partial = plan(workflow, paid, "refund", {"amount": "5"})
    assert [e.subject for e in partial.emails] == [
        "Your Example Shop order #100 has been partially refunded"
    ]
    full = plan(workflow, partial.after, "refund", {"amount": "20"})
    assert [e.subject for e in full.emails] == ["Your Example Shop order #100 has been refunded"]


def test_a_customer_without_email_gets_an_empty_recipient(workflow: Workflow) -> None:
    before = order(tshirt(), shipping(), billing={})
    assert email_rows(plan(workflow, before, "pay"))[1] == (
        "customer_processing_order",
        "",
        "Your Example Shop order has been received!",
    )


def test_every_email_has_the_shop_sender(workflow: Workflow) -> None:
    p = plan(workflow, order(tshirt(), shipping()), "pay")
    assert {e.sender for e in p.emails} == {"Example Shop <no-reply@example.com>"}
    assert {e.error for e in p.emails} == {None}


def test_tracking_urls_of_the_carriers() -> None:
    assert tracking_url("colissimo", "6A12345678901") == (
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"
    )
    assert tracking_url(" UPS ", "1Z999AA10123456784") == (
        "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )
    assert tracking_url("chronopost", "XY123456789FR") == (
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XY123456789FR"
    )
    assert tracking_url("dhl", "12 34/5") == (
        "https://www.dhl.com/global-en/home/tracking.html?tracking-id=12%2034/5"
    )


def test_an_unknown_carrier_has_no_tracking_page() -> None:
    assert tracking_url("pigeon", "123") == ""


NOTICES = """
orderwf: 1
name: woocommerce
title: Refund notices
initial: processing
templates: {templates}
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  processing: {label: Processing, paid: true}
actions:
  refund: {label: Refund, from: [processing], effects: [refund, {email: notice}]}
emails:
  notice:
    to: customer
    template: customer_refunded_order
    subject: "{{ 'Full' if refund.full else 'Partial' }} refund, {{ refund.amount }}"
"""


@pytest.mark.parametrize(
    ("amount", "subject"),
    [("19.99", "Partial refund, 19.99"), ("20.00", "Full refund, 20.00")],
)
def test_an_email_effect_after_a_refund_sees_full_or_partial(
    write_workflow: Callable[[str], Workflow], amount: str, subject: str
) -> None:
    """The apply's refund as an email of another event sees it: full at 0.00 left, partial
    at 0.01."""
    notices = write_workflow(NOTICES)
    p = plan(notices, order(tshirt(), status="processing"), "refund", {"amount": amount})
    assert email_rows(p) == [("notice", "c@x.test", subject)]


@pytest.mark.parametrize(
    ("refunded", "subject"),
    [
        ("24.99", "Your Example Shop order #100 has been partially refunded"),
        ("25.00", "Your Example Shop order #100 has been refunded"),
    ],
)
def test_a_preview_of_the_refund_email_says_partial_or_full(
    workflow: Workflow, refunded: str, subject: str
) -> None:
    after = plan(
        workflow, order(tshirt(), shipping(), status="processing"), "refund", {"amount": refunded}
    ).after
    email = preview(workflow, after, "customer_refunded_order", actor="admin", now=NOW)
    assert (email.to, email.subject) == ("c@x.test", subject)
    assert email.error is None


def test_a_preview_of_an_unknown_email_is_not_found(workflow: Workflow) -> None:
    with pytest.raises(NotFound) as info:
        preview(workflow, order(tshirt()), "new_ordr", actor="admin", now=NOW)
    assert str(info.value) == (
        "unknown email 'new_ordr' in workflow 'woocommerce'; did you mean 'new_order'?"
    )


FILTERS = """
orderwf: 1
name: woocommerce
title: Email filters
initial: processing
templates: {templates}
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  processing: {label: Processing, paid: true}
  on-hold: {label: On hold}
actions:
  refund: {label: Refund, from: [processing], effects: [refund]}
  hold: {label: Hold, from: [processing], to: on-hold}
emails:
  full_only:
    to: shop
    template: customer_refunded_order
    on: [{refund: full}]
  partial_only:
    to: shop
    template: customer_refunded_order
    on: [{refund: partial}]
  moved:
    to: shop
    template: customer_on_hold_order
    subject: "{{ from.label }} to {{ to.label }}"
    on: [{status: {to: on-hold}}]
"""


@pytest.mark.parametrize(("amount", "sent"), [("19.99", "partial_only"), ("20.00", "full_only")])
def test_a_refund_filter_chooses_full_or_partial(
    write_workflow: Callable[[str], Workflow], amount: str, sent: str
) -> None:
    filters = write_workflow(FILTERS)
    p = plan(filters, order(tshirt(), status="processing"), "refund", {"amount": amount})
    assert [e.email for e in p.emails] == [sent]


def test_a_status_email_sees_the_transition(write_workflow: Callable[[str], Workflow]) -> None:
    filters = write_workflow(FILTERS)
    p = plan(filters, order(tshirt(), status="processing"), "hold")
    assert email_rows(p) == [("moved", "shop@x.test", "Processing to On hold")]


ADDRESSED = """
orderwf: 1
name: woocommerce
title: Addressed emails
initial: processing
templates: {templates}
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  processing: {label: Processing, paid: true}
actions:
  notify: {label: Notify, from: any, effects: [{email: warehouse}, {email: ratio}]}
emails:
  warehouse:
    to: "orders+{{ order.number }}@x.test"
    template: customer_on_hold_order
    subject: "Order {{ order.number }}"
  ratio:
    to: shop
    template: customer_on_hold_order
    subject: "Refunded 1 in {{ order.total / order.total_refunded }}"
"""


def test_an_address_template_and_a_subject_that_fails_for_this_order(
    write_workflow: Callable[[str], Workflow],
) -> None:
    """The sample order validation renders against has a refund; this order has none, so the
    ratio's subject divides by zero: the email is queued as failed, with why, never dropped."""
    addressed = write_workflow(ADDRESSED)
    p = plan(addressed, order(tshirt(), status="processing"), "notify")
    warehouse, ratio = p.emails
    assert (warehouse.to, warehouse.subject, warehouse.error) == (
        "orders+100@x.test",
        "Order 100",
        None,
    )
    assert (ratio.email, ratio.to, ratio.subject, ratio.text, ratio.html) == (
        "ratio",
        "shop@x.test",
        "ratio",
        "",
        None,
    )
    assert ratio.error is not None
    assert ratio.error.startswith(
        "template 'Refunded 1 in {{ order.total / order.total_refunded }}' failed"
    )


EVENTS = """
orderwf: 1
name: woocommerce
title: Emails on tracking and on an action
initial: processing
templates: {templates}
shop: {name: Shop, email: shop@x.test, from: "Shop <shop@x.test>", currency: EUR}
statuses:
  processing: {label: Processing, paid: true}
actions:
  ship:
    label: Ship
    effects: [{tracking: {number: "AB123456", carrier: ups}}]
  remark: {label: Remark, effects: [{note: "Checked."}]}
  tell: {label: Tell, effects: [{note: {text: "Hello", customer: true}}]}
emails:
  shipped: {to: shop, template: customer_note, subject: Shipped, on: [{tracking: added}]}
  remarked: {to: shop, template: customer_note, subject: Remarked, on: [{action: remark}]}
"""


@pytest.mark.parametrize(
    ("action", "sent"),
    [("ship", ["shipped"]), ("remark", ["remarked"]), ("tell", [])],
)
def test_an_email_on_tracking_or_on_an_action_is_sent_by_that_event_alone(
    write_workflow: Callable[[str], Workflow], action: str, sent: list[str]
) -> None:
    events = write_workflow(EVENTS)
    p = plan(events, order(tshirt(), status="processing"), action)
    assert [e.email for e in p.emails] == sent


def _every_event(wf: Workflow) -> list[ev.Event]:
    """One event of each kind `matches` reads, over every status pair and action, and kinds
    no filter picks."""
    change = StockChange(1, 11, "TS", "T-Shirt", -1, 5, 4)
    refund = Refund(None, Decimal("1.00"), "", False, (), NOW, "admin")
    return [
        *(ev.StatusChanged(a, b) for a in wf.statuses for b in wf.statuses if a != b),
        *(ev.ActionApplied(a) for a in (*wf.actions, "nosuch")),
        *(Note(None, "n", customer, "admin", NOW) for customer in (True, False)),
        *(ev.Refunded(refund, full, (), "EUR") for full in (True, False)),
        Tracking("DHL", "1", "", NOW.date()),
        ev.StockMoved("reduce", (change,)),
        ev.MetaSet({"a": "b"}),
    ]


def test_the_emails_an_event_picks_are_those_whose_filters_match_it(
    workflow: Workflow, write_workflow: Callable[[str], Workflow]
) -> None:
    # `picked` remembers its answer per workflow and kind of event: for every event of the
    # default workflow and of one whose emails differ, asked in turn and twice, it is what
    # going through every email's filters gives.
    other = write_workflow(
        (Path(__file__).resolve().parents[3] / "workflows" / "examples" / "digital.yaml")
        .read_text(encoding="utf-8")
        .replace("../../templates/emails", "{templates}")
    )
    assert [e.id for e in other.emails.values()] != [e.id for e in workflow.emails.values()]
    for _ in range(2):
        for wf in (workflow, other):
            for event in _every_event(wf):
                expected = [e for e in wf.emails.values() if any(matches(f, event) for f in e.on)]
                assert list(picked(wf, event)) == expected, event
    assert any(picked(workflow, e) for e in _every_event(workflow))


def test_a_customer_email_without_a_billing_email_is_queued_as_failed(workflow: Workflow) -> None:
    # Never sent to nobody, never dropped: the outbox keeps it as failed, saying why; the
    # shop's own email of the same apply goes out as usual.
    before = order(tshirt(), shipping(), billing={"first_name": "Camille"})
    queued = {e.email: e for e in plan(workflow, before, "pay").emails}
    processing = queued["customer_processing_order"]
    assert processing.to == ""
    assert processing.error == "no recipient: the order has no billing email"
    assert processing.subject.startswith("Your ")  # rendered all the same, for the record
    assert (queued["new_order"].to, queued["new_order"].error) == (SHOP, None)
