"""What the alert rules read, counted in the store (SQLAlchemy Core; SQLite and PostgreSQL).

A post counts as negative when its effective sentiment is (a person's correction,
else the model's label) or when it is a review of one or two stars nobody relabelled
(:data:`monitor.store.derived.NEEDS_ANSWER`: a run of one-star reviews is negative word
of mouth even when their text reads as neutral). Posts with ``duplicate_of`` set (the
same text cross-posted) are left out, so one story counts once. Which windows to count is decided by
:func:`monitor.alerts.rules.spike_windows`; this module only counts.

Alerts read dated posts, and undated ones only from a source's second batch of them on
(:func:`alert_posts`). A post its source gave no date (a feed item without one) is placed
at the time it was collected. For the first collection that brings a source's undated
posts about a brand, that is the moment its whole backlog arrived: counted, old news would
read as a burst of negative posts in the recent window, and each angry old post as a fresh
high-impact one. An undated item collected in a later run appeared between two runs, so
its collection time is when it was written, give or take one interval, and it counts. An
import file's undated rows never count: an export says nothing of when they were written.
Uncounted posts are still stored, charted and in the response queue.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, case, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from monitor.alerts.rules import (
    AlertRules,
    BrandWindowStats,
    CategoryCounts,
    PostStat,
    SourceStatus,
    Window,
    WindowCount,
    spike_windows,
)
from monitor.authors import TRACK_ALL, Untracked, earlier_counts, history_since
from monitor.errors import StoreError
from monitor.store.db import categories_by_post, complaints_by, readable_text, utc
from monitor.store.derived import (
    ANGER,
    AUDIENCE,
    EMOTION,
    JOINED,
    NEEDS_ANSWER,
    NEGATIVE_CONFIDENCE,
    SENTIMENT,
    UNHAPPY_REVIEW,
    author_tracked,
)
from monitor.store.schema import post_categories, posts, sources

MAX_RECENT_NEGATIVE = 2000  # negative posts read per brand per check
# the source gave the post a date: its posted_at says when it was written, not collected
DATED = posts.c.published_at.is_not(None)
ARCHIVE_KINDS = ("file",)  # sources whose undated rows are never read as fresh


def alert_posts(conn, brand: str) -> ColumnElement[bool]:
    """Which of ``brand``'s posts the alert rules read: dated ones, and undated ones
    collected after the first batch of undated posts their source brought about the
    brand (that batch is a backlog whose age nobody knows; see the module docstring).
    Undated rows of import files never count."""
    first_batches = conn.execute(
        select(posts.c.source, func.min(posts.c.collected_at))
        .outerjoin(sources, sources.c.name == posts.c.source)
        .where(
            posts.c.brand == brand,
            posts.c.published_at.is_(None),
            or_(sources.c.kind.is_(None), sources.c.kind.not_in(ARCHIVE_KINDS)),
        )
        .group_by(posts.c.source)
    )
    later = [
        and_(posts.c.source == source, posts.c.collected_at > first)
        for source, first in first_batches
    ]
    return or_(DATED, *later)


def _in(window: Window):
    return and_(posts.c.posted_at >= window.start, posts.c.posted_at < window.end)


def _window_sums(windows: list[Window]) -> list:
    """Two SQL sums per window: its negative posts, and its classified posts."""
    negative = NEEDS_ANSWER
    classified = or_(SENTIMENT.is_not(None), UNHAPPY_REVIEW)
    cols = []
    for w in windows:
        cols.append(func.coalesce(func.sum(case((and_(_in(w), negative), 1), else_=0)), 0))
        cols.append(func.coalesce(func.sum(case((and_(_in(w), classified), 1), else_=0)), 0))
    return cols


def _window_counts(windows: list[Window], row) -> list[WindowCount]:
    """The :func:`_window_sums` of one result row, as a count per window."""
    return [WindowCount(w, int(row[2 * i]), int(row[2 * i + 1])) for i, w in enumerate(windows)]


def window_counts(
    conn, brand: str, counted: ColumnElement[bool], windows: list[Window]
) -> list[WindowCount]:
    """Negative and classified posts of ``brand`` in each window, in one query; of its
    posts only those ``counted`` (:func:`alert_posts`)."""
    q = (
        select(*_window_sums(windows))
        .select_from(JOINED)
        .where(
            posts.c.brand == brand,
            posts.c.duplicate_of.is_(None),
            counted,
            or_(*(_in(w) for w in windows)),
        )
    )
    return _window_counts(windows, conn.execute(q).one())


def category_window_counts(
    conn,
    brand: str,
    counted: ColumnElement[bool],
    windows: list[Window],
    rules_version: str | None = None,
) -> dict[str, CategoryCounts]:
    """Per category: the brand's negative and classified posts in that category in each
    window (the first window is the recent one), and its first post in them, in one query.

    ``rules_version`` (the categories' fingerprint) counts only posts put into categories
    by the current rules: while a rules change is being applied, old rows would otherwise
    make a spike out of the posts not yet redone. ``counted``: as :func:`window_counts`."""
    current = [posts.c.categorized_with == rules_version] if rules_version else []
    q = (
        select(post_categories.c.category, func.min(posts.c.posted_at), *_window_sums(windows))
        .select_from(JOINED.join(post_categories, post_categories.c.post_id == posts.c.id))
        .where(
            posts.c.brand == brand,
            posts.c.duplicate_of.is_(None),
            counted,
            or_(*(_in(w) for w in windows)),
            *current,
        )
        .group_by(post_categories.c.category)
    )
    out = {}
    for category, first, *row in conn.execute(q):
        counts = _window_counts(windows, row)
        out[category] = CategoryCounts(counts[0], tuple(counts[1:]), utc(first))
    return out


def negative_posts(
    conn,
    brand: str,
    counted: ColumnElement[bool],
    since: datetime,
    until: datetime,
    untracked: Untracked = TRACK_ALL,
) -> list[PostStat]:
    """The brand's effectively negative posts in [since, until], newest first, each with
    its author's earlier complaints (none where authors are ``untracked``: news); of its
    posts only those ``counted`` (:func:`alert_posts`: an undated backlog is no fresh
    complaint, it stays in the queue)."""
    tracked = author_tracked(untracked)
    q = (
        select(
            posts.c.id,
            posts.c.source,
            posts.c.posted_at,
            posts.c.title,
            posts.c.text,
            posts.c.url,
            posts.c.reach,
            posts.c.engagement,
            NEGATIVE_CONFIDENCE.label("confidence"),
            ANGER.label("anger"),
            EMOTION.label("emotion"),
            posts.c.lang,
            posts.c.author,
            posts.c.channel,
            tracked.label("tracked"),
        )
        .select_from(JOINED)
        .where(
            posts.c.brand == brand,
            posts.c.duplicate_of.is_(None),
            counted,
            posts.c.posted_at >= since,
            posts.c.posted_at <= until,
            NEEDS_ANSWER,
        )
        .order_by(posts.c.posted_at.desc(), posts.c.id.desc())
        .limit(MAX_RECENT_NEGATIVE)
    )
    rows = list(conn.execute(q).mappings())
    about = categories_by_post(conn, (r["id"] for r in rows))  # for the messages
    items = [
        (r["id"], (brand, r["source"], r["author"]), utc(r["posted_at"]))
        for r in rows
        if r["tracked"]
    ]
    history = complaints_by(
        conn,
        {key for _, key, _ in items},
        history_since(since),
        until + timedelta(seconds=1),
        tracked,
    )
    earlier = earlier_counts(items, history)  # the author's complaints before each post
    out = []
    for r in rows:
        text = readable_text(r["title"], r["text"])
        out.append(
            PostStat(
                id=r["id"],
                brand=brand,
                source=r["source"],
                posted_at=utc(r["posted_at"]),
                text=text,
                url=r["url"],
                reach=r["reach"],
                engagement=r["engagement"],
                confidence=float(r["confidence"] or 0.0),
                anger=float(r["anger"]),
                emotion=r["emotion"],
                lang=r["lang"],
                author=r["author"],
                channel=r["channel"],
                categories=about.get(r["id"], ()),
                earlier_complaints=earlier.get(r["id"], 0),
                tracked=bool(r["tracked"]),
            )
        )
    return out


def audience_cutoff(
    conn, brand: str, since: datetime, until: datetime, percentile: float, min_posts: int
) -> float | None:
    """The brand's ``percentile`` audience over [since, until), or None with too few posts."""
    where = (
        posts.c.brand == brand,
        posts.c.duplicate_of.is_(None),
        posts.c.posted_at >= since,
        posts.c.posted_at < until,
    )
    n = int(conn.execute(select(func.count()).select_from(posts).where(*where)).scalar_one())
    if n < max(1, min_posts):
        return None
    above = math.floor(n * (1 - percentile / 100))  # posts strictly above the cut-off
    value = conn.execute(
        select(AUDIENCE).where(*where).order_by(AUDIENCE.desc()).offset(above).limit(1)
    ).scalar()
    return float(value) if value is not None else None


def brand_stats(
    engine: Engine,
    brand: str,
    rules: AlertRules,
    now: datetime,
    categories_version: str | None = None,
    untracked: Untracked = TRACK_ALL,
) -> BrandWindowStats:
    """Everything the brand rules need at ``now`` for ``brand`` (``categories_version``:
    the current categories' fingerprint, see :func:`category_window_counts`; ``untracked``:
    where authors are not followed for repeat complaints)."""
    now = now.astimezone(UTC)
    recent, baseline = spike_windows(now, rules.spike)
    lookback = now - timedelta(minutes=rules.high_impact.lookback_minutes)
    hi = rules.high_impact
    try:
        with engine.connect() as conn:
            counted = alert_posts(conn, brand)
            counts = window_counts(conn, brand, counted, [recent, *baseline])
            by_category = (
                category_window_counts(
                    conn, brand, counted, [recent, *baseline], categories_version
                )
                if rules.spike.enabled and rules.spike.by_category
                else {}
            )
            first = conn.execute(
                select(func.min(posts.c.posted_at)).where(posts.c.brand == brand)
            ).scalar()
            since = min(recent.start, lookback)
            recent_negative = negative_posts(conn, brand, counted, since, now, untracked)
            cutoff = None
            if hi.enabled and hi.audience_percentile is not None:
                cutoff = audience_cutoff(
                    conn,
                    brand,
                    now - timedelta(days=rules.spike.baseline_days),
                    now,
                    hi.audience_percentile,
                    hi.min_posts_for_percentile,
                )
    except SQLAlchemyError as e:
        raise StoreError(f"could not count posts of {brand}: {str(e).splitlines()[0]}") from e
    return BrandWindowStats(
        brand=brand,
        recent=counts[0],
        baseline=tuple(counts[1:]),
        history_start=utc(first),
        negative_posts=tuple(recent_negative),
        audience_cutoff=cutoff,
        categories=by_category,
    )


def source_statuses(
    engine: Engine, intervals: Mapping[str, float | None] | None = None
) -> list[SourceStatus]:
    """Health of the stored sources (only those named in ``intervals``, when given)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(sources).order_by(sources.c.name)).mappings().all()
    except SQLAlchemyError as e:
        raise StoreError(f"could not read sources: {str(e).splitlines()[0]}") from e
    return [
        SourceStatus(
            name=r["name"],
            kind=r["kind"],
            last_run_at=utc(r["last_run_at"]),
            last_success_at=utc(r["last_success_at"]),
            consecutive_failures=r["consecutive_failures"] or 0,
            last_error=r["last_error"],
            interval_minutes=(intervals or {}).get(r["name"]),
        )
        for r in rows
        if intervals is None or r["name"] in intervals
    ]


def recent_brands(engine: Engine, since: datetime) -> list[str]:
    """Brands with posts since ``since`` (for stores checked without a brand list)."""
    q = select(posts.c.brand).where(posts.c.posted_at >= since).distinct().order_by(posts.c.brand)
    try:
        with engine.connect() as conn:
            return list(conn.execute(q).scalars())
    except SQLAlchemyError as e:
        raise StoreError(f"could not read brands: {str(e).splitlines()[0]}") from e


def gather(
    engine: Engine,
    brands: Iterable[str],
    rules: AlertRules,
    now: datetime,
    *,
    source_intervals: Mapping[str, float | None] | None = None,
    categories_version: str | None = None,
    untracked: Untracked = TRACK_ALL,
) -> list[BrandWindowStats | SourceStatus]:
    """The inputs of :func:`monitor.alerts.rules.evaluate` for every brand and source."""
    out: list[BrandWindowStats | SourceStatus] = [
        brand_stats(engine, b, rules, now, categories_version, untracked) for b in brands
    ]
    if rules.sources.enabled:
        out += source_statuses(engine, source_intervals)
    return out


__all__ = [
    "AUDIENCE",
    "SENTIMENT",
    "alert_posts",
    "audience_cutoff",
    "brand_stats",
    "category_window_counts",
    "gather",
    "negative_posts",
    "recent_brands",
    "source_statuses",
    "window_counts",
]
