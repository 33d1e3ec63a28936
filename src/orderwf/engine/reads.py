"""Which parts of an order planning an action reads, so a single apply loads only those: the
order's row always (but for its billing and shipping addresses and its "order details": the
total, metadata, customer note, origin, payment method, creation date) and its product lines
(but for their details: amounts, method, meta, product flags; the shipping and fee lines are
nothing but details), then its addresses, order details, the lines' details, notes, refunds
(with their lines), tracking entries and `once` email markers only when something reads them.
The workflow knows: each guard, `if`, note, message and inline template reports the fields of
`order` it reads (`order_fields`; None when it uses `order` whole), and the planner's own reads
are fixed (stock moves read lines, refunds read refunds and the lines' amounts and the order's
total, a `set` effect the metadata it adds to, emails read `once` markers, an email to the
customer the billing address). An email that may be sent reads what
its subject, recipient and files read, partials included (`templating.email_order_fields`); one
that uses `order` whole makes everything load.

What is not loaded is an `orders.NotLoaded`, which raises on any use: a reckoning that missed a
read fails loudly instead of planning from an order that looks as if it had no notes. Pure: no
I/O of its own (a file template reads its files once, in `templating`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from orderwf import orders as s
from orderwf.engine.remembered import PerObject
from orderwf.workflow import model as m

# The parts `store.snapshots.load_orders` reads besides the rest of the order's row (whose
# billing and shipping addresses are the part "addresses").
PARTS = s.PARTS

# The fields of the order's template context (`context.order_context`) that need parts.
_FIELD_PARTS = {
    "notes": ("notes",),
    "customer_notes": ("notes",),
    "refunds": ("refunds",),
    "total_refunded": ("refunds",),
    "remaining_refundable": ("refunds", "order details"),  # the total less the refunds
    "tracking": ("tracking",),
    "billing": ("addresses",),
    "shipping": ("addresses",),
    # The lines as templates see them (`context.line_context`) and what is summed of them.
    "line_items": ("line details",),
    "lines": ("line details",),
    "shipping_lines": ("line details",),
    "fee_lines": ("line details",),
    "subtotal": ("line details",),
    "shipping_total": ("line details",),
    "total_tax": ("line details",),
    "needs_processing": ("line details",),
    # What only templates read of the order's row (`orders.ORDER_DETAILS`).
    "total": ("order details",),
    "customer_note": ("order details",),
    "created_via": ("order details",),
    "payment_method_title": ("order details",),
    "date_created": ("order details",),
    "meta": ("order details",),
}


def _parts_of(fields: Iterable[str]) -> set[str]:
    """The parts that the context's `fields` need."""
    return {part for f in fields for part in _FIELD_PARTS.get(f, ())}


# By workflow, each action's parts.
_PARTS: PerObject[dict[str, frozenset[str]]] = PerObject()


def parts_for(workflow: m.Workflow, action_id: str) -> frozenset[str]:
    """The parts of an order that planning `action_id` may read (`PARTS` when unsure, or for
    an action the workflow lacks: planning refuses it anyway). Worked out once per workflow
    and action."""
    table = _PARTS.get(workflow, dict)
    parts = table.get(action_id)
    if parts is None:
        action = workflow.actions.get(action_id)
        parts = table[action_id] = PARTS if action is None else _parts(workflow, action)
    return parts


def parts_for_timer(workflow: m.Workflow, timer: m.Timer) -> frozenset[str]:
    """The parts `tick` reads of an order for `timer`: its `if` (evaluated on the order's
    context, `timers.due`) and its action's."""
    parts = parts_for(workflow, timer.action)
    if timer.cond is None:
        return parts
    fields = getattr(timer.cond, "order_fields", None)
    if fields is None:
        return PARTS
    return parts | _parts_of(fields)


def _parts(workflow: m.Workflow, action: m.Action) -> frozenset[str]:
    # Lines: stock moves; read by nearly every action. Their details (amounts, flags) when a
    # text or a refund reads them.
    parts = {"lines"}
    if workflow.emails:
        parts.add("once")  # `emails.queue` starts from the markers
    if any(isinstance(e, m.RefundEffect) for e in action.effects):
        # A refund's amounts are the lines', and what is left the total less the refunds.
        parts |= {"refunds", "line details", "order details"}
    if any(isinstance(e, m.SetEffect) for e in action.effects):
        parts.add("order details")  # the metadata it adds to
    texts = [*_texts(workflow, action)]
    for email in _may_send(workflow, action):
        texts += _present(email.subject, email.to_template, email.text, email.html)
        if email.to == "customer":  # sent to the billing address's email (`emails.render`)
            parts.add("addresses")
    for text in texts:
        fields = getattr(text, "order_fields", None)
        if fields is None:
            return PARTS
        parts |= _parts_of(fields)
    return frozenset(parts)


def _texts(workflow: m.Workflow, action: m.Action) -> Iterator[Any]:
    """Every expression and template planning the action may evaluate or render."""
    for guard in action.guards:
        yield guard.cond
        yield guard.message
    for target in action.targets:
        yield from _present(target.cond)
    for effect in action.effects:
        yield from _present(effect.cond)
        if isinstance(effect, m.NoteEffect):
            yield effect.text
        elif isinstance(effect, m.TrackingEffect):
            yield from _present(effect.number, effect.carrier, effect.url, effect.shipped_on)
        elif isinstance(effect, m.RefundEffect):
            yield from _present(effect.reason)
        elif isinstance(effect, m.SetEffect):
            yield from (template for _, template in effect.values)
    yield from workflow.messages.values()


def _present(*items: Any) -> Iterable[Any]:
    return (item for item in items if item is not None)


def _may_send(workflow: m.Workflow, action: m.Action) -> list[m.Email]:
    """The emails applying the action could send (over-approximated: any status the action
    may start from, any target, a refund's `full_status`)."""
    effects = action.effects
    requested = {e.email for e in effects if isinstance(e, m.EmailEffect)}
    refunds = any(isinstance(e, m.RefundEffect) for e in effects)
    kinds = {"action"}
    if refunds:
        kinds.add("refund")
    if any(isinstance(e, m.NoteEffect) and e.customer for e in effects):
        kinds.add("note")
    if any(isinstance(e, m.TrackingEffect) for e in effects):
        kinds.add("tracking")
    targets = {t.status for t in action.targets}
    sources = set(workflow.statuses) if action.sources is None else set(action.sources)
    if refunds and workflow.refunds.full_status:
        targets.add(workflow.refunds.full_status)
        sources |= {t.status for t in action.targets}  # the full refund moves on from a target

    def picks(f: m.EventFilter) -> bool:
        if f.kind == "status":
            leaves = f.sources is None or bool(sources & set(f.sources))
            enters = f.targets is None or bool(targets & set(f.targets))
            return bool(targets) and leaves and enters
        if f.kind == "action":
            return f.value in (action.id, "any")
        return f.kind in kinds

    return [
        email
        for email in workflow.emails.values()
        if email.id in requested or any(picks(f) for f in email.on)
    ]
