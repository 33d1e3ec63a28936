"""Bulk use cases: one action applied to many orders (`apply --status/--ids`) and the due
timers (`tick`), in batches of one transaction each. The order-less checks (the action, the
status) run once, in `request`, before any database is opened; each batch's orders are then
planned by the engine and written by the store together. Results, never prints."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from orderwf import orders as s
from orderwf.collector import collector_paused
from orderwf.engine import params as p
from orderwf.engine import plan as planner
from orderwf.engine import reads, timers
from orderwf.engine.stock import BatchStock
from orderwf.errors import OrderwfError, Refused, StoreError
from orderwf.store import faults, repo, snapshots
from orderwf.store.db import look, read_transaction, transaction
from orderwf.workflow import model as m
from orderwf.workflow.model import Workflow

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf.workflows import Workflows


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


@dataclass(frozen=True)
class Request:
    """A bulk apply, checked without the database (`request`): the action, its params, and
    which orders: those in `status` (an id) or with one of `ids` (each once, in order)."""

    action: str
    params: Mapping[str, Any]
    status: str | None = None
    ids: tuple[int, ...] | None = None


def request(
    workflows: Workflows,
    action: str,
    params: Mapping[str, Any] | None = None,
    *,
    status: str | None = None,
    ids: Sequence[int] | None = None,
) -> Request:
    """The order-less checks of a bulk apply, run once before any database is opened: an
    action that no workflow in use has refuses the whole run (`NotFound`), as does a param
    that it takes in none of them (`Refused`); `status` (an id or a label) must name a status
    of some workflow in use (`UsageError`)."""
    known = workflows.all()
    if not any(action in wf.actions for wf in known):
        planner.find_action(known[0], action)
    _refuse_unknown_params([wf.actions[action] for wf in known if action in wf.actions], params)
    if status is not None:
        status = workflows.require_status(status)
    return Request(
        action,
        dict(params or {}),
        status=status,
        ids=None if ids is None else tuple(dict.fromkeys(ids)),
    )


def _refuse_unknown_params(actions: Sequence[m.Action], raw: Mapping[str, Any] | None) -> None:
    """Refuse a run whose params name one that each of `actions` (the action, in each
    workflow that has it) does not take: every order would be refused for it."""
    found = [p.unknown(action, raw or {}) for action in actions]
    if found and all(found):
        reasons = found[0]
        message = reasons[0] if len(reasons) == 1 else f"{len(reasons)} unknown params"
        raise Refused(f"{message}; no order was changed", reasons=reasons)


def apply(
    db: Engine,
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
) -> BulkReport:
    """Apply `action` to every order of `workflow` in `status` (or with one of `ids`), in
    batches: each order is checked and planned on its own, each batch is one transaction. A
    refused order is reported and the rest go on. On PostgreSQL an order someone else has
    locked is skipped (`SKIP LOCKED`) and reported as busy. A lost connection (or, on SQLite,
    the database's write lock held too long) stops the run with `RunStopped`, saying what was
    done. `report` (default: a new one) counts each batch once it is committed, so a caller
    that holds it knows what was done when Ctrl-C stops the run.

    The action and the status are checked first (an unknown action refuses the whole run;
    `status` may be a label), before the database is read."""
    _refuse_unknown_params([planner.find_action(workflow, action)], params)
    if status is not None:
        status = workflow.require_status(status).id
    return _run(
        db, workflow, action, dict(params or {}),
        actor=actor, status=status, ids=ids, now=now or datetime.now(UTC),
        note_prefix=note_prefix, size=batch_size or BATCH_SIZE, progress=progress,
        condition=condition, changed_before=changed_before,
        report=BulkReport() if report is None else report,
        # What planning the action reads (`engine.reads`); a `condition` may read anything.
        parts=reads.parts_for(workflow, action) if condition is None else reads.PARTS,
    )  # fmt: skip


def _run(
    db: Engine,
    workflow: Workflow,
    action: str,
    params: dict[str, Any],
    *,
    actor: str,
    status: str | None,
    ids: Sequence[int] | None,
    now: datetime,
    note_prefix: str | None,
    size: int,
    progress: Callable[[int], None] | None,
    condition: Callable[[s.Order], bool] | None,
    changed_before: datetime | None,
    report: BulkReport,
    parts: frozenset[str],
    workflow_name: str | None = None,
) -> BulkReport:
    """`apply` once its input is checked: the batches (of `workflow_name`'s orders only, when
    the database holds several workflows' orders), reading `parts` of each order (what
    planning the action and `condition` read: `engine.reads`)."""
    batches = order_batches(
        db, status=status, ids=ids, size=size, before=changed_before, workflow=workflow_name
    )
    try:
        for batch in batches:
            planned: list[int] = []
            try:
                with collector_paused():
                    _apply_batch(
                        db, workflow, action, params, batch, report, planned,
                        actor=actor, status=status, now=now, note_prefix=note_prefix,
                        condition=condition, parts=parts,
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
    db: Engine,
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
    parts: frozenset[str],
) -> None:
    """One batch in one transaction, reading `parts` of each order, with the
    cycle collector paused (`collector`). Refused and busy orders go to `report`; the ids of the
    orders planned go to `planned` (applied once the transaction commits)."""
    with transaction(db) as session:
        orders = snapshots.load_orders(session, batch, lock=True, skip_locked=True, parts=parts)
        missing = [i for i in batch if i not in orders]
        # Those someone else holds, as last committed (read without waiting for the lock),
        # to tell them from orders that do not exist and from those not due anyway.
        held = snapshots.load_orders(session, missing, parts=parts) if missing else {}
        plans = []
        stock = BatchStock()  # the batch's orders were read at once
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
                    order,
                    action,
                    params,
                    actor=actor,
                    now=now,
                    note_prefix=note_prefix,
                    levels=stock.levels,  # what the batch's earlier plans moved
                )
            except OrderwfError as e:
                report.refused.append((order_id, e.reasons))
                continue
            plans.append(plan)
            planned.append(order_id)
            stock.moved(plan.stock)
        if plans:
            version = repo.workflow_version(session, workflow, now)
            repo.apply_plans(session, plans, version_id=version)


def order_batches(
    db: Engine,
    *,
    status: str | None,
    ids: Sequence[int] | None,
    size: int,
    before: datetime | None = None,
    workflow: str | None = None,
) -> Iterator[list[int]]:
    """Order ids in batches: keyset pagination over a status, or the given ids in order."""
    if ids is not None:
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), size):
            yield unique[start : start + size]
        return
    assert status is not None
    after = 0
    while True:
        # A look (`db.look`): on PostgreSQL one statement in autocommit on the connection the
        # batches write on, where a read transaction checked out and pinged another.
        batch = look(
            db,
            partial(
                repo.order_ids,
                status=status,
                after=after,
                limit=size,
                changed_before=before,
                workflow=workflow,
            ),
        )
        if not batch:
            return
        yield batch
        after = batch[-1]


def count_orders(db: Engine, status: str) -> int:
    with read_transaction(db) as session:
        return repo.count_orders(session, status)


@dataclass
class TickReport:
    timers: dict[str, BulkReport] = field(default_factory=dict)


def apply_all(
    db: Engine,
    workflows: Workflows,
    checked: Request,
    *,
    actor: str,
    progress: Callable[[int], None] | None = None,
    report: BulkReport | None = None,
) -> BulkReport:
    """A checked bulk apply (`request`) over orders of several workflows: each order is
    handled by the workflow it recorded (SPEC §8), one workflow after the other, all counted
    in one `report` (the caller's, if given: it holds what was committed when the run is
    interrupted). Orders whose workflow lacks the action are refused; an action no involved
    workflow has refuses the whole run."""
    action, status, ids = checked.action, checked.status, checked.ids
    with read_transaction(db) as session:
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
        report.refused += [(i, [f"order #{i} does not exist"]) for i in ids if i not in owner]
    now = datetime.now(UTC)
    for name, wf in chosen:
        if action not in wf.actions:
            refused = _refuse_all(db, wf, action, name, status=status, ids=ids, owner=owner)
            _merge(report, refused)
            continue
        # The run's own report: a `RunStopped` then says what every workflow did.
        _run(
            db, wf, action, dict(checked.params),
            actor=actor, status=status,
            ids=None if ids is None else [i for i in ids if owner.get(i) == name],
            now=now, note_prefix=None, size=BATCH_SIZE, progress=progress, condition=None,
            changed_before=None, report=report, parts=reads.parts_for(wf, action),
            workflow_name=name,
        )  # fmt: skip
    report.refused.sort()
    return report


def _merge(total: BulkReport, part: BulkReport) -> None:
    total.applied += part.applied
    total.refused += part.refused
    total.busy += part.busy
    total.batches += part.batches


def _refuse_all(
    db: Engine,
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
            for batch in order_batches(db, status=status, ids=None, size=BATCH_SIZE, workflow=name)
            for i in batch
        ]
    report.refused = [(i, [reason]) for i in selected]
    return report


def tick_all(
    db: Engine,
    workflows: Workflows,
    *,
    now: datetime | None = None,
    report: TickReport | None = None,
) -> TickReport:
    """`tick` for the orders of every workflow name the database holds, each run by its own
    workflow's timers; the reports of timers with the same id are added up. `report` (default:
    a new one) counts each batch once it is committed, so a caller that holds it knows what
    was done when Ctrl-C stops the run."""
    with read_transaction(db) as session:
        names = set(repo.workflow_counts(session))
    names |= {wf.name for wf in workflows.all()}
    # Every workflow first: an order of a workflow no file declares refuses the run before
    # any timer runs.
    chosen = [(n, workflows.by_name(n, f"orders of workflow {n!r}")) for n in sorted(names)]
    report = TickReport() if report is None else report
    for name, wf in chosen:
        _tick(db, wf, now=now or datetime.now(UTC), workflow_name=name, report=report)
    return report


def tick(
    db: Engine,
    workflow: Workflow,
    *,
    now: datetime | None = None,
    report: TickReport | None = None,
) -> TickReport:
    """Apply every due timer (SPEC §2.5) as the actor `timer`. Due: the order has been in the
    timer's status for `after` (since its last status change). A second run finds nothing.
    `report`: as `apply`'s, one `BulkReport` per timer id, added to."""
    report = TickReport() if report is None else report
    return _tick(db, workflow, now=now or datetime.now(UTC), workflow_name=None, report=report)


def _tick(
    db: Engine,
    workflow: Workflow,
    *,
    now: datetime,
    workflow_name: str | None,
    report: TickReport,
) -> TickReport:
    # A valid workflow's timers name its actions and statuses: nothing to check per run.

    for timer in workflow.timers.values():

        def due(order: s.Order, timer: Any = timer) -> bool:
            return timers.due(workflow, timer, order, now)

        try:
            _run(
                db, workflow, timer.action, {},
                actor=timers.ACTOR, status=timer.status, ids=None, now=now,
                note_prefix=timers.note(workflow, timer, now), size=BATCH_SIZE, progress=None,
                condition=due, changed_before=None,
                report=report.timers.setdefault(timer.id, BulkReport()),
                parts=reads.parts_for_timer(workflow, timer),
                workflow_name=workflow_name,
            )  # fmt: skip
        except RunStopped as e:  # the timers before are done; this one's batches so far too
            raise RunStopped(f"timer {timer.id}: {e.message}", report) from None
    return report
