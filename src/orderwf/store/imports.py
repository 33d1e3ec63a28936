"""Storing imported products and orders, and creating orders (SPEC §5).

Each call is one write transaction: a file is imported whole or not at all. Ids from
WooCommerce are kept (order 727 stays 727, its line 315 stays 315); afterwards the PostgreSQL id
sequences are moved past them so rows created later do not collide. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from orderwf import addresses, money, quantities, woo
from orderwf.errors import OrderwfError, Refused, StoreError, UsageError
from orderwf.store.catalog import product_by_ref
from orderwf.store.db import write_transaction
from orderwf.store.tables import History, LineItem, Order, Product, Refund, RefundLine

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from orderwf.workflow.model import Workflow

    # Picks the workflow of an order being created or imported (the project's routes), given
    # the engine snapshot `woo.route_snapshot` builds (typed loosely: the store does not
    # import the engine's types, docs/architecture.md).
    Chooser: TypeAlias = Callable[[Any], Workflow]

StockReduced = Literal["auto", "yes", "no"]
STOCK_REDUCED_MODES: tuple[StockReduced, ...] = ("auto", "yes", "no")


def stock_reduced_mode(mode: str) -> StockReduced:
    """`--stock-reduced` checked: auto, yes or no."""
    for known in STOCK_REDUCED_MODES:
        if mode == known:
            return known
    raise UsageError(f"--stock-reduced {mode!r} is not one of auto, yes, no")


BATCH_SIZE = 500
# Ids per `IN (…)`: far below SQLite's limit on variables in one statement (999 before 3.32).
_IN_SIZE = 500


def import_products(
    engine: Engine,
    items: Iterable[Any],
    *,
    currency: str = "EUR",
    update: bool = False,
    batch_size: int = BATCH_SIZE,
    checked: list[int] | None = None,
) -> list[int]:
    """Store WooCommerce products (decoded JSON objects); returns their ids in file order.
    An id already stored is refused unless `update`, which overwrites it (stock level too).

    `items` is read twice (a list, or a `woo.stream` that reads its file again): every record
    is checked first (`checked`: the ids `check_products` returned, when the caller checked it
    before opening the database), then stored `batch_size` at a time in one transaction, so
    memory stays flat and the file is imported whole or not at all."""

    ids = checked if checked is not None else check_products(items, currency, batch_size)
    with write_transaction(engine) as session:
        start = 0
        for batch in woo.batches(items, batch_size):
            products = woo.parse_products(batch, currency=currency, start=start)
            start += len(batch)
            existing = set(_existing(session, Product, [p.id for p in products]))
            if existing and not update:
                raise StoreError(_duplicate_message("product", sorted(existing)))
            for p in products:
                row = session.get(Product, p.id) if p.id in existing else Product(id=p.id)
                assert row is not None
                row.sku, row.name, row.price = p.sku, p.name, p.price
                row.manage_stock, row.stock_quantity = p.manage_stock, p.stock_quantity
                row.virtual, row.downloadable = p.virtual, p.downloadable
                session.add(row)
            session.flush()
            session.expunge_all()
        _advance_sequences(session, Product)
    return ids


def import_orders(
    engine: Engine,
    workflow: Workflow,
    items: Iterable[Any],
    *,
    stock_reduced: StockReduced = "auto",
    update: bool = False,
    batch_size: int = BATCH_SIZE,
    checked: list[int] | None = None,
    choose: Chooser | None = None,
) -> list[int]:
    """Store WooCommerce orders (decoded JSON objects) under `workflow`, or under the one
    `choose` picks for each (the project's routes, SPEC §8); returns their ids.

    `stock_reduced`: `yes`/`no` say whether WooCommerce already took each order's quantities
    out of stock; `auto` decides per order (its status has `stock: reduce`, or its meta has
    `_order_stock_reduced`). Only the bookkeeping is set: product stock levels do not move.
    Checked whole, then stored in batches in one transaction (see `import_products`)."""
    stock_reduced = stock_reduced_mode(stock_reduced)
    ids = checked if checked is not None else check_orders(workflow, items, batch_size)
    with write_transaction(engine) as session:
        start = 0
        for batch in woo.batches(items, batch_size):
            orders = _parse_orders(workflow, batch, start, check_status=choose is None)
            start += len(batch)
            existing = _existing(session, Order, [o.id for o in orders])
            if existing and not update:
                raise StoreError(_duplicate_message("order", existing))
            _refuse_managed(session, existing)
            _refuse_foreign(session, LineItem, "line item", orders, lambda o: o.lines)
            _refuse_foreign(session, Refund, "refund", orders, lambda o: o.refunds)
            product_ids = {line.product_id for o in orders for line in o.lines if line.product_id}
            product_ids |= {
                line.variation_id for o in orders for line in o.lines if line.variation_id
            }
            known, stocked = _products_known(session, product_ids)
            chosen = dict.fromkeys((o.id for o in orders), workflow)
            if choose is not None:  # the project's routes, over each order and its products
                flags = _product_flags(session, product_ids)
                chosen = {o.id: choose(woo.route_snapshot(o, flags)) for o in orders}
                _refuse_unknown_statuses(orders, chosen)
            replaced = set(existing)
            for order in orders:
                wf = chosen[order.id]
                reduced = _is_reduced(order, wf, stock_reduced)
                _store_order(
                    session, wf, order, reduced, known, stocked, replace=order.id in replaced
                )
            session.flush()
            session.expunge_all()
        for table in (Order, LineItem, Refund):
            _advance_sequences(session, table)
    return ids


def check_products(items: Iterable[Any], currency: str, batch_size: int = BATCH_SIZE) -> list[int]:
    """Every product record parsed, nothing stored: their ids, in file order."""
    return _check_file(
        items,
        batch_size,
        "product",
        lambda batch, start: woo.parse_products(batch, currency=currency, start=start),
    )


def check_orders(
    workflow: Workflow,
    items: Iterable[Any],
    batch_size: int = BATCH_SIZE,
    *,
    check_status: bool = True,
) -> list[int]:
    """Every order record parsed and its status checked (unless routes pick each order's
    workflow later: `check_status`), nothing stored: their ids."""
    return _check_file(
        items,
        batch_size,
        "order",
        lambda batch, start: _parse_orders(workflow, batch, start, check_status=check_status),
    )


def _parse_orders(
    workflow: Workflow, batch: list[Any], start: int, *, check_status: bool = True
) -> list[woo.Order]:
    """Orders parsed; with `check_status`, each status checked against `workflow` (without,
    the caller checks each against the workflow its routes pick)."""
    orders = woo.parse_orders(batch, currency=workflow.shop.currency, start=start)
    for order in orders if check_status else ():
        if order.status not in workflow.statuses:
            raise OrderwfError(
                f"order #{order.id} has status {order.status!r}, which workflow "
                f"{workflow.name!r} does not declare (its statuses: "
                f"{', '.join(workflow.statuses)})"
            )
    return orders


def _check_file(
    items: Iterable[Any],
    batch_size: int,
    what: str,
    parse: Callable[[list[Any], int], Sequence[woo.Product] | Sequence[woo.Order]],
) -> list[int]:
    """Parse every record (nothing stored): the ids in file order, each at most once."""
    ids: list[int] = []
    seen: set[int] = set()
    start = 0
    for batch in woo.batches(items, batch_size):
        for record in parse(batch, start):
            if record.id in seen:
                raise UsageError(f"{what} #{record.id} appears twice in the file")
            seen.add(record.id)
            ids.append(record.id)
        start += len(batch)
    return ids


def _refuse_unknown_statuses(orders: Sequence[woo.Order], chosen: dict[int, Workflow]) -> None:
    for order in orders:
        workflow = chosen[order.id]
        if order.status not in workflow.statuses:
            raise OrderwfError(
                f"order #{order.id} has status {order.status!r}, which workflow "
                f"{workflow.name!r} does not declare (its statuses: "
                f"{', '.join(workflow.statuses)})"
            )


def _product_flags(session: Session, ids: set[int]) -> dict[int, tuple[bool, bool]]:
    """product id → (virtual, downloadable), as WooCommerce's product JSON gave them."""
    from sqlmodel import col, select

    if not ids:
        return {}
    rows = session.exec(
        select(Product.id, Product.virtual, Product.downloadable).where(col(Product.id).in_(ids))
    )
    return {pid: (virtual, downloadable) for pid, virtual, downloadable in rows if pid is not None}


@dataclass(frozen=True)
class NewOrder:
    """What `order create` asked for, checked: `lines` are (SKU, quantity)."""

    email: str
    lines: tuple[tuple[str, int], ...]
    shipping: Decimal | None = None


def new_order(
    workflow: Workflow, *, email: str, lines: Sequence[str], shipping: str | Decimal | None = None
) -> NewOrder:
    """Check an order to create without the database: `lines` are `SKU=QTY` texts
    (`order create --line`); `shipping` an amount in the workflow's currency."""
    wanted = tuple(_line_spec(text) for text in lines)
    if not wanted:
        raise UsageError("an order needs at least one --line SKU=QTY")
    why = addresses.problem(email)
    if why is not None:
        raise UsageError(
            f"--email {email!r} is not one email address ({why}): expected e.g. jane@example.com"
        )
    currency = workflow.shop.currency
    shipping_total = money.parse(shipping, currency, what="shipping") if shipping else None
    if shipping_total is not None and shipping_total < 0:
        raise UsageError(f"shipping {shipping_total} is negative")
    return NewOrder(email, wanted, shipping_total)


def create_order(
    engine: Engine,
    workflow: Workflow,
    *,
    email: str,
    lines: Sequence[str],
    shipping: str | Decimal | None = None,
    via: str = "admin",
    now: datetime | None = None,
) -> int:
    """A new order in the workflow's initial status, priced from the products (see
    `new_order`). Returns the new order id."""
    request = new_order(workflow, email=email, lines=lines, shipping=shipping)
    return store_new_order(engine, workflow, request, via=via, now=now)


def store_new_order(
    engine: Engine,
    workflow: Workflow,
    request: NewOrder,
    *,
    via: str = "admin",
    now: datetime | None = None,
    choose: Chooser | None = None,
) -> int:
    """Store a checked `NewOrder`, priced from the products of its SKUs, under `workflow` or
    the one `choose` picks (the project's routes)."""
    email, wanted, shipping_total = request.email, request.lines, request.shipping
    currency = workflow.shop.currency
    now = now or datetime.now(UTC)
    with write_transaction(engine) as session:
        hint = "; import it first (orderwf product import)"
        products = [(product_by_ref(session, sku, hint=hint), qty) for sku, qty in wanted]
        if choose is not None:
            flags = {p.id: (p.virtual, p.downloadable) for p, _ in products if p.id is not None}
            new = _new_woo_order(email, products, shipping_total, currency, via, now)
            workflow = choose(woo.route_snapshot(new, flags))
        order = Order(
            status=workflow.initial,
            workflow=workflow.name,
            workflow_hash=workflow.content_hash,
            currency=currency,
            customer_email=email,
            billing={"email": email},
            created_via=via,
            date_created=now,
            date_modified=now,
            status_changed_at=now,
        )
        session.add(order)
        session.flush()
        assert order.id is not None
        order.number = str(order.id)
        rows = [
            LineItem(
                order_id=order.id,
                kind="line_item",
                position=n,
                name=product.name,
                product_id=product.id,
                sku=product.sku,
                quantity=qty,
                price=product.price,
                subtotal=money.quantize(product.price * qty, currency),
                total=money.quantize(product.price * qty, currency),
            )
            for n, (product, qty) in enumerate(products)
        ]
        if shipping_total is not None:
            rows.append(
                LineItem(
                    order_id=order.id,
                    kind="shipping",
                    position=len(rows),
                    name="Shipping",
                    price=shipping_total,
                    subtotal=shipping_total,
                    total=shipping_total,
                )
            )
        order.total = sum((row.total for row in rows), money.zero(currency))
        session.add_all(rows)
        return order.id


def _new_woo_order(
    email: str,
    products: Sequence[tuple[Product, int]],
    shipping: Decimal | None,
    currency: str,
    via: str,
    now: datetime,
) -> woo.Order:
    """An order being created, as WooCommerce would send it, for the routes to look at."""
    lines = [
        woo.Line(
            id=n + 1,
            kind="line_item",
            name=p.name,
            total=money.quantize(p.price * qty, currency),
            quantity=qty,
            price=p.price,
            product_id=p.id,
            sku=p.sku,
        )
        for n, (p, qty) in enumerate(products)
    ]
    if shipping is not None:
        lines.append(woo.Line(id=len(lines) + 1, kind="shipping", name="Shipping", total=shipping))
    return woo.Order(
        id=0,
        number="",
        status="",
        currency=currency,
        total=sum((line.total for line in lines), Decimal(0)),
        date_created=now,
        billing={"email": email},
        created_via=via,
        lines=tuple(lines),
    )


def _store_order(
    session: Session,
    workflow: Workflow,
    data: woo.Order,
    reduced: bool,
    known: set[int],
    stocked: set[int],
    *,
    replace: bool,
) -> None:
    from sqlmodel import col, delete, select

    row = session.get(Order, data.id) if replace else None
    if row is None:
        row = Order(id=data.id, status=data.status, workflow=workflow.name)
    else:
        # Lines and imported refunds are replaced; notes, tracking and history are kept.
        refund_ids = [r.id for r in data.refunds]
        old_refunds = select(Refund.id).where(
            col(Refund.order_id) == data.id, col(Refund.id).in_(refund_ids)
        )
        session.execute(delete(RefundLine).where(col(RefundLine.refund_id).in_(old_refunds)))
        session.execute(delete(Refund).where(col(Refund.id).in_(refund_ids)))
        session.execute(delete(LineItem).where(col(LineItem.order_id) == data.id))
    row.number, row.order_key, row.status = data.number, data.order_key, data.status
    row.workflow, row.workflow_hash = workflow.name, workflow.content_hash
    row.currency, row.total, row.prices_include_tax = (
        data.currency,
        data.total,
        data.prices_include_tax,
    )
    row.customer_id, row.customer_name = data.customer_id, data.customer_name
    row.customer_email = str(data.billing.get("email") or "")
    row.billing, row.shipping = dict(data.billing), dict(data.shipping)
    row.customer_note, row.created_via = data.customer_note, data.created_via
    row.payment_method, row.payment_method_title = data.payment_method, data.payment_method_title
    row.transaction_id = data.transaction_id
    row.date_created, row.date_modified = data.date_created, data.date_modified
    row.date_paid, row.date_completed = data.date_paid, data.date_completed
    row.status_changed_at = data.date_modified or data.date_created
    row.stock_reduced = reduced
    row.meta = dict(data.meta)
    session.add(row)
    session.flush()  # the order row first: lines and refunds point at it
    for position, line in enumerate(data.lines):
        takes_stock = (
            reduced
            and line.kind == "line_item"
            and stock_product_id(line.product_id, line.variation_id, known) in stocked
        )
        session.add(
            LineItem(
                id=line.id,
                order_id=data.id,
                kind=line.kind,
                position=position,
                name=line.name,
                product_id=line.product_id,
                variation_id=line.variation_id,
                sku=line.sku,
                method_id=line.method_id,
                quantity=line.quantity,
                price=line.price,
                subtotal=line.subtotal,
                total=line.total,
                total_tax=line.total_tax,
                reduced_stock=line.quantity if takes_stock else 0,
                meta=dict(line.meta),
            )
        )
    for refund in data.refunds:
        session.add(
            Refund(
                id=refund.id,
                order_id=data.id,
                amount=refund.amount,
                reason=refund.reason,
                restock=False,
                created_at=refund.created_at or data.date_modified or data.date_created,
            )
        )


def _is_reduced(order: woo.Order, workflow: Workflow, mode: StockReduced) -> bool:
    if mode != "auto":
        return mode == "yes"
    return workflow.status(order.status).stock == "reduce" or order.meta_says_stock_reduced


def stock_product_id(
    product_id: int | None, variation_id: int | None, known: set[int]
) -> int | None:
    """The product whose stock a line moves: its variation when that is a stored product
    (WooCommerce keeps stock per variation), else the product itself."""
    return variation_id if variation_id and variation_id in known else product_id


def _products_known(session: Session, ids: set[int]) -> tuple[set[int], set[int]]:
    """Of `ids`, the products that are stored, and those of them that manage stock."""
    from sqlmodel import col, select

    pairs = [
        (pid, manages)
        for chunk in _chunks(sorted(ids))
        for pid, manages in session.exec(
            select(Product.id, Product.manage_stock).where(col(Product.id).in_(chunk))
        )
        if pid is not None
    ]
    return {pid for pid, _ in pairs}, {pid for pid, manages in pairs if manages}


def _existing(session: Session, table: type[Product] | type[Order], ids: list[int]) -> list[int]:
    from sqlmodel import col, select

    found: list[int] = []
    for chunk in _chunks(ids):
        found += session.exec(select(table.id).where(col(table.id).in_(chunk))).all()  # type: ignore[arg-type]
    return sorted(found)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """`ids` in slices small enough for one `IN (…)` on any database."""
    for start in range(0, len(ids), _IN_SIZE):
        yield ids[start : start + _IN_SIZE]


def _refuse_managed(session: Session, ids: list[int]) -> None:
    """An order orderwf has applied actions to keeps its own bookkeeping: replacing its lines
    would forget what its refunds gave back and what its stock policies took out."""
    from sqlmodel import col, func, select

    if not ids:
        return
    rows = session.exec(
        select(History.order_id, func.count())
        .where(col(History.order_id).in_(ids))
        .group_by(col(History.order_id))
        .order_by(col(History.order_id))
    ).all()
    if not rows:
        return
    if len(rows) == 1:
        ((oid, n),) = rows
        which = f"order #{oid} has {n} action(s) applied here (orderwf order history {oid})"
    else:
        listed = ", ".join(f"#{oid}" for oid, _ in rows[:5])
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        which = f"orders {listed}{more} have actions applied here (orderwf order history)"
    raise Refused(
        f"{which}; --update would overwrite the stock and refund bookkeeping of those actions; "
        "nothing was imported"
    )


def _refuse_foreign(
    session: Session,
    table: type[LineItem] | type[Refund],
    what: str,
    orders: Sequence[woo.Order],
    children: Any,
) -> None:
    """A line or refund id already owned by another order would be stolen by this import."""
    from sqlmodel import col, select

    owner = {child.id: o.id for o in orders for child in children(o)}
    rows = (
        row
        for chunk in _chunks(list(owner))
        for row in session.exec(select(table.id, table.order_id).where(col(table.id).in_(chunk)))
    )
    for child_id, order_id in rows:
        if child_id is not None and owner[child_id] != order_id:
            raise StoreError(
                f"{what} #{child_id} of order #{owner[child_id]} already belongs to order "
                f"#{order_id}; nothing was imported"
            )


def _duplicate_message(what: str, ids: list[int]) -> str:
    listed = ", ".join(f"#{i}" for i in ids[:10])  # one line, however many a batch finds
    listed += f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    verb = f"{what} {listed} already exists" if len(ids) == 1 else f"{what}s {listed} already exist"
    return f"{verb}; nothing was imported (use --update to replace)"


def _line_spec(text: str) -> tuple[str, int]:
    sku, sep, qty = text.partition("=")
    sku, qty = sku.strip(), qty.strip()
    if not sep or not sku or not qty.isascii() or not qty.isdigit() or not qty.strip("0"):
        raise UsageError(f"--line {text!r} should be SKU=QTY with a quantity of at least 1")
    return sku, quantities.parse(qty, f"--line {text!r}: quantity")


def _advance_sequences(session: Session, table: Any) -> None:
    """PostgreSQL's SERIAL does not see explicit ids: move it past the largest one."""
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql":
        return
    name = table.__tablename__
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"GREATEST((SELECT MAX(id) FROM {name}), 1))"
        )
    )
