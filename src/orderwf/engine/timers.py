"""When a timer is due, and the note it leaves (SPEC §2.5). `service.tick` applies due timers to
stored orders; `orderwf test` applies them to an order in memory (a scenario's `wait`). Both ask
here, so a timer fires at the same moment in a test as in the shop."""

from __future__ import annotations

from datetime import datetime

from orderwf import orders as s
from orderwf.engine import context
from orderwf.workflow import model as m

ACTOR = "timer"


def due(workflow: m.Workflow, timer: m.Timer, order: s.Order, now: datetime) -> bool:
    """Whether `timer` applies to `order` at `now`: the order has been in the timer's status
    for `after` (since its last status change) and the timer's `if` holds."""
    if order.status != timer.status:
        return False
    since = order.status_changed_at or order.created_at
    if since > now - timer.after:
        return False
    if timer.cond is None:
        return True
    return bool(timer.cond.evaluate(context.base_context(workflow, order, actor=ACTOR, now=now)))


def note(workflow: m.Workflow, timer: m.Timer, now: datetime) -> str | None:
    """The note a timer's apply starts with (its `note`, rendered), or None."""
    if timer.note is None:
        return None
    return timer.note.render({"shop": context.shop_context(workflow), "now": now})
