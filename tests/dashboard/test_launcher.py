"""`monitor dashboard` starts Streamlit in a child process; monitor itself never imports it."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from monitor import dashboard_launcher
from monitor.settings import Settings


def test_command_runs_the_app_headless_with_usage_stats_off():
    argv = dashboard_launcher.command(port=8600)
    assert argv[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(argv[4]) == dashboard_launcher.APP and dashboard_launcher.APP.exists()
    assert argv[argv.index("--server.port") + 1] == "8600"
    assert argv[argv.index("--server.headless") + 1] == "true"
    assert argv[argv.index("--browser.gatherUsageStats") + 1] == "false"


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200 if self.path == "/_stcore/health" else 404)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_browser_opens_once_the_dashboard_answers():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    port = server.server_address[1]
    opened = []

    def start_late():  # the server comes up a moment after the launcher starts polling
        time.sleep(0.7)
        server.serve_forever()

    threading.Thread(target=start_late, daemon=True).start()
    try:
        assert dashboard_launcher.open_when_ready(port, lambda: True, opened.append, timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    assert opened == [f"http://localhost:{port}"]


def test_no_browser_when_the_dashboard_stops_before_answering():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    checks, opened = [], []

    def running():
        checks.append(1)
        return len(checks) < 3

    assert not dashboard_launcher.open_when_ready(port, running, opened.append, timeout=10)
    assert opened == [] and len(checks) == 3


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

        def poll(self):
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
