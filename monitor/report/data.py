"""Everything the weekly report says, read from the store in one place.

The week is a calendar week, Monday 00:00 to Monday 00:00 UTC. The figures use
the same queries as the dashboard (:mod:`monitor.insights`), so the report agrees
with the weekly page set to calendar weeks (its default, rolling 7-day weeks that end
with the newest data, is a different cut): effective labels (a person's correction wins),
cross-posts counted once, net sentiment = (P − N) / (P + N) × 100.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine

from monitor import insights
from monitor.alerts.repository import AUTO, AlertRepository
from monitor.categories import CategorySettings
from monitor.errors import ConfigError
from monitor.insights.text import phrases, stop_words_for
from monitor.insights.weekly import week_start_for
from monitor.settings import Settings

TREND_WEEKS = 6  # weeks shown in the trend charts, the reported week last
THEMES = 6
EXAMPLES = 5
REPEAT_LIMIT = 1000  # customers who complained again, counted (the report names the first few)


def last_complete_week(now: datetime) -> datetime:
    """Monday 00:00 UTC of the last week that has ended by ``now``."""
    return week_start_for(now) - timedelta(days=7)


_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def parse_week(text: str | None, now: datetime) -> datetime:
    """The week to report: None (the last complete week), an ISO week such as
    ``2026-W47``, or any date inside the week (``2026-11-18``)."""
    if not text or text == "last":
        return last_complete_week(now)
    m = _ISO_WEEK.match(text.strip())
    try:
        if m:
            return week_start_for(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        return week_start_for(date.fromisoformat(text.strip()))
    except ValueError as e:
        raise ConfigError(
            f"cannot read the week {text!r}: {e}",
            hint="give an ISO week (2026-W47) or a date inside the week (2026-11-18)",
        ) from e


def report_brands(settings: Settings, chosen: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The brands the report is about: the chosen ones, else the configured report brands,
    else those that name competitors, else every configured brand (empty = all in the store)."""
    if chosen:
        for name in chosen:
            settings.brand(name)  # raises with the known names
        return tuple(chosen)
    if settings.report.brands:
        return settings.report.brands
    with_rivals = tuple(b.name for b in settings.brands if b.competitors)
    return with_rivals or tuple(b.name for b in settings.brands)


@dataclass
class WeeklyReportData:
    brands: tuple[str, ...]
    week_start: datetime
    week_end: datetime  # exclusive
    generated_at: datetime
    trend: pd.DataFrame  # insights.week_over_week over TREND_WEEKS, the reported week last
    daily: pd.DataFrame  # day, sentiment, posts: the reported week
    emotions: pd.DataFrame  # emotion, posts, share, previous_share
    share_of_voice: pd.DataFrame  # brand, posts, share, previous_share, focus
    themes: pd.DataFrame  # theme, key, posts, share, previous_share, lift, variants, example
    negative_posts: pd.DataFrame  # most-read negative posts of the week
    alerts: pd.DataFrame  # raised this week: id, rule, severity, brand, title, ...
    response: dict = field(default_factory=dict)  # insights.response_times, one row
    ratings: pd.DataFrame | None = None  # insights.weekly_ratings: the week before, this week
    # why customers complain: insights.complaint_categories (category, negative, previous,
    # change, share), and the categories in use (their names, for this and the alerts)
    complaints: pd.DataFrame | None = None
    categories: CategorySettings = field(default_factory=CategorySettings)
    # customers who complained this week and before: insights.repeat_complainers
    repeat: pd.DataFrame | None = None

    @property
    def this_week(self) -> pd.Series:
        return self.trend.iloc[-1]

    @property
    def previous_week(self) -> pd.Series | None:
        return self.trend.iloc[-2] if len(self.trend) > 1 else None

    @property
    def empty(self) -> bool:
        return int(self.this_week["posts"]) == 0


def gather(
    engine: Engine,
    settings: Settings,
    week_start: datetime,
    brands: tuple[str, ...] = (),
    now: datetime | None = None,
) -> WeeklyReportData:
    """Read the week starting ``week_start`` (a Monday, UTC) for ``brands``."""
    week_end = week_start + timedelta(days=7)
    f = insights.Filters(brands=brands, end=week_end)
    windows = insights.week_windows(f, TREND_WEEKS)
    counts = insights.weekly_counts(engine, f, settings, TREND_WEEKS)
    trend = insights.week_over_week(counts, windows, brands)
    first = trend.index[trend["posts"] > 0].min()  # leave out the weeks before any data
    if pd.notna(first):
        trend = trend.loc[min(first, len(trend) - 2) :].reset_index(drop=True)
    week = f.replace(start=week_start)
    daily = insights.period_counts(engine, week, "day")
    daily = daily.groupby(["period", "sentiment"], as_index=False)["posts"].sum()
    daily = daily.rename(columns={"period": "day"})
    names = [*brands, *(t for b in settings.brands if b.name in brands for t in b.terms)]
    themes = insights.negative_themes(engine, f, tuple(names), top=THEMES)
    negative = insights.latest_posts(
        engine, week.replace(sentiments=("negative",)), 400, with_audience=True
    )
    themes["example"] = [_example(key, negative, names) for key in themes["key"]]
    complaints = insights.complaint_categories(
        insights.weekly_categories(engine, f, 2), int(trend.iloc[-1]["negative"])
    )
    return WeeklyReportData(
        brands=brands,
        week_start=week_start,
        week_end=week_end,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        trend=trend,
        daily=daily,
        emotions=_emotions(counts, windows, brands),
        share_of_voice=_share_of_voice(counts, windows, settings, brands),
        themes=themes,
        negative_posts=insights.most_read_negative(engine, f, EXAMPLES),
        alerts=raised_alerts(engine, week_start, week_end, brands),
        response=insights.response_times(engine, week).iloc[0].to_dict(),
        ratings=insights.weekly_ratings(engine, f, 2),
        complaints=complaints,
        categories=settings.categories,
        repeat=insights.repeat_complainers(
            engine, week, limit=REPEAT_LIMIT, untracked=settings.untracked
        ),
    )


def _emotions(counts: pd.DataFrame, windows: pd.DataFrame, brands) -> pd.DataFrame:
    df = insights.weekly_emotions(counts, windows, brands)
    now = df[df["week"] == 0].set_index("emotion")
    before = df[df["week"] == 1].set_index("emotion")["share"]
    out = now[["posts", "share"]].copy()
    out["previous_share"] = before.reindex(out.index)
    return out.sort_values("posts", ascending=False).reset_index()


def _share_of_voice(counts, windows, settings, brands) -> pd.DataFrame:
    df = insights.share_of_voice(counts, windows, settings, brands)
    cols = ["brand", "posts", "share", "previous_share", "focus"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    now = df[df["week"] == 0].set_index("brand")
    now["previous_share"] = df[df["week"] == 1].set_index("brand")["share"]
    return now.reset_index()[cols].sort_values("posts", ascending=False, ignore_index=True)


def _example(key: str, negative: pd.DataFrame, names: list[str]) -> dict | None:
    """The most-read negative post of the week with the theme ``key`` (a folded phrase)."""
    stop = stop_words_for(names)
    best, best_audience = None, -1.0
    for row in negative.itertuples(index=False):
        title = row.title if isinstance(row.title, str) else ""  # None, or NaN from pandas
        text = f"{title}\n{row.text}"  # no phrase spans the two
        if key not in phrases(text, stop):
            continue
        audience = 0.0 if pd.isna(row.audience) else float(row.audience)
        if audience > best_audience:
            best, best_audience = row, audience
    if best is None:
        return None
    url = best.url if isinstance(best.url, str) and best.url else None  # a missing URL: no link
    return {"text": best.text, "source": best.where, "url": url, "posted_at": best.posted_at}


ALERT_COLUMNS = [
    "id",
    "rule",
    "severity",
    "brand",
    "status",
    "first_seen_at",
    "acknowledge_minutes",
    "resolve_minutes",
    "resolved_by",
    "alert",
]


def raised_alerts(
    engine: Engine, start: datetime, end: datetime, brands: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Alerts first raised in [start, end), with how long people took to act on them.

    ``acknowledge_minutes``: first seen → acknowledged (or resolved by a person, if that
    came first); ``resolve_minutes``: first seen → resolved. NaN while still pending.
    Source-health alerts have no brand and are kept whatever ``brands`` is. The
    ``alert`` column holds the :class:`Alert` itself (for its message).
    """

    def minutes(a: datetime | None, b: datetime) -> float:
        return (a - b).total_seconds() / 60 if a is not None else math.nan

    rows = []
    for a in AlertRepository(engine).raised_between(start, end, brands):
        resolved = minutes(a.resolved_at, a.first_seen_at)
        by_person = a.resolved_by not in (None, AUTO)
        ack = minutes(a.acknowledged_at, a.first_seen_at)
        if math.isnan(ack) and by_person:
            ack = resolved
        rows.append(
            [
                a.id,
                a.rule,
                a.severity,
                a.brand,
                a.status,
                a.first_seen_at,
                ack,
                resolved,
                a.resolved_by,
                a,
            ]
        )
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def median_minutes(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.median()) if len(values) else math.nan
