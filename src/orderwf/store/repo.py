"""Plans into the database, written in the caller's transaction with one executemany per
table, and the order lists and history read back. SQLAlchemy Core on the SQLModel tables; the
snapshots an apply plans from come from `store.snapshots`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from orderwf.engine import snapshot as s
from orderwf.errors import StoreError
from orderwf.store import driver
from orderwf.store.tables import (
    HISTORY,
    LINES,
    NOTES,
    ONCE,
    ORDERS,
    OUTBOX,
    PRODUCTS,
    REFUND_LINES,
    REFUNDS,
    TRACKING,
)

if TYPE_CHECKING:
    from orderwf.engine.plan import Plan

_LINE_FIELDS = (
    "quantity_refunded",
    "total_refunded",
    "reduced_stock",
    "refunded_kept",
    "refunded_restocked",
)
_line_values = attrgetter(*_LINE_FIELDS)  # a line's stored bookkeeping, as a tuple


def message_id(domain: str = "orderwf.local") -> str:
    from email.utils import make_msgid  # the email package only when an email is queued

    return make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain)


def apply_plan(
    session: Session, plan: Plan, *, key: str | None = None, request_hash: str = ""
) -> None:
    """Write one plan in the session's transaction (see `apply_plans`)."""
    apply_plans(session, [plan], key=key, request_hash=request_hash)


def apply_plans(
    session: Session, plans: list[Plan], *, key: str | None = None, request_hash: str = ""
) -> None:
    """Write plans in the session's transaction, one executemany per table, sent together
    (`driver.pipeline`: one round trip on PostgreSQL). The version check makes a writer that
    slipped past the lock fail instead of losing an update; it runs once the pipeline has
    ended, before the caller commits. A refund's row goes first, on its own: its lines need
    its id."""
    if not plans:
        return
    refunds = [(p.before.id, p.refund) for p in plans if p.refund is not None]
    for order_id, refund in refunds:
        _insert_refund(session, order_id, refund)
    with driver.pipeline(session):
        sent = _write(session, plans, key=key, request_hash=request_hash)
    dialect = session.get_bind().dialect
    if dialect.supports_sane_multi_rowcount and sent.rowcount != len(plans):
        numbers = ", ".join(f"#{p.before.number}" for p in plans[:5])
        raise StoreError(f"order {numbers} was changed by someone else meanwhile; try again")


def _write(
    session: Session, plans: list[Plan], *, key: str | None, request_hash: str
) -> driver.Sent:
    """Send every write of `apply_plans` but the refunds'; the orders' update, whose row count
    is the version check."""
    matched = driver.update(
        session,
        ORDERS,
        (
            "status",
            "stock_reduced",
            "version",
            "meta",
            "status_changed_at",
            "date_paid",
            "date_completed",
            "date_modified",
        ),
        ("id", "version"),
    ).execute(
        session,
        [
            (
                p.after.status,
                p.after.stock_reduced,
                p.after.version,
                dict(p.after.meta),
                p.after.status_changed_at,
                p.after.date_paid,
                p.after.date_completed,
                p.now,
                p.before.id,
                p.before.version,
            )
            for p in plans
        ],
    )
    changed = []
    for p in plans:
        for line, old in zip(p.after.lines, p.before.lines, strict=True):
            if line is not old and (values := _line_values(line)) != _line_values(old):
                changed.append((*values, line.id))
    driver.update(session, LINES, _LINE_FIELDS, ("id",)).execute(session, changed)
    deltas: dict[int, int] = {}
    for p in plans:
        for product_id, delta in stock_deltas(p):
            deltas[product_id] = deltas.get(product_id, 0) + delta
    if deltas:
        # Increments in SQL, never read-modify-write: other orders move this stock too.
        driver.update(session, PRODUCTS, ("+stock_quantity",), ("id",)).execute(
            session, [(d, pid) for pid, d in sorted(deltas.items()) if d]
        )
    _insert(
        session,
        NOTES,
        [
            {
                "order_id": p.before.id,
                "note": n.note,
                "customer_note": n.customer_note,
                "author": n.author,
                "created_at": n.created_at,
            }
            for p in plans
            for n in p.notes
        ],
    )
    _insert(
        session,
        TRACKING,
        [
            {
                "order_id": p.before.id,
                "carrier": tr.carrier,
                "number": tr.number,
                "url": tr.url,
                "shipped_on": tr.shipped_on,
                "created_at": p.now,
            }
            for p in plans
            for tr in p.tracking
        ],
    )
    _insert(
        session,
        ONCE,
        [
            {"order_id": p.before.id, "email": e}
            for p in plans
            # The same set when none was sent (and then it may not have been loaded).
            if p.after.emails_sent is not p.before.emails_sent
            for e in sorted(p.after.emails_sent - p.before.emails_sent)
        ],
    )
    _insert(session, OUTBOX, [row for p in plans for row in outbox_rows(p.before.id, p)])
    _insert(
        session,
        HISTORY,
        [
            {
                "order_id": p.before.id,
                "at": p.now,
                "actor": p.actor,
                "action": p.action,
                "params": jsonable(p.params),
                "from_status": p.before.status,
                "to_status": p.after.status,
                "idempotency_key": key,
                "request_hash": request_hash,
                "effects": list(p.effects),
            }
            for p in plans
        ],
    )
    return matched


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    driver.insert_dicts(session, table, rows)


def _insert_refund(session: Session, order_id: int, r: s.Refund) -> None:
    refund_id = session.execute(
        insert(REFUNDS).values(
            order_id=order_id,
            amount=r.amount,
            reason=r.reason,
            restock=r.restock,
            refunded_by=r.refunded_by,
            created_at=r.created_at,
        )
    ).inserted_primary_key[0]  # type: ignore[attr-defined]
    _insert(
        session,
        REFUND_LINES,
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


def order_ids(
    session: Session,
    *,
    status: str,
    after: int = 0,
    limit: int = 500,
    changed_before: datetime | None = None,
) -> list[int]:
    """Ids of orders in `status` above `after`, ascending (keyset pagination)."""
    query = select(ORDERS.c.id).where(ORDERS.c.status == status, ORDERS.c.id > after)
    if changed_before is not None:
        since = func.coalesce(ORDERS.c.status_changed_at, ORDERS.c.date_created)
        query = query.where(since <= changed_before)
    return list(session.execute(query.order_by(ORDERS.c.id).limit(limit)).scalars())


def count_orders(session: Session, status: str) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(ORDERS).where(ORDERS.c.status == status)
        ).scalar_one()
    )
