"""The floor for one cold `orderwf apply`: the least a SQLModel program must do for the same
job. Import sqlmodel, open the database, load the order with its lines, update its status,
insert a note, commit. No workflow, no validation, no CLI framework.

    python bench/floor_apply.py sqlite:///bench/out/orders-100000.db ORDER_ID
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlmodel import Field, Session, SQLModel, create_engine, select


class Order(SQLModel, table=True):
    __tablename__ = "orders"

    id: int | None = Field(default=None, primary_key=True)
    status: str
    version: int = 1
    date_modified: datetime | None = None


class LineItem(SQLModel, table=True):
    __tablename__ = "line_item"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    kind: str = "line_item"
    name: str = ""
    quantity: int = 1
    total: str = "0"


class OrderNote(SQLModel, table=True):
    __tablename__ = "order_note"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    note: str
    customer_note: bool = False
    author: str = "system"
    created_at: datetime


def main(url: str, order_id: int) -> int:
    engine = create_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        order = session.get(Order, order_id)
        if order is None or order.status != "pending":
            print(f"order #{order_id} is not pending", file=sys.stderr)
            return 1
        lines = session.exec(select(LineItem).where(LineItem.order_id == order_id)).all()
        order.status = "processing"
        order.version += 1
        order.date_modified = now
        session.add(order)
        session.add(
            OrderNote(
                order_id=order_id,
                note=f"Order status changed from Pending to Processing ({len(lines)} lines).",
                created_at=now,
            )
        )
        session.commit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
