"""ranking: past jobs' vectors (rediscovery); candidates' location, remote and tags
(filters); recruiters' feedback on shortlists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_vectors",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.String(length=256), nullable=False),
        sa.Column("model", sa.String(length=256), nullable=False),
        sa.Column("text_sha", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "job_id", "model"),
    )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("remote", sa.Boolean(), nullable=True))
    op.create_table(
        "candidate_tags",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("candidate_id", "tag"),
    )
    with op.batch_alter_table("candidate_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_tags_tag"), ["tag"], unique=False)
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.String(length=256), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("features_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index("ix_feedback_tenant_job", ["tenant", "job_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_tenant_job")
        batch_op.drop_index(batch_op.f("ix_feedback_candidate_id"))
    op.drop_table("feedback")
    with op.batch_alter_table("candidate_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_tags_tag"))
    op.drop_table("candidate_tags")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("remote")
        batch_op.drop_column("location")
    op.drop_table("job_vectors")
