"""The SQLModel tables (SPEC §4). Money columns hold exact text (`types.Money`); times are UTC.
Statements that need no ORM use their Core tables from `store/core.py`, generated from these by
`tools/core_tables.py` (a cold command then imports no SQLModel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from orderwf.store.columns import Json, Money, UTCDateTime


class _Table(SQLModel):
    """The base of every table. Pydantic builds a model's validator on first use rather than at
    import (`defer_build`): the commands that only run Core statements never need one, and
    building ten of them costs ~30 ms of every cold start."""

    model_config = ConfigDict(from_attributes=True, defer_build=True)  # type: ignore[assignment]


def _money(default: str = "0", **kw: Any) -> Any:
    return Field(default=Decimal(default), sa_type=Money, **kw)


def _when(nullable: bool = True, **kw: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, **kw)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(Json, nullable=False))


class Product(_Table, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(default="", index=True)
    name: str = ""
    price: Decimal = _money()
    manage_stock: bool = False
    stock_quantity: int | None = None
    virtual: bool = False
    downloadable: bool = False


class Order(_Table, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status_id", "status", "id"),
        Index("ix_orders_status_changed", "status", "status_changed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = ""
    order_key: str = ""
    status: str
    workflow: str
    workflow_hash: str = ""
    currency: str = "EUR"
    total: Decimal = _money()
    prices_include_tax: bool = False
    customer_id: int = 0
    customer_name: str = ""  # denormalised for the list and its search
    customer_email: str = Field(default="", index=True)
    billing: dict[str, Any] = _json()
    shipping: dict[str, Any] = _json()
    customer_note: str = ""
    created_via: str = "admin"
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    date_created: datetime | None = _when(nullable=False, index=True)
    date_modified: datetime | None = _when()
    date_paid: datetime | None = _when()
    date_completed: datetime | None = _when()
    status_changed_at: datetime | None = _when()
    stock_reduced: bool = False
    version: int = 1
    meta: dict[str, Any] = _json()


class LineItem(_Table, table=True):
    """A product (`line_item`), `shipping` or `fee` line, with its refund and stock bookkeeping."""

    __tablename__ = "line_item"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    kind: str = "line_item"
    position: int = 0
    name: str = ""
    product_id: int | None = None
    variation_id: int | None = None
    sku: str = ""
    method_id: str = ""
    quantity: int = 1
    price: Decimal = _money()
    subtotal: Decimal = _money()
    total: Decimal = _money()
    total_tax: Decimal = _money()
    quantity_refunded: int = 0
    total_refunded: Decimal = _money()
    reduced_stock: int = 0
    refunded_kept: int = 0
    refunded_restocked: int = 0
    meta: dict[str, Any] = _json()


class OrderNote(_Table, table=True):
    __tablename__ = "order_note"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    note: str
    customer_note: bool = False
    author: str = "system"
    created_at: datetime | None = _when(nullable=False)


class Refund(_Table, table=True):
    __tablename__ = "refund"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    amount: Decimal = _money()
    reason: str = ""
    restock: bool = False
    refunded_by: str = ""
    created_at: datetime | None = _when(nullable=False)


class RefundLine(_Table, table=True):
    __tablename__ = "refund_line"

    id: int | None = Field(default=None, primary_key=True)
    refund_id: int = Field(foreign_key="refund.id", index=True)
    item_id: int
    quantity: int = 0
    amount: Decimal = _money()
    restocked: int = 0


class Tracking(_Table, table=True):
    __tablename__ = "tracking"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    carrier: str = ""
    number: str
    url: str = ""
    shipped_on: date | None = None
    created_at: datetime | None = _when(nullable=False)


class WorkflowVersion(_Table, table=True):
    """A version of a workflow file the database has run (SPEC §9): name, content hash, the
    file's text, and when it was first used."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("name", "hash", name="uq_workflow_versions_name_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    hash: str
    text: str = Field(sa_type=Text)
    first_used: datetime | None = _when(nullable=False)


class History(_Table, table=True):
    """One row per apply: who, what, from/to, the idempotency key and the stored effects."""

    __tablename__ = "history"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    at: datetime | None = _when(nullable=False)
    actor: str = ""
    action: str
    params: dict[str, Any] = _json()
    from_status: str = ""
    to_status: str = ""
    idempotency_key: str | None = Field(default=None, unique=True)
    request_hash: str = ""
    effects: list[Any] = Field(default_factory=list, sa_column=Column(Json, nullable=False))
    workflow_version_id: int | None = Field(default=None, foreign_key="workflow_versions.id")


class Outbox(_Table, table=True):
    """The transactional outbox: rendered at apply time, delivered by `outbox send`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    email: str
    to_addr: str = ""
    from_addr: str = ""
    subject: str = ""
    body_text: str = ""
    body_html: str | None = None
    message_id: str = Field(unique=True)
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime | None = _when()
    last_error: str | None = None
    claimed_until: datetime | None = _when()
    claimed_by: str | None = None
    created_at: datetime | None = _when(nullable=False)
    sent_at: datetime | None = _when()


class EmailOnce(_Table, table=True):
    """`once` emails already queued for an order; the primary key makes a second one fail."""

    __tablename__ = "email_once"
    order_id: int = Field(foreign_key="orders.id", primary_key=True)
    email: str = Field(primary_key=True)


ALL_TABLES = (
    Product,
    Order,
    LineItem,
    OrderNote,
    Refund,
    RefundLine,
    Tracking,
    WorkflowVersion,
    History,
    Outbox,
    EmailOnce,
)
