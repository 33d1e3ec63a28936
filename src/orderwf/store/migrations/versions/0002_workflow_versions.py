"""Workflow versions (SPEC §9): every version of a workflow file the database has run, and a
reference to it from every history row written from now on (older rows keep none).

Revision ID: 0002
Revises: 0001
Created: 2026-12-04 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("first_used", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "hash", name="uq_workflow_versions_name_hash"),
    )
    # Batch mode: SQLite cannot add a foreign key to an existing table, so Alembic copies it.
    with op.batch_alter_table("history") as batch:
        batch.add_column(sa.Column("workflow_version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_history_workflow_version_id",
            "workflow_versions",
            ["workflow_version_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.drop_constraint("fk_history_workflow_version_id", type_="foreignkey")
        batch.drop_column("workflow_version_id")
    op.drop_table("workflow_versions")
