"""Customers who complain again: the ones closest to leaving.

Most unhappy customers never complain; one who complains a second or a third time has
been let down more than once and is still telling us. The response queue weighs such a
post up, and the queue page lists the authors with several complaints.

- An *author* is a name at one source: a Reddit user is one author across the
  subreddits of one source; the same name at two sources is two authors (names are not
  unique across platforms). Placeholder names (``[deleted]``, ``anonymous``…) and empty
  ones are nobody.
- A *complaint* is a post that needs an answer
  (:data:`monitor.store.derived.NEEDS_ANSWER`: negative by its effective label, or a
  review of one or two stars); cross-posts of the same text count once.
- *Earlier complaints* of a post: the same author's complaints about the same brand in
  the :data:`REPEAT_DAYS` days before it. Urgency is multiplied by
  :func:`repeat_factor`: × 1.5 for a second complaint, × 2 for a third or later.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from monitor.insights.base import Filters, conditions, read, utc_series
from monitor.store.derived import JOINED, NEEDS_ANSWER, NOT_HANDLED
from monitor.store.schema import posts

REPEAT_DAYS = 90
REPEAT_WEIGHT = 0.5  # urgency × (1 + 0.5 × earlier complaints), counting at most two
MAX_EARLIER_COUNTED = 2
# author names that stand for nobody in particular (folded: lower case, no accents)
NOBODY = frozenset(
    {
        "",
        "[deleted]",
        "[removed]",
        "deleted",
        "anonymous",
        "anon",
        "anonimo",
        "anonima",
        "anonyme",
        "anonimo/a",
        "unknown",
        "desconocido",
        "n/a",
        "na",
        "none",
        "null",
        "guest",
        "invitado",
        "a google user",
        "un usuario de google",
        "usuario de google",
        "app store user",
        "customer",
        "cliente",
    }
)
KEY = ["brand", "source", "author"]


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_somebody(author: object) -> bool:
    """False for a missing, empty or placeholder author name."""
    return isinstance(author, str) and _fold(author) not in NOBODY


def repeat_factor(earlier: int) -> float:
    """How much an author's earlier complaints raise a post's urgency (1, 1.5 or 2)."""
    return 1.0 + REPEAT_WEIGHT * min(max(int(earlier), 0), MAX_EARLIER_COUNTED)


def complaint_history(
    engine: Engine, keys: Iterable[tuple[str, str, str]], f: Filters
) -> pd.DataFrame:
    """Every complaint of these (brand, source, author) within ``f`` (its period and
    filters; sentiment and emotion filters aside): columns post_id, brand, source,
    author, posted_at. Placeholder authors are dropped."""
    wanted = {k for k in keys if is_somebody(k[2])}
    columns = ["post_id", *KEY, "posted_at"]
    if not wanted:
        return pd.DataFrame(columns=columns)
    q = (
        select(posts.c.id, posts.c.brand, posts.c.source, posts.c.author, posts.c.posted_at)
        .select_from(JOINED)
        .where(
            *conditions(f.replace(sentiments=(), emotions=())),
            posts.c.author.in_(sorted({a for _, _, a in wanted})),
            posts.c.brand.in_(sorted({b for b, _, _ in wanted})),
            NEEDS_ANSWER,
        )
    )
    found = read(engine, q, columns)
    found["posted_at"] = utc_series(found["posted_at"])
    keys = zip(found["brand"], found["source"], found["author"], strict=True)
    mine = pd.Series([k in wanted for k in keys], index=found.index, dtype=bool)
    return found.loc[mine].reset_index(drop=True)


def earlier_complaints(
    rows: pd.DataFrame, history: pd.DataFrame, days: int = REPEAT_DAYS
) -> pd.Series:
    """For each row (post_id, brand, source, author, posted_at): how many complaints of
    the same author about the same brand ``history`` holds in the ``days`` before it
    (posted earlier, or at the same moment with a smaller id). Pure; index as ``rows``."""
    out = pd.Series(0, index=rows.index, dtype="int64")
    if rows.empty or history.empty:
        return out
    mine = rows.loc[rows["author"].map(is_somebody).astype(bool), ["post_id", *KEY, "posted_at"]]
    pairs = mine.reset_index(names="row").merge(history, on=KEY, suffixes=("", "_before"))
    at, then = pairs["posted_at"], pairs["posted_at_before"]
    before = (then < at) | ((then == at) & (pairs["post_id_before"] < pairs["post_id"]))
    recent = then >= at - pd.Timedelta(days=days)
    counts = pairs.loc[before & recent].groupby("row").size()
    return counts.reindex(rows.index, fill_value=0).astype("int64")


REPEAT_COLUMNS = [
    "brand",
    "source",
    "author",
    "complaints",
    "open",
    "first_at",
    "last_at",
    "last_post_id",
]


def repeat_complainers(
    engine: Engine, f: Filters, min_complaints: int = 2, limit: int = 50
) -> pd.DataFrame:
    """Authors who complained in the period and have at least ``min_complaints``
    complaints in the :data:`REPEAT_DAYS` days up to its end, most complaints first (then
    the most recent).

    Brand, source, channel, language and category filters apply; sentiment and emotion
    filters do not (a complaint is what needs an answer). Columns: brand, source, author,
    complaints, open (not handled yet), first_at, last_at, last_post_id (their latest
    complaint, to show and link)."""
    f = f.replace(sentiments=(), emotions=())
    end = f.end or datetime.now(UTC)
    window = f.replace(start=end - timedelta(days=REPEAT_DAYS), end=end)
    now = (
        select(posts.c.brand, posts.c.source, posts.c.author)
        .select_from(JOINED)
        .where(*conditions(f.replace(end=end)), NEEDS_ANSWER, posts.c.author.is_not(None))
        .distinct()
        .cte("complained_in_period")
    )
    same_author = and_(*(now.c[k] == posts.c[k] for k in KEY))
    complaints = func.count()
    q = (
        select(
            posts.c.brand,
            posts.c.source,
            posts.c.author,
            complaints,
            func.sum(case((NOT_HANDLED, 1), else_=0)),
            func.min(posts.c.posted_at),
            func.max(posts.c.posted_at),
        )
        .select_from(JOINED.join(now, same_author))
        .where(*conditions(window), NEEDS_ANSWER)
        .group_by(posts.c.brand, posts.c.source, posts.c.author)
        .having(complaints >= min_complaints)
        .order_by(complaints.desc(), func.max(posts.c.posted_at).desc())
    )
    found = read(engine, q, REPEAT_COLUMNS[:-1])
    somebody = found["author"].map(is_somebody).astype(bool)
    found = found.loc[somebody].head(limit).reset_index(drop=True)
    for col in ("first_at", "last_at"):
        found[col] = utc_series(found[col])
    for col in ("complaints", "open"):
        found[col] = found[col].astype("int64")
    keys = list(zip(found["brand"], found["source"], found["author"], strict=True))
    history = complaint_history(engine, keys, window)  # their latest within the filters
    latest = history.sort_values(["posted_at", "post_id"]).groupby(KEY)["post_id"].last()
    found["last_post_id"] = [int(latest.get(k, 0)) for k in keys]
    return found


__all__ = [
    "MAX_EARLIER_COUNTED",
    "NOBODY",
    "REPEAT_COLUMNS",
    "REPEAT_DAYS",
    "REPEAT_WEIGHT",
    "complaint_history",
    "earlier_complaints",
    "is_somebody",
    "repeat_complainers",
    "repeat_factor",
]
