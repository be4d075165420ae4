#!/usr/bin/env bash
# Create .venv (if missing) and install the package with its pinned dependencies; sourced by app.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade 'pip>=25.1'   # 25.1: --group
  .venv/bin/python -m pip install --quiet -r requirements.txt --group dev
  echo "$want" > "$stamp"
fi
