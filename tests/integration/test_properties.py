"""Property tests of the engine and the store together, on real SQLite files through
`service.orders.apply`: whatever the orders (several product lines, shipping, fees; EUR, JPY,
KWD) and whatever the sequence of status changes and refunds, stock never drifts from what
the orders hold, refunds never exceed what was paid, and every refusal changes nothing.

Examples: `default` runs few (fast enough for every run); `ci` (HYPOTHESIS_PROFILE=ci, or
whenever the `CI` variable is set, as `.ci/run` does) runs many more."""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from orderwf.errors import OrderwfError
from orderwf.store import db
from orderwf.store.tables import ALL_TABLES
from orderwf.workflow.model import Workflow
from shop import Shop, default_workflow, woo_order, workflow_copy

settings.register_profile(
    "default",
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # `open_shop` makes a new file per example
    ],
)
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=150)
PROFILE = settings.get_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)

DECIMALS = {"EUR": 2, "JPY": 0, "KWD": 3}
ACTIONS = ("pay", "process", "hold", "complete", "cancel", "reopen", "fail", "refund",
           "mark_refunded")  # fmt: skip


# --- Scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    id: int
    kind: str  # line_item | shipping | fee
    product_id: int | None
    quantity: int
    total: Decimal
    total_tax: Decimal


@dataclass(frozen=True)
class OrderSpec:
    id: int
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((li.total + li.total_tax for li in self.lines), Decimal(0))


@dataclass(frozen=True)
class Step:
    order_id: int
    action: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    currency: str
    stock: dict[int, int | None]  # product id → initial stock (None: does not manage stock)
    orders: tuple[OrderSpec, ...]
    steps: tuple[Step, ...]


def _money(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-DECIMALS[currency])


def _text(value: Decimal, currency: str) -> str:
    return str(value.quantize(Decimal(1).scaleb(-DECIMALS[currency])))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    currency = draw(st.sampled_from(sorted(DECIMALS)))
    scale = 10 ** DECIMALS[currency]
    products = {
        1: draw(st.integers(0, 12)),
        2: draw(st.integers(0, 12)),
        3: draw(st.one_of(st.none(), st.integers(0, 12))),
    }
    orders = []
    next_id = 1000
    for order_id in range(1, draw(st.integers(1, 3)) + 1):
        lines = []
        for product_id in draw(st.lists(st.sampled_from(sorted(products)), min_size=1, max_size=3)):
            quantity = draw(st.integers(1, 4))
            unit = draw(st.integers(1, 50 * scale))
            tax = draw(st.sampled_from([0, unit * quantity // 10]))
            next_id += 1
            lines.append(
                Line(next_id, "line_item", product_id, quantity,
                     _money(unit * quantity, currency), _money(tax, currency))
            )  # fmt: skip
        for kind in ("shipping", "fee"):
            if draw(st.booleans()):
                next_id += 1
                amount = _money(draw(st.integers(1, 20 * scale)), currency)
                lines.append(Line(next_id, kind, None, 1, amount, Decimal(0)))
        orders.append(OrderSpec(order_id, tuple(lines)))
    steps = [
        _step(draw, draw(st.sampled_from(orders)), currency)
        for _ in range(draw(st.integers(1, 12)))
    ]
    return Scenario(currency, products, tuple(orders), tuple(steps))


def _step(draw: st.DrawFn, order: OrderSpec, currency: str) -> Step:
    # Refunds need a paid status and are often refused for their figures: weigh them up.
    action = draw(st.sampled_from(ACTIONS + ("pay", "refund", "refund", "refund")))
    params: dict[str, Any] = {}
    if action == "refund":
        params = _refund_params(draw, order, currency)
    return Step(order.id, action, params)


def _refund_params(draw: st.DrawFn, order: OrderSpec, currency: str) -> dict[str, Any]:
    """Refund params of every form: an amount alone; lines alone (the engine prices them);
    lines each at a given amount, with the amount they add up to (or, rarely, another)."""
    scale = 10 ** DECIMALS[currency]
    params: dict[str, Any] = {}
    form = draw(st.sampled_from(["amount", "lines", "priced lines"]))
    if form == "amount":
        params["amount"] = _text(
            _money(draw(st.integers(0, int(order.total * scale) + 1)), currency), currency
        )
    else:
        chosen = draw(st.lists(st.sampled_from(order.lines), min_size=1, unique=True))
        lines, total = [], Decimal(0)
        for line in chosen:
            gross = int((line.total + line.total_tax) * scale)
            priced = form == "priced lines" or line.kind != "line_item"
            amount = _money(draw(st.integers(0, gross)), currency) if priced else None
            total += amount or 0
            at = "" if amount is None else f"@{_text(amount, currency)}"
            if line.kind == "line_item":
                lines.append(f"{line.id}={draw(st.integers(int(priced), line.quantity + 1))}{at}")
            else:
                lines.append(f"{line.id}={at}")
        params["lines"] = lines
        if form == "priced lines" and draw(st.booleans()):
            off = draw(st.sampled_from([0, 0, 0, 1]))
            params["amount"] = _text(total + _money(off, currency), currency)
    restock = draw(st.sampled_from([None, True, False]))
    if restock is not None:
        params["restock"] = "true" if restock else "false"
    return params


# --- A shop per example ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Workflow, Path]]:
    """Per currency: a workflow copy with that `shop.currency`, and an empty migrated SQLite
    file to copy (a migration takes about a second; a copy, nothing)."""
    folder = tmp_path_factory.mktemp("property-shops")
    empty = folder / "empty.db"
    db.connect(f"sqlite:///{empty}").dispose()
    templates = {}
    for currency in DECIMALS:
        path = workflow_copy(folder, {"currency: EUR": f"currency: {currency}"}, f"{currency}.yaml")
        templates[currency] = (default_workflow(path), empty)
    return templates


@pytest.fixture
def open_shop(shop_templates: dict[str, tuple[Workflow, Path]]) -> Iterator[Any]:
    """`open_shop(scenario)`: a fresh SQLite file with the scenario's products and orders."""
    folder = Path(tempfile.mkdtemp(prefix="orderwf-prop-"))
    shops: list[Shop] = []
    names = itertools.count()

    def open_shop(scenario: Scenario) -> Shop:
        for shop in shops:  # the previous example's
            shop.close()
        shops.clear()
        workflow, empty = shop_templates[scenario.currency]
        path = folder / f"shop-{next(names)}.db"
        shutil.copy(empty, path)
        shop = Shop(folder, url=f"sqlite:///{path}", model=workflow)
        shops.append(shop)
        shop.add_products(
            [
                {"id": pid, "sku": f"P{pid}", "name": f"Product {pid}", "price": "1",
                 "manage_stock": stock is not None, "stock_quantity": stock}
                for pid, stock in scenario.stock.items()
            ],
            currency=scenario.currency,
        )  # fmt: skip
        shop.add(*[_woo(o, scenario.currency) for o in scenario.orders])
        return shop

    yield open_shop
    for shop in shops:
        shop.close()
    shutil.rmtree(folder, ignore_errors=True)


def _woo(order: OrderSpec, currency: str) -> dict[str, Any]:
    def money(value: Decimal) -> str:
        return _text(value, currency)

    items = [li for li in order.lines if li.kind == "line_item"]
    shipping = [li for li in order.lines if li.kind == "shipping"]
    return woo_order(
        order.id,
        *[(li.product_id, li.quantity, money(li.total), money(li.total_tax)) for li in items],
        currency=currency,
        first_line=items[0].id,  # the order's line items have consecutive ids
        shipping=money(shipping[0].total) if shipping else None,
        shipping_id=shipping[0].id if shipping else None,
        fees=[(li.id, money(li.total)) for li in order.lines if li.kind == "fee"],
    )


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, straight from the file."""
    conn = sqlite3.connect(path)
    try:
        return {
            t.__tablename__: conn.execute(f"SELECT * FROM {t.__tablename__} ORDER BY 1").fetchall()  # type: ignore[attr-defined]
            for t in ALL_TABLES
        }
    finally:
        conn.close()


# --- The invariants ----------------------------------------------------------------------------


def _check(shop: Shop, scenario: Scenario) -> None:
    orders = [shop.show(o.id) for o in scenario.orders]
    stock = shop.levels()
    held: dict[int, int] = dict.fromkeys(scenario.stock, 0)
    for order in orders:
        assert order.total_refunded <= order.total, order.id
        assert sum((r.amount for r in order.refunds), Decimal(0)) == order.total_refunded
        assert order.remaining_refundable == order.total - order.total_refunded
        for line in order.line_items:
            assert 0 <= line.quantity_refunded <= line.quantity, line.id
            assert line.total_refunded <= line.total + line.total_tax, line.id
            assert 0 <= line.reduced_stock <= line.quantity, line.id
            if scenario.stock.get(line.product_id or 0) is None:
                assert line.reduced_stock == 0, line.id
            else:
                held[line.product_id or 0] += line.reduced_stock
    for product_id, initial in scenario.stock.items():
        if initial is not None:
            assert stock[product_id] == initial - held[product_id], product_id
        else:
            assert stock[product_id] is None
    if all(r.restock for o in orders for r in o.refunds):
        for product_id, initial in scenario.stock.items():
            if initial is not None:
                assert stock[product_id] <= initial, product_id


def _apply(shop: Shop, step: Step) -> bool:
    """Apply one step; a refusal must leave every row of every table as it was."""
    before = _dump(shop.db_path)
    try:
        shop.apply(step.order_id, step.action, step.params, actor="prop")
    except OrderwfError:
        assert _dump(shop.db_path) == before, step
        return False
    return True


@PROFILE
@given(scenario=scenarios())
def test_stock_and_refunds_stay_consistent_whatever_the_sequence(
    open_shop: Any, scenario: Scenario
) -> None:
    shop = open_shop(scenario)
    _check(shop, scenario)
    for step in scenario.steps:
        applied = _apply(shop, step)
        event(f"{step.action} {'applied' if applied else 'refused'}")
        _check(shop, scenario)

    # Put every order that can be back out of the reducing statuses: a completed order is
    # reopened (pending restores), the others are cancelled.
    for order in scenario.orders:
        if shop.show(order.id).status == "completed":
            _apply(shop, Step(order.id, "reopen", {}))
        _apply(shop, Step(order.id, "cancel", {}))
        _check(shop, scenario)
    orders = [shop.show(o.id) for o in scenario.orders]
    if all(r.restock for o in orders for r in o.refunds) and all(
        o.status != "refunded" for o in orders
    ):
        event("every refund restocked, every order put back")
        stock = shop.levels()
        assert {p: stock[p] for p in scenario.stock} == scenario.stock
