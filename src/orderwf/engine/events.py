"""What one apply did, in order: the plan's one log. The action, then its effects — a note
added (the `Note` itself), a stock policy's moves, a status change, metadata set, a tracking
entry added (the `Tracking` itself), a refund, an email asked for — then the emails queued
for them (each `QueuedEmail`). `emails.queue` reads the log to pick the emails; `views`
renders it as text; `effects` gives the stored kinds as SPEC §5 JSON, which the history keeps
and a replay returns, so the store and the service need no renderer above them.

Named tuples, and the snapshot's own notes and tracking entries rather than wrappers: a bulk
apply logs about five events an order and keeps a batch's plans alive until it is written, so
each object costs its allocation and the cycle collector's visits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from orderwf import money
from orderwf import orders as s
from orderwf.orders import QueuedEmail, StockChange


class ActionApplied(NamedTuple):
    """The first event of every plan (emails may be sent `on: {action: ID}`)."""

    action: str


class StockMoved(NamedTuple):
    """A stock policy's moves (a refund's restock is part of `Refunded`)."""

    policy: str
    changes: tuple[StockChange, ...]


class StatusChanged(NamedTuple):
    source: str
    target: str


class MetaSet(NamedTuple):
    values: Mapping[str, str]


class Refunded(NamedTuple):
    """A refund; `full`: whether it left nothing refundable; `restocked`: its stock moves."""

    refund: s.Refund
    full: bool
    restocked: tuple[StockChange, ...]
    currency: str


class EmailRequested(NamedTuple):
    """An `email` effect: the email is sent whatever its filters say (`force`: even once)."""

    email: str
    force: bool


Event = (
    ActionApplied
    | s.Note
    | StockMoved
    | StatusChanged
    | MetaSet
    | s.Tracking
    | Refunded
    | EmailRequested
    | QueuedEmail
)


def effects(events: Sequence[Event]) -> list[dict[str, Any]]:
    """The stored kinds of `events` as SPEC §5 effects, in order (what the history keeps;
    the action and the emails asked for are not stored: the emails queued are)."""
    out: list[dict[str, Any]] = []
    for e in events:
        # The two kinds every status change logs, written out here rather than in the table
        # below: a call an event was ~10 % of building a plan's effects in a bulk apply.
        if type(e) is StatusChanged:
            out.append({"type": "status", "from": e.source, "to": e.target})
        elif type(e) is s.Note:
            out.append(
                {"type": "note", "text": e.note, "customer": e.customer_note, "author": e.author}
            )
        elif (json := _JSON.get(type(e))) is not None:
            out.append(json(e))
    return out


def _stock(e: StockMoved) -> dict[str, Any]:
    return {
        "type": "stock",
        "policy": e.policy,
        "changes": [
            {
                "item_id": c.item_id,
                "product_id": c.product_id,
                "sku": c.sku,
                "delta": c.delta,
                "old": c.old,
                "new": c.new,
            }
            for c in e.changes
        ],
    }


def _meta(e: MetaSet) -> dict[str, Any]:
    return {"type": "set", "meta": dict(e.values)}


def _tracking(tr: s.Tracking) -> dict[str, Any]:
    return {
        "type": "tracking",
        "carrier": tr.carrier,
        "number": tr.number,
        "url": tr.url,
        "shipped_on": tr.shipped_on.isoformat(),
    }


def _refund(e: Refunded) -> dict[str, Any]:
    refund, cur = e.refund, e.currency
    return {
        "type": "refund",
        "amount": money.fmt(refund.amount, cur),
        "reason": refund.reason,
        "restock": refund.restock,
        "full": e.full,
        "lines": [
            {
                "item_id": ln.item_id,
                "quantity": ln.quantity,
                "amount": money.fmt(ln.amount, cur),
                "restocked": ln.restocked,
            }
            for ln in refund.lines
        ],
    }


def _email(e: QueuedEmail) -> dict[str, Any]:
    return {"type": "email", "email": e.email, "to": e.to, "subject": e.subject}


# The other stored kinds' effects, by exact type (one lookup an event).
_JSON: dict[type, Callable[[Any], dict[str, Any]]] = {
    StockMoved: _stock,
    MetaSet: _meta,
    s.Tracking: _tracking,
    Refunded: _refund,
    QueuedEmail: _email,
}
