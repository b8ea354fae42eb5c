"""candidates: the years each skill's résumé shows, for the years a job asks per skill

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("skill_years_json", sa.Text(), nullable=False, server_default="{}")
        )
    # Fill it from the evidence already stored with each résumé, a batch at a time (résumés
    # parsed before stated years were read show only the years of their dated roles).
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
            # SkillEvidence.years() as of this revision: the most of the years stated and
            # the years of the dated roles, to the quarter year.
            years = {}
            for e in json.loads(resume_json).get("evidence", []):
                shown = [y for y in (e.get("years_stated"), e.get("years_used")) if y is not None]
                if shown:
                    years[e["id"]] = round(4 * max(shown)) / 4
            connection.execute(
                sa.text("UPDATE candidates SET skill_years_json = :years WHERE id = :id"),
                {"years": json.dumps(years, sort_keys=True), "id": candidate_id},
            )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("skill_years_json")
