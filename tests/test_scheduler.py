"""The scheduler's wiring: real APScheduler schedulers around a fake pipeline whose jobs
record what ran."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from monitor.report.config import ReportSettings
from monitor.scheduler import build_scheduler
from monitor.settings import Settings, SourceConfig


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
