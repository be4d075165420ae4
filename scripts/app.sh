#!/usr/bin/env bash
# Install everything into .venv and start the Streamlit app (seeds/ are ingested on first run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false "$@"
