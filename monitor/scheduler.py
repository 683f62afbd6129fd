"""APScheduler wiring only: each source at its own interval with jitter, and
classification as its own job. State lives in the store, so a restart loses
nothing and duplicates nothing (the store skips posts it already has).

The weekly report keeps its own record in report.out_dir (see
:func:`monitor.report.service.record_report`): at start the report of the last
scheduled run is made if it has no record yet, and a failed one is tried again
later (:data:`monitor.report.schedule.RETRY_DELAYS`). A week that ended before the store's
first post is skipped, and nothing is recorded for it
(:func:`monitor.report.schedule.skip_reason`)."""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime, timedelta

from monitor.errors import MonitorError
from monitor.settings import Settings

log = logging.getLogger(__name__)


def _pool_size(settings: Settings) -> int:
    """One thread for each job that can run at once (each runs one instance at a time): the
    sources, classification, alerts, and the weekly report with its catch-up or retry. Slow
    sources (timeouts, retries) then never keep the other jobs waiting."""
    return len(settings.sources) + 4


def build_scheduler(settings: Settings, pipeline, *, blocking: bool = True, start_now: bool = True):
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=UTC, executors={"default": ThreadPoolExecutor(_pool_size(settings))}
    )
    first = datetime.now(UTC) + timedelta(seconds=1)
    for cfg in settings.sources:
        scheduler.add_job(
            pipeline.collect_source,
            "interval",
            args=[cfg],
            minutes=cfg.interval_minutes,
            jitter=max(1, int(cfg.interval_minutes * 60 * 0.1)),
            id=f"collect:{cfg.name}",
            name=f"collect {cfg.name}",
            next_run_time=first if start_now else None,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    scheduler.add_job(
        _classify_job,
        "interval",
        args=[pipeline],
        minutes=settings.classify_interval_minutes,
        id="classify",
        name="classify new posts",
        next_run_time=first + timedelta(seconds=5) if start_now else None,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,  # late (the pool was busy) is better than skipped
    )
    alerts = getattr(settings, "alerts", None)
    if alerts is not None and alerts.enabled:
        scheduler.add_job(
            _alerts_job,
            "interval",
            args=[settings, pipeline.store],
            minutes=alerts.check_interval_minutes,
            id="alerts",
            name="check alerts",
            next_run_time=first + timedelta(seconds=30) if start_now else None,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # late (the pool was busy) is better than skipped
        )
    report = getattr(settings, "report", None)
    if report is not None and report.enabled:
        # At start the job also runs once: it makes the report of the last scheduled run
        # if that one was missed (the process was down or restarted) or failed for good.
        catch_up = {"next_run_time": first + timedelta(seconds=30)} if start_now else {}
        scheduler.add_job(
            _report_job,
            "cron",
            args=[scheduler, settings, pipeline.store],
            day_of_week=report.weekday,
            hour=report.hour,
            minute=0,
            id="report",
            name="weekly report",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            **catch_up,
        )
    return scheduler


def _log_failure(what: str, e: MonitorError) -> None:
    log.error("%s: %s%s", what, e.message, f" (hint: {e.hint})" if e.hint else "")


def _report_job(
    scheduler,
    settings: Settings,
    store,
    week: str | None = None,
    attempt: int = 1,
    now=None,
    waited: int = 0,
) -> None:
    """Make the weekly report of ``week`` (default: the one the last scheduled run is for)
    unless its record says it was made or the week ended before the store's first post;
    while posts of the week await classification, wait for them (``waited`` times so far);
    after a failure, schedule another try."""
    from monitor.errors import NotifyError
    from monitor.insights import data_range
    from monitor.report.schedule import (
        classification_wait,
        retry_delay,
        skip_reason,
        week_due,
        week_end,
    )
    from monitor.report.service import (
        make_report,
        record_partial,
        record_report,
        report_emailed_to,
        report_made,
    )

    now = now or datetime.now(UTC)
    week = week or week_due(now, settings.report.weekday, settings.report.hour)
    if report_made(settings, week):
        log.debug("weekly report %s: already made", week)
        return
    already = report_emailed_to(settings, week)  # an earlier try reached them
    try:
        skip = skip_reason(week, data_range(store.engine)[0])
        if skip:  # nothing recorded: once the store holds the week's posts, it is made
            log.info(
                "weekly report %s skipped: %s (`monitor report --week %s` makes it anyway)",
                week,
                skip,
                week,
            )
            return
        end = week_end(week)
        unclassified = store.count_unclassified(end - timedelta(days=7), end)
        wait = classification_wait(unclassified, waited)
        if wait is not None:  # e.g. the first start: the week's posts were just collected
            log.info(
                "weekly report %s waits %s: %d of its posts await classification",
                week,
                wait,
                unclassified,
            )
            scheduler.add_job(
                _report_job,
                "date",
                run_date=now + wait,
                args=[scheduler, settings, store, week, attempt],
                kwargs={"waited": waited + 1},
                id=f"report-wait:{week}",
                name=f"weekly report {week}, waiting for classification",
                replace_existing=True,
                misfire_grace_time=None,
            )
            return
        if unclassified:
            log.warning(
                "weekly report %s made with %d of its posts still unclassified",
                week,
                unclassified,
            )
        result = make_report(store, settings, week=week, now=now, already_emailed=already)
    except MonitorError as e:  # SMTP down, database down: the files (if any) are kept
        reached = e.reached if isinstance(e, NotifyError) else ()
        try:  # whoever got it does not get it again, after a restart either
            record_partial(settings, week, (*already, *reached), now)
        except MonitorError as unwritable:
            _log_failure(f"weekly report {week}: cannot record who got it", unwritable)
        delay = retry_delay(attempt)
        if delay is None:
            _log_failure(f"weekly report {week} failed after {attempt} tries", e)
            return
        _log_failure(f"weekly report {week} failed (try {attempt}; again in {delay})", e)
        scheduler.add_job(
            _report_job,
            "date",
            run_date=now + delay,
            args=[scheduler, settings, store, week, attempt + 1],
            id=f"report-retry:{week}",
            name=f"weekly report {week}, try {attempt + 1}",
            replace_existing=True,
            misfire_grace_time=None,
        )
        return
    log.info(
        "weekly report %s written to %s%s",
        result.week,
        result.pdf_path or result.html_path,
        f", emailed to {', '.join(result.emailed_to)}" if result.emailed_to else "",
    )
    try:
        record_report(settings, result, now)
    except MonitorError as e:  # made and sent: not worth sending again, but say it
        _log_failure(f"weekly report {week} made, but a restart may make it again", e)


def _alerts_job(settings: Settings, store) -> None:
    from monitor.alerts.service import check_alerts

    try:
        for alert in check_alerts(store, settings, datetime.now(UTC)):
            new = alert.updated_count == 0 and alert.status == "open"
            log.log(
                logging.WARNING if new else logging.INFO, "alert #%d: %s", alert.id, alert.title
            )
    except MonitorError as e:  # e.g. the database is down: keep collecting, try next time
        _log_failure("alert check skipped", e)


def _classify_job(pipeline) -> None:
    try:  # keyword rules, no model: done even when the classifier cannot load
        n = pipeline.categorize_pending()
        if n:
            log.info("put %d posts into categories", n)
    except MonitorError as e:
        _log_failure("categories skipped", e)
    try:
        n = pipeline.classify_pending()
        if n:
            log.info("classified %d posts", n)
    except MonitorError as e:  # e.g. no trained model: keep collecting, say why
        _log_failure("classification skipped", e)


def run_forever(settings: Settings, pipeline) -> None:
    scheduler = build_scheduler(settings, pipeline)

    def stop(signum, _frame):
        log.info("signal %s: stopping after the running jobs", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler started with %d sources", len(settings.sources))
    print(f"Escucha is watching {len(settings.sources)} sources; Ctrl-C to stop.", flush=True)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown(wait=True)
