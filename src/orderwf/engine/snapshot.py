"""An order as the engine sees it: immutable, complete, detached from the database. The store
builds one inside the apply's transaction; the engine returns a new one with the plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

LineKind = Literal["line_item", "shipping", "fee"]

T = TypeVar("T")


def evolve(obj: T, **changes: Any) -> T:
    """A copy of a frozen snapshot with some fields changed; a name that is not one of its
    fields is a `TypeError`, as with `dataclasses.replace`. That runs the frozen `__init__`
    (one `object.__setattr__` per field: ~6 µs for a `Line`, ten times this copy), and the
    engine evolves snapshots for every effect of every order of a bulk apply, so it copies
    the instance dict instead. The snapshot classes have no `__post_init__` to skip; a test
    compares the two ways."""
    fields = obj.__dict__.copy()  # a dict's copy clones its table: faster than filling one
    size = len(fields)
    fields.update(changes)
    if len(fields) != size:  # a name the snapshot did not have: a misspelt field
        unknown = ", ".join(sorted(changes.keys() - obj.__dict__.keys()))
        raise TypeError(f"{type(obj).__name__} has no field {unknown}")
    new = object.__new__(type(obj))
    object.__setattr__(new, "__dict__", fields)
    return new


@dataclass(frozen=True)
class Line:
    """A product, shipping or fee line, with its refund and stock bookkeeping."""

    id: int
    kind: LineKind
    name: str
    total: Decimal
    total_tax: Decimal = Decimal(0)
    quantity: int = 1
    product_id: int | None = None
    variation_id: int | None = None
    sku: str = ""
    price: Decimal = Decimal(0)
    quantity_refunded: int = 0
    total_refunded: Decimal = Decimal(0)
    reduced_stock: int = 0  # units out of stock for this order and not given back
    refunded_kept: int = 0  # units refunded without restock: the customer keeps them
    refunded_restocked: int = 0  # units refunded with restock
    manage_stock: bool = False  # the product manages stock (False when it is unknown)
    stock_quantity: int | None = None  # the product's stock level, read under the lock
    virtual: bool = False
    downloadable: bool = False
    product_known: bool = True  # False for a line whose product was deleted or never imported
    stock_id: int | None = None  # the product whose stock moves: the variation if it is stored
    method_id: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stock_product(self) -> int | None:
        return self.stock_id if self.stock_id is not None else self.product_id

    @property
    def gross(self) -> Decimal:
        """Total including tax: what the customer paid for this line."""
        return self.total + self.total_tax

    @property
    def remaining(self) -> Decimal:
        return self.gross - self.total_refunded


@dataclass(frozen=True)
class Note:
    id: int | None
    note: str
    customer_note: bool
    author: str
    created_at: datetime


@dataclass(frozen=True)
class RefundLine:
    item_id: int
    quantity: int
    amount: Decimal
    restocked: int = 0


@dataclass(frozen=True)
class Refund:
    id: int | None
    amount: Decimal
    reason: str
    restock: bool
    lines: tuple[RefundLine, ...]
    created_at: datetime
    refunded_by: str = ""


@dataclass(frozen=True)
class Tracking:
    carrier: str
    number: str
    url: str
    shipped_on: date


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    status: str
    workflow: str
    currency: str
    total: Decimal
    created_at: datetime
    billing: Mapping[str, Any] = field(default_factory=dict)
    shipping: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[Line, ...] = ()
    notes: tuple[Note, ...] = ()
    refunds: tuple[Refund, ...] = ()
    tracking: tuple[Tracking, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    emails_sent: frozenset[str] = frozenset()  # `once` emails already queued
    customer_note: str = ""
    created_via: str = "admin"
    payment_method_title: str = ""
    stock_reduced: bool = False
    status_changed_at: datetime | None = None
    date_paid: datetime | None = None
    date_completed: datetime | None = None
    version: int = 1
    workflow_hash: str = ""

    @property
    def line_items(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "line_item")

    @property
    def shipping_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "shipping")

    @property
    def fee_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "fee")

    @property
    def total_refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal(0))

    @property
    def remaining_refundable(self) -> Decimal:
        return self.total - self.total_refunded

    @property
    def needs_processing(self) -> bool:
        """False only when every product line is virtual and downloadable (WooCommerce)."""
        return any(
            not (line.virtual and line.downloadable)
            for line in self.line_items
            if line.product_known
        )

    def line(self, item_id: int) -> Line | None:
        return next((line for line in self.lines if line.id == item_id), None)
