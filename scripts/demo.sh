#!/usr/bin/env bash
# Install, then run the main job on the embedded defaults: a SQLite file and the bundled
# demo brand and source. Collects, classifies, prints the status, then serves the dashboard
# on http://localhost:8501 (Ctrl-C stops it). Pass --no-dashboard for the summary only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/monitor demo "$@"
