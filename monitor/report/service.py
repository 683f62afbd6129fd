"""Make the weekly report: figures -> charts -> HTML and PDF files -> email. Orchestration only.

``monitor report --week`` and the scheduler's weekly job call :func:`make_report`.
Files are written before anything is sent, so a failed email loses nothing; a
failed PDF still leaves the HTML.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import ConfigError, MonitorError
from monitor.i18n import tr
from monitor.report import charts as report_charts
from monitor.report import data as report_data
from monitor.report import render
from monitor.report.config import report_channel
from monitor.report.deliver import Email, send_report, summary_html
from monitor.settings import Settings, dashboard_link

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportResult:
    week: str
    html_path: Path
    pdf_path: Path | None
    pdf_error: str | None
    emailed_to: tuple[str, ...]
    posts: int


def _model_version(settings: Settings) -> str:
    path = settings.classifier.model_dir / "classifier.json"
    try:
        import json

        return json.loads(path.read_text(encoding="utf-8")).get("version", "?")
    except (OSError, ValueError):
        return "?"


@contextmanager
def _writing(folder: Path) -> Iterator[None]:
    """Turn a failed write into the folder (missing parent, a file in the way, no
    permission, a full disk) into one ConfigError naming it."""
    try:
        yield
    except OSError as e:
        raise ConfigError(
            f"cannot write the report to {folder}: {e.strerror or e}",
            hint="set report.out_dir (or --out) to a folder you can write to",
        ) from e


def build_charts(data: report_data.WeeklyReportData, lang: str) -> dict[str, bytes | None]:
    t = tr(lang)
    if data.empty:
        return {"weekly": None, "daily": None, "emotions": None, "sov": None}
    return {
        "weekly": report_charts.weekly_sentiment(data.trend, t),
        "daily": report_charts.daily_sentiment(data.daily, data.week_start, t),
        "emotions": report_charts.emotion_mix(data.emotions, t) if len(data.emotions) else None,
        "sov": report_charts.share_of_voice(data.share_of_voice, t)
        if len(data.share_of_voice)
        else None,
    }


def make_report(
    store,
    settings: Settings,
    *,
    week: str | None = None,
    brands: tuple[str, ...] = (),
    language: str | None = None,
    out_dir: Path | None = None,
    send: bool = True,
    now: datetime | None = None,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    already_emailed: tuple[str, ...] = (),
) -> ReportResult:
    """Write the report of ``week`` (HTML, PDF) and email it to ``report.to``, except
    ``already_emailed`` (recipients an earlier try reached)."""
    cfg = settings.report
    now = (now or datetime.now(UTC)).astimezone(UTC)
    lang = language or cfg.language
    t = tr(lang)
    start = report_data.parse_week(week, now)
    if start > now:
        raise ConfigError(
            f"the week of {start:%Y-%m-%d} has not started yet",
            hint="give a past week or this one (a partial report); without --week the last "
            "complete week is reported",
        )
    chosen = report_data.report_brands(settings, brands)
    data = report_data.gather(store.engine, settings, start, chosen, now)
    ctx = render.context(data, t, build_charts(data, lang), _model_version(settings))
    html = render.to_html(ctx)
    code = render.week_code(data)
    folder = Path(out_dir or cfg.out_dir)
    stem = f"escucha-{code}-{'-'.join(chosen) or 'all'}-{lang}".replace(" ", "_")
    html_path = folder / f"{stem}.html"
    with _writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
        html_path.write_text(html, encoding="utf-8")
    pdf_path, pdf_error = None, None
    if cfg.pdf:
        try:
            pdf_bytes = render.to_pdf(html)
        except MonitorError as e:
            pdf_error = e.message
            log.error("weekly report %s: %s", code, e)
        else:
            pdf_path = folder / f"{stem}.pdf"
            with _writing(folder):
                pdf_path.write_bytes(pdf_bytes)
    emailed: tuple[str, ...] = ()
    channel = report_channel(cfg, settings.alerts.channels) if send else None
    if channel is not None:
        subject = f"[Escucha] {ctx['title']} · {ctx['subtitle']}"
        body = summary_html(
            ctx["title"],
            t.t("report_email_intro", week=code),
            ctx["headlines"],
            ctx["kpis"],
            link=dashboard_link(settings.dashboard_url, "weekly", t.lang),
            link_text=t.t("report_email_link"),
        )
        files = tuple(p for p in (pdf_path, html_path) if p is not None)
        email = Email(subject, body, files)
        send_report(email, channel, settings.alerts, env=env, sleep=sleep, skip=already_emailed)
        emailed = channel.to
    return ReportResult(code, html_path, pdf_path, pdf_error, emailed, int(data.this_week["posts"]))


# ---- the scheduled report's record ----------------------------------------------------


def record_path(settings: Settings, week: str) -> Path:
    """Where the scheduled run records that it made ``week``'s report: beside its files."""
    return Path(settings.report.out_dir) / f"escucha-{week}.made.json"


def report_made(settings: Settings, week: str) -> bool:
    """Whether the scheduled report of ``week`` was made (written, and emailed to every
    recipient when a channel is set), by this process or one before it. A folder with no
    record at all was written by a version before records: there, the week's HTML file
    says it was made."""
    record = _read_record(settings, week)
    if record is not None:
        return bool(record.get("complete", True))
    folder = Path(settings.report.out_dir)
    if folder.is_dir() and not any(folder.glob("escucha-*.made.json")):
        return any(folder.glob(f"escucha-{week}-*.html"))
    return False


def report_emailed_to(settings: Settings, week: str) -> tuple[str, ...]:
    """The recipients an unfinished scheduled report of ``week`` already reached."""
    record = _read_record(settings, week) or {}
    return tuple(record.get("emailed_to") or ())


def _read_record(settings: Settings, week: str) -> dict | None:
    import json

    try:
        record = json.loads(record_path(settings, week).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def record_report(settings: Settings, result: ReportResult, now: datetime) -> Path:
    """Record a scheduled report that was made, so that a restart does not make it again."""
    return _write_record(
        settings,
        result.week,
        now,
        complete=True,
        emailed_to=result.emailed_to,
        html=str(result.html_path),
        pdf=str(result.pdf_path) if result.pdf_path else None,
    )


def record_partial(
    settings: Settings, week: str, emailed_to: tuple[str, ...], now: datetime
) -> Path:
    """Record who an unfinished scheduled report reached, so that the next try (or a
    restart) emails only the others."""
    return _write_record(settings, week, now, complete=False, emailed_to=emailed_to)


def _write_record(
    settings: Settings, week: str, now: datetime, *, complete: bool, emailed_to, **files
) -> Path:
    import json

    path = record_path(settings, week)
    record = {
        "week": week,
        "made_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "complete": complete,
        "emailed_to": sorted(set(emailed_to)),
        **files,
    }
    with _writing(path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path
