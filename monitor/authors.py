"""Customers who complain again: who counts as somebody, and how many times they
complained before. Pure rules, shared by the response queue (:mod:`monitor.insights.authors`)
and the alert rules (:mod:`monitor.alerts`).

Most unhappy customers never complain; one who complains a second or a third time has been
let down more than once and is still telling us: the closest to leaving.

- An *author* is a name at one source: a Reddit user is one author across the subreddits
  of one source; the same name at two sources is two authors (names are not unique across
  platforms). Placeholder names (``[deleted]``, ``anonymous``…) and empty ones are nobody.
- A *complaint* is a post that needs an answer (:data:`monitor.store.derived.NEEDS_ANSWER`:
  negative by its effective label, or a review of one or two stars); cross-posts of the
  same text count once.
- A post's *earlier complaints*: the other days (UTC) on which the same author complained
  about the same brand in the :data:`REPEAT_DAYS` calendar days before the post's day.
  Complaints on one day are one occasion: a thread of three posts, a cross-post or an hour of venting is one
  complaint, not three.
- An author is whoever the source names: usually a customer, sometimes a journalist or an
  outlet writing about the brand again. :class:`Untracked` names where authors are not
  customers: whole sources (``track_authors = false``: a news feed) and channels of any
  source (``untracked_channels``: an export's news rows); their posts are nobody's
  complaints here.
"""

from __future__ import annotations

import bisect
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

REPEAT_DAYS = 90
REPEAT_WEIGHT = 0.5  # queue urgency × (1 + 0.5 × earlier complaints), counting at most two
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

AuthorKey = tuple[str, str, str]  # (brand, source, author)
Complaint = tuple[int, AuthorKey, datetime]  # (post id, author key, posted at)


@dataclass(frozen=True)
class Untracked:
    """Where authors are not followed for repeat complaints: every post of these
    ``sources``, and posts whose channel is one of ``channels`` at any source (as the
    source names it, case ignored for A-Z: "news" is also "News"). Hashable, so that the
    dashboard can cache on it; its SQL form is :func:`monitor.store.derived.author_tracked`.
    """

    sources: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    @classmethod
    def of(cls, sources: Iterable[str] = (), channels: Iterable[str] = ()) -> Untracked:
        return cls(tuple(sorted(set(sources))), tuple(sorted({c.strip() for c in channels})))

    def __bool__(self) -> bool:
        return bool(self.sources or self.channels)


TRACK_ALL = Untracked()  # every author is followed


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_somebody(author: object) -> bool:
    """False for a missing, empty or placeholder author name."""
    return isinstance(author, str) and _fold(author) not in NOBODY


def repeat_factor(earlier: int) -> float:
    """How much an author's earlier complaints raise a post's urgency (1, 1.5 or 2)."""
    return 1.0 + REPEAT_WEIGHT * min(max(int(earlier), 0), MAX_EARLIER_COUNTED)


def day_of(at: datetime) -> date:
    """The UTC calendar day of ``at`` (naive values are taken as UTC, as the store does)."""
    return (at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)).date()


def occasions(times: Iterable[datetime]) -> list[date]:
    """The distinct UTC days among ``times``, in order: one occasion per day."""
    return sorted({day_of(at) for at in times})


def history_since(at: datetime, days: int = REPEAT_DAYS) -> datetime:
    """The earliest an earlier complaint of a post at ``at`` can be (:func:`earlier_counts`
    counts whole days): midnight UTC of the first of the ``days`` days before its day."""
    return datetime.combine(day_of(at) - timedelta(days=days), time.min, tzinfo=UTC)


def earlier_counts(
    items: Iterable[Complaint], history: Iterable[Complaint], days: int = REPEAT_DAYS
) -> dict[int, int]:
    """For each item, on how many other days its author complained about the brand in
    the ``days`` calendar days (UTC) before the item's day, by ``history``: several
    complaints on one day (a thread, a cross-post, an hour of venting) are one occasion,
    and every post of a day gets the same count. Items by nobody count none. Keyed by
    post id."""
    by_key: dict[AuthorKey, list[datetime]] = {}
    for _, key, at in history:
        by_key.setdefault(key, []).append(at)
    complained = {key: occasions(times) for key, times in by_key.items()}
    out = {}
    for pid, key, at in items:
        found = complained.get(key, []) if is_somebody(key[2]) else []
        today = day_of(at)
        since = today - timedelta(days=days)
        out[pid] = bisect.bisect_left(found, today) - bisect.bisect_left(found, since)
    return out


def incident_tag(source: str, author: str) -> str:
    """A short, stable name for an author in alert incident keys (any length of name)."""
    return hashlib.sha1(f"{source}\0{author}".encode()).hexdigest()[:16]


def ordinal(n: int, lang: str) -> str:
    """3 -> "3.ª" (Spanish, a complaint is feminine) or "3rd" (English)."""
    if lang == "es":
        return f"{n}.ª"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


__all__ = [
    "MAX_EARLIER_COUNTED",
    "NOBODY",
    "REPEAT_DAYS",
    "REPEAT_WEIGHT",
    "TRACK_ALL",
    "AuthorKey",
    "Complaint",
    "Untracked",
    "day_of",
    "earlier_counts",
    "history_since",
    "incident_tag",
    "is_somebody",
    "occasions",
    "ordinal",
    "repeat_factor",
]
