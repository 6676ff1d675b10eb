#!/usr/bin/env bash
# Start careerbot: the Discord bot when DISCORD_TOKEN is set (environment or .env), otherwise the local
# console on the bundled knowledge and SQLite. The first run sets up .venv; later runs start at once and
# reinstall only when pyproject.toml changed (its hash is kept in .venv/.careerbot-setup).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.careerbot-setup
wanted=$(python3 -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
if [ ! -x .venv/bin/python ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "Setting up .venv (first run, or pyproject.toml changed); this takes a minute..." >&2
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/python -m pip install -qq --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -qq --disable-pip-version-check -e .
    echo "$wanted" > "$stamp"
fi
exec .venv/bin/careerbot run "$@"
