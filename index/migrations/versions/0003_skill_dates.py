"""candidates: when each skill was last used, for the recency of a match

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("skills_last_used_json", sa.Text(), nullable=False, server_default="{}")
        )
    # Fill it from the evidence already stored with each résumé, a batch at a time.
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, resume_json FROM candidates WHERE id > :last ORDER BY id LIMIT 1000"
            ),
            {"last": last},
        ).fetchall()
        if not rows:
            break
        for candidate_id, resume_json in rows:
            evidence = json.loads(resume_json).get("evidence", [])
            dates = {e["id"]: e["last_used"] for e in evidence if e.get("last_used")}
            connection.execute(
                sa.text("UPDATE candidates SET skills_last_used_json = :dates WHERE id = :id"),
                {"dates": json.dumps(dates, sort_keys=True), "id": candidate_id},
            )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("skills_last_used_json")
