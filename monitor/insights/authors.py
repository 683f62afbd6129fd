"""Customers who complain again, for the dashboard: the repeat weighting of the response
queue and the list of who complains again. Who counts as somebody and how earlier
complaints are counted: :mod:`monitor.authors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select
from sqlalchemy.exc import SQLAlchemyError

from monitor.authors import (
    TRACK_ALL,
    AuthorKey,
    Untracked,
    earlier_counts,
    history_since,
    is_somebody,
)
from monitor.errors import StoreError
from monitor.insights.base import Filters, bucket, conditions, read, utc_series
from monitor.store.db import complaints_by
from monitor.store.derived import JOINED, NEEDS_ANSWER, NOT_HANDLED, author_tracked
from monitor.store.schema import posts

KEY = ["brand", "source", "author"]


def complaint_history(
    engine: Engine,
    keys: Iterable[AuthorKey],
    since: datetime,
    until: datetime,
    untracked: Untracked = TRACK_ALL,
) -> pd.DataFrame:
    """Every complaint of these (brand, source, author) in [since, until), except posts
    where authors are ``untracked``: columns post_id, brand, source, author, posted_at.
    Placeholder authors are dropped."""
    try:
        with engine.connect() as conn:
            found = complaints_by(conn, keys, since, until, author_tracked(untracked))
    except SQLAlchemyError as e:
        raise StoreError(f"cannot read earlier complaints: {str(e).splitlines()[0]}") from e
    return pd.DataFrame(
        [(pid, *key, at) for pid, key, at in found], columns=["post_id", *KEY, "posted_at"]
    )


def earlier_complaints(rows: pd.DataFrame, history: pd.DataFrame) -> pd.Series:
    """:func:`monitor.authors.earlier_counts` for DataFrames of (post_id, brand, source,
    author, posted_at); the result is indexed as ``rows``."""

    def complaints(df: pd.DataFrame):
        cols = (df[c] for c in ("post_id", *KEY, "posted_at"))
        return [(int(i), (b, s, a), at) for i, b, s, a, at in zip(*cols, strict=True)]

    found = earlier_counts(complaints(rows), complaints(history))
    return pd.Series([found[int(i)] for i in rows["post_id"]], index=rows.index, dtype="int64")


REPEAT_COLUMNS = [
    "brand",
    "source",
    "author",
    "occasions",
    "complaints",
    "open",
    "first_at",
    "last_at",
    "last_post_id",
]


def repeat_complainers(
    engine: Engine,
    f: Filters,
    min_occasions: int = 2,
    limit: int | None = 50,
    untracked: Untracked = TRACK_ALL,
) -> pd.DataFrame:
    """Authors who complained in the period and complained about the brand on at least
    ``min_occasions`` different days (UTC): the period's last day and the
    :data:`REPEAT_DAYS` calendar days before it, the days a response-queue card counts
    for a complaint on that last day; most days first, then most complaints, then the
    most recent, then by brand, source and name.

    Who complained in the period follows every filter but sentiment and emotion (a
    complaint is what needs an answer); their complaints are then counted as the response
    queue counts them: every complaint of that author about that brand at that source.
    Columns: brand, source, author, occasions, complaints (posts), open (not handled yet),
    first_at, last_at, last_post_id (their latest complaint, to show and link). Posts where
    authors are ``untracked`` (news feeds, an export's news rows) are left out."""
    f = f.replace(sentiments=(), emotions=())
    end = f.end or datetime.now(UTC)
    # the last day a complaint of the period can fall on (the end itself is excluded)
    start = history_since(end - timedelta(microseconds=1))
    tracked = author_tracked(untracked)
    now = (
        select(posts.c.brand, posts.c.source, posts.c.author)
        .select_from(JOINED)
        .where(
            *conditions(f.replace(end=end)),
            NEEDS_ANSWER,
            posts.c.author.is_not(None),
            tracked,
        )
        .distinct()
        .cte("complained_in_period")
    )
    same_author = and_(*(now.c[k] == posts.c[k] for k in KEY))
    days = func.count(func.distinct(bucket(engine, "day")))
    q = (
        select(
            posts.c.brand,
            posts.c.source,
            posts.c.author,
            days,
            func.count(),
            func.sum(case((NOT_HANDLED, 1), else_=0)),
            func.min(posts.c.posted_at),
            func.max(posts.c.posted_at),
        )
        .select_from(JOINED.join(now, same_author))
        .where(
            posts.c.duplicate_of.is_(None),
            posts.c.posted_at >= start,
            posts.c.posted_at < end,
            NEEDS_ANSWER,
            tracked,
        )
        .group_by(posts.c.brand, posts.c.source, posts.c.author)
        .having(days >= min_occasions)
        .order_by(
            days.desc(),
            func.count().desc(),
            func.max(posts.c.posted_at).desc(),
            *(posts.c[k] for k in KEY),  # ties: the same order on every database
        )
    )
    found = read(engine, q, REPEAT_COLUMNS[:-1])
    found = found.loc[found["author"].map(is_somebody).astype(bool)]
    found = (found if limit is None else found.head(limit)).reset_index(drop=True)
    for col in ("first_at", "last_at"):
        found[col] = utc_series(found[col])
    keys = list(zip(found["brand"], found["source"], found["author"], strict=True))
    history = complaint_history(engine, keys, start, end, untracked)
    latest = history.sort_values(["posted_at", "post_id"]).groupby(KEY)["post_id"].last()
    found["last_post_id"] = [int(latest.get(k, 0)) for k in keys]
    for col in ("occasions", "complaints", "open", "last_post_id"):
        found[col] = found[col].astype("int64")
    return found


__all__ = ["REPEAT_COLUMNS", "complaint_history", "earlier_complaints", "repeat_complainers"]
