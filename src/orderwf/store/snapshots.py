"""Orders out of the database as snapshots (`orderwf.orders`): one query per table for a
whole batch, with statements built once (building a select costs more than running it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache, cached_property
from typing import Any, TypeVar

from sqlalchemy import Select, case, false, func, literal_column, select, true

from orderwf import orders as s
from orderwf.errors import NotFound
from orderwf.quantities import ID_LIMIT
from orderwf.store import driver
from orderwf.store.core import (
    LINES,
    NOTES,
    ONCE,
    ORDERS,
    PRODUCTS,
    REFUND_LINES,
    REFUNDS,
    TRACKING,
)
from orderwf.store.tx import Tx

T = TypeVar("T")


def load_order(
    session: Tx,
    order_id: int,
    *,
    lock: bool = False,
    parts: Collection[str] | None = None,
) -> s.Order:
    """The order as a snapshot; `lock` takes its row lock on PostgreSQL (SQLite's write
    transaction already holds the database lock); `parts` as for `load_orders`."""
    order = load_orders(session, [order_id], lock=lock, parts=parts).get(order_id)
    if order is None:
        raise NotFound(f"order #{order_id} does not exist")
    return order


@dataclass(frozen=True)
class Queries:
    """The statements of `load_orders` for one dialect, each selecting by a list of ids (by
    one: `one`), each built when first used (building a select costs more than running it,
    and a run uses two or three of them). Each select names its columns as the snapshot's
    fields, and reads only those: the orders' rows by the parts of them read
    (`orders_reading`); the lines with their details, and the product lines without them
    (`bare_lines`: `orders.ProductLines`)."""

    dialect: str
    one: bool

    def orders_reading(self, parts: Collection[str], lock: str | None = None) -> Select[Any]:
        """The select of the orders' rows for the `parts` read (those of the row: "addresses"
        and "order details", `_ROW_PARTS`); `lock`: None, "locked", or "unlocked only"
        (locking those no one else holds, skipping the others)."""
        return _orders(self.dialect, self.one, frozenset(parts) & _ROW_PART_NAMES, lock)

    def _by(self, column: Any) -> Any:
        return driver.where_in_ids(column, self.dialect, one=self.one)

    @cached_property
    def lines(self) -> Select[Any]:
        return self._lines(details=True)

    @cached_property
    def bare_lines(self) -> Select[Any]:
        return self._lines(details=False)

    @cached_property
    def notes(self) -> Select[Any]:
        return select(NOTES).where(self._by(NOTES.c.order_id)).order_by(NOTES.c.id)

    @cached_property
    def refunds(self) -> Select[Any]:
        return select(REFUNDS).where(self._by(REFUNDS.c.order_id)).order_by(REFUNDS.c.id)

    @cached_property
    def refund_lines(self) -> Select[Any]:
        of_orders = select(REFUNDS.c.id).where(self._by(REFUNDS.c.order_id))
        return (
            select(REFUND_LINES)
            .where(REFUND_LINES.c.refund_id.in_(of_orders))
            .order_by(REFUND_LINES.c.id)
        )

    @cached_property
    def tracking(self) -> Select[Any]:
        return select(TRACKING).where(self._by(TRACKING.c.order_id)).order_by(TRACKING.c.id)

    @cached_property
    def once(self) -> Select[Any]:
        return select(ONCE).where(self._by(ONCE.c.order_id))

    def _lines(self, *, details: bool) -> Select[Any]:
        product, on_product = _product(self.dialect, LINES.c.product_id, "product")
        variant, on_variant = _product(self.dialect, LINES.c.variation_id, "variant")
        p = product.c
        stock_id = func.coalesce(variant.c.id, p.id)
        flags = [
            func.coalesce(variant.c[flag], p[flag], false()).label(flag)
            for flag in ("virtual", "downloadable")
        ]
        stmt = select(
            # Without their details, the product lines alone, whose kind `BareLine` holds.
            *(LINES.c[name] for name in _LINE_COLUMNS if details or name not in _BARE_LEFT_OUT),
            # A stored variation is the product whose stock moves (as WooCommerce does);
            # else the parent. The flags are NOT NULL: a NULL is a product not stored.
            stock_id.label("stock_id"),
            *([(stock_id.is_not(None)).label("product_known")] if details else []),
            func.coalesce(variant.c.manage_stock, p.manage_stock, false()).label("manage_stock"),
            case(
                (variant.c.id.is_not(None), variant.c.stock_quantity),
                else_=p.stock_quantity,
            ).label("stock_quantity"),
            *(flags if details else ()),
        ).select_from(LINES.outerjoin(product, on_product).outerjoin(variant, on_variant))
        if not details:  # the product lines alone: the others are nothing but details
            stmt = stmt.where(LINES.c.kind == literal_column("'line_item'"))
        by_order = self._by(LINES.c.order_id)
        if self.dialect == "sqlite":
            # Put in order as they are fetched (`driver.SORTED_BY`, their tuples, before they
            # become rows without their place): SQLite sorts the lines' whole rows in a
            # temporary B-tree (its index gives them by order only), ~3.4 µs of the ~13 an
            # order's lines take to read; sorting the rows, read in nearly that order, takes
            # Python ~1.
            return (
                stmt.add_columns(LINES.c.position.label(_POSITION))
                .where(by_order)
                .execution_options(
                    **{
                        driver.SORTED_BY: ("order_id", _POSITION, "id"),
                        driver.UNSHOWN: (_POSITION,),
                    }
                )
            )
        return stmt.where(by_order).order_by(*_LINE_ORDER)


@cache
def _orders(dialect: str, one: bool, parts: frozenset[str], lock: str | None) -> Select[Any]:
    """`Queries.orders_reading`, built on first use (a run reads one of them)."""
    o = ORDERS.c
    left_out = {name for part in _ROW_PARTS.keys() - parts for name in _ROW_PARTS[part]}
    columns: list[Any] = [o[name] for name in _ORDER_COLUMNS if name not in left_out]
    if "created_at" not in left_out:
        columns.append(o.date_created.label("created_at"))
    read = select(*columns).where(driver.where_in_ids(o.id, dialect, one=one))
    if lock is None:
        return read
    return read.order_by(o.id).with_for_update(skip_locked=lock == "unlocked only")


@cache
def queries(dialect: str, *, one: bool = False) -> Queries:
    """The statements for `dialect`, by the ids `driver.selects_by_ids` is given
    (`driver.where_in_ids`); `one`: by a single id, the statements PostgreSQL plans once per
    connection (a look, an apply). One per process: each statement is built once."""
    return Queries(dialect, one)


def _product(dialect: str, column: Any, name: str) -> tuple[Any, Any]:
    """What a line's `column` (its product, its variation) is joined to, and on what. On
    PostgreSQL a `LATERAL` lookup of one row (its `LIMIT` keeps the planner from flattening
    it into a join): always the product's primary key, one line at a time, where a join let
    the planner walk the whole product index when its statistics had not seen the products
    lines name (40–45 ms a read on a catalog of 200,000; docs/performance.md). SQLite's
    planner looks each one up by key anyway."""
    if dialect != "postgresql":
        alias = PRODUCTS.alias(name)
        return alias, alias.c.id == column
    looked_up = (
        select(*(PRODUCTS.c[c] for c in _PRODUCT_COLUMNS))
        .where(PRODUCTS.c.id == column)
        .limit(literal_column("1"))
        .lateral(name)
    )
    return looked_up, true()


_PRODUCT_COLUMNS = ("id", "manage_stock", "stock_quantity", "virtual", "downloadable")
_ADDRESSES = ("billing", "shipping")  # the order's columns of the part "addresses"
# The parts of the order's row: each one's fields.
_ROW_PARTS = {"addresses": _ADDRESSES, "order details": s.ORDER_DETAILS}
_ROW_PART_NAMES = frozenset(_ROW_PARTS)
_LINE_DETAILS = s.LINE_DETAILS  # a line's fields of the part "line details"
_BARE_LEFT_OUT = frozenset({*_LINE_DETAILS, "kind"})  # what a `BareLine`'s class holds

# An order's lines in order: by their place in the order, then as stored.
_LINE_ORDER = (LINES.c.order_id, LINES.c.position, LINES.c.id)
_POSITION = "orderwf_position"  # the place read with a line, to put it in order (SQLite)

# The columns read as they are: the snapshot fields that are columns of the same name.
_ORDER_COLUMNS = tuple(f.name for f in fields(s.Order) if f.name in ORDERS.c)
_LINE_COLUMNS = ("order_id", *(f.name for f in fields(s.Line) if f.name in LINES.c))


def adopt_all(cls: type[T], rows: list[dict[str, Any]]) -> list[T]:
    """Snapshots from dicts each holding exactly their fields (defaults included), without
    the frozen `__init__` (one `object.__setattr__` per field): a bulk apply builds thousands
    a second. Each dict becomes its snapshot's own: the caller must not use it afterwards.
    The rows are built alike (one select's, each changed the same way), so the first row's
    names are checked for all (a check per row was half the cost): a missing or an extra name
    is a `TypeError` (a select out of step with the snapshot), never a snapshot with a stray
    attribute."""
    if rows:
        expected, names = s.held_fields(cls), rows[0].keys()
        if names != expected:
            missing, extra = sorted(expected - names), sorted(names - expected)
            raise TypeError(f"a {cls.__name__} row lacks {missing} and has extra {extra}")
    new, init = object.__new__, object.__setattr__
    snapshots = []
    for row in rows:
        snapshot = new(cls)
        init(snapshot, "__dict__", row)
        snapshots.append(snapshot)
    return snapshots


# What stands for a part that was not read, in each of its fields: any use of it raises
# (`orders.NotLoaded`).
_NOT_LOADED = {
    "lines": {"lines": s.NotLoaded("lines")},
    "notes": {"notes": s.NotLoaded("notes")},
    "refunds": {"refunds": s.NotLoaded("refunds")},
    "tracking": {"tracking": s.NotLoaded("tracking")},
    "once": {"emails_sent": s.NotLoaded("once-only emails sent")},
    "addresses": {name: s.NotLoaded(f"{name} address fields") for name in _ADDRESSES},
    "order details": {name: s.NotLoaded(f"details ({name})") for name in s.ORDER_DETAILS},
    "line details": {},  # fields of the lines, not of the order: `orders.BareLine`
}
ALL_PARTS = s.PARTS
_NOTHING_MISSING: Mapping[str, s.NotLoaded] = {}
_LOCKED = "orderwf_locked_orders"  # session.info: ids of the orders whose row lock it holds


def locked(session: Tx) -> frozenset[int]:
    """The orders whose row lock the session took on PostgreSQL (`load_orders(lock=True)`):
    no one else can change them until its transaction ends. A `db.transaction`
    session holds one transaction."""
    return frozenset(session.info.get(_LOCKED, ()))


def load_orders(
    session: Tx,
    ids: Sequence[int],
    *,
    lock: bool = False,
    skip_locked: bool = False,
    parts: Collection[str] | None = None,
) -> dict[int, s.Order]:
    """Snapshots of the orders that exist among `ids`, one query per table for all of them,
    sent at once (on the DBAPI cursor: `driver.selects_by_ids`; the other tables are read by
    the ids asked for, so no query waits for the orders' rows). `parts`: which of `ALL_PARTS`
    to read besides the order's row (None: all of them, the whole order); a part not read is
    an `orders.NotLoaded`, which raises on any use (`engine.reads` says what an action
    reads). `skip_locked` (with `lock`, on PostgreSQL): an order another transaction holds is
    left out instead of waited for."""
    # An id no column can hold (`order show 99999999999999999999`) exists nowhere: not a
    # driver's OverflowError.
    ids = [i for i in ids if 0 < i <= ID_LIMIT]
    dialect = session.get_bind().dialect.name
    q = queries(dialect, one=len(ids) == 1)
    wanted = ALL_PARTS if parts is None else frozenset(parts)
    if not wanted <= ALL_PARTS:
        raise ValueError(f"unknown parts {sorted(wanted - ALL_PARTS)} (known: {sorted(ALL_PARTS)})")
    locking = None
    if lock and dialect == "postgresql":
        locking = "unlocked only" if skip_locked else "locked"
    stmts = {"orders": q.orders_reading(wanted, locking)}
    if "lines" in wanted:
        stmts["lines"] = q.lines if "line details" in wanted else q.bare_lines
    if "notes" in wanted:
        stmts["notes"] = q.notes
    if "refunds" in wanted:
        stmts["refunds"] = q.refunds
        stmts["refund lines"] = q.refund_lines
    if "tracking" in wanted:
        stmts["tracking"] = q.tracking
    if "once" in wanted:
        stmts["once"] = q.once
    found = driver.selects_by_ids(session, stmts, ids)
    rows = found["orders"]
    if not rows:
        return {}
    if lock and dialect == "postgresql":
        session.info.setdefault(_LOCKED, set()).update(row["id"] for row in rows)
    if wanted != ALL_PARTS:
        return _adopt_orders(rows, found, wanted)
    return _build(rows, found)


def _build(
    rows: list[dict[str, Any]],
    found: dict[str, list[dict[str, Any]]],
    missing: Mapping[str, s.NotLoaded] = _NOTHING_MISSING,
    details: bool = True,
) -> dict[int, s.Order]:
    """The snapshots of the orders' rows, each with its rows of the other tables; a field of
    `missing` (a part not read) holds its `NotLoaded` instead. Lines read without their
    `details` are `orders.BareLine`s, and the product lines alone (`orders.ProductLines`).
    Every snapshot goes through `adopt_all`'s check of its fields."""
    line_rows = found["lines"]
    owners = []
    for r in line_rows:
        if details:
            r["meta"] = r["meta"] or {}
        owners.append(r.pop("order_id"))
    lines: dict[int, list[s.Line]] = defaultdict(list)
    line_class = s.Line if details else s.BareLine
    for owner, line in zip(owners, adopt_all(line_class, line_rows), strict=True):
        lines[owner].append(line)
    notes: dict[int, list[s.Note]] = defaultdict(list)
    for r in found["notes"]:
        notes[r["order_id"]].append(
            s.Note(r["id"], r["note"], r["customer_note"], r["author"], r["created_at"])
        )
    refund_rows = found["refunds"]
    refund_lines: dict[int, list[s.RefundLine]] = defaultdict(list)
    for r in found["refund lines"]:
        refund_lines[r["refund_id"]].append(
            s.RefundLine(r["item_id"], r["quantity"], r["amount"], r["restocked"])
        )
    refunds: dict[int, list[s.Refund]] = defaultdict(list)
    for r in refund_rows:
        refunds[r["order_id"]].append(
            s.Refund(
                r["id"],
                r["amount"],
                r["reason"],
                r["restock"],
                tuple(refund_lines[r["id"]]),
                r["created_at"],
                r["refunded_by"],
            )
        )
    tracking: dict[int, list[s.Tracking]] = defaultdict(list)
    for r in found["tracking"]:
        tracking[r["order_id"]].append(
            s.Tracking(r["carrier"], r["number"], r["url"], r["shipped_on"])
        )
    sent: dict[int, set[str]] = defaultdict(set)
    for r in found["once"]:
        sent[r["order_id"]].add(r["email"])
    addresses = "billing" not in missing  # the orders' rows hold their addresses
    meta = "meta" not in missing  # and their metadata, with the order details
    lines_of = tuple if details else s.ProductLines
    # The parts read besides the lines, each from its rows by order (a part not read is in
    # `missing`).
    parts = [
        (name, by_order, kind)
        for name, by_order, kind in (
            ("lines", lines, lines_of),
            ("notes", notes, tuple),
            ("refunds", refunds, tuple),
            ("tracking", tracking, tuple),
            ("emails_sent", sent, frozenset),
        )
        if name not in missing
    ]
    for r in rows:
        oid = r["id"]
        r["number"] = r["number"] or str(oid)
        if addresses:
            r["billing"] = r["billing"] or {}
            r["shipping"] = r["shipping"] or {}
        if meta:
            r["meta"] = r["meta"] or {}
        for name, by_order, kind in parts:
            r[name] = kind(by_order.get(oid, ()))
    # A part not read is its `NotLoaded`, held by the class of the snapshots (`narrowed`).
    order_class = s.narrowed(s.Order, missing) if missing else s.Order
    return {order.id: order for order in adopt_all(order_class, rows)}


def _adopt_orders(
    rows: list[dict[str, Any]], found: dict[str, list[dict[str, Any]]], wanted: frozenset[str]
) -> dict[int, s.Order]:
    """`load_orders` for some parts: the whole-order code on what was read, each part not
    read replaced by its `NotLoaded`."""
    whole = {key: found.get(key, []) for key in _PART_KEYS}
    missing = {
        field: value
        for part, fields_ in _NOT_LOADED.items()
        if part not in wanted
        for field, value in fields_.items()
    }
    return _build(rows, whole, missing, details="line details" in wanted)


_PART_KEYS = ("lines", "notes", "refunds", "refund lines", "tracking", "once")
