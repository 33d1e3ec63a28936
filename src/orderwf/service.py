"""Use cases: apply, refund, inspect. Each opens what it needs, runs one transaction and
returns results; none prints. The engine plans, the store writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from orderwf.engine import emails
from orderwf.engine import plan as planner
from orderwf.engine import snapshot as s
from orderwf.engine.stock import with_levels
from orderwf.errors import OrderwfError, Refused
from orderwf.workflow.model import Workflow

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass(frozen=True)
class ApplyResult:
    plan: planner.Plan | None  # None when an idempotency key replayed an earlier apply
    order: s.Order  # after the apply; new notes, refunds and tracking have no ids yet
    effects: list[dict[str, Any]]
    dry_run: bool = False
    replayed: bool = False


def request_hash(order_id: int, action: str, params: Mapping[str, Any]) -> str:
    blob = json.dumps([order_id, action, params], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def apply(
    engine: Engine,
    workflow: Workflow,
    order_id: int,
    action: str,
    params: Mapping[str, Any] | None = None,
    *,
    actor: str,
    now: datetime | None = None,
    dry_run: bool = False,
    key: str | None = None,
    note_prefix: str | None = None,
) -> ApplyResult:
    """Apply one action in one transaction (the order locked, re-read and re-checked)."""
    from orderwf.store import db, repo, snapshots

    now = now or datetime.now(UTC)
    params = dict(params or {})
    digest = request_hash(order_id, action, params)
    with db.write_transaction(engine) as session:
        # Lock first, then look the key up: a concurrent apply with the same key has either
        # committed (and is found here) or waits behind this one.
        order = snapshots.load_order(session, order_id, lock=True)
        if key is not None:
            earlier = repo.history_by_key(session, key)
            if earlier is not None:
                if earlier["request_hash"] != digest:
                    same = (earlier["action"], earlier["order_id"]) == (action, order_id)
                    raise Refused(
                        f"idempotency key {key!r} was already used for "
                        f"{earlier['action']!r} on order #{earlier['order_id']}"
                        f"{' with other params' if same else ''}; use a new key"
                    )
                return ApplyResult(None, order, list(earlier["effects"]), replayed=True)
        plan = planner.plan(
            workflow, order, action, params, actor=actor, now=now, note_prefix=note_prefix
        )
        if dry_run:
            session.rollback()
            return ApplyResult(plan, plan.after, list(plan.effects), dry_run=True)
        repo.apply_plan(session, plan, key=key, request_hash=digest)
    # `plan.after` is the order as stored, but for the ids of its new rows (`show` has them).
    return ApplyResult(plan, plan.after, list(plan.effects))


def show(engine: Engine, order_id: int) -> s.Order:
    from orderwf.store import db, snapshots

    with db.read_session(engine) as session:
        return snapshots.load_order(session, order_id)


def available_actions(
    engine: Engine, workflow: Workflow, order_id: int, *, actor: str
) -> list[dict[str, Any]]:
    """Every action of the workflow for this order: allowed or not, and why not."""
    from orderwf.engine.params import declared

    order = show(engine, order_id)
    now = datetime.now(UTC)
    rows = []
    for action in workflow.actions.values():
        reasons = planner.availability(workflow, order, action, actor, now)
        rows.append(
            {
                "action": action.id,
                "label": action.label,
                "allowed": not reasons,
                "reasons": reasons,
                "to": [t.status for t in action.targets] or None,
                "params": {
                    p.name: {
                        "type": p.type,
                        "required": p.required,
                        **({"default": p.default} if p.default is not None else {}),
                        **({"enum": list(p.enum)} if p.enum else {}),
                        **({"description": p.description} if p.description else {}),
                    }
                    for p in declared(action)
                },
            }
        )
    return rows


def preview_email(
    engine: Engine, workflow: Workflow, email_id: str, order_id: int, *, actor: str
) -> emails.QueuedEmail:
    """Render an email for an order without queueing it."""
    return emails.preview(
        workflow, show(engine, order_id), email_id, actor=actor, now=datetime.now(UTC)
    )


@dataclass
class BulkReport:
    """A bulk apply: how many orders were applied, and every refused one with its reasons.
    Only refusals are kept, so memory stays flat however many orders are applied."""

    applied: int = 0
    refused: list[tuple[int, list[str]]] = field(default_factory=list)
    batches: int = 0


BATCH_SIZE = 500


def bulk_apply(
    engine: Engine,
    workflow: Workflow,
    action: str,
    params: Mapping[str, Any] | None = None,
    *,
    actor: str,
    status: str | None = None,
    ids: Sequence[int] | None = None,
    now: datetime | None = None,
    note_prefix: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    condition: Callable[[s.Order], bool] | None = None,
    changed_before: datetime | None = None,
) -> BulkReport:
    """Apply `action` to every order in `status` (or with one of `ids`), in batches: each order
    is checked and planned on its own, each batch is one transaction. A refused order is
    reported and the rest go on."""
    from orderwf.store import db, repo, snapshots

    planner.find_action(workflow, action)  # an unknown action refuses the whole run
    if status is not None:
        workflow.require_status(status)
    now = now or datetime.now(UTC)
    params = dict(params or {})
    report = BulkReport()
    batches = _batches(engine, status=status, ids=ids, size=batch_size, before=changed_before)
    for batch in batches:
        with db.write_transaction(engine) as session:
            orders = snapshots.load_orders(session, batch, lock=True)
            plans = []
            # The batch's orders were read at once: carry each plan's stock moves to the
            # next orders, so their notes and `stock.negative: refuse` see the real levels.
            levels: dict[int, int | None] = {}
            for order_id in batch:
                order = orders.get(order_id)
                if order is None:
                    report.refused.append((order_id, [f"order #{order_id} does not exist"]))
                    continue
                if status is not None and order.status != status:
                    continue  # moved on since it was listed: no longer this run's business
                if condition is not None and not condition(order):
                    continue
                try:
                    plan = planner.plan(
                        workflow,
                        with_levels(order, {}, levels),
                        action,
                        params,
                        actor=actor,
                        now=now,
                        note_prefix=note_prefix,
                    )
                except OrderwfError as e:
                    report.refused.append((order_id, e.reasons))
                    continue
                plans.append(plan)
                levels.update((c.product_id, c.new) for c in plan.stock)
            repo.apply_plans(session, plans)
            report.applied += len(plans)
        report.batches += 1
        if progress is not None:
            progress(len(batch))
    return report


def _batches(
    engine: Engine,
    *,
    status: str | None,
    ids: Sequence[int] | None,
    size: int,
    before: datetime | None = None,
) -> Iterator[list[int]]:
    """Order ids in batches: keyset pagination over a status, or the given ids in order."""
    from orderwf.store import db, repo

    if ids is not None:
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), size):
            yield unique[start : start + size]
        return
    assert status is not None
    after = 0
    while True:
        with db.read_session(engine) as session:
            batch = repo.order_ids(
                session, status=status, after=after, limit=size, changed_before=before
            )
        if not batch:
            return
        yield batch
        after = batch[-1]


def count_orders(engine: Engine, status: str) -> int:
    from orderwf.store import db, repo

    with db.read_session(engine) as session:
        return repo.count_orders(session, status)


@dataclass
class TickReport:
    timers: dict[str, BulkReport] = field(default_factory=dict)


def tick(engine: Engine, workflow: Workflow, *, now: datetime | None = None) -> TickReport:
    """Apply every due timer (SPEC §2.5) as the actor `timer`. Due: the order has been in the
    timer's status for `after` (since its last status change). A second run finds nothing."""
    from orderwf.engine import context

    now = now or datetime.now(UTC)
    report = TickReport()
    for timer in workflow.timers.values():
        cutoff = now - timer.after
        cond = timer.cond

        def due(order: s.Order, cutoff: datetime = cutoff, cond: Any = cond) -> bool:
            since = order.status_changed_at or order.created_at
            if since > cutoff:
                return False
            if cond is None:
                return True
            return bool(
                cond.evaluate(context.base_context(workflow, order, actor="timer", now=now))
            )

        note = None
        if timer.note is not None:
            note = timer.note.render({"shop": context.shop_context(workflow), "now": now})
        report.timers[timer.id] = bulk_apply(
            engine,
            workflow,
            timer.action,
            {},
            actor="timer",
            status=timer.status,
            now=now,
            note_prefix=note,
            condition=due,
        )
    return report
