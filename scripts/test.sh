#!/usr/bin/env bash
# Install everything into .venv, then run ruff, mypy and every test tier (fast and slow).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages the slow tier drives: chromium (real-browser test). Installed where we can (root + apt).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; the browser test will be skipped" >&2
fi
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/mypy
# -m overrides the default "not slow" selection in pyproject.toml: every tier runs here.
.venv/bin/python -m pytest -q -m "slow or not slow" "$@"
