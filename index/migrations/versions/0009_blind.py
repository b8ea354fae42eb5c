"""blind matching: a per-tenant setting, and which representation each vector was made
from; candidates' self-reported groups, kept apart, for selection-rate reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_settings",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("blind", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant"),
    )
    op.create_table(
        "candidate_groups",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("candidate_id", "category"),
    )
    # Vectors stored before are NULL: made from the text without its header, not redacted;
    # `talentmatch reindex` embeds them again.
    with op.batch_alter_table("embeddings") as batch:
        batch.add_column(sa.Column("blind", sa.Boolean(), nullable=True))
    # Résumés stored before have no blind text (NULL) until `talentmatch reindex` parses
    # them again; until then a blind tenant's BM25 documents hold the text as written.
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(sa.Column("blind_sha", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("blind_sha")
    with op.batch_alter_table("embeddings") as batch:
        batch.drop_column("blind")
    op.drop_table("candidate_groups")
    op.drop_table("tenant_settings")
