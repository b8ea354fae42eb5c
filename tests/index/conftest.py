from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Every store test runs on SQLite and on PostgreSQL."""
    return str(request.param)
