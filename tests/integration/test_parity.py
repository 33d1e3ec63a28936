"""The reference's parity scenarios (woocommerce.md, "Parity scenarios"), adapted to orderwf:
declared transitions only and the divergences of SPEC §7. Real SQLite files; every change
goes through `service` and is read back from the tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from parity import CREATED, CUSTOMER, NOW, SHOP, A, B, G, open_shop, parity_order

from orderwf.engine import plan as planner
from orderwf.errors import NotFound, Refused, StoreError, UsageError
from orderwf.service import bulk
from orderwf.store import db, repo
from orderwf.workflow.model import Workflow
from shop import Shop, default_workflow

NEW_ORDER = ("new_order", SHOP, "[Example Shop]: New order #100")
PROCESSING = ("customer_processing_order", CUSTOMER, "Your Example Shop order has been received!")
ON_HOLD = ("customer_on_hold_order", CUSTOMER, "Your Example Shop order has been received!")
COMPLETED = ("customer_completed_order", CUSTOMER, "Your Example Shop order is now complete")
CANCELLED = ("cancelled_order", SHOP, "[Example Shop]: Order #100 has been cancelled")
PARTIAL = (
    "customer_refunded_order",
    CUSTOMER,
    "Your Example Shop order #100 has been partially refunded",
)
FULL = ("customer_refunded_order", CUSTOMER, "Your Example Shop order #100 has been refunded")


@pytest.fixture(scope="module")
def workflow() -> Workflow:
    return default_workflow()


@pytest.fixture
def shop(tmp_path: Path, sqlite_url: str, workflow: Workflow) -> Iterator[Shop]:
    yield from open_shop(tmp_path, sqlite_url, workflow)


@pytest.fixture
def paid(shop: Shop) -> Shop:
    """Scenario 1 done: order #100, A×2 (line 1001) + shipping (1009) = 25.00, processing,
    A at 8."""
    shop.add(parity_order(100, (A, 2)))
    shop.apply(100, "pay")
    return shop


def test_1_payment_reduces_stock_then_notes_the_status(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 2)))
    shop.apply(100, "pay")
    order = shop.show(100)
    assert order.status == "processing"
    assert order.total == Decimal("25.00")
    assert order.date_paid == NOW
    assert order.stock_reduced
    assert shop.level(A) == 8
    assert shop.line(100, 1001).reduced_stock == 2
    assert shop.notes(100) == [
        "Stock levels reduced: T-Shirt (TS) 10→8",
        "Order status changed from Pending payment to Processing.",
    ]
    assert shop.emails(100) == [NEW_ORDER, PROCESSING]
    assert shop.history(100) == [("admin", "pay", "pending", "processing")]


def test_2_an_all_digital_order_goes_straight_to_completed(shop: Shop) -> None:
    shop.add(parity_order(100, (B, 1), shipping=None))
    shop.apply(100, "pay")
    order = shop.show(100)
    assert order.status == "completed"
    assert (order.date_paid, order.date_completed) == (NOW, NOW)
    assert shop.level(A) == 10
    assert shop.notes(100) == ["Order status changed from Pending payment to Completed."]
    assert shop.emails(100) == [NEW_ORDER, COMPLETED]
    assert shop.history(100) == [("admin", "pay", "pending", "completed")]


def test_3_on_hold_reduces_stock_with_the_gateway_prefix(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 1)))
    shop.apply(100, "hold", note_prefix="Awaiting BACS payment")
    assert shop.status(100) == "on-hold"
    assert shop.level(A) == 9
    assert shop.notes(100) == [
        "Stock levels reduced: T-Shirt (TS) 10→9",
        "Awaiting BACS payment Order status changed from Pending payment to On hold.",
    ]
    assert shop.emails(100) == [NEW_ORDER, ON_HOLD]
    assert shop.history(100) == [("admin", "hold", "pending", "on-hold")]


def test_4_on_hold_to_processing_sends_only_the_processing_email(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 1)))
    shop.apply(100, "hold")
    shop.apply(100, "process", now=NOW + timedelta(days=1))
    order = shop.show(100)
    assert order.status == "processing"
    assert order.date_paid == NOW + timedelta(days=1)
    assert shop.level(A) == 9
    # The status note is the system's; who applied the action is in the history.
    assert [(n.note, n.author) for n in order.notes[2:]] == [
        ("Order status changed from On hold to Processing.", "system")
    ]
    assert shop.emails(100) == [NEW_ORDER, ON_HOLD, PROCESSING]
    assert shop.history(100)[1:] == [("admin", "process", "on-hold", "processing")]


def test_5_cancel_gives_the_stock_back(paid: Shop) -> None:
    paid.apply(100, "cancel")
    order = paid.show(100)
    assert order.status == "cancelled"
    assert paid.level(A) == 10
    assert paid.line(100, 1001).reduced_stock == 0
    assert not order.stock_reduced
    assert paid.notes(100)[2:] == [
        "Stock levels increased: T-Shirt (TS) 8→10",
        "Order status changed from Processing to Cancelled.",
    ]
    assert paid.emails(100)[2:] == [CANCELLED]
    assert len(paid.history(100)) == 2


def test_6_the_timer_cancels_unpaid_checkout_orders_only(shop: Shop, workflow: Workflow) -> None:
    shop.add(
        parity_order(100, (A, 1)),
        parity_order(101, (A, 1), via="admin"),
        parity_order(102, (A, 1), created=CREATED + timedelta(minutes=30)),
    )
    report = bulk.tick(shop.engine, workflow, now=CREATED + timedelta(minutes=61))
    assert report.timers["cancel_unpaid"].applied == 1
    assert report.timers["cancel_unpaid"].refused == []
    assert shop.status(100) == "cancelled"
    assert shop.level(A) == 10
    assert shop.notes(100) == [
        "Unpaid order cancelled - time limit reached. Order status changed from Pending "
        "payment to Cancelled."
    ]
    assert shop.emails(100) == [CANCELLED]
    assert shop.history(100) == [("timer", "cancel", "pending", "cancelled")]
    for untouched in (101, 102):  # admin-created; unpaid for only 31 minutes
        assert shop.status(untouched) == "pending"
        assert shop.notes(untouched) == []
        assert shop.history(untouched) == []
    again = bulk.tick(shop.engine, workflow, now=CREATED + timedelta(minutes=62))
    assert again.timers["cancel_unpaid"].applied == 0


def test_7_a_quantity_refund_with_restock(paid: Shop) -> None:
    paid.apply(100, "refund", {"amount": "10", "lines": ["1001=1"], "restock": "true"})
    order = paid.show(100)
    assert [
        (r.amount, r.restock, [(ln.item_id, ln.quantity, ln.amount) for ln in r.lines])
        for r in order.refunds
    ] == [(Decimal("10.00"), True, [(1001, 1, Decimal("10.00"))])]
    assert paid.level(A) == 9
    line = paid.line(100, 1001)
    assert (line.reduced_stock, line.quantity_refunded, line.total_refunded) == (
        1,
        1,
        Decimal("10.00"),
    )
    assert paid.notes(100)[2:] == ["T-Shirt (TS) stock increased from 8 to 9."]
    assert paid.emails(100)[2:] == [PARTIAL]
    assert order.status == "processing"
    assert (order.total_refunded, order.remaining_refundable) == (
        Decimal("10.00"),
        Decimal("15.00"),
    )
    assert paid.history(100)[1:] == [("admin", "refund", "processing", "processing")]


def test_8_cancel_after_a_restocked_refund_gives_back_only_the_rest(paid: Shop) -> None:
    paid.apply(100, "refund", {"lines": "1001=1"})
    paid.apply(100, "cancel")
    assert paid.level(A) == 10
    assert paid.notes(100)[3:] == [
        "Stock levels increased: T-Shirt (TS) 9→10",
        "Order status changed from Processing to Cancelled.",
    ]
    assert len(paid.history(100)) == 3


def test_9_cancel_after_a_refund_without_restock_keeps_the_kept_unit_out(paid: Shop) -> None:
    # SPEC §7: WooCommerce gives back both units (#28854); the refunded one stays with the
    # customer, so only the unrefunded unit comes back.
    paid.apply(100, "refund", {"lines": "1001=1", "restock": "false"})
    assert paid.level(A) == 8
    paid.apply(100, "cancel")
    assert paid.level(A) == 9
    assert paid.line(100, 1001).reduced_stock == 1
    assert paid.notes(100)[2:] == [
        "Stock levels increased: T-Shirt (TS) 8→9",
        "Order status changed from Processing to Cancelled.",
    ]


def test_10_a_full_refund_moves_to_refunded(paid: Shop) -> None:
    paid.apply(100, "refund", {"amount": "25"})
    order = paid.show(100)
    assert order.status == "refunded"
    assert [r.amount for r in order.refunds] == [Decimal("25.00")]
    # Divergence (docs/woocommerce.md): orderwf notes messages.fully_refunded as well.
    assert paid.notes(100)[2:] == [
        "Order fully refunded.",
        "Order status changed from Processing to Refunded.",
    ]
    assert paid.emails(100)[2:] == [FULL]
    assert paid.level(A) == 8
    assert order.stock_reduced
    assert paid.history(100)[1:] == [("admin", "refund", "processing", "refunded")]


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("15.01", "refund of 15.01 EUR exceeds the 15.00 EUR still refundable on order #100"),
        ("-1", "refund amount -1.00 EUR is negative"),
    ],
)
def test_11_an_invalid_amount_is_refused_and_nothing_changes(
    paid: Shop, amount: str, reason: str
) -> None:
    paid.apply(100, "refund", {"amount": "10"})
    before = paid.stored(100)
    with pytest.raises(Refused) as info:
        paid.apply(100, "refund", {"amount": amount})
    assert info.value.message == reason
    assert paid.stored(100) == before


def test_12_a_refund_planned_on_a_stale_order_is_not_written(
    paid: Shop, workflow: Workflow
) -> None:
    # WooCommerce checks the posted refunded_amount; orderwf re-reads the order under its lock
    # and the write checks the version it planned against.
    stale = paid.show(100)
    paid.apply(100, "refund", {"amount": "10"})
    plan = planner.plan(workflow, stale, "refund", {"amount": "20"}, actor="admin", now=NOW)
    before = paid.stored(100)
    with pytest.raises(StoreError) as info, db.write_transaction(paid.engine) as session:
        repo.apply_plan(session, plan)
    assert info.value.message == ("order #100 was changed by someone else meanwhile; try again")
    assert paid.stored(100) == before
    with pytest.raises(Refused) as refused:
        paid.apply(100, "refund", {"amount": "20"})
    assert refused.value.message == (
        "refund of 20.00 EUR exceeds the 15.00 EUR still refundable on order #100"
    )


def test_13_there_is_no_gateway_refund_to_fail(paid: Shop) -> None:
    # orderwf records refunds; it never calls a payment gateway, so there is no
    # refund_payment switch and no gateway error to undo.
    before = paid.stored(100)
    with pytest.raises(Refused) as info:
        paid.apply(100, "refund", {"amount": "5", "refund_payment": "true"})
    assert info.value.message == (
        "unknown param 'refund_payment' for action 'refund' (expected one of: amount, lines, "
        "restock, reason)"
    )
    assert paid.stored(100) == before


def test_14_mark_refunded_refunds_what_remains(paid: Shop) -> None:
    paid.apply(100, "mark_refunded")
    order = paid.show(100)
    assert order.status == "refunded"
    assert [(r.amount, r.reason, r.restock, r.lines) for r in order.refunds] == [
        (Decimal("25.00"), "Order fully refunded.", False, ())
    ]
    assert paid.emails(100)[2:] == [FULL]
    assert paid.notes(100)[2:] == [
        "Order fully refunded.",  # messages.fully_refunded (docs/woocommerce.md)
        "Order status set to refunded. To return funds to the customer you will need to issue "
        "a refund through your payment gateway.",
        "Order status changed from Processing to Refunded.",
    ]
    assert paid.level(A) == 8
    assert len(paid.history(100)) == 2


def test_15_a_refund_of_everything_paid_is_full_even_with_a_free_item_left(shop: Shop) -> None:
    # WooCommerce calls it partial because the free gift is not refunded; SPEC §2.3: a refund
    # that leaves nothing refundable is full.
    shop.add(parity_order(100, (A, 1), (G, 1)))
    shop.apply(100, "pay")
    shop.apply(100, "refund", {"amount": "15", "lines": ["1001=1", "1009=@5"]})
    order = shop.show(100)
    assert order.status == "refunded"
    assert order.remaining_refundable == 0
    assert shop.line(100, 1002).quantity_refunded == 0
    assert shop.level(A) == 10
    assert shop.notes(100)[2:] == [
        "T-Shirt (TS) stock increased from 9 to 10.",
        "Order fully refunded.",
        "Order status changed from Processing to Refunded.",
    ]
    assert shop.emails(100)[2:] == [FULL]


def test_16_customer_and_private_notes(paid: Shop) -> None:
    paid.apply(100, "add_note", {"text": "Ships Monday", "customer": "true"})
    paid.apply(100, "add_note", {"text": "Packed by Sam"})
    notes = paid.show(100).notes[2:]
    assert [(n.note, n.customer_note, n.author) for n in notes] == [
        ("Ships Monday", True, "admin"),
        ("Packed by Sam", False, "admin"),
    ]
    assert paid.emails(100)[2:] == [
        (
            "customer_note",
            CUSTOMER,
            "Note added to your Example Shop order from November 26, 2026",
        )
    ]
    assert len(paid.history(100)) == 3


def test_17_order_details_and_the_forced_new_order_email(paid: Shop) -> None:
    paid.apply(100, "send_order_details")
    assert paid.emails(100)[2:] == [
        ("customer_invoice", CUSTOMER, "Details for order #100 on Example Shop")
    ]
    assert [(n.note, n.author) for n in paid.show(100).notes[2:]] == [
        ("Order details manually sent to customer.", "admin")
    ]
    paid.apply(100, "resend_new_order")
    assert paid.emails(100)[3:] == [NEW_ORDER]
    assert len(paid.notes(100)) == 3
    assert len(paid.history(100)) == 3


def test_18_bulk_complete(shop: Shop, workflow: Workflow) -> None:
    shop.add(parity_order(100, (A, 2)), parity_order(101, (A, 1)))
    shop.apply(100, "pay")
    shop.apply(101, "pay")
    report = bulk.apply(
        shop.engine,
        workflow,
        "complete",
        actor="admin",
        status="processing",
        now=NOW,
        note_prefix="Order status changed by bulk edit.",
    )
    assert (report.applied, report.refused) == (2, [])
    assert shop.level(A) == 7
    for order_id in (100, 101):
        order = shop.show(order_id)
        assert order.status == "completed"
        assert order.date_completed == NOW
        assert shop.notes(order_id)[2:] == [
            "Order status changed by bulk edit. Order status changed from Processing to Completed."
        ]
        assert shop.emails(order_id)[-1] == (
            "customer_completed_order",
            CUSTOMER,
            "Your Example Shop order is now complete",
        )
        assert shop.history(order_id)[1:] == [("admin", "complete", "processing", "completed")]


def test_19_back_to_pending_and_paid_again(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 2)))
    shop.apply(100, "pay")
    shop.apply(100, "complete")
    queued = len(shop.emails(100))
    shop.apply(100, "reopen")
    assert shop.level(A) == 10
    assert shop.notes(100)[-2:] == [
        "Stock levels increased: T-Shirt (TS) 8→10",
        "Order status changed from Completed to Pending payment.",
    ]
    assert len(shop.emails(100)) == queued
    shop.apply(100, "process")
    assert shop.level(A) == 8
    assert shop.emails(100)[queued:] == [PROCESSING]  # the new-order email went out already
    assert len(shop.history(100)) == 4


def test_20_an_undeclared_status_is_refused(paid: Shop, workflow: Workflow) -> None:
    # WooCommerce stores an unregistered status as pending (and restocks); orderwf refuses.
    before = paid.stored(100)
    with pytest.raises(NotFound) as info:
        paid.apply(100, "shipped")
    assert info.value.message.startswith("unknown action 'shipped' in workflow 'woocommerce'")
    with pytest.raises(UsageError) as usage:
        bulk.apply(paid.engine, workflow, "pay", actor="admin", status="shipped")
    assert usage.value.message == (
        "unknown status 'shipped' (expected one of: pending, processing, on-hold, completed, "
        "cancelled, refunded, failed)"
    )
    assert paid.stored(100) == before


# Scenario 21 (editing an item's quantity on an on-hold order, "Adjusted stock: …") has no
# orderwf command: orders' lines are not edited after they are created or imported.


def test_22_failed_then_processing(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 1)))
    shop.apply(100, "fail")
    assert shop.level(A) == 10
    assert shop.notes(100) == ["Order status changed from Pending payment to Failed."]
    assert shop.emails(100) == [
        ("failed_order", SHOP, "[Example Shop]: Order #100 has failed"),
        (
            "customer_failed_order",
            CUSTOMER,
            "The payment for your order at Example Shop has failed",
        ),
    ]
    shop.apply(100, "process")
    assert shop.level(A) == 9
    assert shop.emails(100)[2:] == [NEW_ORDER, PROCESSING]
    assert shop.history(100) == [
        ("admin", "fail", "pending", "failed"),
        ("admin", "process", "failed", "processing"),
    ]


def test_23_a_line_refund_computes_the_amount_and_restocks_by_default(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 2), first_line=315))
    shop.apply(100, "pay")
    shop.apply(100, "refund", {"lines": "315=1"})
    order = shop.show(100)
    assert [(r.amount, r.restock) for r in order.refunds] == [(Decimal("10.00"), True)]
    assert shop.level(A) == 9
    assert shop.emails(100)[2:] == [PARTIAL]


def test_24_a_refunded_order_keeps_its_refunds(shop: Shop) -> None:
    # orderwf cannot delete a refund; a refunded order (here imported with its refund) stays
    # refunded, and no declared action refunds it again or takes it back.
    shop.add(
        parity_order(
            100, (A, 2), status="refunded", refunds=[{"id": 7, "total": "-25.00", "reason": ""}]
        )
    )
    before = shop.stored(100)
    assert shop.show(100).total_refunded == Decimal("25.00")
    with pytest.raises(Refused) as info:
        shop.apply(100, "refund", {"amount": "1"})
    assert info.value.message == (
        "action 'refund' is not allowed when order #100 is Refunded (allowed from: Processing, "
        "Completed, On hold)"
    )
    with pytest.raises(Refused) as reopen:
        shop.apply(100, "reopen")
    assert reopen.value.message == (
        "action 'reopen' is not allowed when order #100 is Refunded (allowed from: On hold, "
        "Processing, Completed, Cancelled, Failed)"
    )
    assert shop.stored(100) == before


def test_a_stored_variation_moves_its_own_stock(shop: Shop) -> None:
    """Variation 31 of the T-Shirt, stored with its own level: paying takes its units out of
    the variation, not the parent; a restocked refund and a cancel put them back there."""
    shop.add_products(
        [{"id": 31, "sku": "TS-RED", "name": "T-Shirt - Red", "price": "10.00",
          "manage_stock": True, "stock_quantity": 4}],
    )  # fmt: skip
    order = parity_order(100, (A, 2))
    order["line_items"][0].update(variation_id=31, sku="TS-RED")
    shop.add(order)
    shop.apply(100, "pay")
    assert (shop.level(31), shop.level(A)) == (2, 10)
    assert shop.notes(100)[0] == "Stock levels reduced: T-Shirt (TS-RED) 4→2"
    shop.apply(100, "refund", {"lines": ["1001=1"], "restock": True})
    assert (shop.level(31), shop.level(A)) == (3, 10)
    shop.apply(100, "cancel")
    assert (shop.level(31), shop.level(A)) == (4, 10)
