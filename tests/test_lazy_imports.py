"""`import monitor` (and the CLI module, and the dashboard's query layer) must not load torch."""

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "praw", "streamlit")


@pytest.mark.parametrize(
    "module", ["monitor", "monitor.cli", "monitor.pipeline", "monitor.store", "monitor.classify"]
)
def test_import_does_not_load_heavy_packages(module):
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} loaded {out.stdout.strip()}"
