"""The floor of `bench/floor_apply.py` on SQLAlchemy Core alone: the same reads and writes of one
cold `apply ID process`, in one transaction, under the same interpreter settings, but its
tables declared as Core `Table`s and its statements Core's, so that it never imports SQLModel,
pydantic or the ORM. orderwf's apply stopped importing them (its statements run on
`store/core.py`'s tables); `floor_apply.py` is the floor issue 15 names, this one the floor
that does no more than orderwf now does (`bench/apply_cold.py` reports both).

    python -m bench.floor_apply_core sqlite:///bench/out/orders-100000.db ORDER_ID
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

from sqlalchemy import (  # noqa: E402
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
    text,
    update,
)

_META = MetaData()
ORDERS = Table(
    "orders", _META,
    Column("id", Integer, primary_key=True), Column("status", String),
    Column("customer_email", String), Column("version", Integer),
    Column("stock_reduced", Boolean), Column("date_modified", DateTime),
    Column("status_changed_at", DateTime),
)  # fmt: skip
LINES = Table(
    "line_item", _META,
    Column("id", Integer, primary_key=True), Column("order_id", Integer),
    Column("kind", String), Column("name", String), Column("product_id", Integer),
    Column("sku", String), Column("quantity", Integer), Column("total", String),
    Column("reduced_stock", Integer),
)  # fmt: skip
NOTES = Table(
    "order_note", _META,
    Column("id", Integer, primary_key=True), Column("order_id", Integer),
    Column("note", String), Column("customer_note", Boolean), Column("author", String),
    Column("created_at", DateTime),
)  # fmt: skip
OUTBOX = Table(
    "outbox", _META,
    Column("id", Integer, primary_key=True), Column("order_id", Integer),
    Column("email", String), Column("to_addr", String), Column("from_addr", String),
    Column("subject", String), Column("body_text", String), Column("body_html", String),
    Column("message_id", String), Column("status", String), Column("attempts", Integer),
    Column("next_attempt_at", DateTime), Column("created_at", DateTime),
)  # fmt: skip
ONCE = Table("email_once", _META, Column("order_id", Integer), Column("email", String))
HISTORY = Table(
    "history", _META,
    Column("id", Integer, primary_key=True), Column("order_id", Integer),
    Column("at", DateTime), Column("actor", String), Column("action", String),
    Column("params", JSON), Column("from_status", String), Column("to_status", String),
    Column("request_hash", String), Column("effects", JSON),
)  # fmt: skip


def _sqlite_immediate(engine: Any) -> None:
    """`BEGIN IMMEDIATE`, as orderwf takes SQLite's write lock before it reads the order."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _body(kind: str, order_id: int, lines: list[Any], size: int) -> str:
    rows = "".join(
        f"<tr><td>{li.name}</td><td>{li.quantity}</td><td>{li.total}</td></tr>" for li in lines
    )
    head = f"<p>{kind} for order #{order_id}</p><table>{rows}</table>"
    return head + " " * max(0, size - len(head))


def main(url: str, order_id: int) -> int:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _sqlite_immediate(engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        query = select(ORDERS).where(ORDERS.c.id == order_id)
        if engine.dialect.name != "sqlite":
            query = query.with_for_update()
        order = conn.execute(query).first()
        if order is None or order.status != "pending":
            print(f"order #{order_id} is not pending", file=sys.stderr)
            return 1
        lines = conn.execute(select(LINES).where(LINES.c.order_id == order_id)).all()
        changes = []
        for line in lines:
            if line.kind != "line_item" or line.product_id is None:
                continue
            new = conn.execute(
                text(
                    "UPDATE product SET stock_quantity = stock_quantity - :q "
                    "WHERE id = :id AND manage_stock RETURNING stock_quantity"
                ),
                {"q": line.quantity, "id": line.product_id},
            ).scalar()
            if new is None:
                continue
            conn.execute(
                update(LINES).where(LINES.c.id == line.id).values(reduced_stock=line.quantity)
            )
            changes.append(f"{line.name} ({line.sku}) {new + line.quantity}→{new}")
        conn.execute(
            update(ORDERS)
            .where(ORDERS.c.id == order_id)
            .values(status="processing", version=order.version + 1, stock_reduced=True,
                    date_modified=now, status_changed_at=now)
        )  # fmt: skip
        notes = [
            f"Stock levels reduced: {', '.join(changes)}",
            "Order status changed from Pending payment to Processing.",
        ]
        conn.execute(
            insert(NOTES),
            [{"order_id": order_id, "note": n, "customer_note": False, "author": "system",
              "created_at": now} for n in notes],
        )  # fmt: skip
        conn.execute(
            insert(OUTBOX),
            [
                {"order_id": order_id, "email": email, "to_addr": to,
                 "from_addr": "Example Shop <no-reply@example.com>",
                 "subject": f"[Example Shop]: New order #{order_id}",
                 "body_text": _body(email, order_id, list(lines), 600),
                 "body_html": _body(email, order_id, list(lines), 7000),
                 "message_id": f"<{uuid.uuid4().hex}@example.com>", "status": "pending",
                 "attempts": 0, "next_attempt_at": now, "created_at": now}
                for email, to in (("new_order", "shop@example.com"),
                                  ("customer_processing_order", order.customer_email))
            ],
        )  # fmt: skip
        conn.execute(insert(ONCE).values(order_id=order_id, email="new_order"))
        effects = [{"type": "status", "from": "pending", "to": "processing"}]
        effects += [{"type": "note", "text": n} for n in notes]
        conn.execute(
            insert(HISTORY).values(
                order_id=order_id, at=now, actor="floor", action="process", params={},
                from_status="pending", to_status="processing", request_hash=uuid.uuid4().hex,
                effects=json.loads(json.dumps(effects)),
            )
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    try:  # collection paused since the top; what is allocated frozen at the end
        code = main(sys.argv[1], int(sys.argv[2]))
    finally:
        gc.freeze()
        gc.enable()
    sys.exit(code)
