#!/usr/bin/env bash
# Install everything into .venv, then run ruff, mypy and the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The real-browser test drives Debian's chromium and the voice tests speak with espeak-ng;
# install them where we can (root + apt).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
    || echo "warning: could not install$missing; the browser/voice tests will be skipped" >&2
fi
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
