"""Orders out of the database as engine snapshots: one query per table for a whole batch,
with statements built once (building a select costs more than running it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
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


def _by(column: Any) -> Any:
    return column.in_(bindparam("ids", expanding=True))


_VARIANT = PRODUCTS.alias("variant")
_ORDERS_Q = select(ORDERS).where(_by(ORDERS.c.id))
_ORDERS_LOCKED_Q = _ORDERS_Q.order_by(ORDERS.c.id).with_for_update()
_LINES_Q = (
    select(
        LINES,
        PRODUCTS.c.id.label("p_id"),
        PRODUCTS.c.manage_stock.label("p_manage"),
        PRODUCTS.c.stock_quantity.label("p_stock"),
        PRODUCTS.c.virtual.label("p_virtual"),
        PRODUCTS.c.downloadable.label("p_downloadable"),
        _VARIANT.c.id.label("v_id"),
        _VARIANT.c.manage_stock.label("v_manage"),
        _VARIANT.c.stock_quantity.label("v_stock"),
        _VARIANT.c.virtual.label("v_virtual"),
        _VARIANT.c.downloadable.label("v_downloadable"),
    )
    .outerjoin(PRODUCTS, PRODUCTS.c.id == LINES.c.product_id)
    .outerjoin(_VARIANT, _VARIANT.c.id == LINES.c.variation_id)
    .where(_by(LINES.c.order_id))
    .order_by(LINES.c.order_id, LINES.c.position, LINES.c.id)
)
_NOTES_Q = select(NOTES).where(_by(NOTES.c.order_id)).order_by(NOTES.c.id)
_REFUNDS_Q = select(REFUNDS).where(_by(REFUNDS.c.order_id)).order_by(REFUNDS.c.id)
_REFUND_LINES_Q = (
    select(REFUND_LINES).where(_by(REFUND_LINES.c.refund_id)).order_by(REFUND_LINES.c.id)
)
_TRACKING_Q = select(TRACKING).where(_by(TRACKING.c.order_id)).order_by(TRACKING.c.id)
_ONCE_Q = select(ONCE).where(_by(ONCE.c.order_id))


def load_orders(session: Session, ids: Sequence[int], *, lock: bool = False) -> dict[int, s.Order]:
    """Snapshots of the orders that exist among `ids`, one query per table for all of them."""
    r: Any  # a row of whichever table the loop reads
    locked = lock and session.get_bind().dialect.name == "postgresql"
    query = _ORDERS_LOCKED_Q if locked else _ORDERS_Q
    rows = session.execute(query, {"ids": list(ids)}).mappings().all()
    if not rows:
        return {}
    found = {"ids": [r["id"] for r in rows]}
    lines: dict[int, list[s.Line]] = defaultdict(list)
    # `.all()` throughout: iterating a result fetches its rows one at a time.
    for r in session.execute(_LINES_Q, found).mappings().all():
        lines[r["order_id"]].append(_line(r))
    notes: dict[int, list[s.Note]] = defaultdict(list)
    for r in session.execute(_NOTES_Q, found).all():
        notes[r.order_id].append(s.Note(r.id, r.note, r.customer_note, r.author, r.created_at))
    refund_rows = session.execute(_REFUNDS_Q, found).all()
    refund_lines: dict[int, list[s.RefundLine]] = defaultdict(list)
    if refund_rows:
        for r in session.execute(_REFUND_LINES_Q, {"ids": [x.id for x in refund_rows]}).all():
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
    for r in session.execute(_TRACKING_Q, found).all():
        tracking[r.order_id].append(s.Tracking(r.carrier, r.number, r.url, r.shipped_on))
    sent: dict[int, set[str]] = defaultdict(set)
    for r in session.execute(_ONCE_Q, found).all():
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
