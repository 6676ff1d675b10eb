#!/usr/bin/env bash
# Set up a virtual environment with the project, then start it: the Discord bot when DISCORD_TOKEN is
# set (environment or .env), otherwise the local console on the bundled knowledge and SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/careerbot run "$@"
