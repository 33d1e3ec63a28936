"""Plan one action: (workflow, order snapshot, action, params, actor, now) → a `Plan` (the
order after, and its events in order: `engine.events`), or `Refused` with every reason. Pure:
the store writes a plan in one transaction, the CLI prints it, a dry run does both halves but
the write.

Order of events (SPEC §2.2): the action's effects; the status change (the new status's stock
policy with its note, then the status note); a full refund's move to `refunds.full_status`;
then the emails of all those events, rendered against the order as it finally stands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from orderwf import orders as s
from orderwf.engine import context as ctx
from orderwf.engine import emails
from orderwf.engine import events as ev
from orderwf.engine import params as p
from orderwf.engine.carriers import tracking_url
from orderwf.engine.refunds import plan_refund
from orderwf.engine.stock import NO_CHANGES, apply_policy, with_levels
from orderwf.errors import NotFound, OrderwfError, Refused
from orderwf.orders import StockChange, evolve
from orderwf.suggest import did_you_mean
from orderwf.workflow import model as m

SYSTEM = "system"


@dataclass(frozen=True)
class Plan:
    """What applying `action` does to `before`: `after`, and what happened on the way, in
    order (`events`: the one log). Its notes, stock moves, refund, tracking and emails are
    each kind of the log, which the store reads of every plan (the `orders.WriteSet` a plan
    is): `Plan(…)` reads them from the log; the planner, which kept them as it logged them,
    gives them itself (`_Planner.result`)."""

    action: str
    params: Mapping[str, Any]
    actor: str
    now: datetime
    before: s.Order
    after: s.Order
    events: tuple[ev.Event, ...] = ()
    notes: tuple[s.Note, ...] = field(init=False)
    stock: tuple[StockChange, ...] = field(init=False)
    refund: s.Refund | None = field(init=False)
    tracking: tuple[s.Tracking, ...] = field(init=False)
    emails: tuple[s.QueuedEmail, ...] = field(init=False)

    def __post_init__(self) -> None:
        notes: list[s.Note] = []
        stock: list[StockChange] = []  # the stock policies' moves and a refund's restock
        refund = None
        tracking: list[s.Tracking] = []
        queued: list[s.QueuedEmail] = []
        for e in self.events:
            if isinstance(e, s.Note):
                notes.append(e)
            elif isinstance(e, ev.StockMoved):
                stock += e.changes
            elif isinstance(e, ev.Refunded):
                refund = e.refund
                stock += e.restocked
            elif isinstance(e, s.Tracking):
                tracking.append(e)
            elif isinstance(e, s.QueuedEmail):
                queued.append(e)
        init = object.__setattr__  # frozen: the dataclass's own way to set a field
        init(self, "notes", tuple(notes))
        init(self, "stock", tuple(stock))
        init(self, "refund", refund)
        init(self, "tracking", tuple(tracking))
        init(self, "emails", tuple(queued))

    @property
    def status_changed(self) -> bool:
        return self.before.status != self.after.status

    @property
    def effects(self) -> list[dict[str, Any]]:
        """The events as SPEC §5 effects: what the history stores."""
        return ev.effects(self.events)


def find_action(workflow: m.Workflow, action_id: str) -> m.Action:
    action = workflow.actions.get(action_id)
    if action is None:
        close = did_you_mean(action_id, workflow.actions)
        hint = f"; {close}" if close else ""
        raise NotFound(
            f"unknown action {action_id!r} in workflow {workflow.name!r}{hint} "
            f"(actions: {', '.join(workflow.actions)})"
        )
    return action


def status_reasons(workflow: m.Workflow, order: s.Order, action: m.Action) -> list[str]:
    """Why `action` cannot be applied in the order's current status (empty: it can)."""
    if order.workflow != workflow.name:
        return [
            f"order #{order.number} was created under workflow {order.workflow!r}, "
            f"not {workflow.name!r}"
        ]
    current = workflow.status(order.status)
    if order.status not in workflow.statuses:
        renamed = next(
            (st.id for st in workflow.statuses.values() if order.status in st.renamed_from), None
        )
        if renamed is not None:
            return [
                f"order #{order.number} is still in {order.status!r}, which workflow "
                f"{workflow.name!r} renamed to {renamed!r}; run `orderwf migrate` first"
            ]
        return [
            f"order #{order.number} has status {order.status!r}, which workflow "
            f"{workflow.name!r} does not declare; run `orderwf migrate --move "
            f"{order.status}=NEW` to move its orders"
        ]
    if not action.allowed_from(order.status):
        assert action.sources is not None
        allowed = ", ".join(workflow.status(x).label for x in action.sources)
        return [
            f"action {action.id!r} is not allowed when order #{order.number} is "
            f"{current.label} (allowed from: {allowed})"
        ]
    if current.final and any(t.status != order.status for t in action.targets):
        return [
            f"order #{order.number} is {current.label}, a final status that no action may leave"
        ]
    return []


def guard_reasons(
    workflow: m.Workflow,
    order: s.Order,
    action: m.Action,
    values: Mapping[str, Any],
    actor: str,
    now: datetime,
) -> list[str]:
    if not action.guards:
        return []  # no order context to build (bulk applies plan every order)
    context = ctx.base_context(workflow, order, params=values, actor=actor, now=now)
    return [
        guard.message.render(context) for guard in action.guards if not guard.cond.evaluate(context)
    ]


def availability(
    workflow: m.Workflow, order: s.Order, action: m.Action, actor: str, now: datetime
) -> list[str]:
    """Reasons the action is not available now, with its params at their defaults."""
    reasons = status_reasons(workflow, order, action)
    if reasons:
        return reasons
    values, _ = p.convert(action, {}, order.currency)
    try:
        return guard_reasons(workflow, order, action, values, actor, now)
    except OrderwfError as e:  # a guard that needs params the operator has not given yet
        return [f"depends on params ({e.message})"]


def plan(
    workflow: m.Workflow,
    order: s.Order,
    action_id: str,
    raw_params: Mapping[str, Any] | None = None,
    *,
    actor: str,
    now: datetime,
    note_prefix: str | None = None,
    levels: Mapping[int, int | None] | None = None,
) -> Plan:
    """The plan of `action_id` on `order`; raises `Refused` (every reason) or `NotFound`.
    `levels`: newer stock levels of some products than the order's lines hold (a bulk
    batch's, `stock.BatchStock`), taken into the order where planning first moves stock."""
    action = find_action(workflow, action_id)
    reasons = status_reasons(workflow, order, action)
    values, problems = p.convert(action, raw_params or {}, order.currency)
    reasons += problems
    if not reasons:
        reasons += guard_reasons(workflow, order, action, values, actor, now)
    if reasons:
        raise Refused(_refusal(order, action, reasons), reasons=reasons)
    planner = _Planner(workflow, order, action, values, actor, now, carried=levels or {})
    try:
        planner.run(note_prefix)
    except _Stop as stop:
        raise Refused(_refusal(order, action, stop.reasons), reasons=stop.reasons) from None
    return planner.result()


def _refusal(order: s.Order, action: m.Action, reasons: list[str]) -> str:
    if len(reasons) == 1:
        return reasons[0]
    return f"cannot apply {action.id!r} to order #{order.number}: {len(reasons)} problems"


# What a status note may read and still be the same text for the same two statuses.
_STATUS_NOTE_NAMES = frozenset({"from", "to", "shop"})


class _Stop(Exception):
    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons


@dataclass
class _Planner:
    workflow: m.Workflow
    order: s.Order
    action: m.Action
    params: dict[str, Any]
    actor: str
    now: datetime
    before: s.Order = field(init=False)
    events: list[ev.Event] = field(default_factory=list)
    refund: s.Refund | None = None
    # Each kind `Plan` reads from the log, kept as it is logged (`result`).
    notes: list[s.Note] = field(default_factory=list)
    moves: list[StockChange] = field(default_factory=list)
    tracking: list[s.Tracking] = field(default_factory=list)

    # Newer stock levels than the order's lines hold (`plan(levels=…)`), until taken in.
    carried: Mapping[int, int | None] = field(default_factory=dict)
    _shop: dict[str, Any] | None = field(init=False, default=None)
    _ctx: dict[str, Any] | None = field(init=False, default=None)
    _ctx_order: s.Order | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.before = self.order

    # -- helpers -----------------------------------------------------------------------------
    def context(self, needs: frozenset[str] | None = None, **extra: Any) -> dict[str, Any]:
        """The names templates see. `needs`: the names a template reads (None: all of them);
        the order's context, the costly one, is built only when read, once per order state.
        A text that reads only names of `extra` is given `extra` alone: the stock note
        (`changes`), which a bulk apply renders for every order."""
        if needs is not None and needs <= extra.keys():
            return extra
        if self._shop is None:  # the first text rendered (a plain status change renders none)
            self._shop = ctx.shop_context(self.workflow)
        names = {"params": self.params, "shop": self._shop, "actor": self.actor, "now": self.now}
        if needs is None or "order" in needs:
            if self._ctx_order is not self.order:
                self._ctx = ctx.order_context(self.workflow, self.order)
                self._ctx_order = self.order
            names["order"] = self._ctx
        names.update(extra)
        return names

    def render(self, template: m.Template, **extra: Any) -> str:
        return template.render(self.context(template.names, **extra))

    def holds(self, cond: m.Expr | None) -> bool:
        return cond is None or bool(cond.evaluate(self.context(cond.names)))

    def message(self, key: str, **extra: Any) -> str:
        template = self.workflow.messages[key]
        return template.render(self.context(template.names, **extra))

    def add_note(self, text: str, *, customer: bool = False, author: str = SYSTEM) -> None:
        note = s.Note(None, text, customer, author, self.now)
        notes = s.appended(self.order.notes, note)
        if notes is not self.order.notes:  # else not loaded: nothing reads them, no copy
            self.order = evolve(self.order, notes=notes)
        self.events.append(note)
        self.notes.append(note)

    def take_carried(self) -> Mapping[int, int | None]:
        """The carried stock levels, once: the order's lines hold them from then on."""
        carried, self.carried = self.carried, {}
        return carried

    def apply_stock(self, policy: m.StockPolicy, fields: Mapping[str, Any] = NO_CHANGES) -> None:
        """Apply a stock policy; `fields`: changes to the order's other fields made in the
        same copy (a status change's), whatever the policy."""
        if policy == "keep":
            if fields:
                self.order = evolve(self.order, **fields)
            return
        after, changes = apply_policy(self.order, policy, self.take_carried(), fields)
        if self.workflow.stock.negative == "refuse":
            short = [c for c in changes if c.new is not None and c.delta < 0 and c.new < 0]
            if short:
                raise _Stop(
                    [
                        f"not enough stock for {c.label}: {c.old} in stock, {-c.delta} needed"
                        for c in short
                    ]
                )
        self.order = after
        if not changes:
            return
        self.events.append(ev.StockMoved(policy, changes))
        self.moves += changes
        key = "stock_reduced" if policy == "reduce" else "stock_restored"
        self.add_note(self.message(key, changes=", ".join([c.describe() for c in changes])))

    def change_status(self, to_id: str, prefix: str | None = None) -> None:
        source = self.order.status
        if to_id == source:
            return
        status = self.workflow.status(to_id)
        self.events.append(ev.StatusChanged(source, to_id))
        # The new status and the new status's stock policy in one copy of the order, which
        # carries the plan's new version too (`result` copies it again only when none has).
        self.apply_stock(
            status.stock,
            {
                "status": to_id,
                "status_changed_at": self.now,
                "date_paid": self.order.date_paid or (self.now if status.paid else None),
                "date_completed": self.now if to_id == "completed" else self.order.date_completed,
                "version": self.before.version + 1,
            },
        )
        template = self.workflow.messages["status_changed"]

        def names() -> dict[str, Any]:
            return {
                "from": ctx.status_context(self.workflow, source),
                "to": ctx.status_context(self.workflow, to_id),
            }

        if template.names is not None and template.names <= _STATUS_NOTE_NAMES:
            key = (source, to_id)  # all the note can read: once per transition
            text = template.render_memo(key, lambda: self.context(template.names, **names()))
        else:
            text = self.render(template, **names())
        self.add_note(f"{prefix} {text}" if prefix else text)

    # -- effects -----------------------------------------------------------------------------
    def run(self, note_prefix: str | None) -> None:
        self.events.append(ev.ActionApplied(self.action.id))
        for effect in self.action.effects:
            if self.holds(effect.cond):
                self.run_effect(effect)
        target = next((t for t in self.action.targets if self.holds(t.cond)), None)
        if target is not None:
            self.change_status(target.status, note_prefix)
        elif note_prefix:
            self.add_note(note_prefix)
        full_status = self.workflow.refunds.full_status
        if self.refund is not None and self.order.remaining_refundable <= 0 and full_status:
            self.change_status(full_status)

    def run_effect(self, effect: m.Effect) -> None:
        if isinstance(effect, m.NoteEffect):
            text = self.render(effect.text).strip()
            if text:
                self.add_note(text, customer=effect.customer, author=self.actor)
        elif isinstance(effect, m.EmailEffect):
            self.events.append(ev.EmailRequested(effect.email, effect.force))
        elif isinstance(effect, m.TrackingEffect):
            self.add_tracking(effect)
        elif isinstance(effect, m.RefundEffect):
            self.run_refund(effect)
        elif isinstance(effect, m.SetEffect):
            values = {key.removeprefix("meta."): self.render(t) for key, t in effect.values}
            self.order = evolve(self.order, meta={**self.order.meta, **values})
            self.events.append(ev.MetaSet(values))
        else:
            self.apply_stock(effect.policy)

    def add_tracking(self, effect: m.TrackingEffect) -> None:
        context = self.context()
        number = effect.number.render(context).strip()
        if not number:
            raise _Stop(["the tracking number is empty"])
        carrier = effect.carrier.render(context).strip() if effect.carrier else ""
        url = effect.url.render(context).strip() if effect.url else tracking_url(carrier, number)
        shipped = effect.shipped_on.render(context).strip() if effect.shipped_on else ""
        try:
            shipped_on = date.fromisoformat(shipped) if shipped else self.now.date()
        except ValueError:
            raise _Stop([f"shipped_on {shipped!r} is not a date (expected YYYY-MM-DD)"]) from None
        entry = s.Tracking(carrier, number, url, shipped_on)
        self.order = evolve(self.order, tracking=s.appended(self.order.tracking, entry))
        self.events.append(entry)
        self.tracking.append(entry)

    def run_refund(self, effect: m.RefundEffect) -> None:
        rules = self.workflow.refunds
        if self.refund is not None:
            raise _Stop(["an action can make only one refund"])
        if effect.remaining:
            amount: Decimal | None = self.order.remaining_refundable
            lines: list[str] = []
            restock = bool(effect.restock) if effect.restock is not None else False
            reason = self.render(effect.reason).strip() if effect.reason else ""
        else:
            amount = self.params.get("amount")
            lines = list(self.params.get("lines") or [])
            given = self.params.get("restock")
            restock = rules.restock if given is None else bool(given)
            reason = str(self.params.get("reason") or "").strip()
            if not reason and effect.reason is not None:
                reason = self.render(effect.reason).strip()
            if rules.reason == "required" and not reason:
                raise _Stop(["a reason is required for this refund (refunds.reason: required)"])
        if self.carried:  # a refund's restock reads the lines' levels
            self.order = with_levels(self.order, {}, self.take_carried())
        result, problems = plan_refund(
            self.order,
            amount=amount,
            lines=lines,
            restock=restock,
            reason=reason,
            line_cap=rules.line_cap,
            actor=self.actor,
            now=self.now,
        )
        if result is None:
            raise _Stop(problems)
        self.order = result.order
        self.refund = result.refund
        restocked = tuple(change for _, change in result.restocked)
        self.events.append(ev.Refunded(result.refund, result.full, restocked, self.order.currency))
        self.moves += restocked
        for line, change in result.restocked:
            item = ctx.line_context(line)
            self.add_note(self.message("restocked", item=item, old=change.old, new=change.new))
        if result.full and (text := self.message("fully_refunded").strip()):  # "" turns it off
            self.add_note(text)

    # -- emails ------------------------------------------------------------------------------
    def queue_emails(self) -> list[s.QueuedEmail]:
        queued, sent = emails.queue(self.workflow, self.order, self.events, self.context)
        if sent != self.order.emails_sent:
            self.order = evolve(self.order, emails_sent=sent)
        self.events += queued
        return queued

    def result(self) -> Plan:
        queued = self.queue_emails()
        after = self.order
        if after.version == self.before.version:  # no copy carried the new version yet
            after = evolve(after, version=self.before.version + 1)
        # `Plan(…)` without its `__post_init__` reading the log again: the kinds were kept
        # as they were logged, and a frozen `__init__` costs a call a field (a bulk apply
        # makes a plan an order; a test compares the two ways).
        plan = object.__new__(Plan)
        object.__setattr__(
            plan,
            "__dict__",
            {
                "action": self.action.id,
                "params": self.params,
                "actor": self.actor,
                "now": self.now,
                "before": self.before,
                "after": after,
                "events": tuple(self.events),
                "notes": tuple(self.notes),
                "stock": tuple(self.moves),
                "refund": self.refund,
                "tracking": tuple(self.tracking),
                "emails": tuple(queued),
            },
        )
        return plan
