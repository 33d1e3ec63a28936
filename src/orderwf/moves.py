"""`orderwf migrate` (SPEC §9): orders moved out of status ids a workflow renamed
(`renamed_from`) or removed (`--move OLD=NEW`), in batches, with one history row per order
(action `migrate`) and no other effect: no note, no email, no stock move, the time of the
last status change kept (a rename is not a status change, so timers keep counting). A second
run finds nothing to move."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from orderwf.errors import UsageError
from orderwf.store import repo
from orderwf.store.db import read_transaction, transaction

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf.workflow.model import Workflow

BATCH_SIZE = 1000


@dataclass
class Move:
    """Orders of `workflow` from status `old` to `new`, and how many were (or would be)
    moved."""

    workflow: str
    old: str
    new: str
    orders: int = 0


@dataclass
class Report:
    moves: list[Move] = field(default_factory=list)
    dry_run: bool = False
    batches: int = 0

    @property
    def orders(self) -> int:
        return sum(m.orders for m in self.moves)


def parse_move(text: str) -> tuple[str, str]:
    """`--move OLD=NEW`."""
    old, sep, new = text.partition("=")
    old, new = old.strip(), new.strip()
    if not sep or not old or not new or old == new:
        raise UsageError(f"--move {text!r} is not OLD=NEW (two different status ids)")
    return old, new


def planned(workflows: Sequence[Workflow], extra: Mapping[str, str]) -> list[tuple[Workflow, Move]]:
    """Every move of every workflow: its statuses' `renamed_from`, then `extra` (the
    `--move` pairs). A pair applies to each workflow that declares NEW and not OLD; one that
    fits none of them is refused, with the reason of a workflow that declares NEW if any."""
    plans = {
        wf.name: {old: st.id for st in wf.statuses.values() for old in st.renamed_from}
        for wf in workflows
    }
    for old, new in extra.items():
        problems = []
        for wf in workflows:
            problem = _problem(wf, old, new, plans[wf.name])
            if problem is None:
                plans[wf.name][old] = new
            else:  # the reason of a workflow that has NEW says more: it comes first
                problems.append((new not in wf.statuses, problem))
        if len(problems) == len(workflows) and problems:
            raise UsageError(min(problems)[1])
    return [
        (wf, Move(wf.name, old, new))
        for wf in workflows
        for old, new in sorted(plans[wf.name].items())
    ]


def _problem(wf: Workflow, old: str, new: str, renames: Mapping[str, str]) -> str | None:
    if new not in wf.statuses:
        return (
            f"--move {old}={new}: workflow {wf.name!r} has no status {new!r} (its statuses: "
            f"{', '.join(wf.statuses)})"
        )
    if old in wf.statuses:
        return (
            f"--move {old}={new}: {old!r} is still a status of workflow {wf.name!r}; migrate "
            "moves orders out of statuses that are gone"
        )
    if renames.get(old, new) != new:
        return (
            f"--move {old}={new}: workflow {wf.name!r} already renames {old!r} to {renames[old]!r}"
        )
    return None


def migrate(
    db: Engine,
    workflows: Sequence[Workflow],
    extra: Mapping[str, str] | None = None,
    *,
    actor: str,
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> Report:
    """Move the orders (see the module's docstring); `dry_run` only counts them."""
    now = now or datetime.now(UTC)
    todo = planned(workflows, extra or {})
    report = Report(dry_run=dry_run)
    if dry_run:
        with read_transaction(db) as session:
            counts = repo.status_counts(session)
        for _, move in todo:
            move.orders = counts.get((move.workflow, move.old), 0)
            report.moves.append(move)
        return report
    for wf, move in todo:
        after = 0
        while True:
            with transaction(db) as session:
                ids = repo.order_ids(
                    session, status=move.old, workflow=move.workflow, after=after, limit=batch_size
                )
                if not ids:
                    break
                moved = repo.move_status(session, ids, move.workflow, move.old, move.new)
                if moved:
                    version = repo.workflow_version(session, wf, now)
                    repo.migrate_history(
                        session, moved, move.old, move.new, actor=actor, at=now, version=version
                    )
            move.orders += len(moved)
            report.batches += 1
            after = ids[-1]
        report.moves.append(move)
    return report
