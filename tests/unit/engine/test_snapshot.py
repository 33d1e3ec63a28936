"""`evolve` copies a snapshot's dict instead of running the frozen `__init__`: it must give
what `dataclasses.replace` gives, and refuse a name that is not a field as it does."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from order_factory import NOW, ebook, tshirt

from orderwf.engine import snapshot as s


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
