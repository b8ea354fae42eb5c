#!/usr/bin/env bash
# The quality gate: lint, format, types, tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# The store and API tests run on SQLite and on a real PostgreSQL server, started here (and
# installed from Debian's packages when missing) unless a URL is given.
if [ -z "${TALENTMATCH_TEST_DATABASE_URL:-}" ]; then
    TALENTMATCH_TEST_DATABASE_URL="$(bash scripts/postgres.sh)"
    export TALENTMATCH_TEST_DATABASE_URL
fi
# The recruiter page's browser tests drive Debian's Chromium, installed here when missing.
TALENTMATCH_CHROMIUM="$(bash scripts/chromium.sh)"
export TALENTMATCH_CHROMIUM
# pytest exits 5 when it collected no test: with `set -e` that fails the gate too.
.venv/bin/pytest "$@"
