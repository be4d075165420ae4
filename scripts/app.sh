#!/usr/bin/env bash
# Install everything into .venv and start the Streamlit app (seeds/ are ingested on first run).
set -euo pipefail
cd "$(dirname "$0")/.."
# espeak-ng reads questions aloud (and gives the Piper voice its phonemes); installed where we can.
if ! command -v espeak-ng >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null) \
    || echo "warning: could not install espeak-ng; questions cannot be read aloud" >&2
fi
bash scripts/bootstrap.sh
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false "$@"
