"""`monitor dashboard` starts Streamlit in a child process; monitor itself never imports it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor import dashboard_launcher
from monitor.settings import Settings


def test_command_runs_the_app_with_usage_stats_off():
    argv = dashboard_launcher.command(port=8600, headless=True)
    assert argv[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(argv[4]) == dashboard_launcher.APP and dashboard_launcher.APP.exists()
    assert argv[argv.index("--server.port") + 1] == "8600"
    assert argv[argv.index("--server.headless") + 1] == "true"
    assert argv[argv.index("--browser.gatherUsageStats") + 1] == "false"
    windowed = dashboard_launcher.command(headless=False)
    assert windowed[windowed.index("--server.headless") + 1] == "false"


@pytest.mark.parametrize("config", [None, Path("/srv/escucha/monitor.toml")])
def test_environment_passes_database_and_config(config):
    settings = Settings(database_url="sqlite:////data/escucha.db", config_path=config)
    env = dashboard_launcher.environment(settings, base={"PATH": "/bin", "MONITOR_CONFIG": "old"})
    assert env["MONITOR_DATABASE_URL"] == "sqlite:////data/escucha.db"
    assert env["PATH"] == "/bin"
    assert env["MONITOR_CONFIG"] == (str(config) if config else "old")


def test_launch_returns_the_child_exit_code(monkeypatch):
    seen = {}

    class Child:
        def __init__(self, argv, env):
            seen["argv"], seen["env"] = argv, env

        def wait(self, timeout=None):
            return 3

    monkeypatch.setattr(dashboard_launcher.subprocess, "Popen", Child)
    settings = Settings(database_url="sqlite:///x.db")
    assert dashboard_launcher.launch(settings, port=8700, headless=False) == 3
    assert "8700" in seen["argv"]
    assert seen["env"]["MONITOR_DATABASE_URL"] == "sqlite:///x.db"


@pytest.mark.parametrize("module", ["monitor.insights", "monitor.dashboard_launcher"])
def test_query_layer_and_launcher_do_not_load_streamlit_or_torch(module):
    code = f"import sys, {module}; print(','.join(m for m in ('streamlit', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
