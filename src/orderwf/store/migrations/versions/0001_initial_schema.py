"""Initial schema: exactly the tables of `orderwf.store.tables`.

Plain column types (String for money, DateTime for UTC times) rather than the TypeDecorators
in `store.columns`, so this revision does not change when application code does.

Revision ID: 0001
Revises: -
Created: 2026-11-26 04:03:38.728387
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("order_key", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("workflow", sa.String(), nullable=False),
        sa.Column("workflow_hash", sa.String(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("total", sa.String(length=40), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("customer_name", sa.String(), nullable=False),
        sa.Column("customer_email", sa.String(), nullable=False),
        sa.Column("billing", sa.JSON(), nullable=False),
        sa.Column("shipping", sa.JSON(), nullable=False),
        sa.Column("customer_note", sa.String(), nullable=False),
        sa.Column("created_via", sa.String(), nullable=False),
        sa.Column("payment_method", sa.String(), nullable=False),
        sa.Column("payment_method_title", sa.String(), nullable=False),
        sa.Column("transaction_id", sa.String(), nullable=False),
        sa.Column("date_created", sa.DateTime(), nullable=False),
        sa.Column("date_modified", sa.DateTime(), nullable=True),
        sa.Column("date_paid", sa.DateTime(), nullable=True),
        sa.Column("date_completed", sa.DateTime(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.Column("stock_reduced", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_orders_customer_email"), "orders", ["customer_email"])
    op.create_index(op.f("ix_orders_date_created"), "orders", ["date_created"])
    op.create_index("ix_orders_status_changed", "orders", ["status", "status_changed_at"])
    op.create_index("ix_orders_status_id", "orders", ["status", "id"])

    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("price", sa.String(length=40), nullable=False),
        sa.Column("manage_stock", sa.Boolean(), nullable=False),
        sa.Column("stock_quantity", sa.Integer(), nullable=True),
        sa.Column("virtual", sa.Boolean(), nullable=False),
        sa.Column("downloadable", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_product_sku"), "product", ["sku"])

    op.create_table(
        "email_once",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("order_id", "email"),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("from_status", sa.String(), nullable=False),
        sa.Column("to_status", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("request_hash", sa.String(), nullable=False),
        sa.Column("effects", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index(op.f("ix_history_order_id"), "history", ["order_id"])

    op.create_table(
        "line_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("variation_id", sa.Integer(), nullable=True),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("method_id", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", sa.String(length=40), nullable=False),
        sa.Column("subtotal", sa.String(length=40), nullable=False),
        sa.Column("total", sa.String(length=40), nullable=False),
        sa.Column("total_tax", sa.String(length=40), nullable=False),
        sa.Column("quantity_refunded", sa.Integer(), nullable=False),
        sa.Column("total_refunded", sa.String(length=40), nullable=False),
        sa.Column("reduced_stock", sa.Integer(), nullable=False),
        sa.Column("refunded_kept", sa.Integer(), nullable=False),
        sa.Column("refunded_restocked", sa.Integer(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_line_item_order_id"), "line_item", ["order_id"])

    op.create_table(
        "order_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("customer_note", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_order_note_order_id"), "order_note", ["order_id"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("to_addr", sa.String(), nullable=False),
        sa.Column("from_addr", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body_text", sa.String(), nullable=False),
        sa.Column("body_html", sa.String(), nullable=True),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index(op.f("ix_outbox_order_id"), "outbox", ["order_id"])
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])

    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("restock", sa.Boolean(), nullable=False),
        sa.Column("refunded_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_refund_order_id"), "refund", ["order_id"])

    op.create_table(
        "tracking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("shipped_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tracking_order_id"), "tracking", ["order_id"])

    op.create_table(
        "refund_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("restocked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refund.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_refund_line_refund_id"), "refund_line", ["refund_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_refund_line_refund_id"), table_name="refund_line")

    op.drop_table("refund_line")
    op.drop_index(op.f("ix_tracking_order_id"), table_name="tracking")

    op.drop_table("tracking")
    op.drop_index(op.f("ix_refund_order_id"), table_name="refund")

    op.drop_table("refund")
    op.drop_index("ix_outbox_status_next", table_name="outbox")
    op.drop_index(op.f("ix_outbox_order_id"), table_name="outbox")

    op.drop_table("outbox")
    op.drop_index(op.f("ix_order_note_order_id"), table_name="order_note")

    op.drop_table("order_note")
    op.drop_index(op.f("ix_line_item_order_id"), table_name="line_item")

    op.drop_table("line_item")
    op.drop_index(op.f("ix_history_order_id"), table_name="history")

    op.drop_table("history")
    op.drop_table("email_once")
    op.drop_index(op.f("ix_product_sku"), table_name="product")

    op.drop_table("product")
    op.drop_index("ix_orders_status_id", table_name="orders")
    op.drop_index("ix_orders_status_changed", table_name="orders")
    op.drop_index(op.f("ix_orders_date_created"), table_name="orders")
    op.drop_index(op.f("ix_orders_customer_email"), table_name="orders")

    op.drop_table("orders")
