"""What one apply did, in order: the plan's one log. The action, then its effects (notes,
stock moves, status changes, meta, tracking, a refund, emails asked for), then the emails
queued for them. `emails.queue` reads the log to pick the emails; `views` renders it as text;
each stored event gives its effect as SPEC §5 JSON (`json`), which the history keeps and a
replay returns, so the store and the service need no renderer above them.

Named tuples: a bulk apply logs about six events an order, and a frozen dataclass's
`__init__` costs one `object.__setattr__` per field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from orderwf import money
from orderwf.engine import snapshot as s
from orderwf.engine.stock import StockChange

if TYPE_CHECKING:
    from orderwf.engine.emails import QueuedEmail


class ActionApplied(NamedTuple):
    """The first event of every plan (emails may be sent `on: {action: ID}`)."""

    action: str


class NoteAdded(NamedTuple):
    note: s.Note

    def json(self) -> dict[str, Any]:
        note = self.note
        return {
            "type": "note",
            "text": note.note,
            "customer": note.customer_note,
            "author": note.author,
        }


class StockMoved(NamedTuple):
    """A stock policy's moves (a refund's restock is part of `Refunded`)."""

    policy: str
    changes: tuple[StockChange, ...]

    def json(self) -> dict[str, Any]:
        return {
            "type": "stock",
            "policy": self.policy,
            "changes": [
                {
                    "item_id": c.item_id,
                    "product_id": c.product_id,
                    "sku": c.sku,
                    "delta": c.delta,
                    "old": c.old,
                    "new": c.new,
                }
                for c in self.changes
            ],
        }


class StatusChanged(NamedTuple):
    source: str
    target: str

    def json(self) -> dict[str, Any]:
        return {"type": "status", "from": self.source, "to": self.target}


class MetaSet(NamedTuple):
    values: Mapping[str, str]

    def json(self) -> dict[str, Any]:
        return {"type": "set", "meta": dict(self.values)}


class TrackingAdded(NamedTuple):
    tracking: s.Tracking

    def json(self) -> dict[str, Any]:
        tr = self.tracking
        return {
            "type": "tracking",
            "carrier": tr.carrier,
            "number": tr.number,
            "url": tr.url,
            "shipped_on": tr.shipped_on.isoformat(),
        }


class Refunded(NamedTuple):
    """A refund; `full`: whether it left nothing refundable; `restocked`: its stock moves."""

    refund: s.Refund
    full: bool
    restocked: tuple[StockChange, ...]
    currency: str

    def json(self) -> dict[str, Any]:
        refund, cur = self.refund, self.currency
        return {
            "type": "refund",
            "amount": money.fmt(refund.amount, cur),
            "reason": refund.reason,
            "restock": refund.restock,
            "full": self.full,
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


class EmailRequested(NamedTuple):
    """An `email` effect: the email is sent whatever its filters say (`force`: even once)."""

    email: str
    force: bool


class EmailQueued(NamedTuple):
    email: QueuedEmail

    def json(self) -> dict[str, Any]:
        e = self.email
        return {"type": "email", "email": e.email, "to": e.to, "subject": e.subject}


Event = (
    ActionApplied
    | NoteAdded
    | StockMoved
    | StatusChanged
    | MetaSet
    | TrackingAdded
    | Refunded
    | EmailRequested
    | EmailQueued
)


def effects(events: tuple[Event, ...]) -> list[dict[str, Any]]:
    """The stored events as SPEC §5 effects, in order (what the history keeps)."""
    return [e.json() for e in events if not isinstance(e, (ActionApplied, EmailRequested))]
