"""An order as the engine plans it and the store loads and writes it: immutable, complete,
detached from the database, and what an apply writes of it (`WriteSet`). Below both the engine
and the store, which never import each other: the store builds snapshots inside the apply's
transaction, the engine returns a new one with a plan, and the store writes the plan's
`WriteSet`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple, Protocol, TypeVar

LineKind = Literal["line_item", "shipping", "fee"]

T = TypeVar("T")


def evolve(obj: T, **changes: Any) -> T:
    """A copy of a frozen snapshot with some fields changed; a name that is not one of its
    fields is a `TypeError`, as with `dataclasses.replace`. That runs the frozen `__init__`
    (one `object.__setattr__` per field: ~6 µs for a `Line`, ten times this copy), and the
    engine evolves snapshots for every effect of every order of a bulk apply, so it copies
    the instance dict instead. The snapshot classes have no `__post_init__` to skip; a test
    compares the two ways."""
    new = copied(obj, changes)
    if len(new.__dict__) != len(obj.__dict__):  # a name the instance did not hold: a field
        # its class holds (a part not read: `narrowed`), or a misspelt one
        unknown = changes.keys() - obj.__dict__.keys() - field_names(type(obj))
        if unknown:
            raise TypeError(f"{type(obj).__name__} has no field {', '.join(sorted(unknown))}")
    return new


def copied(obj: T, changes: Mapping[str, Any]) -> T:
    """`evolve` with the changes given as a mapping, and not checked: for a caller whose
    names are fields the snapshot holds (the stock policy, which copies every line it moves
    and the order of every plan: the keywords packed and the names checked cost a fifth of
    its time)."""
    fields = obj.__dict__.copy()  # a dict's copy clones its table: faster than filling one
    fields.update(changes)
    new = object.__new__(type(obj))
    object.__setattr__(new, "__dict__", fields)
    return new


# By snapshot class (`narrowed` ones too): its fields' names, and those its snapshots hold.
_FIELD_NAMES: dict[type, frozenset[str]] = {}
_HELD: dict[type, frozenset[str]] = {}


def field_names(cls: type) -> frozenset[str]:
    """The names of a snapshot class's fields."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    return names


def held_fields(cls: type) -> frozenset[str]:
    """The fields a snapshot of `cls` holds itself: all of them, but for a subclass of a
    snapshot class (`narrowed`, `BareLine`) those that subclass holds (a part not read, a
    product line's kind)."""
    held = _HELD.get(cls)
    if held is None:
        own = () if "__dataclass_fields__" in vars(cls) else vars(cls).keys()
        held = _HELD[cls] = field_names(cls) - set(own)
    return held


_NARROWED: dict[tuple[type, frozenset[str]], type] = {}


def narrowed(cls: type[T], missing: Mapping[str, NotLoaded]) -> type[T]:
    """`cls` for snapshots read without the fields of `missing` (the parts not read): a
    subclass whose class holds each one's `NotLoaded`, so that each snapshot holds only what
    was read (no marker put in every one; a copy, `evolve`, copies fewer fields). Made once
    per set of missing fields (each field's marker is the store's one for it)."""
    key = (cls, frozenset(missing))
    narrow = _NARROWED.get(key)
    if narrow is None:
        # Named as `cls` (and so printed as the snapshot it is).
        narrow = type(cls.__name__, (cls,), {"__module__": cls.__module__, **missing})
        narrow = _NARROWED.setdefault(key, narrow)
    return narrow


# The parts of an order the store may leave unread (`store.snapshots.load_orders`), besides
# the rest of its row: what planning an action reads of them is `engine.reads`'s reckoning.
PARTS = frozenset(
    {"lines", "line details", "notes", "refunds", "tracking", "once", "addresses", "order details"}
)
# The order's fields of the part "order details": what only templates (and a refund, the
# total; a `set` effect, the metadata it adds to) read of its row.
ORDER_DETAILS = (
    "total",
    "meta",
    "customer_note",
    "created_via",
    "payment_method_title",
    "created_at",
    "workflow_hash",
)


class NotLoadedError(RuntimeError):
    """Something read a part of an order the store did not load: a bug in the reckoning of
    what an action reads (`engine.reads`), never a reason to carry on as if it were empty."""


class NotLoaded:
    """An order's part (its notes, refunds, tracking, `once` markers, lines, addresses or its
    lines' details: `PARTS`) that the store did not read, because the action being planned
    reads none of it (`engine.reads`). It stands where the tuple (an address's mapping, a
    line's amount) would, and any use of
    it (iterating, counting, testing, printing, comparing, an attribute) raises
    `NotLoadedError`: a snapshot that did not load its notes must never look as if it had
    none. Identity equality only, so an unchanged part compares equal to itself."""

    __slots__ = ("part",)
    # Read off the class by what cannot import this module (`l10n`'s filters): a value they
    # refuse is shown in their message, except this, which raises its own error instead.
    orderwf_not_loaded = True

    def __init__(self, part: str) -> None:
        self.part = part

    def __repr__(self) -> str:
        return f"<order {self.part}: not loaded>"

    def _fail(self, *_args: Any, **_kwargs: Any) -> Any:
        raise NotLoadedError(
            f"the order's {self.part} were not loaded for this use (engine.reads reckoned "
            "nothing would read them): load the whole order"
        )

    __iter__ = __len__ = __bool__ = __contains__ = __getitem__ = __str__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __add__ = __radd__ = __sub__ = __rsub__ = _fail
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __neg__ = __abs__ = __round__ = _fail
    __format__ = __float__ = __int__ = _fail

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy, pickle and friends probe dunders: not a read
            raise AttributeError(name)
        return self._fail()


# What stands for an order's shipping and fee lines when its lines were read without their
# details (`ProductLines`).
OTHER_LINES_NOT_LOADED = NotLoaded("shipping and fee lines")


def loaded(part: Any) -> bool:
    """False for a part the store did not read (`NotLoaded`)."""
    return not isinstance(part, NotLoaded)


class ProductLines(tuple):  # type: ignore[type-arg]
    """An order's lines read without their details (the part "line details"): its product
    lines alone, because its shipping and fee lines have nothing but details (`engine.reads`
    loads them with the details, for whatever reads them). Asking the order for those
    (`shipping_lines`, `fee_lines`, `line` of an id it does not hold) raises
    `NotLoadedError`, as reading any part not loaded does; the product lines are as ever. A
    copy of the order keeps the marker: `type(order.lines)(new_lines)`."""

    __slots__ = ()


def appended(part: tuple[T, ...], item: T) -> tuple[T, ...]:
    """`part` with `item` at the end; a part that was not loaded stays not loaded (what was
    not read is not printed or read either; the store writes `item` from the plan)."""
    return part if isinstance(part, NotLoaded) else (*part, item)


@dataclass(frozen=True)
class Line:
    """A product, shipping or fee line, with its refund and stock bookkeeping."""

    id: int
    kind: LineKind
    name: str
    total: Decimal
    total_tax: Decimal = Decimal(0)
    quantity: int = 1
    product_id: int | None = None
    variation_id: int | None = None
    sku: str = ""
    price: Decimal = Decimal(0)
    quantity_refunded: int = 0
    total_refunded: Decimal = Decimal(0)
    reduced_stock: int = 0  # units out of stock for this order and not given back
    refunded_kept: int = 0  # units refunded without restock: the customer keeps them
    refunded_restocked: int = 0  # units refunded with restock
    manage_stock: bool = False  # the product manages stock (False when it is unknown)
    stock_quantity: int | None = None  # the product's stock level, read under the lock
    virtual: bool = False
    downloadable: bool = False
    product_known: bool = True  # False for a line whose product was deleted or never imported
    stock_id: int | None = None  # the product whose stock moves: the variation if it is stored
    method_id: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stock_product(self) -> int | None:
        return self.stock_id if self.stock_id is not None else self.product_id

    @property
    def gross(self) -> Decimal:
        """Total including tax: what the customer paid for this line."""
        return self.total + self.total_tax

    @property
    def remaining(self) -> Decimal:
        return self.gross - self.total_refunded


# A line's fields of the part "line details": its amounts (what was refunded of it too), method,
# meta, variation and product flags (whether its product is known, virtual, downloadable). A
# stock policy reads none of them (the units refunded with and without restock are not).
LINE_DETAILS = (
    "price", "total", "total_tax", "quantity_refunded", "total_refunded", "method_id", "meta",
    "variation_id", "product_known", "virtual", "downloadable",
)  # fmt: skip


class BareLine(Line):
    """A product line read without its details (`LINE_DETAILS`: the part "line details" not
    loaded; the order's lines are then `ProductLines`). The instance holds its other fields
    but its kind (the class's: a product line); each detail is its class's `NotLoaded`, which
    raises on any use (`line.gross`, `line.price * 2`), so a line read without them never
    shows a wrong amount. A copy (`evolve`) is a bare line too."""

    kind: LineKind = "line_item"


for _name in LINE_DETAILS:
    setattr(BareLine, _name, NotLoaded(f"lines' {_name}"))


class Note(NamedTuple):
    """A note on the order, private or to the customer. A named tuple: a bulk apply adds two
    an order (its stock and status notes), and a frozen dataclass's `__init__` costs one
    `object.__setattr__` per field."""

    id: int | None
    note: str
    customer_note: bool
    author: str
    created_at: datetime


@dataclass(frozen=True)
class RefundLine:
    item_id: int
    quantity: int
    amount: Decimal
    restocked: int = 0


@dataclass(frozen=True)
class Refund:
    id: int | None
    amount: Decimal
    reason: str
    restock: bool
    lines: tuple[RefundLine, ...]
    created_at: datetime
    refunded_by: str = ""


@dataclass(frozen=True)
class Tracking:
    carrier: str
    number: str
    url: str
    shipped_on: date


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    status: str
    workflow: str
    currency: str
    total: Decimal
    created_at: datetime
    billing: Mapping[str, Any] = field(default_factory=dict)
    shipping: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[Line, ...] = ()
    notes: tuple[Note, ...] = ()
    refunds: tuple[Refund, ...] = ()
    tracking: tuple[Tracking, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    emails_sent: frozenset[str] = frozenset()  # `once` emails already queued
    customer_note: str = ""
    created_via: str = "admin"
    payment_method_title: str = ""
    stock_reduced: bool = False
    status_changed_at: datetime | None = None
    date_paid: datetime | None = None
    date_completed: datetime | None = None
    version: int = 1
    workflow_hash: str = ""

    @property
    def line_items(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "line_item")

    @property
    def shipping_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self._all_lines() if line.kind == "shipping")

    @property
    def fee_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self._all_lines() if line.kind == "fee")

    def _all_lines(self) -> tuple[Line, ...]:
        """The lines, of every kind: `NotLoadedError` for the product lines alone."""
        if type(self.lines) is ProductLines:
            OTHER_LINES_NOT_LOADED._fail()
        return self.lines

    @property
    def total_refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal(0))

    @property
    def remaining_refundable(self) -> Decimal:
        return self.total - self.total_refunded

    @property
    def needs_processing(self) -> bool:
        """False only when every product line is virtual and downloadable (WooCommerce)."""
        return any(
            not (line.virtual and line.downloadable)
            for line in self.line_items
            if line.product_known
        )

    def line(self, item_id: int) -> Line | None:
        found = next((line for line in self.lines if line.id == item_id), None)
        if found is None:
            self._all_lines()  # raises when it may be a shipping or fee line not read
        return found


class StockChange(NamedTuple):
    """One product's stock move for one line. A named tuple: a bulk apply makes two an order,
    and a frozen dataclass's `__init__` costs one `object.__setattr__` per field."""

    item_id: int
    product_id: int
    sku: str
    name: str
    delta: int  # change of the product's stock level (negative when reduced)
    old: int | None
    new: int | None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.sku or f'#{self.product_id}'})"

    def describe(self) -> str:
        """'T-Shirt (TS) 10→8', as WooCommerce's stock notes list it (`label`, written out:
        a stock note lists every line a bulk apply moves)."""
        return f"{self.name} ({self.sku or f'#{self.product_id}'}) {self.old}→{self.new}"


@dataclass(frozen=True)
class QueuedEmail:
    """An email rendered for the outbox."""

    email: str
    to: str
    sender: str
    subject: str
    text: str
    html: str | None
    once: bool
    error: str | None = None  # a template that failed: queued as failed, never dropped


class WriteSet(Protocol):
    """What the store writes of one apply, in one transaction: the order's row and lines as
    `after` left them (checked against `before`'s version), the stock moves, notes, refund,
    tracking entries and outbox emails, and one history row with the `effects` (SPEC §5 JSON).
    The engine's `Plan` is one; the store needs nothing else of it, so it never imports the
    engine. A protocol, not a record the plan builds: a bulk apply writes every plan of a
    batch, and a second object per plan would cost its allocation and copies."""

    @property
    def action(self) -> str: ...
    @property
    def params(self) -> Mapping[str, Any]: ...
    @property
    def actor(self) -> str: ...
    @property
    def now(self) -> datetime: ...
    @property
    def before(self) -> Order: ...
    @property
    def after(self) -> Order: ...
    @property
    def notes(self) -> tuple[Note, ...]: ...
    @property
    def stock(self) -> tuple[StockChange, ...]: ...
    @property
    def refund(self) -> Refund | None: ...
    @property
    def tracking(self) -> tuple[Tracking, ...]: ...
    @property
    def emails(self) -> tuple[QueuedEmail, ...]: ...
    @property
    def effects(self) -> list[dict[str, Any]]: ...
