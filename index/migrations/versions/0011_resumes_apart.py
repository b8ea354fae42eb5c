"""resumes: each candidate's parsed résumé in a table of its own, out of the candidates rows
that every start reads whole (``index._schema.ResumeRow``)

The résumés are copied a batch at a time, and each batch's copy in the candidates table
emptied as it goes, so that SQLite reuses the pages they held: the database file grows
little, not by every résumé again (27.6 → 29.1 GB at a million candidates); its
write-ahead log still holds them all until the migration commits (27 GB at a million, in
10.6 minutes on two cores).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "resumes",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("resume_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("candidate_id"),
    )
    _move("candidates", "id", "resume_json", "resumes", "candidate_id")
    # SQLite (3.35 and later) drops a column in place, keeping the table's AUTOINCREMENT.
    op.drop_column("candidates", "resume_json")


def downgrade() -> None:
    op.add_column(
        "candidates", sa.Column("resume_json", sa.Text(), nullable=False, server_default="")
    )
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE candidates SET resume_json = (SELECT resume_json FROM resumes "
            "WHERE resumes.candidate_id = candidates.id)"
        )
    )
    op.drop_table("resumes")


def _move(source: str, key: str, column: str, target: str, target_key: str) -> None:
    """Copy ``column`` of every row of ``source`` into ``target`` (keyed by ``target_key``),
    ``BATCH`` rows at a time, emptying each batch's ``column`` once copied."""
    connection = op.get_bind()
    last = 0
    while True:
        upto = connection.execute(
            sa.text(
                f"SELECT max({key}) FROM (SELECT {key} FROM {source} WHERE {key} > :last "
                f"ORDER BY {key} LIMIT :batch) AS part"
            ),
            {"last": last, "batch": BATCH},
        ).scalar()
        if upto is None:
            return
        bounds = {"last": last, "upto": upto}
        connection.execute(
            sa.text(
                f"INSERT INTO {target} ({target_key}, {column}) SELECT {key}, {column} "
                f"FROM {source} WHERE {key} > :last AND {key} <= :upto"
            ),
            bounds,
        )
        connection.execute(
            sa.text(f"UPDATE {source} SET {column} = '' WHERE {key} > :last AND {key} <= :upto"),
            bounds,
        )
        last = upto
