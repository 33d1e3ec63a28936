"""WooCommerce REST API v3 JSON in: products and orders as plain frozen records.

Pure: no database, no workflow. `service.imports` decides what to do with the records (ids kept,
duplicates, stock bookkeeping). Every problem with the input is one `UsageError` sentence that
names the file and the record: nothing is half-read.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from orderwf import addresses, money, quantities
from orderwf import orders as s
from orderwf.errors import UsageError
from orderwf.jsonstream import JsonFile, not_an_object
from orderwf.orders import LineKind

# WooCommerce's order JSON key → the kind of LineItem row it becomes.
LINE_KEYS: tuple[tuple[str, LineKind], ...] = (
    ("line_items", "line_item"),
    ("shipping_lines", "shipping"),
    ("fee_lines", "fee"),
)
_TRUE_TEXT = frozenset({"1", "yes", "true", "on"})


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    price: Decimal
    manage_stock: bool = False
    stock_quantity: int | None = None
    virtual: bool = False
    downloadable: bool = False


@dataclass(frozen=True)
class Line:
    id: int
    kind: LineKind
    name: str
    total: Decimal
    total_tax: Decimal = Decimal(0)
    quantity: int = 1
    price: Decimal = Decimal(0)
    subtotal: Decimal = Decimal(0)
    product_id: int | None = None
    variation_id: int | None = None
    sku: str = ""
    method_id: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refund:
    """A refund listed in an order (`refunds: [{id, reason, total: "-10.00"}]`) or a refund
    object (`{id, amount: "10.00", reason, date_created_gmt}`): money only, no lines."""

    id: int
    amount: Decimal
    reason: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    status: str
    currency: str
    total: Decimal
    date_created: datetime
    order_key: str = ""
    prices_include_tax: bool = False
    customer_id: int = 0
    billing: Mapping[str, Any] = field(default_factory=dict)
    shipping: Mapping[str, Any] = field(default_factory=dict)
    customer_note: str = ""
    created_via: str = ""
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    date_modified: datetime | None = None
    date_paid: datetime | None = None
    date_completed: datetime | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[Line, ...] = ()
    refunds: tuple[Refund, ...] = ()

    @property
    def customer_name(self) -> str:
        return " ".join(
            str(self.billing.get(k) or "").strip() for k in ("first_name", "last_name")
        ).strip()

    @property
    def meta_says_stock_reduced(self) -> bool:
        """WooCommerce's own `_order_stock_reduced` flag ("yes", "1", true)."""
        return truthy(self.meta.get("_order_stock_reduced"))


def load(path: Path) -> list[Mapping[str, Any]]:
    """Read a JSON file holding one object or a list of objects (`stream` reads it lazily)."""
    return list(stream(path))


def stream(path: Path) -> JsonFile:
    """The objects of a JSON file, decoded one at a time each time it is iterated."""
    return JsonFile(path)


def parse_json(text: str, *, source: str = "the input") -> list[Mapping[str, Any]]:
    """JSON text holding one object or a list of objects → the list of objects."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(
            f"{source} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}"
        ) from None
    return records(data, source=source)


def records(data: Any, *, source: str = "the input") -> list[Mapping[str, Any]]:
    """Already-decoded JSON → the list of objects, refusing anything else."""
    items = data if isinstance(data, list) else [data]
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise not_an_object(
                item, f"item {index + 1} of {source}" if isinstance(data, list) else source
            )
    return list(items)


def batches(items: Iterable[Any], size: int) -> Iterator[list[Mapping[str, Any]]]:
    """`items` in lists of at most `size`, each item checked to be an object."""
    batch: list[Mapping[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise not_an_object(item, f"item {index + 1} of the input")
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# Keys only an order has, and keys only a product has (WooCommerce REST v3): a record with
# the other kind's keys is in the wrong file, not a strange product or order.
_ORDER_KEYS = ("line_items", "order_key", "billing", "shipping_lines", "payment_method")
_PRODUCT_KEYS = ("regular_price", "catalog_visibility", "manage_stock", "stock_quantity")


def parse_products(
    items: Sequence[Mapping[str, Any]], *, currency: str, start: int = 0
) -> list[Product]:
    """`start`: how many records of the file came before `items` (for messages)."""
    products = []
    for i, item in enumerate(items, start):
        where = f"product {_label(item, i)}"
        _refuse_kind(item, where, "an order", _ORDER_KEYS, "order import")
        products.append(_product(_Reader(item, where), currency))
    return products


def parse_orders(
    items: Sequence[Mapping[str, Any]], *, currency: str, start: int = 0
) -> list[Order]:
    """`currency` is the default for an order that does not name its own."""
    orders = []
    for i, item in enumerate(items, start):
        where = f"order {_label(item, i)}"
        _refuse_kind(item, where, "a product", _PRODUCT_KEYS, "product import")
        orders.append(_order(_Reader(item, where), currency))
    return orders


def _refuse_kind(
    item: Mapping[str, Any], where: str, kind: str, keys: Sequence[str], command: str
) -> None:
    """Refuse a record of the other kind, and text that is not Unicode (a lone surrogate
    such as "\\ud800" decodes from JSON but cannot be stored)."""
    found = [key for key in keys if key in item]
    if found:
        raise UsageError(
            f"{where} looks like {kind}, not a{'n' if where[0] == 'o' else ''} "
            f"{where.split()[0]} (it has {' and '.join(repr(k) for k in found[:2])}): "
            f"use orderwf {command} for that file; nothing was imported"
        )
    bad = _not_unicode(item)
    if bad is not None:
        raise UsageError(
            f"{where} has text that is not valid Unicode in {bad} (a lone surrogate such as "
            "\\ud800); export it again as UTF-8"
        )


def _not_unicode(item: Mapping[str, Any]) -> str | None:
    """The key path of the first string holding a lone surrogate, or None. Iterative: the
    decoder already bounds nesting, this must not add a recursion of its own."""
    stack: list[tuple[str, Any]] = [("", item)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return repr(path.lstrip(".") or "a key")
        elif isinstance(value, Mapping):
            for key, child in value.items():
                stack.append((path, key))
                stack.append((f"{path}.{key}", child))
        elif isinstance(value, list):
            stack.extend((f"{path}[{n}]", child) for n, child in enumerate(value))
    return None


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_TEXT
    return bool(value)


def _product(r: _Reader, currency: str) -> Product:
    return Product(
        id=r.id("id"),
        sku=r.text("sku"),
        name=html.unescape(r.text("name")),
        price=r.money("price", currency),
        manage_stock=r.flag("manage_stock"),
        stock_quantity=r.optional_int("stock_quantity", quantities.LIMIT),
        virtual=r.flag("virtual"),
        downloadable=r.flag("downloadable"),
    )


def _order(r: _Reader, default_currency: str) -> Order:
    order_id = r.id("id")
    currency = r.text("currency") or default_currency
    status = r.text("status")
    if not status:
        raise UsageError(f"{r.where} has no 'status'")
    lines = tuple(
        _line(r.child(item, f"{key} item {n + 1}"), kind, currency)
        for key, kind in LINE_KEYS
        for n, item in enumerate(r.objects(key))
    )
    created = r.date("date_created")
    if created is None:
        raise UsageError(f"{r.where} has no 'date_created'")
    total = r.money("total", currency) if r.has("total") else _sum_lines(lines)
    billing = r.mapping("billing")
    email = billing.get("email")
    why = addresses.problem(email) if isinstance(email, str) and email else None
    if why is not None or not isinstance(email, str | None):
        raise UsageError(
            f"{r.where} has billing email {email!r}, which is not one email address "
            f"({why or 'not text'}): expected e.g. jane@example.com, or none"
        )
    return Order(
        id=order_id,
        number=r.text("number") or str(order_id),
        status=status.removeprefix("wc-"),
        currency=currency,
        total=total,
        date_created=created,
        order_key=r.text("order_key"),
        prices_include_tax=r.flag("prices_include_tax"),
        customer_id=r.optional_int("customer_id") or 0,
        billing=billing,
        shipping=r.mapping("shipping"),
        customer_note=r.text("customer_note"),
        created_via=r.text("created_via"),
        payment_method=r.text("payment_method"),
        payment_method_title=r.text("payment_method_title"),
        transaction_id=r.text("transaction_id"),
        date_modified=r.date("date_modified"),
        date_paid=r.date("date_paid"),
        date_completed=r.date("date_completed"),
        meta=r.meta(),
        lines=lines,
        refunds=tuple(
            _refund(r.child(item, f"refund {n + 1}"), currency)
            for n, item in enumerate(r.objects("refunds"))
        ),
    )


def _line(r: _Reader, kind: LineKind, currency: str) -> Line:
    name = r.text("method_title") if kind == "shipping" else r.text("name")
    return Line(
        id=r.id("id"),
        kind=kind,
        # WooCommerce sends names as HTML ("Ship Your Idea &ndash; Color: Black").
        name=html.unescape(name or r.text("name")),
        total=r.money("total", currency),
        total_tax=r.money("total_tax", currency),
        quantity=r.quantity() if kind == "line_item" else 1,
        price=r.money("price", currency),
        subtotal=r.money("subtotal", currency) if r.has("subtotal") else r.money("total", currency),
        product_id=r.optional_int("product_id") or None,
        variation_id=r.optional_int("variation_id") or None,
        sku=r.text("sku"),
        method_id=r.text("method_id"),
        meta=r.meta(),
    )


def _refund(r: _Reader, currency: str) -> Refund:
    # The order's summary has `total` negative ("-10.00"); a refund object has `amount`.
    if r.has("amount"):
        amount = r.money("amount", currency)
    elif r.has("total"):
        amount = -r.money("total", currency)
    else:
        raise UsageError(f"{r.where} has neither 'total' nor 'amount'")
    if amount <= 0:
        raise UsageError(f"{r.where} refunds {amount}, expected a positive amount")
    # The REST docs' order example spells the reason `refund`; the API sends `reason`.
    reason = r.text("reason") if r.has("reason") else r.text("refund")
    return Refund(id=r.id("id"), amount=amount, reason=reason, created_at=r.date("date_created"))


def _sum_lines(lines: Sequence[Line]) -> Decimal:
    return sum((line.total + line.total_tax for line in lines), Decimal(0))


def _label(item: Mapping[str, Any], index: int) -> str:
    value = item.get("id")
    return f"#{value}" if isinstance(value, int | str) and value != "" else f"{index + 1}"


class _Reader:
    """Typed access to one JSON object, each error naming where it is."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def child(self, data: Any, what: str) -> _Reader:
        if not isinstance(data, Mapping):
            raise UsageError(f"{what} of {self.where} is not an object")
        return _Reader(data, f"{what} of {self.where}")

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def id(self, key: str) -> int:
        value = self.data.get(key)
        if value is None:
            raise UsageError(f"{self.where} has no '{key}'")
        number = self._int(key, value)
        if number <= 0:
            raise UsageError(f"{self.where} has '{key}' {value!r}, expected a positive integer")
        return number

    def optional_int(self, key: str, limit: int = quantities.ID_LIMIT) -> int | None:
        value = self.data.get(key)
        return None if value is None or value == "" else self._int(key, value, limit)

    def quantity(self) -> int:
        value = self.optional_int("quantity", quantities.LIMIT)
        if value is None:
            return 1
        if value <= 0:
            raise UsageError(f"{self.where} has 'quantity' {value}, expected at least 1")
        return value

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool | Mapping | list):
            raise UsageError(f"{self.where} has '{key}' {value!r}, expected text")
        return str(value)

    def flag(self, key: str) -> bool:
        return truthy(self.data.get(key))

    def money(self, key: str, currency: str) -> Decimal:
        value = self.data.get(key)
        if isinstance(value, bool | Mapping | list):
            raise UsageError(f"{self.where} has '{key}' {value!r}, expected an amount")
        try:
            return money.from_store(value, currency)
        except ValueError as e:
            raise UsageError(f"{self.where} has '{key}' {value!r}, {e}") from None

    def date(self, key: str) -> datetime | None:
        """The `_gmt` field when present (UTC); else the shop-local field, taken as UTC."""
        for name in (f"{key}_gmt", key):
            value = self.data.get(name)
            if value in (None, ""):
                continue
            try:
                when = datetime.fromisoformat(str(value))
            except ValueError:
                raise UsageError(
                    f"{self.where} has '{name}' {value!r}, expected an ISO date and time"
                ) from None
            return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        return None

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None or value == []:  # PHP encodes an empty array as []
            return {}
        if not isinstance(value, Mapping):
            raise UsageError(f"{self.where} has '{key}' that is not an object")
        return dict(value)

    def objects(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise UsageError(f"{self.where} has '{key}' that is not a list")
        return value

    def meta(self) -> dict[str, Any]:
        """`meta_data: [{id, key, value}]` → {key: value} (the last one wins)."""
        return {
            str(entry["key"]): entry.get("value")
            for entry in self.objects("meta_data")
            if isinstance(entry, Mapping) and entry.get("key") not in (None, "")
        }

    def _int(self, key: str, value: Any, limit: int = quantities.ID_LIMIT) -> int:
        """An integer within ±`limit` (ids: a PostgreSQL INTEGER; quantities: a billion)."""
        if isinstance(value, bool):
            raise UsageError(f"{self.where} has '{key}' {value!r}, expected an integer")
        if isinstance(value, int):
            number = Decimal(value)
        else:
            text = str(value).strip()
            try:
                number = Decimal(text) if text.isascii() else Decimal("NaN")
            except InvalidOperation:
                number = Decimal("NaN")
            if not number.is_finite() or number != number.to_integral_value():
                raise UsageError(f"{self.where} has '{key}' {value!r}, expected an integer")
        if abs(number) > limit:
            raise UsageError(f"{self.where} has '{key}' {value!r}, too large (at most {limit:,})")
        return int(number)


def route_snapshot(order: Order, flags: Mapping[int, tuple[bool, bool]]) -> s.Order:
    """What a route's `if` sees of an order being created or imported (SPEC §8): an order
    snapshot whose lines carry the `virtual` and `downloadable` flags of their stored products
    (`flags`, by product id; the variation first, as for stock)."""
    lines = []
    for line in order.lines:
        pid = line.variation_id if line.variation_id in flags else line.product_id
        virtual, downloadable = flags.get(pid or 0, (False, False))
        lines.append(
            s.Line(
                id=line.id,
                kind=line.kind,
                name=line.name,
                total=line.total,
                total_tax=line.total_tax,
                quantity=line.quantity,
                product_id=line.product_id,
                variation_id=line.variation_id,
                sku=line.sku,
                price=line.price,
                virtual=virtual,
                downloadable=downloadable,
                product_known=pid in flags,
                method_id=line.method_id,
                meta=line.meta,
            )
        )
    return s.Order(
        id=order.id,
        number=order.number,
        status=order.status,
        workflow="",
        currency=order.currency,
        total=order.total,
        created_at=order.date_created,
        billing=order.billing,
        shipping=order.shipping,
        lines=tuple(lines),
        meta=order.meta,
        customer_note=order.customer_note,
        created_via=order.created_via,
        payment_method_title=order.payment_method_title,
    )
