#!/usr/bin/env bash
# Create .venv and install Escucha into it. torch comes first, pinned, so that pip
# takes the local CPU wheel instead of several GB of CUDA packages. Where pip finds no
# CPU wheel of its own, TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu names one.
# Usage: scripts/install.sh [extra]   (extra: dev for the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
if [ -n "${TORCH_INDEX_URL:-}" ]; then
  python -m pip install -q "torch==2.13.0" --index-url "$TORCH_INDEX_URL"
else
  python -m pip install -q "torch==2.13.0"
fi
if [ "${1:-}" = "dev" ]; then
  python -m pip install -q -e ".[dev]"
else
  python -m pip install -q -e .
fi
