"""The engine fills exactly the names `context_names` declares: its context for the order the
sample describes equals the sample, name for name and value for value, so what validation
renders against is what an apply renders against. And the order's own figures (subtotal,
shipping, tax) and `now`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from order_factory import NOW, fee, order, product, shipping, tshirt

from orderwf import context_names
from orderwf import orders as s
from orderwf.engine import context as ctx
from orderwf.workflow.model import Workflow

CREATED = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
ADDRESS = {
    "first_name": "Camille",
    "last_name": "Martin",
    "address_1": "1 rue de la Paix",
    "city": "Paris",
    "postcode": "75002",
    "country": "FR",
}


def sample_order(workflow: Workflow) -> s.Order:
    """The order `context_names.sample_context` describes, as the store would load it."""
    tshirt = s.Line(
        id=1,
        kind="line_item",
        name="T-Shirt",
        sku="TS",
        product_id=11,
        quantity=2,
        price=Decimal("10"),
        total=Decimal("20"),
        manage_stock=True,
        reduced_stock=2,
        stock_quantity=8,
    )
    return s.Order(
        id=100,
        number="100",
        status=workflow.initial,
        workflow=workflow.name,
        currency=workflow.shop.currency,
        total=Decimal("31"),
        created_at=CREATED,
        billing={**ADDRESS, "email": "c@x.test", "phone": "+33 1 23 45 67 89"},
        shipping=ADDRESS,
        lines=(
            tshirt,
            s.Line(
                id=2,
                kind="line_item",
                name="E-book",
                product_id=12,
                quantity=1,
                price=Decimal("5"),
                total=Decimal("5"),
                virtual=True,
                downloadable=True,
            ),
            s.Line(
                id=3, kind="shipping", name="Flat rate", method_id="flat_rate", total=Decimal(5)
            ),
            s.Line(id=4, kind="fee", name="Gift wrap", total=Decimal("1")),
        ),
        notes=(s.Note(1, "Ships Monday.", True, "admin", CREATED),),
        refunds=(s.Refund(1, Decimal("5"), "Damaged", True, (), CREATED),),
        tracking=(
            s.Tracking(
                "colissimo",
                "6A12345678901",
                "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
                date(2026, 11, 26),
            ),
        ),
        customer_note="Please leave at the door.",
        created_via="checkout",
        payment_method_title="Credit card",
        stock_reduced=True,
        date_paid=CREATED,
    )


def test_the_engine_fills_the_sample_context_from_its_order(workflow: Workflow) -> None:
    order = sample_order(workflow)
    status = ctx.status_context(workflow, workflow.initial)
    engine = ctx.base_context(
        workflow,
        order,
        params={},
        actor="admin",
        now=CREATED,
        refund=ctx.refund_context(order.refunds[0], full=False),
        **{"from": status, "to": status},
    )
    sample = context_names.sample_context(
        workflow=workflow.name, status=status, shop=ctx.shop_context(workflow)
    )
    assert engine == sample
    assert set(sample) == context_names.CONTEXT_NAMES


def test_a_restocked_message_sees_the_line_as_the_engine_passes_it(workflow: Workflow) -> None:
    tshirt = sample_order(workflow).lines[0]
    assert context_names.MESSAGE_NAMES["restocked"]["item"] == ctx.line_context(tshirt)


def test_each_sample_is_a_fresh_dict(workflow: Workflow) -> None:
    status = ctx.status_context(workflow, workflow.initial)
    shop = ctx.shop_context(workflow)
    first = context_names.sample_context(workflow=workflow.name, status=status, shop=shop)
    first["order"]["billing"]["first_name"] = "changed"
    first["from"]["label"] = "changed"
    again = context_names.sample_context(workflow=workflow.name, status=status, shop=shop)
    assert again["order"]["billing"]["first_name"] == "Camille"
    assert status["label"] != "changed"


# -- the order's figures and the time ------------------------------------------------------


def test_the_order_context_adds_up_its_lines(workflow: Workflow) -> None:
    before = order(
        tshirt(2),
        product("Tea", "7.00", 1, item_id=2, tax="1.40"),
        shipping("4.50"),
        fee("1.25"),
    )
    seen = ctx.order_context(workflow, before)
    assert (seen["subtotal"], seen["shipping_total"], seen["total_tax"], seen["total"]) == (
        Decimal("27.00"),
        Decimal("4.50"),
        Decimal("1.40"),
        Decimal("34.15"),
    )


def test_an_order_without_shipping_has_a_zero_shipping_total(workflow: Workflow) -> None:
    seen = ctx.order_context(workflow, order(tshirt(1)))
    assert (seen["subtotal"], seen["shipping_total"], seen["total_tax"]) == (10, 0, 0)


def test_now_is_the_given_time_else_the_current_one(workflow: Workflow) -> None:
    assert ctx.base_context(workflow, order(tshirt()), now=NOW)["now"] == NOW
    now = ctx.base_context(workflow, order(tshirt()))["now"]
    assert isinstance(now, datetime)
    assert now.tzinfo is UTC
