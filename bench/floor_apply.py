"""The floor for one cold `orderwf apply ID process`: the least a SQLModel program must do for
the same job, under the same settings. No workflow, no validation, no templates, no CLI
framework; but the same reads and the same writes, in one transaction:

- read the order and its lines (the lock: `BEGIN IMMEDIATE` on SQLite, as orderwf);
- update the order (status, version, times, stock flag) and each stocked line's `reduced_stock`;
- take the stock out with an atomic increment per product, reading the new level back;
- insert the stock note and the status note, the two emails' outbox rows (bodies of the size
  orderwf renders, built here by string formatting), the `once` marker and the history row.

And under the same interpreter settings: orderwf runs a command with the cycle collector
disabled and freezes what it allocated before exit (`cli.app.main`), which saves a cold process
~100 ms; so does this floor, or it would pay a cost orderwf does not and flatter the ratio.
The collector is paused *before* the floor imports SQLModel, as orderwf's command imports its
whole stack (SQLAlchemy, SQLModel, pydantic, Jinja2) with collection already paused: paused
only after the imports, the floor spent ~30 ms collecting (146 collections) while orderwf
spent ~4 (docs/performance.md, "cold2"). `bench/apply_cold.py` runs it with `-m`, from its
cached bytecode, as orderwf's modules run from theirs.

    python -m bench.floor_apply sqlite:///bench/out/orders-100000.db ORDER_ID
"""

from __future__ import annotations

import gc

if __name__ == "__main__":
    gc.disable()  # as orderwf's entry point, before anything heavy is imported

import json  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import JSON, Column, event, text  # noqa: E402
from sqlmodel import Field, Session, SQLModel, create_engine, select  # noqa: E402


class Order(SQLModel, table=True):
    __tablename__ = "orders"

    id: int | None = Field(default=None, primary_key=True)
    status: str
    customer_email: str = ""
    version: int = 1
    stock_reduced: bool = False
    date_modified: datetime | None = None
    status_changed_at: datetime | None = None


class LineItem(SQLModel, table=True):
    __tablename__ = "line_item"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    kind: str = "line_item"
    name: str = ""
    product_id: int | None = None
    sku: str = ""
    quantity: int = 1
    total: str = "0"
    reduced_stock: int = 0


class OrderNote(SQLModel, table=True):
    __tablename__ = "order_note"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    note: str
    customer_note: bool = False
    author: str = "system"
    created_at: datetime


class Outbox(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id")
    email: str
    to_addr: str = ""
    from_addr: str = ""
    subject: str = ""
    body_text: str = ""
    body_html: str | None = None
    message_id: str
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    created_at: datetime


class EmailOnce(SQLModel, table=True):
    __tablename__ = "email_once"

    order_id: int = Field(foreign_key="orders.id", primary_key=True)
    email: str = Field(primary_key=True)


class History(SQLModel, table=True):
    __tablename__ = "history"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    at: datetime
    actor: str = ""
    action: str
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    from_status: str = ""
    to_status: str = ""
    request_hash: str = ""
    effects: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _sqlite_immediate(engine: Any) -> None:
    """`BEGIN IMMEDIATE`, as orderwf takes SQLite's write lock before it reads the order."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _body(kind: str, order_id: int, lines: list[LineItem], size: int) -> str:
    rows = "".join(
        f"<tr><td>{li.name}</td><td>{li.quantity}</td><td>{li.total}</td></tr>" for li in lines
    )
    head = f"<p>{kind} for order #{order_id}</p><table>{rows}</table>"
    return head + " " * max(0, size - len(head))


def main(url: str, order_id: int) -> int:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _sqlite_immediate(engine)
    now = datetime.now(UTC)
    with Session(engine) as session:
        order = session.get(Order, order_id, with_for_update=engine.dialect.name != "sqlite")
        if order is None or order.status != "pending":
            print(f"order #{order_id} is not pending", file=sys.stderr)
            return 1
        lines = session.exec(select(LineItem).where(LineItem.order_id == order_id)).all()
        changes = []
        for line in lines:
            if line.kind != "line_item" or line.product_id is None:
                continue
            new = session.execute(
                text(
                    "UPDATE product SET stock_quantity = stock_quantity - :q "
                    "WHERE id = :id AND manage_stock RETURNING stock_quantity"
                ),
                {"q": line.quantity, "id": line.product_id},
            ).scalar()
            if new is None:
                continue
            line.reduced_stock = line.quantity
            session.add(line)
            changes.append(f"{line.name} ({line.sku}) {new + line.quantity}→{new}")
        order.status = "processing"
        order.version += 1
        order.stock_reduced = True
        order.date_modified = order.status_changed_at = now
        session.add(order)
        notes = [
            f"Stock levels reduced: {', '.join(changes)}",
            "Order status changed from Pending payment to Processing.",
        ]
        for note in notes:
            session.add(OrderNote(order_id=order_id, note=note, created_at=now))
        for email, to in (("new_order", "shop@example.com"),
                          ("customer_processing_order", order.customer_email)):  # fmt: skip
            session.add(
                Outbox(
                    order_id=order_id,
                    email=email,
                    to_addr=to,
                    from_addr="Example Shop <no-reply@example.com>",
                    subject=f"[Example Shop]: New order #{order_id}",
                    body_text=_body(email, order_id, list(lines), 600),
                    body_html=_body(email, order_id, list(lines), 7000),
                    message_id=f"<{uuid.uuid4().hex}@example.com>",
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        session.add(EmailOnce(order_id=order_id, email="new_order"))
        effects = [{"type": "status", "from": "pending", "to": "processing"}]
        effects += [{"type": "note", "text": n} for n in notes]
        session.add(
            History(
                order_id=order_id,
                at=now,
                actor="floor",
                action="process",
                from_status="pending",
                to_status="processing",
                request_hash=uuid.uuid4().hex,
                effects=json.loads(json.dumps(effects)),
            )
        )
        session.commit()
    return 0


if __name__ == "__main__":
    try:  # collection paused since the top; what is allocated frozen at the end
        code = main(sys.argv[1], int(sys.argv[2]))
    finally:
        gc.freeze()
        gc.enable()
    sys.exit(code)
