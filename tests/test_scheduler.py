"""The scheduler's wiring: real APScheduler schedulers around a fake pipeline whose jobs
record what ran, and the weekly report's job on a real SQLite store."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.alerts.config import AlertSettings, DeliverySettings
from monitor.normalize import content_hash
from monitor.report.config import ReportSettings
from monitor.report.schedule import (
    last_scheduled_run,
    retry_delay,
    skip_reason,
    week_due,
    week_end,
)
from monitor.report.service import record_partial, report_emailed_to, report_made
from monitor.scheduler import _report_job, build_scheduler
from monitor.settings import Settings, SourceConfig
from monitor.types import Analysis, Post, Prediction, SourceRun
from tests.conftest import free_port, loopback_mail

MONDAY_0720 = datetime(2026, 11, 23, 7, 20, tzinfo=UTC)  # 20 min after a Monday 07:00 run
W47 = datetime(2026, 11, 16, tzinfo=UTC)  # the week due at MONDAY_0720: Mon 16 – Sun 22 Nov


class HangingSources:
    """A pipeline whose sources hang (timeouts, retries) until released; classification
    records that it ran."""

    store = None

    def __init__(self) -> None:
        self.release = threading.Event()
        self.classified = threading.Event()

    def collect_source(self, cfg) -> None:
        self.release.wait(5)

    def categorize_pending(self) -> int:
        self.classified.set()
        return 0

    def classify_pending(self) -> int:
        return 0


def sources(n: int) -> tuple[SourceConfig, ...]:
    return tuple(SourceConfig(f"feed{i}", "rss", {"url": f"http://x/{i}"}) for i in range(n))


@pytest.mark.parametrize("job_id", ["classify", "alerts"])
def test_classification_and_alert_checks_run_late_rather_than_being_skipped(job_id):
    settings = Settings(sources=sources(2), report=ReportSettings(enabled=False))
    scheduler = build_scheduler(settings, HangingSources(), blocking=False, start_now=False)
    scheduler.start(paused=True)  # the scheduler's defaults apply from here
    try:
        job = scheduler.get_job(job_id)
        assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (None, True, 1)
    finally:
        scheduler.shutdown(wait=False)


def test_classification_runs_while_more_sources_than_ten_hang():
    pipeline = HangingSources()
    settings = Settings(sources=sources(12), report=ReportSettings(enabled=False))
    scheduler = build_scheduler(settings, pipeline, blocking=False, start_now=False)
    scheduler.start(paused=True)
    try:
        now = datetime.now(UTC)
        for job in scheduler.get_jobs():  # every source first, then classification
            job.modify(next_run_time=now + timedelta(seconds=0.3 if job.id == "classify" else 0))
        scheduler.resume()
        assert pipeline.classified.wait(3), "classification waited for the sources"
    finally:
        pipeline.release.set()
        scheduler.shutdown(wait=True)


# ---- the weekly report -----------------------------------------------------------


def test_the_last_scheduled_run_is_the_latest_weekday_and_hour_not_after_now():
    assert last_scheduled_run(MONDAY_0720, "mon", 7) == datetime(2026, 11, 23, 7, tzinfo=UTC)
    assert last_scheduled_run(MONDAY_0720, "mon", 8) == datetime(2026, 11, 16, 8, tzinfo=UTC)
    assert last_scheduled_run(MONDAY_0720, "fri", 7) == datetime(2026, 11, 20, 7, tzinfo=UTC)


def test_twenty_minutes_after_the_monday_run_the_week_just_ended_is_due():
    assert week_due(MONDAY_0720, "mon", 7) == "2026-W47"


def test_before_the_monday_run_the_week_due_is_still_the_one_before():
    assert week_due(MONDAY_0720, "mon", 8) == "2026-W46"


def test_a_sunday_run_reports_the_week_before_the_one_ending_that_day():
    assert week_due(MONDAY_0720, "sun", 7) == "2026-W46"


def test_a_week_ends_at_midnight_utc_the_monday_after_it():
    assert week_end("2026-W47") == datetime(2026, 11, 23, tzinfo=UTC)
    assert week_end("2026-W53") == datetime(2027, 1, 4, tzinfo=UTC)  # a year of 53 weeks


def test_only_a_week_that_ended_before_the_stores_first_post_is_skipped():
    ended = week_end("2026-W47")
    assert skip_reason("2026-W47", None) == "the store holds no posts yet"
    assert "first post is from 2026-11-23" in skip_reason("2026-W47", ended)
    assert skip_reason("2026-W47", ended - timedelta(seconds=1)) is None  # its last second
    assert skip_reason("2026-W47", ended - timedelta(days=30)) is None  # however quiet W47 was


def test_a_failed_report_is_tried_again_later_each_time_then_given_up():
    delays = [retry_delay(attempt) for attempt in (1, 2, 3, 4)]
    assert delays[-1] is None
    assert delays[0] < delays[1] < delays[2]


def report_settings(tmp_path, **report) -> Settings:
    """No PDF (WeasyPrint is slow), files in tmp_path/reports."""
    return Settings(report=ReportSettings(out_dir=tmp_path / "reports", pdf=False, **report))


def emailed_report_settings(tmp_path, port: int, *to: str, **delivery) -> Settings:
    """:func:`report_settings` with the report emailed through an SMTP server on loopback
    ``port`` to ``to`` (``delivery``: DeliverySettings fields)."""
    channel = loopback_mail(port, *to)
    return replace(
        report_settings(tmp_path, channel="board-mail"),
        alerts=AlertSettings(channels=(channel,), delivery=DeliverySettings(**delivery)),
    )


@pytest.fixture
def paused_scheduler(tmp_path):
    """A real scheduler that runs nothing: the report job adds its retries to it."""
    scheduler = build_scheduler(
        report_settings(tmp_path), HangingSources(), blocking=False, start_now=False
    )
    scheduler.start(paused=True)
    yield scheduler
    scheduler.shutdown(wait=False)


def add_posts(store, *posted_at: datetime, classified: bool = True) -> None:
    """One post about Acme at each time, collected (and classified) at the last of them."""
    texts = [(when, f"Acme post of {when:%Y-%m-%d %H:%M}") for when in posted_at]
    items = [
        Post("forum", text, "Acme", text, content_hash(text), "es", published=when)
        for when, text in texts
    ]
    collected = max(posted_at)
    store.save_collection(SourceRun("forum", collected, collected), "rss", items, None)
    if classified:
        store.save_analyses([(pid, NEUTRAL) for pid, _ in store.unclassified(1000)], collected)


NEUTRAL = Analysis(
    Prediction("sentiment", "neutral", {"negative": 0.1, "neutral": 0.8, "positive": 0.1}),
    Prediction("emotion", "other", {"other": 1.0}),
    "test",
)


@pytest.fixture
def with_w47(sqlite_store):
    """A store that has watched the brand since the week before W47, with posts in W47."""
    add_posts(sqlite_store, W47 - timedelta(days=3), W47 + timedelta(days=2))
    return sqlite_store


def test_the_weekly_job_makes_the_due_report_and_records_it(tmp_path, with_w47, paused_scheduler):
    settings = report_settings(tmp_path)
    _report_job(paused_scheduler, settings, with_w47, now=MONDAY_0720)
    reports = tmp_path / "reports"
    assert (reports / "escucha-2026-W47-all-es.html").is_file()
    record = json.loads((reports / "escucha-2026-W47.made.json").read_text(encoding="utf-8"))
    assert record["week"] == "2026-W47"
    assert record["html"] == str(reports / "escucha-2026-W47-all-es.html")


def test_a_report_recorded_as_made_is_not_made_again_after_a_restart(
    tmp_path, with_w47, paused_scheduler
):
    settings = report_settings(tmp_path)
    _report_job(paused_scheduler, settings, with_w47, now=MONDAY_0720)
    html = tmp_path / "reports" / "escucha-2026-W47-all-es.html"
    html.unlink()
    _report_job(paused_scheduler, settings, with_w47, now=MONDAY_0720 + timedelta(hours=2))
    assert not html.exists()


def test_at_start_the_report_job_runs_at_once_to_catch_up_a_missed_run(tmp_path):
    settings = report_settings(tmp_path)
    scheduler = build_scheduler(settings, HangingSources(), blocking=False)
    scheduler.start(paused=True)
    try:
        next_run = scheduler.get_job("report").next_run_time
    finally:
        scheduler.shutdown(wait=False)
    assert next_run < datetime.now(UTC) + timedelta(minutes=1)


def test_after_the_catch_up_the_report_job_keeps_its_weekly_schedule(tmp_path):
    scheduler = build_scheduler(report_settings(tmp_path), HangingSources(), blocking=False)
    trigger = scheduler.get_job("report").trigger
    after = trigger.get_next_fire_time(MONDAY_0720, MONDAY_0720)
    assert after == datetime(2026, 11, 30, 7, tzinfo=UTC)


def test_a_report_that_could_not_be_sent_keeps_its_files_and_is_tried_again(
    tmp_path, with_w47, paused_scheduler
):
    # nobody listens on that port
    settings = emailed_report_settings(tmp_path, free_port(), "ceo@example.com", max_attempts=1)
    _report_job(paused_scheduler, settings, with_w47, now=MONDAY_0720)
    assert (tmp_path / "reports" / "escucha-2026-W47-all-es.html").is_file()
    assert not report_made(settings, "2026-W47")  # recorded as not finished
    retry = paused_scheduler.get_job("report-retry:2026-W47")
    assert retry.next_run_time == MONDAY_0720 + retry_delay(1)
    assert retry.args[3:] == ("2026-W47", 2)  # the same week, its second try
    retry.remove()
    _report_job(paused_scheduler, settings, with_w47, "2026-W47", attempt=4, now=MONDAY_0720)
    assert paused_scheduler.get_job("report-retry:2026-W47") is None  # given up


def test_a_retry_emails_only_the_recipients_an_earlier_try_missed(
    tmp_path, with_w47, paused_scheduler, smtp_server
):
    port, inbox = smtp_server
    settings = emailed_report_settings(
        tmp_path, port, "ceo@example.com", "cfo@example.com", max_attempts=1
    )
    record_partial(settings, "2026-W47", ("ceo@example.com",), MONDAY_0720)  # a try before
    _report_job(paused_scheduler, settings, with_w47, "2026-W47", attempt=2, now=MONDAY_0720)
    assert [e.rcpt_tos for e in inbox.envelopes] == [["cfo@example.com"]]
    assert report_made(settings, "2026-W47")
    assert report_emailed_to(settings, "2026-W47") == ("ceo@example.com", "cfo@example.com")


def test_a_report_made_before_records_existed_is_not_made_again(tmp_path, sqlite_store):
    settings = report_settings(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "escucha-2026-W47-Movistela-es.html").write_text("made by the version before")
    assert report_made(settings, "2026-W47")  # a folder without records: its files say
    assert not report_made(settings, "2026-W48")
    record_partial(settings, "2026-W46", (), MONDAY_0720)  # once records exist, only they say
    assert not report_made(settings, "2026-W47")


# ---- weeks before the store's history ---------------------------------------------------


def info_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]


def test_a_new_install_with_no_posts_does_not_make_or_email_last_weeks_report(
    tmp_path, sqlite_store, paused_scheduler, smtp_server, caplog
):
    port, inbox = smtp_server
    settings = emailed_report_settings(tmp_path, port, "ceo@example.com")
    with caplog.at_level(logging.INFO, logger="monitor.scheduler"):
        _report_job(paused_scheduler, settings, sqlite_store, now=MONDAY_0720)
    assert inbox.envelopes == []
    assert not (tmp_path / "reports").exists()  # no file, no record
    assert not report_made(settings, "2026-W47")
    assert paused_scheduler.get_job("report-retry:2026-W47") is None
    [line] = info_lines(caplog)
    assert line.startswith("weekly report 2026-W47 skipped: the store holds no posts yet")
    assert "monitor report --week 2026-W47" in line  # how to make it anyway


def test_a_week_that_ended_before_the_first_post_is_skipped_and_a_later_week_reported(
    tmp_path, sqlite_store, paused_scheduler, caplog
):
    settings = report_settings(tmp_path)
    add_posts(sqlite_store, MONDAY_0720 - timedelta(hours=1))  # installed after W47 ended
    with caplog.at_level(logging.INFO, logger="monitor.scheduler"):
        _report_job(paused_scheduler, settings, sqlite_store, now=MONDAY_0720)
    assert not (tmp_path / "reports").exists()
    [line] = info_lines(caplog)
    assert "skipped: the store's first post is from 2026-11-23, after that week ended" in line
    _report_job(paused_scheduler, settings, sqlite_store, now=MONDAY_0720 + timedelta(days=7))
    assert report_made(settings, "2026-W48")
    assert (tmp_path / "reports" / "escucha-2026-W48-all-es.html").is_file()


def test_a_skipped_week_records_nothing_that_stops_its_report_once_it_has_posts(
    tmp_path, sqlite_store, paused_scheduler
):
    settings = report_settings(tmp_path)
    _report_job(paused_scheduler, settings, sqlite_store, now=MONDAY_0720)  # empty: skipped
    add_posts(sqlite_store, W47 + timedelta(days=1))  # e.g. last week's history imported
    later = MONDAY_0720 + timedelta(hours=1)
    _report_job(paused_scheduler, settings, sqlite_store, now=later)
    record = json.loads(
        (tmp_path / "reports" / "escucha-2026-W47.made.json").read_text(encoding="utf-8")
    )
    assert record["made_at"] == later.isoformat(timespec="seconds")  # made now, not before


def test_a_silent_week_of_a_store_that_was_watching_is_still_reported(
    tmp_path, sqlite_store, paused_scheduler
):
    settings = report_settings(tmp_path)
    add_posts(sqlite_store, W47 - timedelta(days=3))  # posts the week before, none in W47
    _report_job(paused_scheduler, settings, sqlite_store, now=MONDAY_0720)
    record = json.loads(
        (tmp_path / "reports" / "escucha-2026-W47.made.json").read_text(encoding="utf-8")
    )
    assert record["complete"]  # the "nothing happened" report is made


def test_the_report_waits_for_the_weeks_posts_to_be_classified(
    tmp_path, sqlite_store, paused_scheduler, caplog
):
    """A first start collects last week's posts and makes the report 30 s later: made
    then, it would show a week without sentiment. It waits for the classifier instead."""
    settings = report_settings(tmp_path)
    add_posts(sqlite_store, W47 - timedelta(days=3))  # watched before, classified
    add_posts(sqlite_store, W47 + timedelta(days=1), W47 + timedelta(days=2), classified=False)
    add_posts(sqlite_store, MONDAY_0720 - timedelta(minutes=5), classified=False)  # not W47's
    with caplog.at_level(logging.INFO, logger="monitor.scheduler"):
        _report_job(paused_scheduler, settings, sqlite_store, now=MONDAY_0720)
    assert not report_made(settings, "2026-W47")
    wait = paused_scheduler.get_job("report-wait:2026-W47")
    assert wait.next_run_time == MONDAY_0720 + timedelta(minutes=5)
    assert wait.kwargs == {"waited": 1}
    [line] = info_lines(caplog)
    assert line == "weekly report 2026-W47 waits 0:05:00: 2 of its posts await classification"

    sqlite_store.save_analyses(
        [(pid, NEUTRAL) for pid, _ in sqlite_store.unclassified(10)], MONDAY_0720
    )
    _report_job(paused_scheduler, settings, sqlite_store, now=wait.next_run_time, waited=1)
    assert report_made(settings, "2026-W47")


def test_after_an_hour_of_waiting_the_report_is_made_anyway(
    tmp_path, sqlite_store, paused_scheduler, caplog
):
    settings = report_settings(tmp_path)
    add_posts(sqlite_store, W47 - timedelta(days=3))
    add_posts(sqlite_store, W47 + timedelta(days=1), classified=False)  # the classifier is down
    with caplog.at_level(logging.WARNING, logger="monitor.scheduler"):
        _report_job(paused_scheduler, settings, sqlite_store, now=MONDAY_0720, waited=12)
    assert report_made(settings, "2026-W47")
    assert "made with 1 of its posts still unclassified" in caplog.text
