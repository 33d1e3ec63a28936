"""`orderwf validate --live` (SPEC §9): the workflows checked against the orders in the
database, as findings placed in the workflow files.

- OWF901 (error): orders in a status their workflow no longer declares, with how many.
- OWF902 (warning): orders in an old id a status `renamed_from`: `orderwf migrate` moves them.
- OWF903 (error): orders whose recorded workflow name no file declares.
- OWF904 (warning): orders a timer finds due whose action would now be refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from orderwf.engine import context
from orderwf.engine import plan as planner
from orderwf.service import bulk
from orderwf.store import repo, snapshots
from orderwf.store.db import read_transaction
from orderwf.workflow.findings import Finding, display_path

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf.workflow.model import Timer, Workflow

_SAMPLE = 3  # order numbers named in a finding


def _line(path: Path | None, pattern: str, after: str | None = None) -> int:
    """The line of the first match of `pattern` (after the first of `after`), else 1."""
    if path is None:
        return 1
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    start = 0
    if after is not None:
        section = re.search(after, text, re.M)
        if section is None:
            return 1
        start = section.end()
    match = re.compile(pattern, re.M).search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def check(
    db: Engine,
    workflows: Sequence[Workflow],
    *,
    anchor: Path,
    folder: str,
    now: datetime | None = None,
    unchecked: Sequence[str] = (),
) -> list[Finding]:
    """Every live finding. `anchor` is where findings about no file in particular go (the
    project file, else the first workflow file); `folder` names where workflows are looked
    for, in messages; `unchecked` the files left out because they do not validate (one of
    them may declare a name that seems to have no file)."""
    now = now or datetime.now(UTC)
    by_name = {wf.name: wf for wf in workflows}
    with read_transaction(db) as session:
        counts = repo.status_counts(session)
    found: list[Finding] = []
    missing: dict[str, int] = {}
    for (name, status), n in sorted(counts.items()):
        wf = by_name.get(name)
        if wf is None:
            missing[name] = missing.get(name, 0) + n
            continue
        if status not in wf.statuses:
            found.append(_vanished(wf, status, n))
    for name, n in sorted(missing.items()):
        found.append(
            Finding(
                display_path(anchor),
                1,
                1,
                "error",
                "OWF903",
                f"{_plural(n, 'order')} recorded workflow {name!r}, which no file in {folder} "
                + ("that validates declares" if unchecked else "declares"),
                f"fix the errors of {', '.join(unchecked)} first, or restore the workflow file"
                if unchecked
                else "restore the workflow file, or give it back that `name`",
                "$",
            )
        )
    for wf in workflows:
        for timer in wf.timers.values():
            finding = _refused_timer(db, wf, timer, now)
            if finding is not None:
                found.append(finding)
    return found


def _vanished(wf: Workflow, status: str, n: int) -> Finding:
    file = display_path(wf.path) if wf.path is not None else wf.name
    line = _line(wf.path, r"^statuses:")
    new = next((s.id for s in wf.statuses.values() if status in s.renamed_from), None)
    if new is not None:
        return Finding(
            file,
            line,
            1,
            "warning",
            "OWF902",
            f"{_plural(n, 'order')} of workflow {wf.name!r} still in {status!r}, which "
            f"{new!r} was renamed from; actions on them are refused until they are moved",
            "run `orderwf migrate` after deploying this version",
            "$.statuses",
        )
    return Finding(
        file,
        line,
        1,
        "error",
        "OWF901",
        f"{_plural(n, 'order')} of workflow {wf.name!r} in status {status!r}, which the "
        "workflow no longer declares",
        f"add `renamed_from: [{status}]` to the status that replaces it, or run "
        f"`orderwf migrate --move {status}=NEW --workflow {wf.name}`",
        "$.statuses",
    )


def _refused_timer(db: Engine, wf: Workflow, timer: Timer, now: datetime) -> Finding | None:
    """Orders the timer finds due now that its action would refuse (a guard, a `from`)."""
    action = wf.actions.get(timer.action)
    refused: list[tuple[str, str]] = []
    batches = bulk.order_batches(
        db,
        status=timer.status,
        ids=None,
        size=bulk.BATCH_SIZE,
        before=now - timer.after,
        workflow=wf.name,
    )
    for batch in batches:
        with read_transaction(db) as session:
            orders = snapshots.load_orders(session, batch)
        for order in orders.values():
            names = context.base_context(wf, order, actor="timer", now=now)
            if timer.cond is not None and not timer.cond.evaluate(names):
                continue
            if action is None:
                refused.append((order.number, f"workflow has no action {timer.action!r}"))
                continue
            reasons = planner.availability(wf, order, action, "timer", now)
            if reasons:
                refused.append((order.number, reasons[0]))
    if not refused:
        return None
    sample = ", ".join(f"#{number}" for number, _ in refused[:_SAMPLE])
    more = f" and {len(refused) - _SAMPLE} more" if len(refused) > _SAMPLE else ""
    return Finding(
        display_path(wf.path) if wf.path is not None else wf.name,
        _line(wf.path, rf"^  {re.escape(timer.id)}:", after=r"^timers:"),
        3,
        "warning",
        "OWF904",
        f"timer {timer.id!r} is due for {_plural(len(refused), 'order')} ({sample}{more}) "
        f"but its action {timer.action!r} would be refused: {refused[0][1]}",
        "the next `orderwf tick` will report them refused; change the timer or the orders",
        f"$.timers.{timer.id}",
    )
