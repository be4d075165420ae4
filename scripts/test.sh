#!/usr/bin/env bash
# Install everything into .venv, then run ruff, mypy and every test tier (fast and slow).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages the slow tier drives: chromium (real-browser test) and espeak-ng (voice tests;
# the app reads questions aloud with it). Installed where we can (root + apt).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
    || echo "warning: could not install$missing; the browser/voice tests will be skipped" >&2
fi
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/mypy
# -m overrides the default "not slow" selection in pyproject.toml: every tier runs here.
.venv/bin/python -m pytest -q -m "slow or not slow" "$@"
