#!/usr/bin/env bash
# Set up a virtual environment with the project and its test extras, then run the whole test suite.
# Storage tests also run against PostgreSQL when TEST_DATABASE_URL is set (.ci/run sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
exec .venv/bin/python -m pytest -q "$@"
