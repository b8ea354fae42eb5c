#!/usr/bin/env bash
# The quality gate: lint, format, types, tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# pytest exits 5 when it collected no test: with `set -e` that fails the gate too.
.venv/bin/pytest "$@"
