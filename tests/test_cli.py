"""The command line through its real entry point (a subprocess running `monitor`)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from monitor.cli import build_parser

MONITOR = [sys.executable, "-m", "monitor.cli"]


def monitor(*args, cwd, check=True, env=None):
    result = subprocess.run(
        [*MONITOR, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"monitor {args} failed: {result.stderr}")
    return result


def write_config(tmp_path: Path, sources: str) -> Path:
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(
        '[monitor]\ndatabase_url = "sqlite:///m.db"\n\n[[brands]]\nname = "Movistela"\n' + sources,
        encoding="utf-8",
    )
    return cfg


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert {
        "init",
        "collect",
        "classify",
        "run",
        "import",
        "status",
        "analyze",
        "eval",
        "train",
        "dashboard",
        "demo",
    } <= set(sub.choices)
    for name, sp in sub.choices.items():
        assert sp.description, f"{name} has no help text"


def test_init_then_refuse_to_overwrite(tmp_path):
    monitor("init", cwd=tmp_path)
    text = (tmp_path / "monitor.toml").read_text(encoding="utf-8")
    assert "[[brands]]" in text and "REDDIT_CLIENT_ID" in text
    again = monitor("init", cwd=tmp_path, check=False)
    assert again.returncode == 1 and "already exists" in again.stderr and "--force" in again.stderr


def test_init_into_a_missing_folder_is_one_line_not_a_traceback(tmp_path, capsys):
    from monitor.cli import main

    assert main(["init", str(tmp_path / "no" / "such" / "monitor.toml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write ") and "hint: " in err
    assert not (tmp_path / "no").exists()


def test_invalid_config_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "monitor.toml").write_text("[[brands]\n", encoding="utf-8")
    result = monitor("status", cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")


def test_import_collect_and_status(tmp_path):
    data = tmp_path / "export.csv"
    data.write_text(
        "text,date,author,url\n"
        "Movistela me dejó sin fibre tres días,2026-11-01T10:00:00Z,ana,https://example.com/1\n"
        "Hoy paella,2026-11-01T11:00:00Z,luis,https://example.com/2\n"
        ",2026-11-01,nadie,\n",
        encoding="utf-8",
    )
    write_config(
        tmp_path, f'\n[[sources]]\nname = "exports"\nkind = "file"\npath = "{data.name}"\n'
    )
    imported = monitor("import", str(data), cwd=tmp_path)
    assert "1 mention a brand, 1 new" in imported.stdout
    collected = monitor("collect", cwd=tmp_path)
    assert "exports" in collected.stdout
    status = monitor("status", cwd=tmp_path)
    assert "exports" in status.stdout and "posts: 2" in status.stdout
    # collected, not yet through `monitor classify`: status says the categories are pending
    assert "categories: 0 posts (0%) are in at least one of 10; 2 wait for" in status.stdout


def test_import_a_review_export_about_one_brand(tmp_path):
    data = tmp_path / "reviews.csv"
    data.write_text(
        "text,date,rating\nLa app no carga desde ayer,2026-11-01,1\nTodo perfecto,2026-11-02,5\n",
        encoding="utf-8",
    )
    write_config(tmp_path, "")
    plain = monitor("import", str(data), "--source", "a", cwd=tmp_path)
    assert "2 rows read, 0 mention a brand" in plain.stdout  # neither row names it
    assert "left out: 2 brand not mentioned" in plain.stdout
    about = monitor("import", str(data), "--source", "b", "--about", "Movistela", cwd=tmp_path)
    assert "2 rows read, 2 are about Movistela, 2 new" in about.stdout
    bad = monitor("import", str(data), "--about", "Movistel", cwd=tmp_path, check=False)
    assert bad.returncode == 1 and "no brand named 'Movistel'" in bad.stderr


def test_import_maps_the_columns_of_another_tools_export(tmp_path):
    data = tmp_path / "suite.csv"
    data.write_text("Full Text,Published\nMovistela no responde,2026-11-01\n", encoding="utf-8")
    write_config(tmp_path, "")
    mapped = ("--column", "text=Full Text", "--column", "date=Published")
    imported = monitor("import", str(data), *mapped, cwd=tmp_path)
    assert "1 rows read, 1 mention a brand, 1 new" in imported.stdout
    unmapped = monitor("import", str(data), cwd=tmp_path, check=False)
    assert unmapped.returncode == 1 and "--column text='full text'" in unmapped.stderr
    assert unmapped.stderr.count("no 'text' column") == 1  # the error line, not a log line too
    bad = monitor("import", str(data), "--column", "texto=Full Text", cwd=tmp_path, check=False)
    assert bad.returncode == 1 and "--column: unknown field 'texto'" in bad.stderr


def test_status_says_when_a_working_source_matches_no_brand(tmp_path):
    data = tmp_path / "other.jsonl"
    data.write_text('{"text": "Hoy paella", "id": "1"}\n', encoding="utf-8")
    write_config(tmp_path, f'\n[[sources]]\nname = "misc"\nkind = "file"\npath = "{data.name}"\n')
    for _ in range(2):
        monitor("collect", cwd=tmp_path)
    status = monitor("status", cwd=tmp_path)  # not a failure: exit 0, but a clear hint
    assert "ok, but 2 runs matched no brand: check the brands' names" in status.stdout


def test_status_says_which_posts_came_without_a_date_and_how_alerts_treat_them(
    tmp_path, httpserver
):
    dated = tmp_path / "dated.csv"
    dated.write_text("text,date\nMovistela no carga,2026-11-01\n", encoding="utf-8")
    undated = tmp_path / "undated.csv"
    undated.write_text("text\nMovistela no carga\nMovistela tarda\n", encoding="utf-8")
    httpserver.expect_request("/feed").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Foro</title>'
        "<item><guid>1</guid><title>Movistela me cobró de más</title></item>"
        "</channel></rss>",
        content_type="application/rss+xml",
    )
    write_config(
        tmp_path,
        "".join(
            f'\n[[sources]]\nname = "{name}"\nkind = "file"\npath = "{path.name}"\n'
            for name, path in (("dated", dated), ("undated", undated))
        )
        + f'\n[[sources]]\nname = "forum"\nkind = "rss"\nurl = "{httpserver.url_for("/feed")}"\n',
    )
    monitor("collect", cwd=tmp_path)
    status = monitor("status", cwd=tmp_path).stdout
    assert "undated: 2 of 2 posts came without a date" in status
    assert "the alert rules never count them (an export" in status
    assert "forum: 1 of 1 posts came without a date" in status
    assert "skip the first batch of them (the backlog the first collection found)" in status
    assert "\ndated:" not in status  # every post of it had a date


def test_failing_source_shows_in_status_and_exit_code(tmp_path):
    write_config(tmp_path, '\n[[sources]]\nname = "gone"\nkind = "file"\npath = "missing.jsonl"\n')
    result = monitor("collect", cwd=tmp_path, check=False)
    assert result.returncode == 1 and "missing.jsonl" in result.stdout
    assert "missing.jsonl" not in result.stderr  # reported once, in the table
    status = monitor("status", cwd=tmp_path, check=False)
    assert "FAILING x1" in status.stdout and "1 source(s) failing: gone" in status.stdout
    assert status.returncode == 1  # cron and monitoring scripts notice
    write_config(tmp_path, "")  # the source is removed from the config: history, not a failure
    assert monitor("status", cwd=tmp_path).returncode == 0


def test_kill_mid_collection_then_restart_loses_and_duplicates_nothing(tmp_path):
    small = tmp_path / "small.jsonl"
    big = tmp_path / "big.jsonl"
    small.write_text(
        "".join(
            json.dumps({"id": f"s{i}", "text": f"Movistela small {i}"}) + "\n" for i in range(20)
        )
    )
    big.write_text(
        "".join(
            json.dumps({"id": f"b{i}", "text": f"Movistela post number {i} about billing"}) + "\n"
            for i in range(6_000)
        )
    )
    write_config(
        tmp_path,
        '\n[[sources]]\nname = "small"\nkind = "file"\npath = "small.jsonl"\n'
        '\n[[sources]]\nname = "big"\nkind = "file"\npath = "big.jsonl"\n',
    )
    proc = subprocess.Popen(
        [*MONITOR, "collect"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    db = tmp_path / "m.db"
    deadline = time.time() + 60
    count = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with closing(sqlite3.connect(db, timeout=1)) as conn:
                    count = conn.execute("select count(*) from posts").fetchone()[0]
            except sqlite3.OperationalError:
                count = 0
            if count >= 20:
                break
        time.sleep(0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.returncode != -signal.SIGKILL:
        pytest.skip("collection finished before it could be killed")
    with closing(sqlite3.connect(db)) as conn:
        before = conn.execute("select count(*) from posts").fetchone()[0]
    assert before in (20, 6_020)  # the big source's batch is all-or-nothing
    monitor("collect", cwd=tmp_path)
    with closing(sqlite3.connect(db)) as conn:
        total, distinct = conn.execute(
            "select count(*), count(distinct external_id) from posts"
        ).fetchone()
    assert total == distinct == 6_020


def test_progress_bar_names_each_stage_of_long_work(capsys):
    from monitor.cli import Bar

    bar = Bar("training", enabled=True)
    bar(1, 4, "train loss 0.912")
    bar(4, 4, "train loss 0.401")
    bar(32, 64, "emotion layer inputs")
    err = capsys.readouterr().err
    assert "\rtrain loss 0.912 [#######.......................] 1/4" in err
    assert "train loss 0.401 [##############################] 4/4\n" in err
    assert err.endswith("\remotion layer inputs [###############...............] 32/64")


def test_dashboard_brings_an_older_database_up_to_date_before_serving(tmp_path, monkeypatch):
    from sqlalchemy import inspect

    from monitor import cli, dashboard_launcher
    from monitor.store import Store
    from monitor.store.migrate import upgrade

    db = tmp_path / "old.db"
    store = Store.open(f"sqlite:///{db}", migrate_schema=False)
    with store.engine.begin() as conn:
        upgrade(conn, "0003")  # a database from before review ratings
    assert "rating" not in {c["name"] for c in inspect(store.engine).get_columns("posts")}
    store.close()
    monkeypatch.setattr(dashboard_launcher, "launch", lambda settings, **kw: 0)  # no Streamlit
    assert cli.main(["--db", f"sqlite:///{db}", "dashboard"]) == 0
    store = Store.open(f"sqlite:///{db}", migrate_schema=False)
    assert "rating" in {c["name"] for c in inspect(store.engine).get_columns("posts")}
    store.close()
    missing = tmp_path / "none.db"
    assert cli.main(["--db", f"sqlite:///{missing}", "dashboard"]) == 0
    assert not missing.exists()  # a missing file is not created (the app explains instead)


# ---- log level ---------------------------------------------------------------


@pytest.fixture
def root_level():
    """The root logger's level after a command; restored afterwards."""
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.CRITICAL)  # so that a command that sets nothing is seen
    yield lambda: logging.getLevelName(root.level)
    root.setLevel(before)


@pytest.fixture
def run_without_scheduling(monkeypatch):
    """`monitor run` up to its scheduler, which records the log level instead of running."""
    from monitor import scheduler

    seen = []

    class Scheduler:
        def start(self):
            seen.append(logging.getLevelName(logging.getLogger().level))

    monkeypatch.setattr(scheduler, "build_scheduler", lambda *a, **kw: Scheduler())
    monkeypatch.setattr(scheduler.signal, "signal", lambda *a: None)
    return seen


def test_monitor_log_level_applies_to_every_command(tmp_path, monkeypatch, root_level):
    from monitor.cli import main

    monkeypatch.setenv("MONITOR_LOG_LEVEL", "info")
    main(["--config", str(write_config(tmp_path, "")), "status"])
    assert root_level() == "INFO"


def test_log_level_in_the_config_file_applies_to_every_command(tmp_path, monkeypatch, root_level):
    from monitor.cli import main

    monkeypatch.delenv("MONITOR_LOG_LEVEL", raising=False)
    cfg = tmp_path / "monitor.toml"
    cfg.write_text('[monitor]\ndatabase_url = "sqlite:///m.db"\nlog_level = "error"\n')
    main(["--config", str(cfg), "status"])
    assert root_level() == "ERROR"


def test_debug_wins_over_the_configured_log_level(tmp_path, monkeypatch, root_level):
    from monitor.cli import main

    monkeypatch.setenv("MONITOR_LOG_LEVEL", "ERROR")
    main(["--debug", "--config", str(write_config(tmp_path, "")), "status"])
    assert root_level() == "DEBUG"


def test_debug_wins_under_monitor_run(tmp_path, monkeypatch, root_level, run_without_scheduling):
    from monitor.cli import main

    monkeypatch.setenv("MONITOR_LOG_LEVEL", "WARNING")
    assert main(["--debug", "--config", str(write_config(tmp_path, "")), "run"]) == 0
    assert run_without_scheduling == ["DEBUG"]


def test_without_a_log_level_monitor_run_says_what_it_does_and_commands_stay_quiet(
    tmp_path, monkeypatch, root_level, run_without_scheduling
):
    from monitor.cli import main

    monkeypatch.delenv("MONITOR_LOG_LEVEL", raising=False)
    cfg = str(write_config(tmp_path, ""))
    assert main(["--config", cfg, "run"]) == 0
    main(["--config", cfg, "status"])
    assert (run_without_scheduling, root_level()) == (["INFO"], "WARNING")


# ---- alerts ------------------------------------------------------------------------


def open_spike_alert(db: Path) -> int:
    """A spike alert opened by an earlier check and not delivered yet."""
    from monitor.alerts.repository import AlertRepository
    from monitor.alerts.rules import AlertRules, evaluate
    from monitor.store import Store
    from tests.alerts.alertdata import NOW, negative_post, window_stats

    store = Store.open(f"sqlite:///{db}")
    try:
        posts = [negative_post(i, 4 * i, text=f"Me cobraron dos veces #{i}") for i in range(1, 16)]
        (c,) = evaluate(window_stats(3, 15, posts_=posts), AlertRules(), NOW)
        return AlertRepository(store.engine).upsert(c, NOW).id
    finally:
        store.close()


HOOK_CHANNEL = """
[alerts.delivery]
backoff_seconds = 0

[[alerts.channels]]
name = "hook"
kind = "webhook"
url_env = "ESCUCHA_TEST_HOOK"
"""


def test_alerts_check_exits_1_and_names_a_delivery_that_failed(tmp_path):
    write_config(tmp_path, HOOK_CHANNEL)
    alert_id = open_spike_alert(tmp_path / "m.db")
    env = {k: v for k, v in os.environ.items() if k != "ESCUCHA_TEST_HOOK"}
    result = subprocess.run(
        [*MONITOR, "alerts", "check"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert "nothing unusual" not in result.stdout
    assert (
        f"error: alert {alert_id} not delivered to hook: "
        "environment variable ESCUCHA_TEST_HOOK is not set"
    ) in result.stderr


def test_alerts_check_that_delivers_an_earlier_alert_is_nothing_unusual(tmp_path, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    write_config(tmp_path, HOOK_CHANNEL)
    open_spike_alert(tmp_path / "m.db")
    result = monitor(
        "alerts", "check", cwd=tmp_path, env={"ESCUCHA_TEST_HOOK": httpserver.url_for("/hook")}
    )
    assert result.stdout == "nothing unusual: no alert opened, updated or resolved\n"
    assert len(httpserver.log) == 1


def test_until_without_a_replay_is_an_error_not_ignored(tmp_path, capsys):
    from monitor.cli import main

    db = f"sqlite:///{tmp_path / 'm.db'}"
    assert main(["--db", db, "alerts", "check", "--until", "2026-11-20"]) == 1
    assert "--until ends a replay" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--db", "--config"])
def test_demo_refuses_a_database_or_config_it_would_ignore(tmp_path, capsys, flag, monkeypatch):
    # `monitor --db postgresql://... demo` wrote the demo into escucha-demo.db and served
    # that, saying nothing of the PostgreSQL database it was given
    from monitor.cli import main

    monkeypatch.chdir(tmp_path)
    value = "postgresql://escucha@127.0.0.1:1/escucha" if flag == "--db" else "monitor.toml"
    assert main([flag, value, "demo", "--no-dashboard"]) == 1
    err = capsys.readouterr().err
    assert f"error: the demo uses its own configuration and SQLite file, not {flag}" in err
    assert "collect" in err  # the hint: how to load the demo into that database
    assert not (tmp_path / "escucha-demo.db").exists()


def test_analyze_without_any_text_says_so(tmp_path):
    result = subprocess.run(
        [*MONITOR, "analyze"], cwd=tmp_path, input="", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "error: no text to analyze" in result.stderr


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """`monitor status | head -1`: the rest of the output goes nowhere, without a traceback."""
    write_config(tmp_path, "")
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read what the command prints
    try:
        result = subprocess.run(
            [*MONITOR, "--config", "monitor.toml", "status"],
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr
    assert result.returncode == 141


def test_info_logging_leaves_out_alembics_plugin_lines(tmp_path):
    write_config(tmp_path, "")
    result = monitor(
        "--config",
        "monitor.toml",
        "status",
        cwd=tmp_path,
        check=False,
        env={"MONITOR_LOG_LEVEL": "INFO"},
    )
    assert "setup plugin" not in result.stderr
