"""Start the Streamlit dashboard as a child process (`monitor dashboard`).

Streamlit is not imported here: the child process runs ``python -m streamlit``,
so ``import monitor`` and the CLI stay light.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path

from monitor.errors import MonitorError
from monitor.settings import REPO_DIR, Settings

APP = REPO_DIR / "dashboard" / "app.py"


def command(port: int = 8501, app: Path = APP) -> list[str]:
    """Streamlit always runs headless: a windowed first run would stop at Streamlit's
    e-mail prompt on the terminal. ``launch`` opens the browser itself instead."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's environment: the parent's, plus the database URL and config path."""
    env = dict(os.environ if base is None else base)
    env["MONITOR_DATABASE_URL"] = settings.database_url
    if settings.config_path is not None:
        env["MONITOR_CONFIG"] = str(settings.config_path)
    return env


def open_when_ready(
    port: int,
    is_running: Callable[[], bool],
    opener: Callable[[str], object] = webbrowser.open,
    timeout: float = 120.0,
) -> bool:
    """Open the dashboard in a browser once Streamlit's health check answers; gives up
    (False) when the server stops first or does not answer within ``timeout`` seconds."""
    health = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and is_running():
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    opener(f"http://localhost:{port}")
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def launch(settings: Settings, port: int = 8501, headless: bool = True) -> int:
    """Serve the dashboard until interrupted; returns Streamlit's exit code.

    Unless ``headless``, a browser tab opens on the dashboard once it answers."""
    if not APP.exists():
        raise MonitorError(
            f"dashboard not found at {APP}",
            hint="run from a source checkout (the dashboard/ folder is not packaged)",
        )
    try:
        child = subprocess.Popen(command(port), env=environment(settings))
    except OSError as e:
        raise MonitorError(f"could not start Streamlit: {e}") from e
    if not headless:
        running = lambda: child.poll() is None  # noqa: E731
        threading.Thread(target=open_when_ready, args=(port, running), daemon=True).start()
    # `kill`, systemd or docker stop the parent: pass it on so Streamlit is not orphaned.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: child.terminate()) if main else None
    try:
        return child.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the child too: let it shut down cleanly
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.terminate()
            child.wait()
        return 130
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
