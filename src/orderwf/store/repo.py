"""Orders in and out of the database: a snapshot loaded under the order's lock, and a plan
written in the caller's transaction. SQLAlchemy Core on the SQLModel tables: one query per
table, no ORM identity map to fill."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from email.utils import make_msgid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from orderwf.engine import snapshot as s
from orderwf.engine.plan import Plan
from orderwf.errors import NotFound, StoreError
from orderwf.store import tables as t

ORDERS = t.table(t.Order)
LINES = t.table(t.LineItem)
PRODUCTS = t.table(t.Product)
NOTES = t.table(t.OrderNote)
REFUNDS = t.table(t.Refund)
REFUND_LINES = t.table(t.RefundLine)
TRACKING = t.table(t.Tracking)
HISTORY = t.table(t.History)
OUTBOX = t.table(t.Outbox)
ONCE = t.table(t.EmailOnce)


def load_order(session: Session, order_id: int, *, lock: bool = False) -> s.Order:
    """The order as a snapshot; `lock` takes its row lock on PostgreSQL (SQLite's write
    transaction already holds the database lock)."""
    query = select(ORDERS).where(ORDERS.c.id == order_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"order #{order_id} does not exist")
    return _snapshot(session, row)


def _snapshot(session: Session, row: Any) -> s.Order:
    oid = row["id"]
    line_rows = (
        session.execute(
            select(
                LINES,
                PRODUCTS.c.id.label("p_id"),
                PRODUCTS.c.manage_stock,
                PRODUCTS.c.stock_quantity,
                PRODUCTS.c.virtual,
                PRODUCTS.c.downloadable,
            )
            .outerjoin(PRODUCTS, PRODUCTS.c.id == LINES.c.product_id)
            .where(LINES.c.order_id == oid)
            .order_by(LINES.c.position, LINES.c.id)
        )
        .mappings()
        .all()
    )
    lines = tuple(_line(r) for r in line_rows)
    notes = tuple(
        s.Note(r.id, r.note, r.customer_note, r.author, r.created_at)
        for r in session.execute(select(NOTES).where(NOTES.c.order_id == oid).order_by(NOTES.c.id))
    )
    refund_rows = session.execute(
        select(REFUNDS).where(REFUNDS.c.order_id == oid).order_by(REFUNDS.c.id)
    ).all()
    refund_lines: dict[int, list[s.RefundLine]] = {}
    if refund_rows:
        for r in session.execute(
            select(REFUND_LINES)
            .where(REFUND_LINES.c.refund_id.in_([x.id for x in refund_rows]))
            .order_by(REFUND_LINES.c.id)
        ):
            refund_lines.setdefault(r.refund_id, []).append(
                s.RefundLine(r.item_id, r.quantity, r.amount, r.restocked)
            )
    refunds = tuple(
        s.Refund(
            r.id,
            r.amount,
            r.reason,
            r.restock,
            tuple(refund_lines.get(r.id, ())),
            r.created_at,
            r.refunded_by,
        )
        for r in refund_rows
    )
    tracking = tuple(
        s.Tracking(r.carrier, r.number, r.url, r.shipped_on)
        for r in session.execute(
            select(TRACKING).where(TRACKING.c.order_id == oid).order_by(TRACKING.c.id)
        )
    )
    sent = frozenset(session.execute(select(ONCE.c.email).where(ONCE.c.order_id == oid)).scalars())
    return s.Order(
        id=oid,
        number=row["number"] or str(oid),
        status=row["status"],
        workflow=row["workflow"],
        workflow_hash=row["workflow_hash"],
        currency=row["currency"],
        total=row["total"],
        created_at=row["date_created"],
        billing=row["billing"] or {},
        shipping=row["shipping"] or {},
        lines=lines,
        notes=notes,
        refunds=refunds,
        tracking=tracking,
        meta=row["meta"] or {},
        emails_sent=sent,
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
    known = r["p_id"] is not None
    return s.Line(
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
        manage_stock=bool(known and r["manage_stock"]),
        stock_quantity=r["stock_quantity"] if known else None,
        virtual=bool(known and r["virtual"]),
        downloadable=bool(known and r["downloadable"]),
        product_known=known,
        method_id=r["method_id"],
        meta=r["meta"] or {},
    )


_LINE_FIELDS = (
    "quantity_refunded",
    "total_refunded",
    "reduced_stock",
    "refunded_kept",
    "refunded_restocked",
)


def message_id(domain: str = "orderwf.local") -> str:
    return make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain)


def apply_plan(
    session: Session, plan: Plan, *, key: str | None = None, request_hash: str = ""
) -> int:
    """Write `plan` in the session's transaction; returns the history row id. The version
    check makes a concurrent writer that slipped past the lock fail instead of losing an
    update."""
    before, after = plan.before, plan.after
    result = session.execute(
        update(ORDERS)
        .where(ORDERS.c.id == before.id, ORDERS.c.version == before.version)
        .values(
            status=after.status,
            stock_reduced=after.stock_reduced,
            version=after.version,
            meta=dict(after.meta),
            status_changed_at=after.status_changed_at,
            date_paid=after.date_paid,
            date_completed=after.date_completed,
            date_modified=plan.now,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StoreError(f"order #{before.number} was changed by someone else; try again")
    old_lines = {line.id: line for line in before.lines}
    for line in after.lines:
        old = old_lines[line.id]
        changed = {f: getattr(line, f) for f in _LINE_FIELDS if getattr(line, f) != getattr(old, f)}
        if changed:
            session.execute(update(LINES).where(LINES.c.id == line.id).values(**changed))
    for product_id, delta in stock_deltas(plan):
        # An increment in SQL, never read-modify-write: other orders move this stock too.
        session.execute(
            update(PRODUCTS)
            .where(PRODUCTS.c.id == product_id)
            .values(stock_quantity=PRODUCTS.c.stock_quantity + delta)
        )
    if plan.notes:
        session.execute(
            insert(NOTES),
            [
                {
                    "order_id": before.id,
                    "note": n.note,
                    "customer_note": n.customer_note,
                    "author": n.author,
                    "created_at": n.created_at,
                }
                for n in plan.notes
            ],
        )
    if plan.refund is not None:
        r = plan.refund
        refund_id = session.execute(
            insert(REFUNDS).values(
                order_id=before.id,
                amount=r.amount,
                reason=r.reason,
                restock=r.restock,
                refunded_by=r.refunded_by,
                created_at=r.created_at,
            )
        ).inserted_primary_key[0]  # type: ignore[attr-defined]
        if r.lines:
            session.execute(
                insert(REFUND_LINES),
                [
                    {
                        "refund_id": refund_id,
                        "item_id": ln.item_id,
                        "quantity": ln.quantity,
                        "amount": ln.amount,
                        "restocked": ln.restocked,
                    }
                    for ln in r.lines
                ],
            )
    if plan.tracking:
        session.execute(
            insert(TRACKING),
            [
                {
                    "order_id": before.id,
                    "carrier": tr.carrier,
                    "number": tr.number,
                    "url": tr.url,
                    "shipped_on": tr.shipped_on,
                    "created_at": plan.now,
                }
                for tr in plan.tracking
            ],
        )
    new_once = after.emails_sent - before.emails_sent
    if new_once:
        session.execute(insert(ONCE), [{"order_id": before.id, "email": e} for e in new_once])
    if plan.emails:
        session.execute(insert(OUTBOX), list(outbox_rows(before.id, plan)))
    return int(
        session.execute(
            insert(HISTORY).values(
                order_id=before.id,
                at=plan.now,
                actor=plan.actor,
                action=plan.action,
                params=jsonable(plan.params),
                from_status=before.status,
                to_status=after.status,
                idempotency_key=key,
                request_hash=request_hash,
                effects=list(plan.effects),
            )
        ).inserted_primary_key[0]  # type: ignore[attr-defined]
    )


def stock_deltas(plan: Plan) -> Iterable[tuple[int, int]]:
    totals: dict[int, int] = {}
    for change in plan.stock:
        if change.old is not None:  # a product with no stock level has nothing to move
            totals[change.product_id] = totals.get(change.product_id, 0) + change.delta
    return ((pid, delta) for pid, delta in sorted(totals.items()) if delta)


def outbox_rows(order_id: int, plan: Plan) -> Iterable[dict[str, Any]]:
    for e in plan.emails:
        yield {
            "order_id": order_id,
            "email": e.email,
            "to_addr": e.to,
            "from_addr": e.sender,
            "subject": e.subject,
            "body_text": e.text,
            "body_html": e.html,
            "message_id": message_id(),
            "status": "failed" if e.error else "pending",
            "last_error": e.error,
            "attempts": 0,
            "created_at": plan.now,
            "next_attempt_at": plan.now,
        }


def jsonable(value: Any) -> Any:
    """Params as JSON: decimals and dates as strings."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def history_by_key(session: Session, key: str) -> dict[str, Any] | None:
    row = (
        session.execute(select(HISTORY).where(HISTORY.c.idempotency_key == key)).mappings().first()
    )
    return dict(row) if row is not None else None


def history(session: Session, order_id: int) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in session.execute(
            select(HISTORY).where(HISTORY.c.order_id == order_id).order_by(HISTORY.c.id)
        ).mappings()
    ]


def list_orders(
    session: Session, *, status: str | None = None, search: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The orders list, newest first: number, date, status, customer, total."""
    query = select(
        ORDERS.c.id,
        ORDERS.c.number,
        ORDERS.c.date_created,
        ORDERS.c.status,
        ORDERS.c.customer_name,
        ORDERS.c.customer_email,
        ORDERS.c.total,
        ORDERS.c.currency,
    )
    if status:
        query = query.where(ORDERS.c.status == status)
    if search:
        like = f"%{search}%"
        query = query.where(
            ORDERS.c.number.like(like)
            | ORDERS.c.customer_name.like(like)
            | ORDERS.c.customer_email.like(like)
        )
    query = query.order_by(ORDERS.c.id.desc()).limit(limit)
    return [dict(r) for r in session.execute(query).mappings()]
