"""The response queue: negative posts nobody has handled yet, most urgent first.

A review of one or two stars is in the queue even when the model read its text as
neutral or positive ("The app logs me out every day", ★☆☆☆☆): the customer has said
they are unhappy. A person's sentiment label overrides both.

Urgency, from 0 to 100, is computed in SQL for every open post of the queue in the
last :data:`QUEUE_DAYS` days of the period::

    urgency = 100 × confidence × (0.5 + 0.5 × anger) × (0.5 + 0.5 × audience)
                  × 0.5 ^ (age_hours / 24) × stars


- confidence: the model's probability for "negative" (1 once a person set the label);
  for a low-star review the model did not call negative, (3 − stars) / 2: 1 for one
  star, 0.5 for two
- anger: the probability of anger (1 or 0 once a person set the emotion)
- audience: min(1, log10(1 + readers) / 5), readers = reach where the source gives
  it, else 10 × engagement (0 when neither is known): 100,000 readers count in full
- age_hours: hours from the post to the end of the period; urgency halves every
  24 hours, so a week-old post keeps under 1 % of it
- stars: for a review, (6 − its stars) / 5: 1 for one star down to 0.2 for five, so
  a five-star review the model reads as negative is not answered before a complaint
  (its label can still be corrected); 1 for posts that are not reviews

then × 1.5 when the author had complained about the brand on one other day of the 90
before, × 2 after two or more (:mod:`monitor.authors`), at most 100:
a customer let down again is the one closest to leaving.

Posts that tell the same story are grouped: same ``content_hash`` (the same
text, cross-posted) or near-duplicate wording (Jaccard ≥ 0.6 on content words).
Cross-posts appear in their story, so every copy can be answered or linked.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pandas as pd
from sqlalchemy import Engine, Float, case, cast, func, literal, select

from monitor.authors import (
    MAX_EARLIER_COUNTED,
    TRACK_ALL,
    Untracked,
    history_since,
    repeat_factor,
)
from monitor.insights.authors import complaint_history, earlier_complaints
from monitor.insights.base import (
    Filters,
    conditions,
    hours_between,
    read,
    utc_series,
)
from monitor.insights.live import POST_COLUMNS, post_columns, tidy_posts
from monitor.insights.text import near_duplicate_groups
from monitor.store.derived import (
    ANGER,
    AUDIENCE,
    JOINED,
    NEEDS_ANSWER,
    NEGATIVE_CONFIDENCE,
    NOT_HANDLED,
    author_tracked,
)
from monitor.store.schema import post_actions, posts

QUEUE_DAYS = 7
HALF_LIFE_HOURS = 24.0
FULL_AUDIENCE_LOG10 = 5.0  # log10(100,000 readers)
SAME_STORY_JACCARD = 0.6

QUEUE_COLUMNS = [
    *POST_COLUMNS,
    "content_hash",
    "duplicate_of",
    "anger",
    "audience",
    "status",
    "assignee",
    "note",
    "urgency",
    "author_tracked",  # followed for repeat complaints (monitor.authors.Untracked)
]  # + earlier_complaints


def queue_filters(f: Filters) -> Filters:
    """The queue's window: the last QUEUE_DAYS days of the period (any sentiment: the
    queue's own condition, :data:`~monitor.store.derived.NEEDS_ANSWER`, picks the posts)."""
    start = f.end - timedelta(days=QUEUE_DAYS) if f.end is not None else None
    if f.start is not None and (start is None or f.start > start):
        start = f.start
    return f.replace(start=start, sentiments=())


def urgency_expr(engine: Engine, f: Filters):
    """The urgency formula above, as a SQL expression (see the module docstring)."""
    if f.end is None:
        raise ValueError("the queue needs the end of the period")
    age = cast(hours_between(engine, f.end), Float)
    age = case((age < 0, literal(0.0)), else_=age)
    reach = cast(func.log10(cast(AUDIENCE, Float) + 1.0), Float) / FULL_AUDIENCE_LOG10
    reach = case((reach > 1.0, literal(1.0)), else_=reach)
    decay = func.power(cast(literal(0.5), Float), age / HALF_LIFE_HOURS)
    conf = NEGATIVE_CONFIDENCE
    stars = func.coalesce((6.0 - cast(posts.c.rating, Float)) / 5.0, literal(1.0))
    return 100.0 * conf * (0.5 + 0.5 * cast(ANGER, Float)) * (0.5 + 0.5 * reach) * decay * stars


def response_queue(
    engine: Engine, f: Filters, limit: int = 200, untracked: Untracked = TRACK_ALL
) -> pd.DataFrame:
    """Open (not handled) negative posts, grouped into stories, most urgent story first.

    Columns: the post columns of ``latest_posts`` plus content_hash, duplicate_of,
    anger, audience, status, assignee, note, urgency, story (id: the story's
    oldest post), story_rank (1 = answer first), story_posts, story_urgency.
    The emotion filter applies; the sentiment filter does not (the queue is negative).
    ``untracked``: where authors are not followed for repeat complaints (news).
    """
    qf = queue_filters(f)
    score = urgency_expr(engine, qf).label("urgency")
    q = (
        select(
            *post_columns(),
            posts.c.content_hash,
            posts.c.duplicate_of,
            ANGER,
            AUDIENCE,
            func.coalesce(post_actions.c.status, "open"),
            post_actions.c.assignee,
            post_actions.c.note,
            score,
            author_tracked(untracked),
        )
        .select_from(JOINED)
        .where(*conditions(qf, dedupe=False), NEEDS_ANSWER, NOT_HANDLED)
        .order_by(score.desc(), posts.c.id)
    )
    df = read(engine, q.limit(limit), QUEUE_COLUMNS)
    if len(df) == limit:  # a repeat complaint below the cut may rise above it once weighed
        cut = float(df["urgency"].iloc[-1]) / repeat_factor(MAX_EARLIER_COUNTED)
        df = read(engine, q.where(score >= cut), QUEUE_COLUMNS)
    df["urgency"] = df["urgency"].astype("float64")
    df = with_repeat_complaints(engine, df, untracked)
    df = df.sort_values(["urgency", "post_id"], ascending=[False, True]).head(limit)
    return group_stories(tidy_posts(df.reset_index(drop=True), engine))


def with_repeat_complaints(
    engine: Engine, df: pd.DataFrame, untracked: Untracked = TRACK_ALL
) -> pd.DataFrame:
    """Add ``earlier_complaints`` (the other days on which the author complained about the
    brand in the :data:`~monitor.authors.REPEAT_DAYS` days before the post; 0 where
    ``author_tracked`` is false) and weigh ``urgency`` by
    :func:`~monitor.authors.repeat_factor`, at most 100."""
    df = df.copy()
    df["posted_at"] = utc_series(df["posted_at"])
    if df.empty:
        df["earlier_complaints"] = pd.Series(dtype="int64")
        return df
    tracked = df["author_tracked"].astype(bool)
    keys = zip(*(df.loc[tracked, c] for c in ("brand", "source", "author")), strict=True)
    since = history_since(df["posted_at"].min())
    until = df["posted_at"].max() + timedelta(seconds=1)
    history = complaint_history(engine, keys, since, until, untracked)
    df["earlier_complaints"] = earlier_complaints(df, history).where(tracked, 0)
    factor = df["earlier_complaints"].map(repeat_factor)
    df["urgency"] = (df["urgency"] * factor).clip(upper=100.0)
    return df


def group_stories(df: pd.DataFrame) -> pd.DataFrame:
    """Add story, story_rank, story_posts and story_urgency to queue rows (pure)."""
    df = df.reset_index(drop=True).copy()
    if df.empty:
        for col in ("story", "story_rank", "story_posts", "story_urgency"):
            df[col] = pd.Series(dtype="int64" if col != "story_urgency" else "float64")
        return df
    parent = list(range(len(df)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by_hash: dict[str, int] = {}
    for i, h in enumerate(df["content_hash"]):
        j = first_by_hash.setdefault(h, i)
        parent[find(i)] = find(j)
    # Near-duplicate wording makes a story within one brand (same text: across brands too).
    for _, rows in df.groupby("brand").groups.items():
        rows = list(rows)
        texts = [
            f"{df.at[i, 'title'] if isinstance(df.at[i, 'title'], str) else ''} {df.at[i, 'text']}"
            for i in rows
        ]
        for i, g in zip(rows, near_duplicate_groups(texts, SAME_STORY_JACCARD), strict=True):
            parent[find(i)] = find(rows[g])
    roots = [find(i) for i in range(len(df))]
    df["_root"] = roots
    df["story"] = df.groupby("_root")["post_id"].transform("min").astype("int64")
    df["story_posts"] = df.groupby("_root")["post_id"].transform("count").astype("int64")
    df["story_urgency"] = df.groupby("_root")["urgency"].transform("max")
    order = (
        df.drop_duplicates("story")
        .sort_values(["story_urgency", "story"], ascending=[False, True])["story"]
        .tolist()
    )
    df["story_rank"] = df["story"].map({s: i + 1 for i, s in enumerate(order)}).astype("int64")
    df = df.drop(columns="_root")
    return df.sort_values(["story_rank", "urgency"], ascending=[True, False]).reset_index(drop=True)


RESPONSE_COLUMNS = ["responded", "median_minutes", "p90_minutes", "open_posts", "awaiting"]


def response_times(engine: Engine, f: Filters) -> pd.DataFrame:
    """Time to first response, in one row.

    responded: stories of the period someone assigned, annotated or handled, each counted
    once however many of its cross-posts were acted on (as every figure counts them);
    median_minutes / p90_minutes: first response to any of its posts − collected_at of
    the story's original, over them;
    open_posts: negative posts in the queue window not handled yet;
    awaiting: those of them nobody has responded to at all.
    """
    story = func.coalesce(posts.c.duplicate_of, posts.c.id)  # a cross-post's original
    first = (
        select(story.label("story"), func.min(post_actions.c.first_response_at).label("at"))
        .select_from(post_actions.join(posts, posts.c.id == post_actions.c.post_id))
        .where(post_actions.c.first_response_at.is_not(None))
        .group_by(story)
        .subquery("first_response")
    )
    q = (
        select(posts.c.collected_at, first.c.at)
        .select_from(JOINED.join(first, first.c.story == posts.c.id))
        .where(*conditions(f))
    )
    times = read(engine, q, ["collected_at", "first_response_at"])
    waits = (
        utc_series(times["first_response_at"]) - utc_series(times["collected_at"])
    ).dt.total_seconds().clip(lower=0) / 60.0
    qf = queue_filters(f)
    awaiting_expr = case((post_actions.c.first_response_at.is_(None), 1), else_=0)
    counts = read(
        engine,
        select(func.count(), func.sum(awaiting_expr))
        .select_from(JOINED)
        .where(*conditions(qf), NEEDS_ANSWER, NOT_HANDLED),
        ["open_posts", "awaiting"],
    )
    median = float(waits.median()) if len(waits) else math.nan
    p90 = float(waits.quantile(0.9)) if len(waits) else math.nan
    return pd.DataFrame(
        [
            {
                "responded": len(waits),
                "median_minutes": median,
                "p90_minutes": p90,
                "open_posts": int(counts.at[0, "open_posts"] or 0),
                "awaiting": int(counts.at[0, "awaiting"] or 0),
            }
        ],
        columns=RESPONSE_COLUMNS,
    )
