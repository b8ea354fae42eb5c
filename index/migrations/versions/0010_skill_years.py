"""candidates: the years each skill's résumé shows, for the years a job asks per skill

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from index.migrations._backfill import fill_from_resumes

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("skill_years_json", sa.Text(), nullable=False, server_default="{}")
        )
    # Fill it from the evidence already stored with each résumé (résumés parsed before stated
    # years were read show only the years of their dated roles).
    fill_from_resumes("skill_years_json", _years)


def _years(resume: dict[str, Any]) -> str:
    """SkillEvidence.years() as of this revision: the most of the years stated and the years
    of the dated roles, to the quarter year."""
    years = {}
    for e in resume.get("evidence", []):
        shown = [y for y in (e.get("years_stated"), e.get("years_used")) if y is not None]
        if shown:
            years[e["id"]] = round(4 * max(shown)) / 4
    return json.dumps(years, sort_keys=True)


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("skill_years_json")
