"""What migrations share: filling a new column of every candidate from its stored résumé.

Migrations that call it rely on it as it is: change what it does and an old migration does
something else on the next database it upgrades. It reads the résumé from the candidates
table, where it was until migration 0011 moved it to a table of its own: a migration after
0011 that fills a column from the résumé must read it from ``resumes``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

BATCH = 1000


def fill_from_resumes(column: str, value: Callable[[dict[str, Any]], str]) -> None:
    """Set ``column`` of every candidate to ``value`` of its stored résumé (its JSON, read),
    ``BATCH`` candidates at a time."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, resume_json FROM candidates WHERE id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).fetchall()
        if not rows:
            break
        for candidate_id, resume_json in rows:
            connection.execute(
                sa.text(f"UPDATE candidates SET {column} = :value WHERE id = :id"),
                {"value": value(json.loads(resume_json)), "id": candidate_id},
            )
        last = rows[-1][0]
