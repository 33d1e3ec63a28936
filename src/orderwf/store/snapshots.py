"""Orders out of the database as engine snapshots: one query per table for a whole batch,
with statements built once (building a select costs more than running it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, any_, bindparam, select
from sqlalchemy.orm import Session

from orderwf.engine import snapshot as s
from orderwf.errors import NotFound
from orderwf.store.tables import (
    LINES,
    NOTES,
    ONCE,
    ORDERS,
    PRODUCTS,
    REFUND_LINES,
    REFUNDS,
    TRACKING,
)


def load_order(session: Session, order_id: int, *, lock: bool = False) -> s.Order:
    """The order as a snapshot; `lock` takes its row lock on PostgreSQL (SQLite's write
    transaction already holds the database lock)."""
    order = load_orders(session, [order_id], lock=lock).get(order_id)
    if order is None:
        raise NotFound(f"order #{order_id} does not exist")
    return order


@dataclass(frozen=True)
class _Queries:
    """The statements of `load_orders` for one dialect, each selecting by a list of ids."""

    orders: Select[Any]
    orders_locked: Select[Any]
    lines: Select[Any]
    notes: Select[Any]
    refunds: Select[Any]
    refund_lines: Select[Any]
    tracking: Select[Any]
    once: Select[Any]


@cache
def _queries(dialect: str) -> _Queries:
    """Built once per dialect (building a select costs more than running it). PostgreSQL gets
    `id = ANY(:ids)`, one array parameter: the statement's text is the same for every batch,
    so the server prepares it once, where `IN (…)` with 500 parameters is parsed and planned
    on every query. SQLite has no arrays: an expanding `IN`."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY  # the dialect, only when it is used

        def by(column: Any) -> Any:
            return column == any_(bindparam("ids", type_=ARRAY(Integer)))

    else:

        def by(column: Any) -> Any:
            return column.in_(bindparam("ids", expanding=True))

    variant = PRODUCTS.alias("variant")
    orders = select(ORDERS).where(by(ORDERS.c.id))
    return _Queries(
        orders=orders,
        orders_locked=orders.order_by(ORDERS.c.id).with_for_update(),
        lines=(
            select(
                LINES,
                PRODUCTS.c.id.label("p_id"),
                PRODUCTS.c.manage_stock.label("p_manage"),
                PRODUCTS.c.stock_quantity.label("p_stock"),
                PRODUCTS.c.virtual.label("p_virtual"),
                PRODUCTS.c.downloadable.label("p_downloadable"),
                variant.c.id.label("v_id"),
                variant.c.manage_stock.label("v_manage"),
                variant.c.stock_quantity.label("v_stock"),
                variant.c.virtual.label("v_virtual"),
                variant.c.downloadable.label("v_downloadable"),
            )
            .outerjoin(PRODUCTS, PRODUCTS.c.id == LINES.c.product_id)
            .outerjoin(variant, variant.c.id == LINES.c.variation_id)
            .where(by(LINES.c.order_id))
            .order_by(LINES.c.order_id, LINES.c.position, LINES.c.id)
        ),
        notes=select(NOTES).where(by(NOTES.c.order_id)).order_by(NOTES.c.id),
        refunds=select(REFUNDS).where(by(REFUNDS.c.order_id)).order_by(REFUNDS.c.id),
        refund_lines=(
            select(REFUND_LINES).where(by(REFUND_LINES.c.refund_id)).order_by(REFUND_LINES.c.id)
        ),
        tracking=select(TRACKING).where(by(TRACKING.c.order_id)).order_by(TRACKING.c.id),
        once=select(ONCE).where(by(ONCE.c.order_id)),
    )


def load_orders(session: Session, ids: Sequence[int], *, lock: bool = False) -> dict[int, s.Order]:
    """Snapshots of the orders that exist among `ids`, one query per table for all of them."""
    r: Any  # a row of whichever table the loop reads
    dialect = session.get_bind().dialect.name
    q = _queries(dialect)
    query = q.orders_locked if lock and dialect == "postgresql" else q.orders
    rows = session.execute(query, {"ids": list(ids)}).mappings().all()
    if not rows:
        return {}
    found = {"ids": [r["id"] for r in rows]}
    lines: dict[int, list[s.Line]] = defaultdict(list)
    # `.all()` throughout: iterating a result fetches its rows one at a time.
    for r in session.execute(q.lines, found).mappings().all():
        lines[r["order_id"]].append(_line(r))
    notes: dict[int, list[s.Note]] = defaultdict(list)
    for r in session.execute(q.notes, found).all():
        notes[r.order_id].append(s.Note(r.id, r.note, r.customer_note, r.author, r.created_at))
    refund_rows = session.execute(q.refunds, found).all()
    refund_lines: dict[int, list[s.RefundLine]] = defaultdict(list)
    if refund_rows:
        for r in session.execute(q.refund_lines, {"ids": [x.id for x in refund_rows]}).all():
            refund_lines[r.refund_id].append(
                s.RefundLine(r.item_id, r.quantity, r.amount, r.restocked)
            )
    refunds: dict[int, list[s.Refund]] = defaultdict(list)
    for r in refund_rows:
        refunds[r.order_id].append(
            s.Refund(
                r.id,
                r.amount,
                r.reason,
                r.restock,
                tuple(refund_lines[r.id]),
                r.created_at,
                r.refunded_by,
            )
        )
    tracking: dict[int, list[s.Tracking]] = defaultdict(list)
    for r in session.execute(q.tracking, found).all():
        tracking[r.order_id].append(s.Tracking(r.carrier, r.number, r.url, r.shipped_on))
    sent: dict[int, set[str]] = defaultdict(set)
    for r in session.execute(q.once, found).all():
        sent[r.order_id].add(r.email)
    return {
        r["id"]: _order(
            r, lines[r["id"]], notes[r["id"]], refunds[r["id"]], tracking[r["id"]], sent[r["id"]]
        )
        for r in rows
    }


def _order(
    row: Any,
    lines: list[s.Line],
    notes: list[s.Note],
    refunds: list[s.Refund],
    tracking: list[s.Tracking],
    sent: set[str],
) -> s.Order:
    return s.build(
        s.Order,
        id=row["id"],
        number=row["number"] or str(row["id"]),
        status=row["status"],
        workflow=row["workflow"],
        workflow_hash=row["workflow_hash"],
        currency=row["currency"],
        total=row["total"],
        created_at=row["date_created"],
        billing=row["billing"] or {},
        shipping=row["shipping"] or {},
        lines=tuple(lines),
        notes=tuple(notes),
        refunds=tuple(refunds),
        tracking=tuple(tracking),
        meta=row["meta"] or {},
        emails_sent=frozenset(sent),
        customer_note=row["customer_note"],
        created_via=row["created_via"],
        payment_method_title=row["payment_method_title"],
        stock_reduced=row["stock_reduced"],
        status_changed_at=row["status_changed_at"],
        date_paid=row["date_paid"],
        date_completed=row["date_completed"],
        version=row["version"],
    )


def _line(r: Any) -> s.Line:
    # A stored variation is the product whose stock moves (as WooCommerce does); else the parent.
    p = "v_" if r["v_id"] is not None else "p_"
    known = r[f"{p}id"] is not None
    return s.build(
        s.Line,
        id=r["id"],
        kind=r["kind"],
        name=r["name"],
        total=r["total"],
        total_tax=r["total_tax"],
        quantity=r["quantity"],
        product_id=r["product_id"],
        variation_id=r["variation_id"],
        sku=r["sku"],
        price=r["price"],
        quantity_refunded=r["quantity_refunded"],
        total_refunded=r["total_refunded"],
        reduced_stock=r["reduced_stock"],
        refunded_kept=r["refunded_kept"],
        refunded_restocked=r["refunded_restocked"],
        manage_stock=bool(known and r[f"{p}manage"]),
        stock_quantity=r[f"{p}stock"] if known else None,
        virtual=bool(known and r[f"{p}virtual"]),
        downloadable=bool(known and r[f"{p}downloadable"]),
        product_known=known,
        stock_id=r[f"{p}id"],
        method_id=r["method_id"],
        meta=r["meta"] or {},
    )
