"""What people talk about, by category (billing, delivery…; see :mod:`monitor.categories`).

A post can be in several categories, so category figures count posts per category and do
not add up to the period's total; posts in no category are left out of them.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, String, func, select

from monitor.insights.base import (
    BY_POSITION,
    PENDING,
    Filters,
    bucket,
    by_sentiment,
    conditions,
    in_category,
    read,
    read_split,
    utc_series,
)
from monitor.insights.weekly import WEEKS, week_of, week_windows
from monitor.store.derived import JOINED, SENTIMENT
from monitor.store.schema import post_categories, posts
from monitor.types import SENTIMENT_LABELS

IN_CATEGORY = JOINED.join(post_categories, post_categories.c.post_id == posts.c.id)
COUNT_COLUMNS = ["day", "category", "sentiment", "posts"]


def _daily(engine: Engine, f: Filters) -> pd.DataFrame:
    """Posts per UTC day × category × sentiment (``pending``: not classified yet); with
    categories chosen, only those (not the other categories their posts are in)."""
    chosen = [post_categories.c.category.in_(f.categories)] if f.categories else []

    def build(part: Filters):
        return (
            select(
                bucket(engine, "day"),
                post_categories.c.category,
                func.coalesce(SENTIMENT, PENDING, type_=String),
                func.count(),
            )
            .select_from(IN_CATEGORY)
            .where(*conditions(part), *chosen)
            .group_by(*BY_POSITION[:3])
        )

    df = read_split(engine, build, f, COUNT_COLUMNS)
    df["posts"] = df["posts"].astype("int64")
    return df


def category_breakdown(engine: Engine, f: Filters) -> pd.DataFrame:
    """Per category in the period: positive, neutral, negative, pending, posts,
    net_sentiment, negative_share (% of its classified posts); most negative posts first."""
    out = by_sentiment(_daily(engine, f), "category")
    classified = out[list(SENTIMENT_LABELS)].sum(axis=1)
    out["negative_share"] = out["negative"] / classified.where(classified > 0) * 100
    out = out.sort_values(["negative", "posts", "category"], ascending=[False, False, True])
    return out.reset_index(drop=True)


def categorized_posts(engine: Engine, f: Filters) -> int:
    """How many of the posts matching ``f`` are in at least one category."""
    q = select(func.count()).select_from(JOINED).where(*conditions(f), in_category())
    return int(read(engine, q, ["n"]).at[0, "n"])


def weekly_categories(engine: Engine, f: Filters, weeks: int = WEEKS) -> pd.DataFrame:
    """Per week (0 = newest) × category: positive, neutral, negative, pending, posts,
    net_sentiment, for the chosen brands (every brand when none is chosen)."""
    windows = week_windows(f, weeks)
    end = windows["week_end"].max()
    scope = f.replace(start=windows["week_start"].min().to_pydatetime(), end=end.to_pydatetime())
    df = _daily(engine, scope)
    df["week"] = week_of(utc_series(df["day"]), end)
    return by_sentiment(df.drop(columns="day"), ["week", "category"])


def complaint_categories(weekly: pd.DataFrame, negatives: int) -> pd.DataFrame:
    """Why customers complain this week: per category, negative (this week's negative
    posts in it), previous (the week before), change (posts), share (% of the week's
    ``negatives``, the negative posts in or out of any category); most negative first,
    categories with no negative post in either week left out."""
    columns = ["category", "negative", "previous", "change", "share"]
    if weekly.empty:
        return pd.DataFrame(columns=columns)
    now = weekly[weekly["week"] == 0].set_index("category")["negative"]
    before = weekly[weekly["week"] == 1].set_index("category")["negative"]
    out = pd.DataFrame({"negative": now, "previous": before}).fillna(0).astype("int64")
    out = out[(out["negative"] > 0) | (out["previous"] > 0)]
    out["change"] = out["negative"] - out["previous"]
    out["share"] = out["negative"] / negatives * 100 if negatives else float("nan")
    out = out.rename_axis("category").reset_index()
    out = out.sort_values(["negative", "change", "category"], ascending=[False, False, True])
    return out[columns].reset_index(drop=True)


def complaint_trend(weekly: pd.DataFrame, windows: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """Negative posts per week for the ``top`` categories with the most of them over the
    weeks shown (weeks without any: 0). Columns: week, week_start, category, negative;
    oldest week first."""
    columns = ["week", "week_start", "category", "negative"]
    if weekly.empty or not weekly["negative"].sum():
        return pd.DataFrame(columns=columns)
    totals = weekly.groupby("category")["negative"].sum()
    totals = totals[totals > 0].sort_values(ascending=False, kind="stable")
    chosen = sorted(totals.index[:top], key=lambda c: (-totals[c], c))
    grid = pd.MultiIndex.from_product([windows["week"], chosen], names=["week", "category"])
    counts = weekly.set_index(["week", "category"])["negative"]
    out = counts.reindex(grid, fill_value=0).astype("int64").reset_index()
    out = out.merge(windows[["week", "week_start"]], on="week")
    order = {c: i for i, c in enumerate(chosen)}
    out = out.sort_values(
        ["week_start", "category"], key=lambda v: v.map(order) if v.name == "category" else v
    )
    return out[columns].reset_index(drop=True)


__all__ = [
    "categorized_posts",
    "category_breakdown",
    "complaint_trend",
    "complaint_categories",
    "weekly_categories",
]
