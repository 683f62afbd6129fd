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
- A post's *earlier complaints*: the occasions on which the same author complained about
  the same brand in the :data:`REPEAT_DAYS` days before it. Complaints less than
  :data:`REPEAT_GAP` (a day) after the first of a run are one occasion: a thread of three
  posts, a cross-post or an hour of venting is one complaint, not three.
- An author is whoever the source names: usually a customer, sometimes a journalist or an
  outlet writing about the brand again, which a PR team wants to know too.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

REPEAT_DAYS = 90
REPEAT_GAP = timedelta(hours=24)  # complaints closer than this to a run's first are one occasion
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


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_somebody(author: object) -> bool:
    """False for a missing, empty or placeholder author name."""
    return isinstance(author, str) and _fold(author) not in NOBODY


def repeat_factor(earlier: int) -> float:
    """How much an author's earlier complaints raise a post's urgency (1, 1.5 or 2)."""
    return 1.0 + REPEAT_WEIGHT * min(max(int(earlier), 0), MAX_EARLIER_COUNTED)


def occasions(times: Iterable[datetime], gap: timedelta = REPEAT_GAP) -> list[datetime]:
    """Where each occasion (run of complaints less than ``gap`` after its first) begins."""
    runs: list[datetime] = []
    for at in sorted(times):
        if not runs or at - runs[-1] >= gap:
            runs.append(at)
    return runs


def earlier_counts(
    items: Iterable[Complaint],
    history: Iterable[Complaint],
    days: int = REPEAT_DAYS,
    gap: timedelta = REPEAT_GAP,
) -> dict[int, int]:
    """For each item, on how many earlier occasions its author complained about the brand
    in the ``days`` before it, by ``history``. An occasion is a run of complaints each less
    than ``gap`` after the first of the run (a thread of three posts, or a cross-post, is
    one occasion); the item's own occasion does not count. Items by nobody count none.
    Keyed by post id."""
    by_key: dict[AuthorKey, list[datetime]] = {}
    for _, key, at in history:
        by_key.setdefault(key, []).append(at)
    starts = {key: occasions(times, gap) for key, times in by_key.items()}
    span = timedelta(days=days)
    out = {}
    for pid, key, at in items:
        runs = starts.get(key) if is_somebody(key[2]) else None
        if not runs:
            out[pid] = 0
            continue
        # runs that began in [at - days, at - gap]: before the item's own occasion
        out[pid] = bisect.bisect_right(runs, at - gap) - bisect.bisect_left(runs, at - span)
    return out


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
    "REPEAT_GAP",
    "AuthorKey",
    "Complaint",
    "earlier_counts",
    "is_somebody",
    "occasions",
    "ordinal",
    "repeat_factor",
]
