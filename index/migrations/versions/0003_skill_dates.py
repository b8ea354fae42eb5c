"""candidates: when each skill was last used, for the recency of a match

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from index.migrations._backfill import fill_from_resumes

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("skills_last_used_json", sa.Text(), nullable=False, server_default="{}")
        )
    # Fill it from the evidence already stored with each résumé.
    fill_from_resumes("skills_last_used_json", _dates)


def _dates(resume: dict[str, Any]) -> str:
    evidence = resume.get("evidence", [])
    dates = {e["id"]: e["last_used"] for e in evidence if e.get("last_used")}
    return json.dumps(dates, sort_keys=True)


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("skills_last_used_json")
