"""changes: which candidates each revision of a tenant wrote, and which process wrote them,
so that several processes serving one pool (replicas, a command beside the service) can
follow each other's writes in memory

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("candidate_id", sa.BigInteger(), nullable=False),
        sa.Column("writer", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "revision", "candidate_id"),
    )
    op.create_index("ix_changes_at", "changes", ["at"])
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("pruned", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("pruned")
    op.drop_index("ix_changes_at", table_name="changes")
    op.drop_table("changes")
