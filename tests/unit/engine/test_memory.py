"""The order `orderwf test` runs scenarios on (`engine.memory`): priced and numbered as the
store would make it, and committed as the store commits a plan (ids for new notes and
refunds in turn, every refund kept, the stock levels moved)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from order_factory import NOW

from orderwf.engine.memory import LineSpec, OrderSpec, Product, Shop
from orderwf.workflow.model import Workflow

TSHIRT = Product(1, "TS", "T-shirt", Decimal("20.00"), 5)
EBOOK = Product(2, "EB", "E-book", Decimal("5.00"), virtual=True, downloadable=True)


def start(workflow: Workflow, **kw: object) -> Shop:
    spec = OrderSpec(
        (LineSpec("TS", 2), LineSpec("EB", 1)),
        shipping=Decimal("5.00"),
        fees=(("Gift wrap", Decimal("2.00")), ("Insurance", Decimal("1.50"))),
        **kw,  # type: ignore[arg-type]
    )
    return Shop.start(workflow, (TSHIRT, EBOOK), spec, NOW)


def test_a_new_order_numbers_its_items_products_then_shipping_then_fees(
    workflow: Workflow,
) -> None:
    order = start(workflow).order
    assert [(line.id, line.kind, line.name) for line in order.lines] == [
        (1, "line_item", "T-shirt"),
        (2, "line_item", "E-book"),
        (3, "shipping", "Shipping"),
        (4, "fee", "Gift wrap"),
        (5, "fee", "Insurance"),
    ]
    assert order.total == Decimal("53.50")
    # The product's flags reach its line (templates read `item.virtual`).
    assert [(line.virtual, line.downloadable) for line in order.line_items] == [
        (False, False),
        (True, True),
    ]


def test_an_order_number_that_is_not_a_number_gets_id_1(workflow: Workflow) -> None:
    assert start(workflow, number="1042").order.id == 1042
    assert start(workflow, number="A-7").order.id == 1


def test_an_order_that_starts_in_a_reduce_status_has_its_stock_out_already(
    workflow: Workflow,
) -> None:
    pending = start(workflow).order
    assert (pending.stock_reduced, pending.lines[0].reduced_stock) == (False, 0)
    processing = start(workflow, status="processing").order
    assert (processing.stock_reduced, processing.lines[0].reduced_stock) == (True, 2)
    assert processing.lines[1].reduced_stock == 0  # the e-book manages no stock


def test_new_notes_and_refunds_get_ids_in_turn_and_every_refund_is_kept(
    workflow: Workflow,
) -> None:
    shop = start(workflow)
    shop.apply("pay", actor="admin")  # its status and stock notes
    shop.apply("add_note", {"text": "Called"}, actor="admin")
    shop.apply("add_note", {"text": "Called again"}, actor="admin")
    ids = [n.id for n in shop.order.notes]
    assert ids == list(range(1, len(ids) + 1))
    assert [n.note for n in shop.order.notes][-2:] == ["Called", "Called again"]
    shop.apply("refund", {"amount": "3.00"}, actor="admin")
    shop.apply("refund", {"amount": "4.00"}, actor="admin")
    assert [(r.id, r.amount) for r in shop.order.refunds] == [
        (1, Decimal("3.00")),
        (2, Decimal("4.00")),
    ]
    assert shop.order.total_refunded == Decimal("7.00")


def test_waiting_fires_a_timer_once_it_is_due_and_not_before(workflow: Workflow) -> None:
    shop = start(workflow, via="checkout")  # pending: cancel_unpaid cancels it after 60m
    early = shop.wait(timedelta(minutes=59))
    assert (early.plans, early.refused, shop.order.status) == ([], [], "pending")
    assert shop.now == NOW + timedelta(minutes=59)
    run = shop.wait(timedelta(minutes=1))
    assert [p.after.status for p in run.plans] == ["cancelled"]
    assert shop.order.status == "cancelled"
    assert shop.order.notes[0].note == (
        "Unpaid order cancelled - time limit reached. "
        "Order status changed from Pending payment to Cancelled."
    )
    # Nothing is due any more: a later tick does nothing.
    assert shop.wait(timedelta(days=1)).plans == []


def test_a_fork_takes_another_path_and_leaves_the_original_as_it_was(workflow: Workflow) -> None:
    shop = start(workflow)
    shop.apply("pay", actor="admin")
    paid, levels, notes = shop.order, dict(shop.levels), len(shop.order.notes)
    fork = shop.fork()
    fork.apply("cancel", actor="admin")
    assert (fork.order.status, fork.levels[1]) == ("cancelled", 5)
    assert [n.id for n in fork.order.notes] == list(range(1, len(fork.order.notes) + 1))
    # The fork's outbox and plans start empty: only what it did since.
    assert [e.email for e in fork.outbox] == ["cancelled_order"]
    assert [p.action for p in fork.plans] == ["cancel"]
    assert len(shop.outbox) == 2  # pay's new order and processing emails
    assert (shop.order, shop.levels, len(shop.order.notes)) == (paid, levels, notes)
    assert levels[1] == 3
