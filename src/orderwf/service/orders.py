"""Use cases: apply, refund, inspect. Each opens what it needs, runs one transaction and
returns results; none prints. The engine plans, the store writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orderwf.engine import emails
from orderwf.engine import plan as planner
from orderwf.engine import snapshot as s
from orderwf.engine.stock import with_levels
from orderwf.errors import OrderwfError, Refused, StoreError
from orderwf.workflow.model import Workflow

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf.workflows import Workflows


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
    whole_order: bool = False,
) -> ApplyResult:
    """Apply one action in one transaction (the order locked, re-read and re-checked).

    The lock wait is bounded (`--lock-timeout`): an order someone else holds longer is
    refused, and so is an idempotency key another apply took at the same moment.

    Only what the action reads is loaded (`engine.reads`: the order's row, its lines, and its
    notes, refunds, tracking or `once` markers when a guard, template or email reads them), so
    the result's order may lack parts: reading one raises `snapshot.NotLoadedError`. A caller
    that prints the whole order afterwards asks for it with `whole_order`."""
    from orderwf.store import db, faults, repo

    try:
        return _apply(
            engine,
            workflow,
            order_id,
            action,
            dict(params or {}),
            actor=actor,
            now=now or datetime.now(UTC),
            dry_run=dry_run,
            key=key,
            note_prefix=note_prefix,
            whole_order=whole_order,
        )
    except faults.Busy as e:
        if e.whole_database:
            raise Refused(
                f"order #{order_id} cannot be changed now: the database is locked by another "
                f"process (waited {faults.waited(e.waited)}); try again"
            ) from None
        raise Refused(
            f"order #{order_id} is being changed by someone else "
            f"(waited {faults.waited(e.waited)}); try again"
        ) from None
    except faults.Conflict as e:
        if key is None or "idempotency_key" not in e.constraint:
            raise
        # Another apply with this key, on another order, committed while this one ran.
        with db.read_session(engine) as session:
            earlier = repo.history_by_key(session, key)
        if earlier is None:
            raise Refused(
                f"idempotency key {key!r} is in use by another apply; try again"
            ) from None
        raise _key_refused(key, earlier, action, order_id) from None
    except faults.ConnectionLost as e:
        raise faults.ConnectionLost(
            f"{e.message} during '{action}' on order #{order_id}; see `orderwf order history "
            f"{order_id}` for whether it was applied"
            + (f", or run the command again (the key {key!r} makes that safe)" if key else "")
        ) from None


def _key_refused(key: str, earlier: Mapping[str, Any], action: str, order_id: int) -> Refused:
    same = (earlier["action"], earlier["order_id"]) == (action, order_id)
    return Refused(
        f"idempotency key {key!r} was already used for "
        f"{earlier['action']!r} on order #{earlier['order_id']}"
        f"{' with other params' if same else ''}; use a new key"
    )


def _apply(
    engine: Engine,
    workflow: Workflow,
    order_id: int,
    action: str,
    params: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    dry_run: bool,
    key: str | None,
    note_prefix: str | None,
    whole_order: bool,
) -> ApplyResult:
    from orderwf.engine import reads
    from orderwf.store import db, repo, snapshots

    digest = request_hash(order_id, action, params)
    with db.write_transaction(engine) as session:
        # Lock first, then look the key up: a concurrent apply with the same key has either
        # committed (and is found here) or waits behind this one.
        parts = None if whole_order else reads.parts_for(workflow, action)
        order = snapshots.load_order(session, order_id, lock=True, parts=parts)
        if key is not None:
            earlier = repo.history_by_key(session, key)
            if earlier is not None:
                if earlier["request_hash"] != digest:
                    raise _key_refused(key, earlier, action, order_id)
                return ApplyResult(None, order, list(earlier["effects"]), replayed=True)
        plan = planner.plan(
            workflow, order, action, params, actor=actor, now=now, note_prefix=note_prefix
        )
        if dry_run:
            session.rollback()
            return ApplyResult(plan, plan.after, list(plan.effects), dry_run=True)
        version = repo.workflow_version(session, workflow, now)
        repo.apply_plan(session, plan, key=key, request_hash=digest, version_id=version)
    # `plan.after` is the order as stored, but for the ids of its new rows (`show` has them).
    return ApplyResult(plan, plan.after, list(plan.effects))


def workflow_of(engine: Engine, order_id: int) -> str:
    """The workflow name an order recorded; `NotFound` for an unknown order."""
    from orderwf.errors import NotFound
    from orderwf.store import db, repo

    with db.read_session(engine) as session:
        name = repo.workflow_of(session, order_id)
    if name is None:
        raise NotFound(f"order #{order_id} does not exist")
    return name


def missing_database(url: str) -> Path | None:
    """The SQLite file `url` names when it does not exist yet (no command has written)."""
    from orderwf.store import db

    return db.missing_file(url)


def workflow_counts(engine: Engine) -> dict[str, int]:
    """workflow name → how many orders recorded it."""
    from orderwf.store import db, repo

    with db.read_session(engine) as session:
        return repo.workflow_counts(session)


def workflow_versions(engine: Engine, name: str, prefix: str) -> list[dict[str, Any]]:
    """The stored versions of workflow `name` whose hash starts with `prefix` (SPEC §9)."""
    from orderwf.store import db, repo

    with db.read_session(engine) as session:
        return repo.versions(session, name, prefix)


def show(engine: Engine, order_id: int, *, parts: Collection[str] | None = None) -> s.Order:
    """The order; `parts`: only those of its parts (`store.snapshots.ALL_PARTS`; an empty
    set: its row alone), the others raising on any use. None: the whole order."""
    from orderwf.store import db, snapshots

    with db.read_session(engine) as session:
        order = snapshots.load_order(session, order_id, parts=parts)
        # Ended by a COMMIT (nothing was written) rather than the session's ROLLBACK: on a
        # rollback psycopg forgets the statements it prepared (`DEALLOCATE ALL`, one more
        # round trip) and prepares them again later, at every look of an operator.
        session.commit()
        return order


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
    """A bulk apply: how many orders were applied, every refused one with its reasons, and
    the busy ones (locked by someone else: skipped, unchanged). Only those are kept, so memory
    stays flat however many orders are applied."""

    applied: int = 0
    refused: list[tuple[int, list[str]]] = field(default_factory=list)
    batches: int = 0
    busy: list[int] = field(default_factory=list)


class RunStopped(StoreError):
    """A bulk run that could not go on (the connection lost, SQLite's write lock held by
    someone else too long): its batches so far are committed, the rest unchanged. `report`
    is what was done (a `BulkReport`, or `tick`'s `TickReport`)."""

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else ('es' if what.endswith('ch') else 's')}"


def stopped_sentence(reason: str, report: BulkReport) -> str:
    """SPEC §4: what was done, that the rest is unchanged, and that a re-run finishes."""
    return (
        f"{reason}: {_count(report.applied, 'order')} applied in "
        f"{_count(report.batches, 'batch')}; the others are unchanged; "
        "run the command again to finish"
    )


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
    batch_size: int | None = None,  # default: BATCH_SIZE
    progress: Callable[[int], None] | None = None,
    condition: Callable[[s.Order], bool] | None = None,
    changed_before: datetime | None = None,
    report: BulkReport | None = None,
    workflow_name: str | None = None,
) -> BulkReport:
    """Apply `action` to every order in `status` (or with one of `ids`), in batches: each order
    is checked and planned on its own, each batch is one transaction. A refused order is
    reported and the rest go on. On PostgreSQL an order someone else has locked is skipped
    (`SKIP LOCKED`) and reported as busy. A lost connection (or, on SQLite, the database's
    write lock held too long) stops the run with `RunStopped`, saying what was done.
    `report` (default: a new one) counts each batch once it is committed, so a caller that
    holds it knows what was done when Ctrl-C stops the run."""
    from orderwf.store import faults

    planner.find_action(workflow, action)  # an unknown action refuses the whole run
    if status is not None and workflow_name is None:
        status = workflow.require_status(status).id
    now = now or datetime.now(UTC)
    params = dict(params or {})
    report = BulkReport() if report is None else report
    size = batch_size or BATCH_SIZE
    batches = order_batches(
        engine, status=status, ids=ids, size=size, before=changed_before, workflow=workflow_name
    )
    try:
        for batch in batches:
            planned: list[int] = []
            try:
                _apply_batch(
                    engine, workflow, action, params, batch, report, planned,
                    actor=actor, status=status, now=now, note_prefix=note_prefix,
                    condition=condition,
                )  # fmt: skip
            except faults.Busy as e:
                if e.whole_database:  # SQLite: every batch would wait as long
                    raise RunStopped(
                        stopped_sentence(
                            f"the database is locked by another process "
                            f"(waited {faults.waited(e.waited)})",
                            report,
                        ),
                        report,
                    ) from None
                # A row the batch writes (a product's stock) was held too long: the batch
                # rolled back; its orders are busy, the next batch goes on.
                report.busy.extend(planned)
            else:
                report.applied += len(planned)
            report.batches += 1
            if progress is not None:
                progress(len(batch))
    except faults.ConnectionLost as e:
        raise RunStopped(stopped_sentence(e.message, report), report) from None
    return report


def _apply_batch(
    engine: Engine,
    workflow: Workflow,
    action: str,
    params: dict[str, Any],
    batch: list[int],
    report: BulkReport,
    planned: list[int],
    *,
    actor: str,
    status: str | None,
    now: datetime,
    note_prefix: str | None,
    condition: Callable[[s.Order], bool] | None,
) -> None:
    """One batch in one transaction. Refused and busy orders go to `report`; the ids of the
    orders planned go to `planned` (applied once the transaction commits)."""
    from orderwf.store import db, repo, snapshots

    with db.write_transaction(engine) as session:
        orders = snapshots.load_orders(session, batch, lock=True, skip_locked=True)
        missing = [i for i in batch if i not in orders]
        # Those someone else holds, as last committed (read without waiting for the lock),
        # to tell them from orders that do not exist and from those not due anyway.
        held = snapshots.load_orders(session, missing) if missing else {}
        plans = []
        # The batch's orders were read at once: carry each plan's stock moves to the
        # next orders, so their notes and `stock.negative: refuse` see the real levels.
        levels: dict[int, int | None] = {}
        for order_id in batch:
            order = orders.get(order_id) or held.get(order_id)
            if order is None:
                report.refused.append((order_id, [f"order #{order_id} does not exist"]))
                continue
            if status is not None and order.status != status:
                continue  # moved on since it was listed: no longer this run's business
            if condition is not None and not condition(order):
                continue
            if order_id in held:  # locked by someone else: skipped, not waited for
                report.busy.append(order_id)
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
            planned.append(order_id)
            levels.update((c.product_id, c.new) for c in plan.stock)
        if plans:
            version = repo.workflow_version(session, workflow, now)
            repo.apply_plans(session, plans, version_id=version)


def order_batches(
    engine: Engine,
    *,
    status: str | None,
    ids: Sequence[int] | None,
    size: int,
    before: datetime | None = None,
    workflow: str | None = None,
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
                session,
                status=status,
                after=after,
                limit=size,
                changed_before=before,
                workflow=workflow,
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


def bulk_apply_all(
    engine: Engine,
    workflows: Workflows,
    action: str,
    params: Mapping[str, Any] | None = None,
    *,
    actor: str,
    status: str | None = None,
    ids: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
    report: BulkReport | None = None,
) -> BulkReport:
    """`bulk_apply` over orders of several workflows: each order is handled by the workflow
    it recorded (SPEC §8), one workflow after the other, all counted in one `report` (the
    caller's, if given: it holds what was committed when the run is interrupted). Orders
    whose workflow lacks the action are refused; an action no involved workflow has refuses
    the whole run."""
    from orderwf.store import db, repo

    with db.read_session(engine) as session:
        if ids is not None:
            owner = repo.workflows_of(session, ids)
            names = sorted(set(owner.values()))
        else:
            assert status is not None
            names = sorted(repo.workflow_counts(session, status))
    chosen = [(name, workflows.by_name(name, f"orders of workflow {name!r}")) for name in names]
    with_action = [(name, wf) for name, wf in chosen if action in wf.actions]
    if chosen and not with_action:
        planner.find_action(chosen[0][1], action)
    report = BulkReport() if report is None else report
    if ids is not None:
        report.refused += [
            (i, [f"order #{i} does not exist"]) for i in dict.fromkeys(ids) if i not in owner
        ]
    for name, wf in chosen:
        if action not in wf.actions:
            refused = _refuse_all(engine, wf, action, name, status=status, ids=ids, owner=owner)
            _merge(report, refused)
            continue
        # The run's own report: a `RunStopped` then says what every workflow did.
        bulk_apply(
            engine,
            wf,
            action,
            params,
            actor=actor,
            status=status,
            ids=None if ids is None else [i for i in ids if owner.get(i) == name],
            progress=progress,
            workflow_name=name,
            report=report,
        )
    report.refused.sort()
    return report


def _merge(total: BulkReport, part: BulkReport) -> None:
    total.applied += part.applied
    total.refused += part.refused
    total.busy += part.busy
    total.batches += part.batches


def _refuse_all(
    engine: Engine,
    wf: Workflow,
    action: str,
    name: str,
    *,
    status: str | None,
    ids: Sequence[int] | None,
    owner: Mapping[int, str],
) -> BulkReport:
    reason = f"workflow {name!r} has no action {action!r}"
    report = BulkReport()
    if ids is not None:
        selected = [i for i in dict.fromkeys(ids) if owner.get(i) == name]
    else:
        selected = [
            i
            for batch in order_batches(
                engine, status=status, ids=None, size=BATCH_SIZE, workflow=name
            )
            for i in batch
        ]
    report.refused = [(i, [reason]) for i in selected]
    return report


def tick_all(
    engine: Engine,
    workflows: Workflows,
    *,
    now: datetime | None = None,
    report: TickReport | None = None,
) -> TickReport:
    """`tick` for the orders of every workflow name the database holds, each run by its own
    workflow's timers; the reports of timers with the same id are added up. `report` (default:
    a new one) counts each batch once it is committed, so a caller that holds it knows what
    was done when Ctrl-C stops the run."""
    from orderwf.store import db, repo

    with db.read_session(engine) as session:
        names = set(repo.workflow_counts(session))
    names |= {wf.name for wf in workflows.all()}
    # Every workflow first: an order of a workflow no file declares refuses the run before
    # any timer runs.
    chosen = [(n, workflows.by_name(n, f"orders of workflow {n!r}")) for n in sorted(names)]
    report = TickReport() if report is None else report
    for name, wf in chosen:
        tick(engine, wf, now=now, workflow_name=name, report=report)
    return report


def tick(
    engine: Engine,
    workflow: Workflow,
    *,
    now: datetime | None = None,
    workflow_name: str | None = None,
    report: TickReport | None = None,
) -> TickReport:
    """Apply every due timer (SPEC §2.5) as the actor `timer`. Due: the order has been in the
    timer's status for `after` (since its last status change). A second run finds nothing.
    `report`: as `bulk_apply`'s, one `BulkReport` per timer id, added to."""
    from orderwf.engine import timers

    now = now or datetime.now(UTC)
    report = TickReport() if report is None else report
    for timer in workflow.timers.values():

        def due(order: s.Order, timer: Any = timer) -> bool:
            return timers.due(workflow, timer, order, now)

        note = timers.note(workflow, timer, now)
        try:
            bulk_apply(
                engine,
                workflow,
                timer.action,
                {},
                actor=timers.ACTOR,
                status=timer.status,
                now=now,
                note_prefix=note,
                condition=due,
                workflow_name=workflow_name,
                report=report.timers.setdefault(timer.id, BulkReport()),
            )
        except RunStopped as e:  # the timers before are done; this one's batches so far too
            raise RunStopped(f"timer {timer.id}: {e.message}", report) from None
    return report
