"""Importing WooCommerce products and orders (SPEC §5): the records read and checked (every
one, before anything is stored), turned into rows, and stored in batches in one write
transaction, so memory stays flat and a file is imported whole or not at all. Ids from
WooCommerce are kept. Nothing here prints."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from orderwf import woo
from orderwf.errors import OrderwfError, StoreError, UsageError
from orderwf.store import imports
from orderwf.store.db import write_transaction
from orderwf.store.tables import LineItem, Order, Product, Refund

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf import orders as s
    from orderwf.jsonstream import JsonFile
    from orderwf.workflow.model import Workflow

# Picks the workflow of an order being created or imported (the project's routes), given
# the engine snapshot `woo.route_snapshot` builds.
Chooser: TypeAlias = "Callable[[s.Order], Workflow]"

StockReduced = Literal["auto", "yes", "no"]
STOCK_REDUCED_MODES: tuple[StockReduced, ...] = ("auto", "yes", "no")
BATCH_SIZE = 500


def stock_reduced_mode(mode: str) -> StockReduced:
    """`--stock-reduced` checked: auto, yes or no."""
    for known in STOCK_REDUCED_MODES:
        if mode == known:
            return known
    raise UsageError(f"--stock-reduced {mode!r} is not one of auto, yes, no")


def stream(path: Path) -> JsonFile:
    """A WooCommerce JSON file (one object or a list), read one record at a time; it can be
    read again (an import checks the whole file, then stores it)."""
    return woo.stream(path)


def import_products(
    db: Engine,
    items: Iterable[Any],
    *,
    currency: str = "EUR",
    update: bool = False,
    batch_size: int = BATCH_SIZE,
    checked: list[int] | None = None,
) -> list[int]:
    """Store WooCommerce products (decoded JSON objects); returns their ids in file order.
    An id already stored is refused unless `update`, which overwrites it (stock level too).

    `items` is read twice (a list, or a `stream` that reads its file again): every record is
    checked first (`checked`: the ids `check_products` returned, when the caller checked it
    before opening the database), then stored `batch_size` at a time in one transaction."""
    ids = checked if checked is not None else check_products(items, currency, batch_size)
    with write_transaction(db) as session:
        start = 0
        for batch in woo.batches(items, batch_size):
            products = woo.parse_products(batch, currency=currency, start=start)
            start += len(batch)
            imports.write_products(session, [_product_row(p) for p in products], update=update)
        imports.advance_sequences(session, Product)
    return ids


def _product_row(p: woo.Product) -> dict[str, Any]:
    return {
        "id": p.id,
        "sku": p.sku,
        "name": p.name,
        "price": p.price,
        "manage_stock": p.manage_stock,
        "stock_quantity": p.stock_quantity,
        "virtual": p.virtual,
        "downloadable": p.downloadable,
    }


def import_orders(
    db: Engine,
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
    with write_transaction(db) as session:
        start = 0
        for batch in woo.batches(items, batch_size):
            orders = _parse_orders(workflow, batch, start, check_status=choose is None)
            start += len(batch)
            existing = imports.existing(session, Order, [o.id for o in orders])
            if existing and not update:
                raise StoreError(imports.duplicate_message("order", existing))
            imports.refuse_managed(session, existing)
            imports.refuse_foreign(
                session, LineItem, "line item", {c.id: o.id for o in orders for c in o.lines}
            )
            imports.refuse_foreign(
                session, Refund, "refund", {c.id: o.id for o in orders for c in o.refunds}
            )
            product_ids = {line.product_id for o in orders for line in o.lines if line.product_id}
            product_ids |= {
                line.variation_id for o in orders for line in o.lines if line.variation_id
            }
            known, stocked = imports.products_known(session, product_ids)
            chosen = dict.fromkeys((o.id for o in orders), workflow)
            if choose is not None:  # the project's routes, over each order and its products
                flags = imports.product_flags(session, product_ids)
                chosen = {o.id: choose(woo.route_snapshot(o, flags)) for o in orders}
                for order in orders:
                    _check_status(order, chosen[order.id])
            replaced = set(existing)
            for order in orders:
                wf = chosen[order.id]
                reduced = _is_reduced(order, wf, stock_reduced)
                imports.write_order(
                    session,
                    _order_row(order, wf, reduced),
                    [
                        _line_row(n, line, reduced, known, stocked)
                        for n, line in enumerate(order.lines)
                    ],
                    [_refund_row(order, refund) for refund in order.refunds],
                    replace=order.id in replaced,
                )
            imports.end_batch(session)
        for table in (Order, LineItem, Refund):
            imports.advance_sequences(session, table)
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
        _check_status(order, workflow)
    return orders


def _check_status(order: woo.Order, workflow: Workflow) -> None:
    if order.status not in workflow.statuses:
        raise OrderwfError(
            f"order #{order.id} has status {order.status!r}, which workflow "
            f"{workflow.name!r} does not declare (its statuses: "
            f"{', '.join(workflow.statuses)})"
        )


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


def _order_row(data: woo.Order, workflow: Workflow, reduced: bool) -> dict[str, Any]:
    return {
        "id": data.id,
        "number": data.number,
        "order_key": data.order_key,
        "status": data.status,
        "workflow": workflow.name,
        "workflow_hash": workflow.content_hash,
        "currency": data.currency,
        "total": data.total,
        "prices_include_tax": data.prices_include_tax,
        "customer_id": data.customer_id,
        "customer_name": data.customer_name,
        "customer_email": str(data.billing.get("email") or ""),
        "billing": dict(data.billing),
        "shipping": dict(data.shipping),
        "customer_note": data.customer_note,
        "created_via": data.created_via,
        "payment_method": data.payment_method,
        "payment_method_title": data.payment_method_title,
        "transaction_id": data.transaction_id,
        "date_created": data.date_created,
        "date_modified": data.date_modified,
        "date_paid": data.date_paid,
        "date_completed": data.date_completed,
        "status_changed_at": data.date_modified or data.date_created,
        "stock_reduced": reduced,
        "meta": dict(data.meta),
    }


def _line_row(
    position: int, line: woo.Line, reduced: bool, known: set[int], stocked: set[int]
) -> dict[str, Any]:
    takes_stock = (
        reduced
        and line.kind == "line_item"
        and stock_product_id(line.product_id, line.variation_id, known) in stocked
    )
    return {
        "id": line.id,
        "kind": line.kind,
        "position": position,
        "name": line.name,
        "product_id": line.product_id,
        "variation_id": line.variation_id,
        "sku": line.sku,
        "method_id": line.method_id,
        "quantity": line.quantity,
        "price": line.price,
        "subtotal": line.subtotal,
        "total": line.total,
        "total_tax": line.total_tax,
        "reduced_stock": line.quantity if takes_stock else 0,
        "meta": dict(line.meta),
    }


def _refund_row(data: woo.Order, refund: woo.Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "amount": refund.amount,
        "reason": refund.reason,
        "restock": False,
        "created_at": refund.created_at or data.date_modified or data.date_created,
    }
