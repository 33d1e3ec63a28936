"""`evolve` copies a snapshot's dict instead of running the frozen `__init__`: it must give
what `dataclasses.replace` gives, and refuse a name that is not a field as it does. And what a
line, a refund line and an order hold when built with only what identifies them (an order made
by hand or by a scenario starts so)."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict
from decimal import Decimal

import pytest
from order_factory import NOW, ebook, fee, order, plan, shipping, tshirt

from orderwf import orders as s
from orderwf.workflow.model import Workflow


def _order() -> s.Order:
    return s.Order(
        id=1,
        number="1",
        status="pending",
        workflow="woocommerce",
        currency="EUR",
        total=Decimal("25.00"),
        created_at=NOW,
        lines=(tshirt(), ebook()),
    )


@pytest.mark.parametrize(
    ("make", "changes"),
    [
        (tshirt, {"quantity": 3}),
        (tshirt, {"reduced_stock": 0, "stock_quantity": 12, "meta": {"a": 1}}),
        (tshirt, {}),
        (_order, {"status": "processing", "version": 2}),
        (_order, {"lines": ()}),
    ],
)
def test_evolve_gives_what_replace_gives(make: object, changes: dict[str, object]) -> None:
    before = make()  # type: ignore[operator]
    evolved = s.evolve(before, **changes)
    assert evolved == dataclasses.replace(before, **changes)
    assert vars(evolved) == vars(dataclasses.replace(before, **changes))
    assert type(evolved) is type(before)
    assert before == make()  # type: ignore[operator]  # the original is unchanged


@pytest.mark.parametrize("name", ["quantiy", "gross", "stock_product"])
def test_evolve_refuses_a_name_that_is_not_a_field(name: str) -> None:
    line = tshirt()
    with pytest.raises(TypeError) as refused:
        s.evolve(line, **{name: 3})
    assert str(refused.value) == f"Line has no field {name}"
    with pytest.raises(TypeError):
        dataclasses.replace(line, **{name: 3})  # as replace refuses it


def test_evolve_names_every_misspelt_field() -> None:
    with pytest.raises(TypeError, match=r"^Order has no field sattus, versoin$"):
        s.evolve(_order(), status="x", versoin=2, sattus="y")


def _narrow() -> s.Order:
    """`_order()` as the store reads it without its notes and addresses (`narrowed`)."""
    missing = {"notes": s.NotLoaded("notes"), "billing": s.NotLoaded("billing address fields")}
    cls = s.narrowed(s.Order, missing)
    held = {k: v for k, v in vars(_order()).items() if k not in missing}
    order = object.__new__(cls)
    object.__setattr__(order, "__dict__", held)
    return order


def test_a_narrowed_order_holds_what_was_read_and_its_class_the_rest() -> None:
    narrow = _narrow()
    assert type(narrow) is s.narrowed(s.Order, {"billing": 0, "notes": 0})  # type: ignore[dict-item]
    assert isinstance(narrow, s.Order)
    assert s.held_fields(type(narrow)) == s.field_names(s.Order) - {"notes", "billing"}
    assert s.held_fields(s.Order) == s.field_names(s.Order)
    assert repr(narrow).startswith("Order(id=1, ")  # printed as the snapshot it is
    with pytest.raises(s.NotLoadedError):
        len(narrow.notes)
    assert narrow.status == "pending"
    assert not s.loaded(narrow.billing)


def test_evolve_copies_a_narrowed_order_and_sets_a_field_its_class_holds() -> None:
    narrow = _narrow()
    evolved = s.evolve(narrow, status="processing")
    assert type(evolved) is type(narrow)
    assert vars(evolved).keys() == vars(narrow).keys()
    noted = s.evolve(narrow, notes=())  # now read: the snapshot holds it
    assert noted.notes == ()
    assert "notes" in vars(noted)
    with pytest.raises(TypeError, match=r"^Order has no field nots$"):
        s.evolve(narrow, nots=())


def test_an_order_gives_its_lines_by_kind_and_by_id() -> None:
    whole = order(tshirt(), ebook(), shipping(), fee("2.00"))
    assert [line.id for line in whole.line_items] == [1, 2]
    assert [line.id for line in whole.shipping_lines] == [3]
    assert [line.id for line in whole.fee_lines] == [4]
    assert whole.line(3) is whole.lines[2]
    assert whole.line(99) is None


def test_an_order_of_its_product_lines_alone_refuses_to_look_for_the_others() -> None:
    products = s.evolve(order(tshirt(), shipping()), lines=s.ProductLines([tshirt()]))
    assert products.line(1) == tshirt()
    for other in (lambda: products.line(3), lambda: products.shipping_lines,
                  lambda: products.fee_lines):  # fmt: skip
        with pytest.raises(s.NotLoadedError, match="shipping and fee lines were not loaded"):
            other()


# -- defaults --------------------------------------------------------------------------------


def test_a_new_line_has_nothing_refunded_and_nothing_out_of_stock() -> None:
    line = s.Line(id=3, kind="shipping", name="Flat rate", total=Decimal("5.00"))
    defaults = {k: v for k, v in asdict(line).items() if k not in ("id", "kind", "name", "total")}
    assert defaults == {
        "total_tax": 0,
        "quantity": 1,
        "product_id": None,
        "variation_id": None,
        "sku": "",
        "price": 0,
        "quantity_refunded": 0,
        "total_refunded": 0,
        "reduced_stock": 0,
        "refunded_kept": 0,
        "refunded_restocked": 0,
        "manage_stock": False,
        "stock_quantity": None,
        "virtual": False,
        "downloadable": False,
        "product_known": True,
        "stock_id": None,
        "method_id": "",
        "meta": {},
    }
    assert (line.gross, line.remaining, line.stock_product) == (5, 5, None)


def test_a_new_refund_line_restocked_nothing() -> None:
    assert s.RefundLine(1, 2, Decimal("20.00")).restocked == 0
    assert s.Refund(None, Decimal(1), "", False, (), NOW).refunded_by == ""


def test_a_new_order_is_at_version_1_with_nothing_done() -> None:
    new = s.Order(1, "1", "pending", "woocommerce", "EUR", Decimal("10.00"), NOW)
    assert (new.version, new.stock_reduced, new.created_via, new.emails_sent) == (
        1,
        False,
        "admin",
        frozenset(),
    )
    assert (new.status_changed_at, new.date_paid, new.date_completed) == (None, None, None)


def test_a_plan_is_the_write_set_the_store_writes(workflow: Workflow) -> None:
    """The store writes a plan as an `orders.WriteSet` and never imports the engine: mypy
    checks the service's calls; here each member the store reads is a plan's, of its type."""
    members = [name for name, value in vars(s.WriteSet).items() if isinstance(value, property)]
    assert len(members) == 12
    p = plan(workflow, order(tshirt(), shipping()), "pay")
    assert isinstance(p.before, s.Order)
    assert isinstance(p.after, s.Order)
    assert [type(c) for c in p.stock] == [s.StockChange]
    assert {type(n) for n in p.notes} == {s.Note}
    assert {type(e) for e in p.emails} == {s.QueuedEmail}
    assert isinstance(p.effects, list)
    assert {name: getattr(p, name) for name in members}  # raises on a member a plan lacks
