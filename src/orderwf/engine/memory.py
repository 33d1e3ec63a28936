"""One order and its products in memory, driven by the same planner as `apply`: what
`orderwf test` runs scenarios and explored paths on. Pure: no database, no files.

The planner returns a `Plan` whose `after` is the order as the store will hold it; the store
(`store.repo.apply_plans`) writes that snapshot's fields, inserts its new notes, refund,
tracking and outbox rows, and moves product stock by the plan's `StockChange` deltas. Here the
same plan is committed to a snapshot instead: `after` becomes the order (with ids for its new
notes and refund, as the database would give them), the deltas move the product levels, and
the emails join an outbox list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from orderwf import money
from orderwf import orders as s
from orderwf.engine import plan as planner
from orderwf.engine import timers
from orderwf.engine.stock import with_levels
from orderwf.errors import OrderwfError
from orderwf.orders import QueuedEmail, evolve
from orderwf.workflow import model as m


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    price: Decimal
    stock: int | None = None  # None: the product does not manage stock
    virtual: bool = False
    downloadable: bool = False


@dataclass(frozen=True)
class LineSpec:
    """A product line of a new order: `quantity` of the product `sku`, at its price unless
    `total` is given."""

    sku: str
    quantity: int
    total: Decimal | None = None


@dataclass(frozen=True)
class OrderSpec:
    """What a new order is made of. Item ids follow the order of the lines: the product lines
    from 1, then the shipping line, then the fees."""

    lines: tuple[LineSpec, ...]
    email: str = "customer@example.com"
    status: str | None = None  # None: the workflow's initial status
    shipping: Decimal | None = None
    fees: tuple[tuple[str, Decimal], ...] = ()
    via: str = "admin"
    billing: Mapping[str, Any] = field(default_factory=dict)
    customer_note: str = ""
    number: str = "1"


def new_order(
    workflow: m.Workflow, products: Sequence[Product], spec: OrderSpec, now: datetime
) -> s.Order:
    """A new order, priced from its products as `order create` prices one (price × quantity,
    shipping and fees as given). An order that starts in a `reduce` status has its stock
    taken out already, as `order import --stock-reduced auto` assumes: the product levels
    given are the levels after it."""
    currency = workflow.shop.currency
    by_sku = {p.sku: p for p in products}
    status = spec.status or workflow.initial
    reduced = workflow.status(status).stock == "reduce"
    lines: list[s.Line] = []
    for line in spec.lines:
        product = by_sku[line.sku]
        total = (
            line.total
            if line.total is not None
            else money.quantize(product.price * line.quantity, currency)
        )
        managed = product.stock is not None
        lines.append(
            s.Line(
                id=len(lines) + 1,
                kind="line_item",
                name=product.name,
                total=total,
                quantity=line.quantity,
                product_id=product.id,
                sku=product.sku,
                price=product.price,
                reduced_stock=line.quantity if managed and reduced else 0,
                manage_stock=managed,
                stock_quantity=product.stock,
                virtual=product.virtual,
                downloadable=product.downloadable,
            )
        )
    if spec.shipping is not None:
        lines.append(
            s.Line(
                id=len(lines) + 1,
                kind="shipping",
                name="Shipping",
                total=spec.shipping,
                price=spec.shipping,
                method_id="flat_rate",
            )
        )
    for name, amount in spec.fees:
        lines.append(s.Line(id=len(lines) + 1, kind="fee", name=name, total=amount, price=amount))
    billing = {"email": spec.email, **spec.billing}
    return s.Order(
        id=int(spec.number) if spec.number.isdigit() else 1,
        number=spec.number,
        status=status,
        workflow=workflow.name,
        currency=currency,
        total=sum((line.total for line in lines), money.zero(currency)),
        created_at=now,
        billing=billing,
        lines=tuple(lines),
        customer_note=spec.customer_note,
        created_via=spec.via,
        stock_reduced=reduced,
        status_changed_at=now,
        workflow_hash=workflow.content_hash,
    )


@dataclass
class TimerRun:
    """What a `wait` did: the plans of the timers that fired, and the refused ones."""

    plans: list[planner.Plan] = field(default_factory=list)
    refused: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class Shop:
    """An order, the stock levels of its products, a clock and an outbox."""

    workflow: m.Workflow
    order: s.Order
    now: datetime
    levels: dict[int, int | None] = field(default_factory=dict)  # product id → stock level
    outbox: list[QueuedEmail] = field(default_factory=list)
    plans: list[planner.Plan] = field(default_factory=list)
    _ids: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        workflow: m.Workflow,
        products: Sequence[Product],
        spec: OrderSpec,
        now: datetime,
    ) -> Shop:
        order = new_order(workflow, products, spec, now)
        return cls(workflow, order, now, {p.id: p.stock for p in products})

    def fork(self) -> Shop:
        """A copy to take another path from here (the order is immutable; the levels are
        copied; the outbox and plans start empty)."""
        return Shop(self.workflow, self.order, self.now, dict(self.levels), _ids=dict(self._ids))

    def plan(
        self, action: str, params: Mapping[str, Any] | None = None, *, actor: str
    ) -> planner.Plan:
        """The plan of `action` now, or `Refused`/`NotFound` as `apply` raises them."""
        return planner.plan(self.workflow, self.order, action, params, actor=actor, now=self.now)

    def commit(self, plan: planner.Plan) -> None:
        """Apply a plan to the order in memory, as `store.repo.apply_plans` stores it."""
        after = plan.after
        new_notes = len(plan.notes)
        if new_notes:
            notes = list(after.notes)
            for i in range(len(notes) - new_notes, len(notes)):
                notes[i] = notes[i]._replace(id=self._next("note"))
            after = evolve(after, notes=tuple(notes))
        if plan.refund is not None:
            refund = evolve(plan.refund, id=self._next("refund"))
            after = evolve(after, refunds=(*after.refunds[:-1], refund))
        for change in plan.stock:
            # SQL increments in the store: a product with no level has nothing to move.
            old = self.levels.get(change.product_id)
            if old is not None:
                self.levels[change.product_id] = old + change.delta
        self.order = with_levels(after, {}, self.levels)
        self.outbox.extend(plan.emails)
        self.plans.append(plan)

    def apply(
        self, action: str, params: Mapping[str, Any] | None = None, *, actor: str
    ) -> planner.Plan:
        plan = self.plan(action, params, actor=actor)
        self.commit(plan)
        return plan

    def wait(self, duration: timedelta) -> TimerRun:
        """Advance the clock, then apply every due timer, as `orderwf tick` does then."""
        self.now += duration
        return self.tick()

    def tick(self) -> TimerRun:
        """Apply every due timer, in the workflow's order. A timer whose action is refused
        leaves the order as it is (`tick` reports it and goes on)."""
        run = TimerRun()
        for timer in self.workflow.timers.values():
            if not timers.due(self.workflow, timer, self.order, self.now):
                continue
            try:
                plan = planner.plan(
                    self.workflow,
                    self.order,
                    timer.action,
                    {},
                    actor=timers.ACTOR,
                    now=self.now,
                    note_prefix=timers.note(self.workflow, timer, self.now),
                )
            except OrderwfError as e:
                run.refused.append((timer.id, e.reasons))
                continue
            self.commit(plan)
            run.plans.append(plan)
        return run

    def _next(self, kind: str) -> int:
        self._ids[kind] = self._ids.get(kind, 0) + 1
        return self._ids[kind]
