"""Which emails an apply's events send, rendered against the order as it finally stands
(SPEC §2.4): event filters, `once` and `force`, recipients. A template that fails is queued as
failed with its error, never dropped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from orderwf import orders as s
from orderwf.engine import context as ctx
from orderwf.engine import events as ev
from orderwf.engine.remembered import PerObject
from orderwf.errors import NotFound, OrderwfError
from orderwf.orders import QueuedEmail
from orderwf.suggest import did_you_mean
from orderwf.workflow import model as m


def matches(f: m.EventFilter, event: ev.Event) -> bool:
    """Whether the filter `f` of an email's `on` picks `event`."""
    if isinstance(event, ev.StatusChanged):
        return (
            f.kind == "status"
            and (f.sources is None or event.source in f.sources)
            and (f.targets is None or event.target in f.targets)
        )
    if isinstance(event, ev.Refunded):
        return f.kind == "refund" and f.value in ("any", "full" if event.full else "partial")
    if isinstance(event, s.Note):  # a private note sends nothing
        return f.kind == "note" and event.customer_note and f.value in ("customer", "any")
    if isinstance(event, s.Tracking):
        return f.kind == "tracking" and f.value in ("added", "any")
    if isinstance(event, ev.ActionApplied):
        return f.kind == "action" and f.value in (event.action, "any")
    return False


def _key(event: ev.Event) -> tuple[Any, ...] | None:
    """What `matches` reads of an event (None: an event no filter picks)."""
    kind = type(event)
    if kind is ev.StatusChanged:
        return (kind, event.source, event.target)  # type: ignore[union-attr]
    if kind is ev.ActionApplied:
        return (kind, event.action)  # type: ignore[union-attr]
    if kind is s.Note:
        return (kind, event.customer_note)  # type: ignore[union-attr]
    if kind is ev.Refunded:
        return (kind, event.full)  # type: ignore[union-attr]
    if kind is s.Tracking:
        return (kind,)
    return None


# By workflow, the emails each kind of event picks (`_key`).
_PICKED: PerObject[dict[tuple[Any, ...], tuple[m.Email, ...]]] = PerObject()


def picked(workflow: m.Workflow, event: ev.Event) -> tuple[m.Email, ...]:
    """The workflow's emails whose `on` picks `event`, in declaration order. Worked out once
    per workflow and kind of event (what `matches` reads of it: a status change's two
    statuses, an action's id, …): an apply logs about five events and a workflow declares a
    dozen emails of a few filters each, and a bulk apply asks for every order."""
    key = _key(event)
    if key is None:
        return ()
    table = _PICKED.get(workflow, dict)
    emails = table.get(key)
    if emails is None:
        emails = table[key] = tuple(
            e for e in workflow.emails.values() if any(matches(f, event) for f in e.on)
        )
    return emails


def queue(
    workflow: m.Workflow,
    order: s.Order,
    events: Sequence[ev.Event],
    context: Callable[..., dict[str, Any]],
) -> tuple[list[QueuedEmail], frozenset[str]]:
    """The emails of `events`, in event order, and the `once` emails the order has now had.
    `order` is the order as the events left it; `context(**names)` gives the names templates
    see."""
    if not workflow.emails:
        return [], order.emails_sent
    queued: list[QueuedEmail] = []
    sent = set(order.emails_sent)
    current = ctx.status_context(workflow, order.status)
    refund: dict[str, Any] | None = None  # the apply's refund as the order now stands
    for event in events:
        if isinstance(event, ev.Refunded):  # the only reader of refunds: a refund loaded them
            refund = ctx.refund_context(event.refund, full=order.remaining_refundable <= 0)
    for event in events:
        if isinstance(event, ev.EmailRequested):
            chosen = [(workflow.emails[event.email], event.force)]
        else:
            chosen = [(e, False) for e in picked(workflow, event)]
            if not chosen:
                continue
        names: dict[str, Any] = {"from": current, "to": current}
        if isinstance(event, ev.StatusChanged):
            names = {
                "from": ctx.status_context(workflow, event.source),
                "to": ctx.status_context(workflow, event.target),
            }
        if isinstance(event, ev.Refunded):
            names["refund"] = ctx.refund_context(event.refund, full=event.full)
        elif refund is not None:
            names["refund"] = refund
        for email, force in chosen:
            if email.once and email.id in sent and not force:
                continue
            if email.once:
                sent.add(email.id)
            queued.append(render(workflow, order, email, context(**names)))
    return queued, frozenset(sent)


def render(
    workflow: m.Workflow, order: s.Order, email: m.Email, context: dict[str, Any]
) -> QueuedEmail:
    shop = workflow.shop
    to = ""
    try:
        if email.to == "shop":
            to = shop.email
        elif email.to == "customer":
            to = str(order.billing.get("email") or "")
        elif email.to_template is not None:
            to = email.to_template.render(context).strip()
        subject = " ".join(email.subject.render(context).split())
        text = email.text.render(context) if email.text else ""
        html = email.html.render(context) if email.html else None
    except OrderwfError as e:
        return QueuedEmail(email.id, to, shop.sender, email.id, "", None, email.once, e.message)
    # No address to send to: queued as failed, saying why (never sent to nobody, never dropped).
    error = None
    if not to:
        why = "the order has no billing email" if email.to == "customer" else "`to` is empty"
        error = f"no recipient: {why}"
    return QueuedEmail(email.id, to, shop.sender, subject, text, html, email.once, error)


def preview(
    workflow: m.Workflow, order: s.Order, email_id: str, *, actor: str, now: datetime
) -> QueuedEmail:
    """An email rendered against the order as it stands, as if an `email` effect queued it."""
    email = workflow.emails.get(email_id)
    if email is None:
        close = did_you_mean(email_id, workflow.emails)
        hint = f"; {close}" if close else ""
        raise NotFound(f"unknown email {email_id!r} in workflow {workflow.name!r}{hint}")
    current = ctx.status_context(workflow, order.status)
    names: dict[str, Any] = {"from": current, "to": current}
    if order.refunds:
        names["refund"] = ctx.refund_context(
            order.refunds[-1], full=order.remaining_refundable <= 0
        )
    return render(
        workflow, order, email, ctx.base_context(workflow, order, actor=actor, now=now, **names)
    )
