"""Weekly trends for executives: week over week, emotion mix, themes, share of voice.

Weeks are 7-day windows of whole UTC days ending at the end of the period
(week 0 = the last 7 days), so the newest week is never a partial calendar week.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, String, and_, func, or_, select

from monitor.insights.base import (
    BY_POSITION,
    EMOTION,
    PENDING,
    Filters,
    bucket,
    conditions,
    net_sentiment,
    read,
    read_split,
    utc_series,
)
from monitor.insights.live import POST_COLUMNS, post_columns, tidy_posts
from monitor.insights.text import as_written, stop_words_for, theme_groups, written_forms
from monitor.settings import Settings
from monitor.store.derived import AUDIENCE, JOINED, SENTIMENT
from monitor.store.schema import posts
from monitor.types import SENTIMENT_LABELS

WEEKS = 4
THEME_SAMPLE = 1500  # negative posts read per side when looking for themes


def _week_end(f: Filters) -> datetime:
    if f.end is None:
        raise ValueError("weekly figures need the end of the period")
    day = f.end.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day if day == f.end else day + timedelta(days=1)


def week_of(times: pd.Series, end) -> pd.Series:
    """The week (0 = the one ending at ``end``, a midnight) each UTC time falls in."""
    return (np.ceil((pd.Timestamp(end) - times) / pd.Timedelta(days=7)) - 1).astype("int64")


def week_start_for(when: date | datetime) -> datetime:
    """Monday 00:00 UTC of the calendar week that contains ``when``."""
    day = when.astimezone(UTC).date() if isinstance(when, datetime) else when
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def calendar_weeks(f: Filters) -> Filters:
    """``f`` ending at the Monday that closes the calendar week its end falls in (the
    week so far, when it has not ended), so that :func:`week_windows` gives Monday-to-Sunday
    weeks: the weekly report's weeks."""
    if f.end is None:
        raise ValueError("weekly figures need the end of the period")
    start = week_start_for(f.end)
    return f.replace(end=start if start == f.end else start + timedelta(days=7))


def week_windows(f: Filters, weeks: int = WEEKS) -> pd.DataFrame:
    """Columns: week (0 = newest), week_start, week_end (exclusive); oldest first."""
    end = _week_end(f)
    rows = [
        (w, end - timedelta(days=7 * (w + 1)), end - timedelta(days=7 * w)) for w in range(weeks)
    ]
    df = pd.DataFrame(rows[::-1], columns=["week", "week_start", "week_end"])
    for col in ("week_start", "week_end"):
        df[col] = pd.to_datetime(df[col], utc=True)
    return df


def sov_brands(settings: Settings, brands: Sequence[str] = ()) -> list[str]:
    """Brands compared in share of voice: the chosen ones (or every configured brand
    that names competitors) followed by their competitors; [] when none are named."""
    focus = list(brands) or [b.name for b in settings.brands if b.competitors]
    out: list[str] = []
    for name in focus:
        cfg = next((b for b in settings.brands if b.name == name), None)
        if cfg is None or not cfg.competitors:
            continue
        for b in (name, *cfg.competitors):
            if b not in out:
                out.append(b)
    return out


WEEKLY_COLUMNS = ["week", "week_start", "week_end", "brand", "sentiment", "emotion", "posts"]


def weekly_counts(
    engine: Engine, f: Filters, settings: Settings, weeks: int = WEEKS
) -> pd.DataFrame:
    """Posts per week × brand × sentiment × emotion for the last ``weeks`` weeks.

    The chosen brands plus their competitors are counted (every brand when none is
    chosen), so share of voice comes from the same single scan. Columns: week,
    week_start, week_end, brand, sentiment (``pending`` = not classified), emotion, posts.
    """
    windows = week_windows(f, weeks)
    start = windows["week_start"].min().to_pydatetime()
    end = windows["week_end"].max().to_pydatetime()
    brands = tuple(dict.fromkeys([*f.brands, *sov_brands(settings, f.brands)])) if f.brands else ()
    scope = f.replace(start=start, end=end, brands=brands)

    def build(part: Filters):
        return (
            select(
                bucket(engine, "day"),
                posts.c.brand,
                func.coalesce(SENTIMENT, PENDING, type_=String),
                func.coalesce(EMOTION, PENDING, type_=String),
                func.count(),
            )
            .select_from(JOINED)
            .where(*conditions(part))
            .group_by(*BY_POSITION[:4])
        )

    df = read_split(engine, build, scope, ["day", "brand", "sentiment", "emotion", "posts"])
    if df.empty:
        return pd.DataFrame(columns=WEEKLY_COLUMNS)
    df["week"] = week_of(utc_series(df["day"]), end)
    df = df.merge(windows, on="week")
    df = df.groupby(WEEKLY_COLUMNS[:-1], as_index=False)["posts"].sum()
    df["posts"] = df["posts"].astype("int64")
    return df[WEEKLY_COLUMNS]


def weekly_ratings(engine: Engine, f: Filters, weeks: int = WEEKS) -> pd.DataFrame:
    """Reviews (posts with stars) of the chosen brands per week: week (0 = newest),
    week_start, reviews, mean_rating (NaN without reviews); oldest first."""
    windows = week_windows(f, weeks)
    end = windows["week_end"].max()
    scope = f.replace(start=windows["week_start"].min().to_pydatetime(), end=end.to_pydatetime())
    q = (
        select(posts.c.posted_at, posts.c.rating)
        .select_from(JOINED)
        .where(*conditions(scope), posts.c.rating.is_not(None))
    )
    df = read(engine, q, ["posted_at", "rating"])
    out = windows[["week", "week_start"]].copy()
    if df.empty:
        return out.assign(reviews=0, mean_rating=float("nan"))
    df["week"] = week_of(utc_series(df["posted_at"]), end)
    stats = df.groupby("week")["rating"].agg(reviews="count", mean_rating="mean").reset_index()
    out = out.merge(stats, on="week", how="left")
    out["reviews"] = out["reviews"].fillna(0).astype("int64")
    return out


def _focus(counts: pd.DataFrame, brands: Sequence[str]) -> pd.DataFrame:
    return counts[counts["brand"].isin(brands)] if brands else counts


def week_over_week(
    counts: pd.DataFrame, windows: pd.DataFrame, brands: Sequence[str] = ()
) -> pd.DataFrame:
    """One row per week, oldest first: week, week_start, week_end, posts, positive,
    neutral, negative, pending, net_sentiment, negative_share (% of classified posts),
    posts_change (% vs the week before), net_change (points vs the week before)."""
    df = _focus(counts, brands)
    wide = df.pivot_table(
        index="week", columns="sentiment", values="posts", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=[*SENTIMENT_LABELS, PENDING], fill_value=0)
    wide.columns.name = None
    out = windows.merge(wide.reset_index(), on="week", how="left")
    labels = [*SENTIMENT_LABELS, PENDING]
    out[labels] = out[labels].fillna(0).astype("int64")
    out["posts"] = out[labels].sum(axis=1)
    out["net_sentiment"] = net_sentiment(out["positive"], out["negative"])
    classified = out[list(SENTIMENT_LABELS)].sum(axis=1)
    out["negative_share"] = out["negative"] / classified.where(classified > 0) * 100
    prev = out["posts"].shift(1)
    out["posts_change"] = (out["posts"] - prev) / prev.where(prev > 0) * 100
    out["net_change"] = out["net_sentiment"] - out["net_sentiment"].shift(1)
    return out.reset_index(drop=True)


def weekly_emotions(
    counts: pd.DataFrame, windows: pd.DataFrame, brands: Sequence[str] = ()
) -> pd.DataFrame:
    """Classified posts per week and emotion. Columns: week, week_start, emotion, posts, share (%)."""
    df = _focus(counts, brands)
    df = df[df["emotion"] != PENDING]
    df = df.groupby(["week", "emotion"], as_index=False)["posts"].sum()
    df["share"] = df["posts"] / df.groupby("week")["posts"].transform("sum") * 100
    df = df.merge(windows[["week", "week_start"]], on="week")
    return df[["week", "week_start", "emotion", "posts", "share"]].sort_values(
        ["week_start", "emotion"], ignore_index=True
    )


def share_of_voice(
    counts: pd.DataFrame, windows: pd.DataFrame, settings: Settings, brands: Sequence[str] = ()
) -> pd.DataFrame:
    """Each compared brand's share of the mentions, per week.

    Columns: week, week_start, brand, posts, share (%), focus (True for the chosen
    brand, False for a competitor). Empty when no chosen brand names competitors.
    """
    compared = sov_brands(settings, brands)
    cols = ["week", "week_start", "brand", "posts", "share", "focus"]
    if not compared:
        return pd.DataFrame(columns=cols)
    df = counts[counts["brand"].isin(compared)]
    df = df.groupby(["week", "brand"], as_index=False)["posts"].sum()
    grid = windows[["week", "week_start"]].merge(pd.DataFrame({"brand": compared}), how="cross")
    df = grid.merge(df, on=["week", "brand"], how="left")
    df["posts"] = df["posts"].fillna(0).astype("int64")
    total = df.groupby("week")["posts"].transform("sum")
    df["share"] = df["posts"] / total.where(total > 0) * 100
    focus = set(brands) or {b.name for b in settings.brands if b.competitors}
    df["focus"] = df["brand"].isin(focus)
    return df[cols].sort_values(["week_start", "brand"], ignore_index=True)


# ---- themes and most-read posts --------------------------------------------


SHOWN_VARIANTS = 3  # other phrases of a theme named beside it, best first


def _spread(items: list[str], n: int) -> list[str]:
    """``n`` of ``items`` evenly spaced from first to last (all of them when no more)."""
    if len(items) <= n:
        return items
    return [items[i * len(items) // n] for i in range(n)]


def negative_themes(
    engine: Engine,
    f: Filters,
    brand_names: Iterable[str] = (),
    *,
    weeks_back: int = 3,
    top: int = 10,
    sample: int = THEME_SAMPLE,
) -> pd.DataFrame:
    """Phrases (one to three words) distinctive of this week's negative posts against the
    ``weeks_back`` weeks before (see :func:`text.distinctive_terms`).

    Up to ``sample`` posts are read per side, spread evenly by id, so a busy week
    costs the same as a quiet one. Columns: theme (as the posts spell it), key (the
    folded phrase, as :func:`text.phrases` gives it), posts, share, previous_share, lift
    (share as % of the sampled negative posts of the week), variants (the other phrases
    of the same complaint, the best three, comma-separated; see :func:`text.theme_groups`).
    """
    end = _week_end(f)
    week0 = end - timedelta(days=7)
    start = end - timedelta(days=7 * (1 + weeks_back))
    scope = f.replace(start=start, end=end)
    is_now = posts.c.posted_at >= week0
    # The sampling strides come from cheap counts over an index alone: the brands' posts
    # (brand, posted_at), else all posts (posted_at). Counting every brand's posts for
    # one brand would thin a small brand's sample out to a handful of posts.
    of_brands = [posts.c.brand.in_(f.brands)] if f.brands else []
    n_now, n_all = (
        read(
            engine,
            select(func.count()).where(posts.c.posted_at >= a, posts.c.posted_at < end, *of_brands),
            ["n"],
        ).at[0, "n"]
        for a in (week0, start)
    )
    # Read about 3× the wanted posts: the negative filter keeps roughly a third.
    stride_now = max(1, math.ceil(int(n_now) / (sample * 3)))
    stride_before = max(1, math.ceil((int(n_all) - int(n_now)) / (sample * 3)))

    def build(part: Filters):
        # Pick the sample on the time index first (no table or join lookups), then
        # read only the picked posts.
        picked = select(posts.c.id).where(
            posts.c.posted_at >= part.start,
            posts.c.posted_at < part.end,
            or_(
                and_(is_now, posts.c.id % stride_now == 0),
                and_(~is_now, posts.c.id % stride_before == 0),
            ),
        )
        return (
            select(is_now.label("now"), posts.c.id, posts.c.title, posts.c.text)
            .select_from(JOINED)
            .where(posts.c.id.in_(picked), *conditions(part.replace(sentiments=("negative",))))
        )

    df = read_split(engine, build, scope, ["now", "id", "title", "text"])
    # in id order: databases return rows in orders of their own (SQLite's slices oldest
    # first), and the sample below must not depend on it
    df = df.sort_values("id", ignore_index=True)
    df["now"] = df["now"].astype(bool)
    texts = (df["title"].fillna("") + "\n" + df["text"]).tolist()  # no phrase spans the two
    current = _spread([t for t, n in zip(texts, df["now"], strict=True) if n], sample)
    previous = _spread([t for t, n in zip(texts, df["now"], strict=True) if not n], sample)
    rows = theme_groups(current, previous, extra_stop=stop_words_for(brand_names), top=top)
    columns = ["key", "posts", "share", "previous_share", "lift", "variants"]
    out = pd.DataFrame(rows, columns=columns)
    forms = written_forms(current)  # found folded, shown as the posts spell them
    out.insert(0, "theme", out["key"].map(lambda term: as_written(term, forms)))
    out["variants"] = out["variants"].map(
        lambda v: ", ".join(as_written(term, forms) for term in v[:SHOWN_VARIANTS])
    )
    out[["share", "previous_share"]] *= 100
    return out


def most_read_negative(engine: Engine, f: Filters, limit: int = 10) -> pd.DataFrame:
    """This week's negative posts with the largest audience (reach, else 10 × engagement).

    Columns: the post columns of ``latest_posts`` plus audience. Posts whose source
    reports neither reach nor engagement are left out.
    """
    end = _week_end(f)
    scope = f.replace(start=end - timedelta(days=7), end=end, sentiments=("negative",))
    q = (
        select(*post_columns(), AUDIENCE)
        .select_from(JOINED)
        .where(*conditions(scope), AUDIENCE > 0)
        .order_by(AUDIENCE.desc(), posts.c.posted_at.desc(), posts.c.id.desc())
        .limit(limit)
    )
    return tidy_posts(read(engine, q, [*POST_COLUMNS, "audience"]), engine)
