#!/usr/bin/env bash
# Set everything up, then run the whole quality gate (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/check.sh "$@"
