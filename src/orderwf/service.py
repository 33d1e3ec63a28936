"""Use cases: apply, refund, inspect. Each opens what it needs, runs one transaction and
returns results; none prints. The engine plans, the store writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from orderwf.engine import plan as planner
from orderwf.engine import snapshot as s
from orderwf.errors import Refused
from orderwf.workflow.model import Workflow

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass(frozen=True)
class ApplyResult:
    plan: planner.Plan | None  # None when an idempotency key replayed an earlier apply
    order: s.Order
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
    from orderwf.store import db, repo

    now = now or datetime.now(UTC)
    params = dict(params or {})
    digest = request_hash(order_id, action, params)
    with db.write_transaction(engine) as session:
        if key is not None:
            earlier = repo.history_by_key(session, key)
            if earlier is not None:
                if earlier["request_hash"] != digest:
                    raise Refused(
                        f"idempotency key {key!r} was already used for "
                        f"{earlier['action']!r} on order #{earlier['order_id']} with other "
                        "params; use a new key"
                    )
                order = repo.load_order(session, order_id)
                return ApplyResult(None, order, list(earlier["effects"]), replayed=True)
        order = repo.load_order(session, order_id, lock=True)
        plan = planner.plan(
            workflow, order, action, params, actor=actor, now=now, note_prefix=note_prefix
        )
        if dry_run:
            session.rollback()
            return ApplyResult(plan, plan.after, list(plan.effects), dry_run=True)
        repo.apply_plan(session, plan, key=key, request_hash=digest)
        session.flush()
        order = repo.load_order(session, order_id)
    return ApplyResult(plan, order, list(plan.effects))


def show(engine: Engine, order_id: int) -> s.Order:
    from orderwf.store import db, repo

    with db.read_session(engine) as session:
        return repo.load_order(session, order_id)


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
