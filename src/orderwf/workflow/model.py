"""The workflow, as frozen dataclasses. Built once by `workflow.build` from a validated file;
expressions and templates arrive already compiled (in Jinja2's sandbox, by `templating`) behind
the small `Expr` and `Template` protocols, so the engine never imports Jinja2."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Protocol

from orderwf.errors import UsageError

StockPolicy = Literal["reduce", "restore", "keep"]
ParamType = Literal["string", "integer", "decimal", "boolean", "date"]


class Expr(Protocol):
    """A compiled `if` expression."""

    @property
    def source(self) -> str: ...

    @property
    def names(self) -> frozenset[str]:
        """The top-level names it reads."""
        ...

    def evaluate(self, context: Mapping[str, Any]) -> Any: ...


class Template(Protocol):
    """A compiled string template (a note, a subject, a message, an email part)."""

    @property
    def source(self) -> str: ...

    @property
    def names(self) -> frozenset[str] | None:
        """The top-level names it reads; None when unknown (read them all)."""
        ...

    def render(self, context: Mapping[str, Any]) -> str: ...

    def render_memo(self, key: Hashable, context: Callable[[], Mapping[str, Any]]) -> str:
        """`render(context())`, remembered by `key`, which must determine every name read."""
        ...


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    paid: bool = False
    stock: StockPolicy = "keep"
    final: bool = False
    description: str | None = None
    color: str | None = None
    renamed_from: tuple[str, ...] = ()  # old ids `orderwf migrate` moves orders from (§9)


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType = "string"
    required: bool = False
    default: Any = None
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: Any = None
    maximum: Any = None
    description: str | None = None


# The params an action with a bare `refund` effect takes without declaring them (SPEC §2.3).
REFUND_PARAMS = (
    Param("amount", "decimal", description="Amount to refund"),
    Param("lines", "string", description="ITEM=QTY, ITEM=QTY@AMOUNT or ITEM=@AMOUNT; repeatable"),
    Param("restock", "boolean", description="Put refunded items back in stock"),
    Param("reason", "string", description="Reason for the refund (shown to the customer)"),
)


@dataclass(frozen=True)
class Target:
    """One `to` alternative: the first whose `cond` holds (or has none) wins."""

    status: str
    cond: Expr | None = None


@dataclass(frozen=True)
class Guard:
    cond: Expr
    message: Template


@dataclass(frozen=True)
class NoteEffect:
    text: Template
    customer: bool = False
    cond: Expr | None = None


@dataclass(frozen=True)
class EmailEffect:
    email: str
    force: bool = False
    cond: Expr | None = None


@dataclass(frozen=True)
class TrackingEffect:
    number: Template
    carrier: Template | None = None
    url: Template | None = None
    shipped_on: Template | None = None
    cond: Expr | None = None


@dataclass(frozen=True)
class RefundEffect:
    """`refund` (from the refund params) or `{remaining: true, reason, restock}`."""

    remaining: bool = False
    reason: Template | None = None
    restock: bool | None = None
    cond: Expr | None = None


@dataclass(frozen=True)
class SetEffect:
    values: tuple[tuple[str, Template], ...]
    cond: Expr | None = None


@dataclass(frozen=True)
class StockEffect:
    policy: Literal["reduce", "restore"]
    cond: Expr | None = None


Effect = NoteEffect | EmailEffect | TrackingEffect | RefundEffect | SetEffect | StockEffect


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    sources: tuple[str, ...] | None  # None means `from: any`
    targets: tuple[Target, ...] = ()
    params: tuple[Param, ...] = ()
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()
    description: str | None = None

    @property
    def has_refund(self) -> bool:
        return any(isinstance(e, RefundEffect) and not e.remaining for e in self.effects)

    @cached_property
    def declared_params(self) -> tuple[Param, ...]:
        """Its params, and a refund's own when it refunds (once per action: a bulk apply
        converts the params of every order)."""
        if not self.has_refund:
            return self.params
        names = {p.name for p in self.params}
        return self.params + tuple(p for p in REFUND_PARAMS if p.name not in names)

    def allowed_from(self, status: str) -> bool:
        return self.sources is None or status in self.sources


@dataclass(frozen=True)
class EventFilter:
    """`status: {from, to}` (None = any), `refund: full|partial|any`, `note: customer`,
    `tracking: added`, `action: NAME`."""

    kind: Literal["status", "refund", "note", "tracking", "action"]
    sources: tuple[str, ...] | None = None
    targets: tuple[str, ...] | None = None
    value: str | None = None


@dataclass(frozen=True)
class Email:
    id: str
    to: str  # "shop", "customer", or a template source (see `to_template`)
    subject: Template
    on: tuple[EventFilter, ...] = ()
    once: bool = False
    template: str = ""  # base name of the template files
    to_template: Template | None = None
    text: Template | None = None
    html: Template | None = None


@dataclass(frozen=True)
class Timer:
    id: str
    status: str
    after: timedelta
    action: str
    cond: Expr | None = None
    note: Template | None = None


@dataclass(frozen=True)
class RefundRules:
    restock: bool = True
    reason: Literal["optional", "required"] = "optional"
    full_status: str | None = None
    line_cap: bool = True


@dataclass(frozen=True)
class StockRules:
    negative: Literal["allow", "refuse"] = "allow"


@dataclass(frozen=True)
class Shop:
    name: str = "Shop"
    email: str = ""
    sender: str = ""
    currency: str = "EUR"
    locale: str = "en_US"  # how templates format dates and money (SPEC §11)
    timezone: str = "UTC"  # where the `date` and `datetime` filters place a time


DEFAULT_MESSAGES: Mapping[str, str] = {
    "status_changed": "Order status changed from {{ from.label }} to {{ to.label }}.",
    "stock_reduced": "Stock levels reduced: {{ changes }}",
    "stock_restored": "Stock levels increased: {{ changes }}",
    # WooCommerce says "Item #11"; the shop knows its products by name and SKU, as the stock
    # notes name them (docs/woocommerce.md).
    "restocked": (
        "{{ item.name }} ({{ item.sku or '#' ~ item.product_id }}) stock increased from "
        "{{ old }} to {{ new }}."
    ),
    "fully_refunded": "Order fully refunded.",
}


@dataclass(frozen=True)
class Workflow:
    name: str
    title: str
    initial: str
    statuses: Mapping[str, Status]
    actions: Mapping[str, Action]
    emails: Mapping[str, Email] = field(default_factory=dict)
    timers: Mapping[str, Timer] = field(default_factory=dict)
    messages: Mapping[str, Template] = field(default_factory=dict)
    refunds: RefundRules = RefundRules()
    stock: StockRules = StockRules()
    shop: Shop = Shop()
    version: int = 1
    path: Path | None = None
    templates: str | None = None  # the email template folder as the file writes it
    templates_dir: Path | None = None  # … and where that is
    content_hash: str = ""
    text: str = ""  # the file's text, stored with each version the database runs (SPEC §9)

    def status(self, status_id: str) -> Status:
        """The status, or a placeholder for an id the workflow no longer declares."""
        return self.statuses.get(status_id) or Status(id=status_id, label=status_id)

    def require_status(self, status_id: str) -> Status:
        """The status a person named (`--status`): its id, or its label ignoring case and
        accents (`terminee` for `Terminée`, SPEC §11); a usage error if the workflow lacks it."""
        status = self.statuses.get(status_id)
        if status is not None:
            return status
        wanted = _folded(status_id)
        named = [s for s in self.statuses.values() if _folded(s.label) == wanted]
        if len(named) == 1:
            return named[0]
        if named:
            ids = ", ".join(s.id for s in named)
            raise UsageError(
                f"status {status_id!r} is the label of several statuses ({ids}): give the id"
            )
        raise UsageError(
            f"unknown status {status_id!r} (expected one of: {', '.join(self.statuses)})"
        )


def _folded(text: str) -> str:
    """`Terminée` → `terminee`: a label as people type it, without case or accents."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
