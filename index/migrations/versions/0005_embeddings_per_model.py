"""embeddings: one vector per candidate and model, so that a re-index to a new model leaves
the old vectors whole until it has finished

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = "candidate_id, model, text_sha, vector"


def _embeddings_table(name: str, key: list[str]) -> None:
    op.create_table(
        name,
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=256), nullable=False),
        sa.Column("text_sha", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(*key),
    )


def _rebuild(key: list[str]) -> None:
    """Copy the table into one with primary key ``key`` (a primary key cannot be altered
    in place on SQLite)."""
    _embeddings_table("embeddings_next", key)
    op.execute(f"INSERT INTO embeddings_next ({COLUMNS}) SELECT {COLUMNS} FROM embeddings")
    op.drop_table("embeddings")
    op.rename_table("embeddings_next", "embeddings")


def upgrade() -> None:
    _rebuild(["candidate_id", "model"])


def downgrade() -> None:
    op.execute(
        "DELETE FROM embeddings WHERE model NOT IN (SELECT MIN(model) FROM embeddings e "
        "WHERE e.candidate_id = embeddings.candidate_id)"
    )
    _rebuild(["candidate_id"])
