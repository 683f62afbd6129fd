"""The live view: what people say now, by time, sentiment, emotion, source and language.

One SQL query (:func:`period_counts`) aggregates the selected period into a
small table of counts; the figures are pure functions of that table, so a page
scans the posts once however many charts it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, String, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.alerts.repository import AlertRepository
from monitor.errors import StoreError
from monitor.insights.base import (
    BY_POSITION,
    CORRECTED,
    EMOTION,
    EMOTION_CONF,
    LANGUAGE,
    PENDING,
    UNKNOWN_LANG,
    Filters,
    bucket,
    by_sentiment,
    conditions,
    net_sentiment,
    read,
    read_split,
    utc_series,
)
from monitor.store.db import categories_by_post
from monitor.store.derived import AUDIENCE, JOINED, SENTIMENT, SENTIMENT_CONF
from monitor.store.schema import analyses, post_actions, posts, sources
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS, source_and_channel

DEFAULT_DAYS = 7
HOURLY_UP_TO = timedelta(days=2)  # periods this short are bucketed by hour, longer by day


def _day_floor(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def data_range(engine: Engine) -> tuple[datetime | None, datetime | None]:
    """Oldest and newest ``posted_at`` in the store (None, None when empty)."""
    q = select(
        select(func.min(posts.c.posted_at)).scalar_subquery(),
        select(func.max(posts.c.posted_at)).scalar_subquery(),
    )
    df = read(engine, q, ["first", "last"])
    if df.empty or pd.isna(df.at[0, "last"]):
        return None, None
    first, last = utc_series(df.iloc[0])
    return first.to_pydatetime(), last.to_pydatetime()


def data_version(engine: Engine) -> tuple:
    """A cheap fingerprint that changes when posts, analyses, categories or people's
    actions change (index look-ups only), to know when cached figures are stale.

    A post edited at its source loses its analysis until it is classified again: the
    count of analyses sees the gap, the newest ``analyzed_at`` the new reading (without
    it the fingerprint would return to its value before the edit, and the dashboard's
    cache would keep the old figures)."""
    rules = posts.c.categorized_with  # ix_posts_categorized_with
    q = select(
        select(func.max(posts.c.id)).scalar_subquery(),
        select(func.max(analyses.c.post_id)).scalar_subquery(),
        select(func.count()).select_from(analyses).scalar_subquery(),
        select(func.max(analyses.c.analyzed_at)).scalar_subquery(),  # ix_analyses_analyzed_at
        select(func.count()).select_from(post_actions).scalar_subquery(),
        select(func.max(post_actions.c.updated_at)).scalar_subquery(),
        # posts put into categories since, and new rules (monitor.categories)
        select(func.count()).where(rules.is_(None)).scalar_subquery(),
        select(func.min(rules)).scalar_subquery(),
        select(func.max(rules)).scalar_subquery(),
    )
    columns = [
        "posts",
        "analyses",
        "analyzed",
        "analyzed_at",
        "actions",
        "updated",
        "uncategorized",
        "rules",
        "rules_to",
    ]
    row = read(engine, q, columns).iloc[0]
    return tuple(None if pd.isna(v) else str(v) for v in row)


def default_filters(
    engine: Engine, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> Filters:
    """The last ``days`` whole days up to the newest post (or up to ``now`` when empty),
    so a store filled in the past, like the bundled demo, opens on its data."""
    _, last = data_range(engine)
    anchor = last or now or datetime.now(UTC)
    end = _day_floor(anchor) + timedelta(days=1)
    return Filters(start=end - timedelta(days=days), end=end)


@dataclass(frozen=True)
class Options:
    """Values a reader can pick in the filters."""

    brands: tuple[str, ...]
    sources: tuple[str, ...]
    languages: tuple[str, ...]
    sentiments: tuple[str, ...] = SENTIMENT_LABELS
    emotions: tuple[str, ...] = EMOTION_LABELS
    channels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def _distinct_by_index(engine: Engine, column: str, table: str = "posts") -> list[str]:
    """DISTINCT through an index that starts with ``column`` (a loose index scan:
    one index seek per value instead of a pass over every post)."""
    q = text(
        f"WITH RECURSIVE v(x) AS ("
        f" SELECT min({column}) FROM {table}"
        f" UNION ALL SELECT (SELECT min({column}) FROM {table} WHERE {column} > v.x)"
        f" FROM v WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL"
    )
    return [str(x) for x in read(engine, q, ["x"])["x"]]


def filter_options(engine: Engine) -> Options:
    """Every brand, source, channel, language and category in the store, through loose
    index scans (ix_posts_brand_posted, ix_posts_source_posted, ix_posts_channel,
    ix_posts_lang, ix_post_categories_category): a few index seeks each, however many posts
    there are."""
    brands = _distinct_by_index(engine, "brand")
    names = _distinct_by_index(engine, "source")
    known = read(engine, select(sources.c.name), ["name"])["name"].tolist()
    langs = _distinct_by_index(engine, "lang")
    unknown = read(engine, select(select(posts.c.id).where(posts.c.lang.is_(None)).exists()), ["x"])
    if bool(unknown.at[0, "x"]):
        langs.append(UNKNOWN_LANG)
    return Options(
        brands=tuple(sorted(brands)),
        sources=tuple(sorted(set(names) | set(known))),
        languages=tuple(sorted(langs)),
        channels=tuple(sorted(_distinct_by_index(engine, "channel"))),
        categories=tuple(_distinct_by_index(engine, "category", "post_categories")),
    )


def bucket_unit(f: Filters) -> str:
    """``hour`` for short periods, else ``day``."""
    if f.start is not None and f.end is not None and f.end - f.start <= HOURLY_UP_TO:
        return "hour"
    return "day"


COUNT_COLUMNS = ["period", "source", "channel", "language", "sentiment", "emotion", "posts"]
REST = "…"  # breakdown's row for everything after its biggest rows


def period_counts(engine: Engine, f: Filters, unit: str | None = None) -> pd.DataFrame:
    """Posts per time bucket × source × channel × language × sentiment × emotion (effective
    labels).

    Columns: period (UTC Timestamp, start of the bucket), source, channel ("" when the
    source gives none), language, sentiment (``pending`` = not classified yet), emotion,
    posts. Cross-posts count once.
    """
    unit = unit or bucket_unit(f)

    def build(part: Filters):
        return (
            select(
                bucket(engine, unit),
                posts.c.source,
                func.coalesce(posts.c.channel, "", type_=String),
                LANGUAGE,
                func.coalesce(SENTIMENT, PENDING, type_=String),
                func.coalesce(EMOTION, PENDING, type_=String),
                func.count(),
            )
            .select_from(JOINED)
            .where(*conditions(part))
            .group_by(*BY_POSITION[:6])
        )

    df = read_split(engine, build, f, COUNT_COLUMNS)
    df = df.groupby(COUNT_COLUMNS[:-1], as_index=False)["posts"].sum()
    df["period"] = utc_series(df["period"])
    df["posts"] = df["posts"].astype("int64")
    return df


# ---- figures: pure functions of period_counts --------------------------------


def totals(counts: pd.DataFrame) -> dict[str, float]:
    """Headline numbers: posts, per-sentiment counts, shares of classified posts, net sentiment."""
    by = counts.groupby("sentiment")["posts"].sum()
    out = {s: int(by.get(s, 0)) for s in (*SENTIMENT_LABELS, PENDING)}
    out["posts"] = int(counts["posts"].sum())
    classified = out["posts"] - out[PENDING]
    out["classified"] = classified
    for s in SENTIMENT_LABELS:
        out[f"{s}_share"] = out[s] / classified * 100 if classified else float("nan")
    out["net_sentiment"] = net_sentiment(out["positive"], out["negative"])
    return out


def volume(counts: pd.DataFrame) -> pd.DataFrame:
    """Columns: period, posts."""
    return counts.groupby("period", as_index=False)["posts"].sum().sort_values("period")


def sentiment_series(counts: pd.DataFrame) -> pd.DataFrame:
    """Classified posts per period and sentiment. Columns: period, sentiment, posts, share (%)."""
    df = counts[counts["sentiment"] != PENDING]
    df = df.groupby(["period", "sentiment"], as_index=False)["posts"].sum()
    df["share"] = df["posts"] / df.groupby("period")["posts"].transform("sum") * 100
    return df.sort_values(["period", "sentiment"]).reset_index(drop=True)


def net_sentiment_series(counts: pd.DataFrame) -> pd.DataFrame:
    """Columns: period, positive, neutral, negative, pending, posts, net_sentiment."""
    return by_sentiment(counts, "period").sort_values("period").reset_index(drop=True)


def emotion_mix(counts: pd.DataFrame) -> pd.DataFrame:
    """Classified posts per emotion, most frequent first. Columns: emotion, posts, share (%)."""
    df = counts[counts["emotion"] != PENDING]
    df = df.groupby("emotion", as_index=False)["posts"].sum()
    df["share"] = df["posts"] / df["posts"].sum() * 100 if len(df) else []
    return df.sort_values("posts", ascending=False).reset_index(drop=True)


def breakdown(counts: pd.DataFrame, by: str, top: int | None = None) -> pd.DataFrame:
    """Per ``source``, ``where`` (source and channel: "reddit · r/spain") or ``language``:
    posts, positive, neutral, negative, pending, net_sentiment, biggest first, leaving out
    rows with no classified post. With ``top``, the rows after the biggest ``top`` - 1 are
    summed into one row named ``REST``."""
    if by not in {"source", "where", "language"}:
        raise ValueError(f"cannot break down by {by!r}")
    if counts.empty:
        return pd.DataFrame(columns=[by, *SENTIMENT_LABELS, PENDING, "posts", "net_sentiment"])
    if by == "where":
        counts = counts.assign(
            where=[
                source_and_channel(s, c)
                for s, c in zip(counts["source"], counts["channel"], strict=True)
            ]
        )
    df = by_sentiment(counts, by).sort_values(["posts", by], ascending=[False, True])
    df = df[df[list(SENTIMENT_LABELS)].sum(axis=1) > 0]
    if top is not None and len(df) > top:
        rest = df.iloc[top - 1 :][[*SENTIMENT_LABELS, PENDING, "posts"]].sum()
        row = pd.DataFrame([{by: REST, **rest.to_dict()}])
        row["net_sentiment"] = net_sentiment(row["positive"], row["negative"])
        df = pd.concat([df.iloc[: top - 1], row], ignore_index=True)
    return df.reset_index(drop=True)


# ---- posts -------------------------------------------------------------------

POST_COLUMNS = [
    "post_id",
    "posted_at",
    "brand",
    "source",
    "channel",
    "language",
    "author",
    "title",
    "text",
    "url",
    "sentiment",
    "sentiment_conf",
    "emotion",
    "emotion_conf",
    "corrected",
    "reach",
    "engagement",
    "rating",
    "previous_rating",
]


def post_columns():
    return (
        posts.c.id,
        posts.c.posted_at,
        posts.c.brand,
        posts.c.source,
        posts.c.channel,
        LANGUAGE,
        posts.c.author,
        posts.c.title,
        posts.c.text,
        posts.c.url,
        SENTIMENT,
        SENTIMENT_CONF,
        EMOTION,
        EMOTION_CONF,
        CORRECTED,
        posts.c.reach,
        posts.c.engagement,
        posts.c.rating,
        posts.c.previous_rating,
    )


def categories_of(engine: Engine, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The categories of these posts (monitor.categories), by post id; none: absent."""
    try:
        with engine.connect() as conn:
            return categories_by_post(conn, ids)
    except SQLAlchemyError as e:
        raise StoreError(f"cannot read the categories: {str(e).splitlines()[0]}") from e


def tidy_posts(df: pd.DataFrame, engine: Engine) -> pd.DataFrame:
    """Typed columns, a missing text (author, title, url, ...) as None; ``where``: the
    source, with its channel when it has one ("demo-export · forum", "reddit · r/spain");
    ``categories``: what each post is about (a tuple of category ids, empty when none)."""
    for column in df.columns:
        # pandas 3 reads a text column with gaps as its str dtype, the gaps as NaN: a float
        # that is truthy, has no .strip() and prints as "nan". Every page gets None instead.
        if isinstance(df[column].dtype, pd.StringDtype):
            df[column] = df[column].astype(object).where(df[column].notna(), None)
    df["posted_at"] = utc_series(df["posted_at"])
    df["corrected"] = df["corrected"].astype(bool)
    df["where"] = [
        source_and_channel(s, c) for s, c in zip(df["source"], df["channel"], strict=True)
    ]
    found = categories_of(engine, df["post_id"].tolist()) if len(df) else {}
    df["categories"] = [found.get(int(i), ()) for i in df["post_id"]]
    return df


def latest_posts(
    engine: Engine, f: Filters, limit: int = 50, *, with_audience: bool = False
) -> pd.DataFrame:
    """The newest posts matching ``f`` (cross-posts once), with labels and confidences.

    ``with_audience`` adds the ``audience`` column (reach, else 10 × engagement).
    """
    extra = [AUDIENCE] if with_audience else []
    q = (
        select(*post_columns(), *extra)
        .select_from(JOINED)
        .where(*conditions(f))
        .order_by(posts.c.posted_at.desc(), posts.c.id.desc())
        .limit(limit)
    )
    return tidy_posts(read(engine, q, [*POST_COLUMNS, *(["audience"] if extra else [])]), engine)


ALERT_MARK_COLUMNS = ["period", "alert_id", "severity", "rule", "brand"]


def alerts_raised(engine: Engine, f: Filters) -> pd.DataFrame:
    """The brands' alerts (spikes, high-impact posts) first raised in the period, to mark
    on the timeline: period (when first seen), alert_id, severity, rule, brand. The brand
    filter applies; source-health alerts, which belong to no brand, are left out."""
    if f.start is None or f.end is None:
        return pd.DataFrame(columns=ALERT_MARK_COLUMNS)
    found = AlertRepository(engine).raised_between(f.start, f.end, f.brands)
    rows = [(a.first_seen_at, a.id, a.severity, a.rule, a.brand) for a in found if a.brand]
    df = pd.DataFrame(rows, columns=ALERT_MARK_COLUMNS)
    df["period"] = utc_series(df["period"])
    return df


def posts_by_id(engine: Engine, ids: Sequence[int]) -> pd.DataFrame:
    """The posts with these ids (those behind an alert), most-read first, with labels."""
    if not ids:
        return tidy_posts(pd.DataFrame(columns=[*POST_COLUMNS, "audience"]), engine)
    q = (
        select(*post_columns(), AUDIENCE)
        .select_from(JOINED)
        .where(posts.c.id.in_([int(i) for i in ids]))
        .order_by(AUDIENCE.desc(), posts.c.posted_at.desc(), posts.c.id.desc())
    )
    return tidy_posts(read(engine, q, [*POST_COLUMNS, "audience"]), engine)
