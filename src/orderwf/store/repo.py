"""Plans into the database, written in the caller's transaction with one executemany per
table (compiled Core statements on the DBAPI cursor: `store.driver`), and the order lists and
history read back (Core, `session.execute`). A plan is written as what it is to the store, an
`orders.WriteSet` (the engine's `Plan` is one; the store never imports the engine). The
snapshots an apply plans from come from `store.snapshots`."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, Select, Table, bindparam, func, insert, select, update

from orderwf import orders as s
from orderwf.errors import StoreError
from orderwf.store import driver, snapshots
from orderwf.store.core import (
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
    VERSIONS,
)
from orderwf.store.tx import Tx

if TYPE_CHECKING:
    from orderwf.workflow.model import Workflow

_LINE_FIELDS = (
    "quantity_refunded",
    "total_refunded",
    "reduced_stock",
    "refunded_kept",
    "refunded_restocked",
)
_line_values = attrgetter(*_LINE_FIELDS)  # a line's stored bookkeeping, as a tuple
_refund_values = attrgetter(*(f for f in _LINE_FIELDS if f != "reduced_stock"))
_ORDER_FIELDS = (  # what an apply changes in the order's row (and `meta`, when it set it)
    "status",
    "stock_reduced",
    "version",
    "status_changed_at",
    "date_paid",
    "date_completed",
    "date_modified",
)


def message_id(domain: str = "orderwf.local") -> str:
    """A Message-ID (RFC 5322) as `email.utils.make_msgid` writes one, the time in hundredths
    of a second, the process, then 96 random bits from the OS where it has 64 from `random`
    and a UUID's 48: unique across processes and machines, and 1 µs where it took 5 (a bulk
    apply queues thousands)."""
    return f"<{int(time.time() * 100)}.{os.getpid()}.{os.urandom(12).hex()}@{domain}>"


def apply_plan(
    session: Tx,
    plan: s.WriteSet,
    *,
    key: str | None = None,
    request_hash: str = "",
    version_id: int | None = None,
    commit: bool = False,
) -> None:
    """Write one plan in the session's transaction (see `apply_plans`)."""
    apply_plans(
        session, [plan], key=key, request_hash=request_hash, version_id=version_id, commit=commit
    )


# Version rows known to be committed, by the engine's pool (shared by the engine and its
# `execution_options` copies; a disposed engine gets a new one) and (name, hash). No command
# deletes a version row, so a process that met one skips its SELECT at every later write.
_KNOWN_VERSIONS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], int]] = (
    weakref.WeakKeyDictionary()
)
_INSERTED = "orderwf_versions_inserted"  # session.info: versions this transaction inserted


def workflow_version(session: Tx, workflow: Workflow, now: datetime) -> int:
    """The id of this version of the workflow (name and content hash) in `workflow_versions`,
    stored with its text the first time it runs (SPEC §9). A concurrent first run of the same
    version is not an error: the row either side inserts is the one both use. A row found
    here that this transaction did not insert is committed: it is remembered for the
    engine's later writes (one SELECT per process and version, not one per write)."""
    key = (workflow.name, workflow.content_hash)
    known = _KNOWN_VERSIONS.setdefault(session.get_bind().engine.pool, {})
    if (remembered := known.get(key)) is not None:
        return remembered
    where = (VERSIONS.c.name == workflow.name) & (VERSIONS.c.hash == workflow.content_hash)
    found = session.execute(select(VERSIONS.c.id).where(where)).scalar_one_or_none()
    if found is not None:
        if key not in session.info.get(_INSERTED, ()):  # else it could still be rolled back
            known[key] = int(found)
        return int(found)
    session.info.setdefault(_INSERTED, set()).add(key)
    values = {
        "name": workflow.name,
        "hash": workflow.content_hash,
        "text": workflow.text,
        "first_used": now,
    }
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        session.execute(postgresql.insert(VERSIONS).values(values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects import sqlite

        session.execute(sqlite.insert(VERSIONS).values(values).on_conflict_do_nothing())
    return int(session.execute(select(VERSIONS.c.id).where(where)).scalar_one())


def versions(session: Tx, name: str, prefix: str) -> list[dict[str, Any]]:
    """The stored versions of workflow `name` whose hash starts with `prefix`."""
    query = select(VERSIONS).where(
        VERSIONS.c.name == name, VERSIONS.c.hash.startswith(prefix, autoescape=True)
    )
    return [dict(r) for r in session.execute(query.order_by(VERSIONS.c.id)).mappings()]


def apply_plans(
    session: Tx,
    plans: Sequence[s.WriteSet],
    *,
    key: str | None = None,
    request_hash: str = "",
    version_id: int | None = None,
    commit: bool = False,
) -> None:
    """Write plans in the session's transaction, one executemany per table, sent together
    (`driver.pipeline`: one round trip on PostgreSQL); on PostgreSQL a table's many new rows
    (a bulk batch's: `driver.copies`) go by COPY first instead. The version check makes a
    writer that slipped past the lock fail instead of losing an update; it runs once the
    pipeline has ended, before the caller commits (rows already copied roll back with it).
    A refund's row goes first, on its own: its lines need its id.

    `commit`: end the transaction with the writes, `COMMIT` in their pipeline, where that is
    safe (`driver.can_commit_in_pipeline`) and every plan's order is one whose row lock the
    transaction holds (`snapshots.locked`): no one else can have changed it, so its version
    check cannot fail and is not made. Elsewhere the writes go as without it and the caller's
    commit ends the transaction. The caller writes nothing afterwards."""
    if not plans:
        return
    refunds = [(p.before.id, p.refund) for p in plans if p.refund is not None]
    for order_id, refund in refunds:
        _insert_refund(session, order_id, refund)
    committing = (
        commit
        and {p.before.id for p in plans} <= snapshots.locked(session)
        and driver.can_commit_in_pipeline(session)
    )
    inserts = _inserts(plans, key=key, request_hash=request_hash, version_id=version_id)
    # A bulk batch's new rows by COPY, before the pipeline (which COPY cannot run in):
    # a few µs of client CPU a row instead of ~12 (docs/performance.md).
    copied = [driver.copies(session, len(rows)) for _, _, rows in inserts]
    for (table, columns, rows), copy in zip(inserts, copied, strict=True):
        if copy:
            driver.insert(session, table, columns).copy(session, rows)
    with driver.pipeline(session):
        sent = _updates(session, plans)
        for (table, columns, rows), copy in zip(inserts, copied, strict=True):
            if not copy:
                _insert(session, table, rows, columns)
        if committing:
            driver.commit_in_pipeline(session)
    dialect = session.get_bind().dialect
    matched = sum(each.rowcount for each in sent)
    if not committing and dialect.supports_sane_multi_rowcount and matched != len(plans):
        numbers = ", ".join(f"#{p.before.number}" for p in plans[:5])
        raise StoreError(f"order {numbers} was changed by someone else meanwhile; try again")


def _updates(session: Tx, plans: Sequence[s.WriteSet]) -> list[driver.Sent]:
    """Send the updates of `apply_plans`: the orders', whose row counts are the version
    check (returned), their lines' and their products' stock."""
    # An order whose metadata the plan left as it was (the same object: no `set` effect)
    # has the rest of its row written, not its metadata again (JSON each time).
    kept, set_ = [], []
    for p in plans:
        a = p.after
        values = (a.status, a.stock_reduced, a.version, a.status_changed_at, a.date_paid,
                  a.date_completed, p.now)  # fmt: skip
        if a.meta is p.before.meta:
            kept.append((*values, p.before.id, p.before.version))
        else:
            set_.append((*values, dict(a.meta), p.before.id, p.before.version))
    matched = [  # no rows, no statement compiled (`_insert`)
        driver.update(session, ORDERS, fields, ("id", "version")).send(session, rows)
        for fields, rows in ((_ORDER_FIELDS, kept), ((*_ORDER_FIELDS, "meta"), set_))
        if rows
    ]
    # A line whose refund bookkeeping is unchanged (a stock policy moved it: every line of a
    # bulk `process`) has only its `reduced_stock` written.
    moved, changed = [], []
    for p in plans:
        for line, old in zip(p.after.lines, p.before.lines, strict=True):
            if line is old:
                continue
            if _refund_values(line) == _refund_values(old):
                if line.reduced_stock != old.reduced_stock:
                    moved.append((line.reduced_stock, line.id))
            else:
                changed.append((*_line_values(line), line.id))
    for fields, rows in ((("reduced_stock",), moved), (_LINE_FIELDS, changed)):
        if rows:
            driver.update(session, LINES, fields, ("id",)).send(session, rows)
    # Each product's move summed over the plans (a product with no stock level, `old` None,
    # has nothing to move).
    deltas: dict[int, int] = {}
    for p in plans:
        for change in p.stock:
            if change.old is not None:
                deltas[change.product_id] = deltas.get(change.product_id, 0) + change.delta
    if deltas:
        # Increments in SQL, never read-modify-write: other orders move this stock too.
        driver.update(session, PRODUCTS, ("stock_quantity",), ("id",), increment=True).send(
            session, [(d, pid) for pid, d in sorted(deltas.items()) if d]
        )
    return matched


# The columns of each table's new rows in `_inserts`, in the table's order (`driver.insert`).
_NOTE_COLUMNS = ("order_id", "note", "customer_note", "author", "created_at")
_TRACKING_COLUMNS = ("order_id", "carrier", "number", "url", "shipped_on", "created_at")
_ONCE_COLUMNS = ("order_id", "email")
_OUTBOX_COLUMNS = (
    "order_id", "email", "to_addr", "from_addr", "subject", "body_text", "body_html",
    "message_id", "status", "attempts", "next_attempt_at", "last_error", "created_at",
)  # fmt: skip
_HISTORY_COLUMNS = (
    "order_id", "at", "actor", "action", "params", "from_status", "to_status",
    "idempotency_key", "request_hash", "effects", "workflow_version_id",
)  # fmt: skip


def _inserts(
    plans: Sequence[s.WriteSet], *, key: str | None, request_hash: str, version_id: int | None
) -> list[tuple[Table, tuple[str, ...], list[tuple[Any, ...]]]]:
    """The new rows of `apply_plans` but the refunds', by table: its columns, and each row's
    values in their order (tuples: a bulk apply writes three rows an order, and a dict
    each, turned back into a tuple to send, cost ~0.6 µs an order more)."""
    return [
        (
            NOTES,
            _NOTE_COLUMNS,
            [
                (p.before.id, n.note, n.customer_note, n.author, n.created_at)
                for p in plans
                for n in p.notes
            ],
        ),
        (
            TRACKING,
            _TRACKING_COLUMNS,
            [
                (p.before.id, tr.carrier, tr.number, tr.url, tr.shipped_on, p.now)
                for p in plans
                for tr in p.tracking
            ],
        ),
        (
            ONCE,
            _ONCE_COLUMNS,
            [
                (p.before.id, e)
                for p in plans
                # The same set when none was sent (and then it may not have been loaded).
                if p.after.emails_sent is not p.before.emails_sent
                for e in sorted(p.after.emails_sent - p.before.emails_sent)
            ],
        ),
        (
            OUTBOX,
            _OUTBOX_COLUMNS,
            [row for p in plans if p.emails for row in outbox_rows(p.before.id, p)],
        ),
        (
            HISTORY,
            _HISTORY_COLUMNS,
            [
                (
                    p.before.id,
                    p.now,
                    p.actor,
                    p.action,
                    jsonable(p.params),
                    p.before.status,
                    p.after.status,
                    key,
                    request_hash,
                    p.effects,  # a new list each time: no copy
                    version_id,
                )
                for p in plans
            ],
        ),
    ]


def _insert(
    session: Tx, table: Table, rows: list[Any], columns: Sequence[str] | None = None
) -> None:
    """New rows: tuples of `columns`' values, or (`columns` None) dicts each with every
    column of the table but its `id`. No rows, no insert compiled (a run that sends no email
    compiles no outbox insert)."""
    if not rows:
        return
    if columns is None:
        driver.insert(session, table).send_dicts(session, rows)
    else:
        driver.insert(session, table, columns).send(session, rows)


def _insert_refund(session: Tx, order_id: int, r: s.Refund) -> None:
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


def outbox_rows(order_id: int, plan: s.WriteSet) -> Iterable[tuple[Any, ...]]:
    """The outbox rows of a plan's emails: values of `_OUTBOX_COLUMNS` (an email not
    rendered, `error`, is queued as failed, never dropped)."""
    for e in plan.emails:
        yield (
            order_id, e.email, e.to, e.sender, e.subject, e.text, e.html, message_id(),
            "failed" if e.error else "pending", 0, plan.now, e.error, plan.now,
        )  # fmt: skip


def jsonable(value: Any) -> Any:
    """Params as JSON: decimals and dates as strings."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def history_by_key(session: Tx, key: str) -> dict[str, Any] | None:
    row = (
        session.execute(select(HISTORY).where(HISTORY.c.idempotency_key == key)).mappings().first()
    )
    return dict(row) if row is not None else None


def history(session: Tx, order_id: int) -> list[dict[str, Any]]:
    """The order's history rows, each with the hash of the workflow version it ran under
    (`workflow_hash`, None for rows written before versions were kept)."""
    query = (
        select(
            HISTORY,
            VERSIONS.c.name.label("workflow_name"),
            VERSIONS.c.hash.label("workflow_hash"),
        )
        .select_from(HISTORY.outerjoin(VERSIONS, HISTORY.c.workflow_version_id == VERSIONS.c.id))
        .where(HISTORY.c.order_id == order_id)
        .order_by(HISTORY.c.id)
    )
    return [dict(r) for r in session.execute(query).mappings()]


def list_orders(
    session: Tx, *, status: str | None = None, search: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The orders list, newest first: number, date, status, customer, total."""
    query = select(
        ORDERS.c.id,
        ORDERS.c.number,
        ORDERS.c.date_created,
        ORDERS.c.status,
        ORDERS.c.workflow,
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
    session: Tx,
    *,
    status: str,
    after: int = 0,
    limit: int = 500,
    changed_before: datetime | None = None,
    workflow: str | None = None,
) -> list[int]:
    """Ids of orders in `status` (of `workflow`) above `after`, ascending (keyset
    pagination); the select compiled once for each set of conditions (`driver.first_column`)."""

    def build() -> Select[Any]:
        query = select(ORDERS.c.id).where(
            ORDERS.c.status == bindparam("status"), ORDERS.c.id > bindparam("after")
        )
        if workflow is not None:
            query = query.where(ORDERS.c.workflow == bindparam("workflow"))
        if changed_before is not None:
            since = func.coalesce(ORDERS.c.status_changed_at, ORDERS.c.date_created)
            query = query.where(since <= bindparam("before"))
        return query.order_by(ORDERS.c.id).limit(bindparam("limit", type_=Integer()))

    key = ("order ids", workflow is not None, changed_before is not None)
    params = {
        "status": status,
        "after": after,
        "workflow": workflow,
        "before": changed_before,
        "limit": limit,
    }
    return driver.first_column(session, key, build, params)


def count_orders(session: Tx, status: str) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(ORDERS).where(ORDERS.c.status == status)
        ).scalar_one()
    )


def workflow_of(session: Tx, order_id: int) -> str | None:
    """The workflow name an order recorded, or None when there is no such order."""
    return session.execute(
        select(ORDERS.c.workflow).where(ORDERS.c.id == order_id)
    ).scalar_one_or_none()


def workflows_of(session: Tx, ids: Sequence[int]) -> dict[int, str]:
    """order id → its workflow name, for the ids that exist."""
    found: dict[int, str] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = session.execute(
            select(ORDERS.c.id, ORDERS.c.workflow).where(ORDERS.c.id.in_(chunk))
        ).all()
        found.update((int(i), str(w)) for i, w in rows)
    return found


def move_status(session: Tx, ids: Sequence[int], workflow: str, old: str, new: str) -> list[int]:
    """Orders among `ids` of `workflow` still in `old` now in `new` (their version bumped,
    nothing else changed); returns the ids moved (`orderwf migrate`)."""

    query = (
        update(ORDERS)
        .where(ORDERS.c.id.in_(ids), ORDERS.c.workflow == workflow, ORDERS.c.status == old)
        .values(status=new, version=ORDERS.c.version + 1)
        .returning(ORDERS.c.id)
    )
    return sorted(int(i) for i in session.execute(query).scalars())


def migrate_history(
    session: Tx,
    ids: Sequence[int],
    old: str,
    new: str,
    *,
    actor: str,
    at: datetime,
    version: int,
) -> None:
    """One history row per moved order: action `migrate`, from `old` to `new`."""
    effects = [{"type": "migrate", "from": old, "to": new}]
    _insert(
        session,
        HISTORY,
        [
            {
                "order_id": order_id,
                "at": at,
                "actor": actor,
                "action": "migrate",
                "params": {},
                "from_status": old,
                "to_status": new,
                "idempotency_key": None,
                "request_hash": "",
                "effects": effects,
                "workflow_version_id": version,
            }
            for order_id in ids
        ],
    )


def status_counts(session: Tx) -> dict[tuple[str, str], int]:
    """(workflow name, status) → how many orders."""
    query = select(ORDERS.c.workflow, ORDERS.c.status, func.count()).group_by(
        ORDERS.c.workflow, ORDERS.c.status
    )
    return {(str(w), str(s)): int(n) for w, s, n in session.execute(query).all()}


def workflow_counts(session: Tx, status: str | None = None) -> dict[str, int]:
    """workflow name → how many orders (in `status`) recorded it."""
    query = select(ORDERS.c.workflow, func.count()).group_by(ORDERS.c.workflow)
    if status is not None:
        query = query.where(ORDERS.c.status == status)
    return {str(name): int(n) for name, n in session.execute(query).all()}
