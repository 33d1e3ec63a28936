"""Writing imported products and orders, and new orders, as rows (SPEC §5). The service
reads and checks WooCommerce records and prices new orders; these functions work inside the
caller's write transaction, so a file is imported whole or not at all. Ids from WooCommerce
are kept (order 727 stays 727, its line 315 stays 315); afterwards the PostgreSQL id
sequences are moved past them (`advance_sequences`) so rows created later do not collide.
Nothing here prints."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlmodel import col, delete, func, select

from orderwf.errors import Refused, StoreError
from orderwf.store.tables import History, LineItem, Order, Product, Refund, RefundLine

if TYPE_CHECKING:
    from sqlmodel import Session

# Ids per `IN (…)`: far below SQLite's limit on variables in one statement (999 before 3.32).
_IN_SIZE = 500

Row = Mapping[str, Any]  # column name → value


def write_products(session: Session, rows: Sequence[Row], *, update: bool) -> None:
    """Store one batch of products (each row with its `id`). An id already stored is
    refused unless `update`, which overwrites the product (stock level too)."""
    found = set(existing(session, Product, [row["id"] for row in rows]))
    if found and not update:
        raise StoreError(duplicate_message("product", sorted(found)))
    for values in rows:
        product = session.get(Product, values["id"]) if values["id"] in found else None
        if product is None:
            product = Product(id=values["id"])
        for column, value in values.items():
            setattr(product, column, value)
        session.add(product)
    end_batch(session)


def write_order(
    session: Session,
    values: Row,
    lines: Sequence[Row],
    refunds: Sequence[Row],
    *,
    replace: bool,
) -> None:
    """Store one imported order (`values`, with its `id`), its lines and its refunds. With
    `replace`, the stored order's lines and the refunds of these ids are replaced; its notes,
    tracking and history are kept."""
    order_id = values["id"]
    row = session.get(Order, order_id) if replace else None
    if row is None:
        row = Order(id=order_id, status=values["status"], workflow=values["workflow"])
    else:
        refund_ids = [r["id"] for r in refunds]
        old_refunds = select(Refund.id).where(
            col(Refund.order_id) == order_id, col(Refund.id).in_(refund_ids)
        )
        session.execute(delete(RefundLine).where(col(RefundLine.refund_id).in_(old_refunds)))
        session.execute(delete(Refund).where(col(Refund.id).in_(refund_ids)))
        session.execute(delete(LineItem).where(col(LineItem.order_id) == order_id))
    for column, value in values.items():
        setattr(row, column, value)
    session.add(row)
    session.flush()  # the order row first: lines and refunds point at it
    for line in lines:
        session.add(LineItem(order_id=order_id, **line))
    for refund in refunds:
        session.add(Refund(order_id=order_id, **refund))


def insert_order(session: Session, values: Row, lines: Sequence[Row]) -> int:
    """A new order (`order create`) and its lines; its id, which is also its number."""
    order = Order(**values)
    session.add(order)
    session.flush()
    assert order.id is not None
    order.number = str(order.id)
    session.add_all(LineItem(order_id=order.id, **line) for line in lines)
    return order.id


def end_batch(session: Session) -> None:
    """Send a batch's rows and forget them: memory stays flat however long the file."""
    session.flush()
    session.expunge_all()


def refuse_foreign(
    session: Session, table: type[LineItem] | type[Refund], what: str, owner: Mapping[int, int]
) -> None:
    """A line or refund id (`owner`: child id → the order importing it) already owned by
    another order would be stolen by this import."""
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


def products_known(session: Session, ids: set[int]) -> tuple[set[int], set[int]]:
    """Of `ids`, the products that are stored, and those of them that manage stock."""
    pairs = [
        (pid, manages)
        for chunk in _chunks(sorted(ids))
        for pid, manages in session.exec(
            select(Product.id, Product.manage_stock).where(col(Product.id).in_(chunk))
        )
        if pid is not None
    ]
    return {pid for pid, _ in pairs}, {pid for pid, manages in pairs if manages}


def existing(session: Session, table: type[Product] | type[Order], ids: list[int]) -> list[int]:
    found: list[int] = []
    for chunk in _chunks(ids):
        found += session.exec(select(table.id).where(col(table.id).in_(chunk))).all()  # type: ignore[arg-type]
    return sorted(found)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """`ids` in slices small enough for one `IN (…)` on any database."""
    for start in range(0, len(ids), _IN_SIZE):
        yield ids[start : start + _IN_SIZE]


def refuse_managed(session: Session, ids: list[int]) -> None:
    """An order orderwf has applied actions to keeps its own bookkeeping: replacing its lines
    would forget what its refunds gave back and what its stock policies took out."""
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


def product_flags(session: Session, ids: set[int]) -> dict[int, tuple[bool, bool]]:
    """product id → (virtual, downloadable), as WooCommerce's product JSON gave them."""
    if not ids:
        return {}
    rows = session.exec(
        select(Product.id, Product.virtual, Product.downloadable).where(col(Product.id).in_(ids))
    )
    return {pid: (virtual, downloadable) for pid, virtual, downloadable in rows if pid is not None}


def duplicate_message(what: str, ids: list[int]) -> str:
    listed = ", ".join(f"#{i}" for i in ids[:10])  # one line, however many a batch finds
    listed += f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    verb = f"{what} {listed} already exists" if len(ids) == 1 else f"{what}s {listed} already exist"
    return f"{verb}; nothing was imported (use --update to replace)"


def advance_sequences(session: Session, table: Any) -> None:
    """PostgreSQL's SERIAL does not see explicit ids: move it past the largest one."""
    if session.get_bind().dialect.name != "postgresql":
        return
    name = table.__tablename__
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"GREATEST((SELECT MAX(id) FROM {name}), 1))"
        )
    )
