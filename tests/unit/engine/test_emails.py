"""Emails chosen by the events of an apply (SPEC §2.2, §2.4): status filters, `once`, forced
resends, the refunded subject, customer notes; and carriers' tracking pages."""

from __future__ import annotations

from order_factory import email_rows, order, plan, run, shipping, tshirt

from orderwf.engine.carriers import tracking_url
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
