"""Reddit through praw: submission search and, optionally, matching comments.

Reddit's API has no comment search, so with ``comments = true`` the source reads the
newest comments of the configured subreddits (``subreddit.comments``) and keeps those
whose body contains every query term (case- and accent-insensitive, German umlauts also
written out: 'Müller' or 'Mueller'; a "quoted phrase" counts as one term; ``a OR b``
accepts either side; the rest of Reddit's search syntax is read loosely, see
:func:`query_terms`). With the default ``subreddits = ["all"]`` that is a sample of the
site-wide comment stream (and no warning says comments were missed: they always are), so
name the subreddits where the brand is discussed.

praw does the HTTP, OAuth and rate limiting (it sleeps as Reddit's headers ask).
``FetchState.cursor`` holds the newest ``created_utc`` kept (integer seconds) and, with
``comments = true``, the newest of every comment read, matching or not. Only the
listings in time order use it: with ``sort = "new"`` search results, and comments, more
than ``CURSOR_MARGIN_S`` older than it are dropped. The margin is there because Reddit's
search indexes some posts late, after newer ones were already seen; what comes back again
is dropped by the store's dedup. Other sorts (relevance, top, hot, comments) are not in
time order: a post older than the cursor can be new to the results, so nothing is
dropped. When a whole page of ``sort = "new"`` results is newer than the newest post
kept, or all ``limit`` comments read are newer than the newest comment read last run,
posts between the two runs may have been missed, and the fetch says so in a warning.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.errors import SourceAuthError, SourceError, SourceUnavailable
from monitor.normalize import fold, fold_umlauts, has_umlauts, write_out_umlauts
from monitor.sources.base import FetchResult, FetchState, Params
from monitor.sources.http import USER_AGENT
from monitor.types import RawPost

if TYPE_CHECKING:
    import praw

ENV_VARS = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USER_AGENT")
SORTS = ("relevance", "hot", "top", "new", "comments")
REDDIT_URL = "https://www.reddit.com"
MAX_LIMIT = 1000  # Reddit serves at most ~1000 items per listing
# a query token: an optional sign, an optional field, then a "quoted phrase" or a word
_TOKEN = re.compile(r'([-+!]?)(?:(\w+):)?(?:"([^"]*)"?|([^\s()"]+))')
TEXT_FIELDS = frozenset({"title", "selftext"})  # words of the post: kept as terms
POST_FIELDS = frozenset(  # conditions on the post, not words in a comment: dropped
    {"author", "flair", "flair_name", "flair_text", "nsfw", "self", "site", "spoiler"}
    | {"subreddit", "url"}
)
CURSOR_MARGIN_S = 3600  # Reddit search can index a post this late (the store dedups)
REMOVED_MARKERS = ("[removed]", "[deleted]")  # what Reddit shows for a body that is gone


def reddit_from_env(
    env: Mapping[str, str], *, source: str = "reddit", **praw_settings: Any
) -> praw.Reddit:
    """A read-only ``praw.Reddit`` from REDDIT_CLIENT_ID/SECRET (and optional USER_AGENT).

    ``praw_settings`` go to ``praw.Reddit`` (e.g. ``timeout``; tests point
    ``oauth_url``/``reddit_url`` at a local server). No request is made here.
    """
    missing = [var for var in ENV_VARS[:2] if not env.get(var, "").strip()]
    if missing:
        raise SourceAuthError(
            source,
            f"Reddit credentials missing: {', '.join(missing)} not set",
            hint=(
                "create a 'script' app at https://www.reddit.com/prefs/apps and set "
                "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (optionally REDDIT_USER_AGENT)"
            ),
        )
    import praw

    settings: dict[str, Any] = {"check_for_updates": False, **praw_settings}
    return praw.Reddit(
        client_id=env["REDDIT_CLIENT_ID"].strip(),
        client_secret=env["REDDIT_CLIENT_SECRET"].strip(),
        user_agent=env.get("REDDIT_USER_AGENT", "").strip() or USER_AGENT,
        **settings,
    )


class RedditSource:
    """Submissions (and optionally comments) matching ``query`` in ``subreddits``."""

    kind = "reddit"
    PARAMS = ("query", "subreddits", "limit", "comments", "sort")

    def __init__(
        self,
        name: str,
        query: str,
        *,
        subreddits: tuple[str, ...] = ("all",),
        limit: int = 100,
        comments: bool = False,
        sort: str = "new",
        reddit: praw.Reddit | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.query = query
        self.subreddits = subreddits
        self.limit = limit
        self.comments = comments
        self.sort = sort
        self._reddit = reddit
        self._env = env

    def __repr__(self) -> str:
        return f"RedditSource({self.name!r}, {self.query!r}, subreddits={self.subreddits!r})"

    @property
    def _site_wide(self) -> bool:
        """Reading r/all (alone or beside named subreddits): its comment stream is a sample."""
        return any(name.lower() == "all" for name in self.subreddits)

    @classmethod
    def from_params(
        cls, name: str, params: Mapping[str, Any], *, reddit: praw.Reddit | None = None
    ) -> RedditSource:
        """Build from a config table: ``query``, ``subreddits``, ``limit``, ``comments``, ``sort``."""
        p = Params(name, cls.kind, params, cls.PARAMS)
        query = p.text("query", required=True, example="mi marca")
        assert query is not None
        limit = int(p.number("limit", 100, integer=True))
        if limit > MAX_LIMIT:
            raise p.error(f"'limit' must be at most {MAX_LIMIT}, not {limit}")
        sort = p.text("sort") or "new"
        if sort not in SORTS:
            raise p.error(f"'sort' must be one of {', '.join(SORTS)}, not {sort!r}")
        return cls(
            name,
            query,
            subreddits=p.names("subreddits", ("all",)),
            limit=limit,
            comments=p.flag("comments", False),
            sort=sort,
            reddit=reddit,
        )

    def fetch(self, state: FetchState) -> FetchResult:
        """Search Reddit through praw; praw/prawcore errors become ``SourceError``s."""
        import praw.exceptions
        import prawcore

        try:
            if self._reddit is None:  # kept, so praw's rate limiter spans runs
                env = os.environ if self._env is None else self._env
                self._reddit = reddit_from_env(env, source=self.name)
            subreddit = self._reddit.subreddit("+".join(self.subreddits))
            found = subreddit.search(search_query(self.query), sort=self.sort, limit=self.limit)
            submissions = [parse_submission(item, source=self.name) for item in found]
            comments: list[RawPost] = []
            read: list[datetime | None] = []  # when each comment read was posted, kept or not
            if self.comments:
                for comment in subreddit.comments(limit=self.limit):
                    data = _fields(comment)
                    read.append(_created(data.get("created_utc")))
                    if matches(data.get("body") or "", self.query):
                        comments.append(parse_comment(comment, source=self.name))
        except SourceError:
            raise
        except prawcore.PrawcoreException as e:
            raise _wrap_prawcore(self.name, e) from e
        except praw.exceptions.PRAWException as e:
            raise SourceError(self.name, f"Reddit request failed: {e}") from e
        except Exception as e:  # a praw/prawcore bug must not end the whole run
            raise SourceError(self.name, f"unexpected error from praw: {e!r}") from e
        since, listed_since = _cursor_seconds(state.cursor)
        warnings: list[str] = []
        if since is not None and self.sort == "new":
            submissions = _not_older(submissions, since - CURSOR_MARGIN_S)
            published = [p.published for p in submissions]
            warnings += _gap(published, "search results", "posts", limit=self.limit, since=since)
        if since is not None:  # the comment listing is always newest first
            comments = _not_older(comments, since - CURSOR_MARGIN_S)
        if listed_since is not None and self.comments and not self._site_wide:
            # judged on every comment read against the newest read last run: comments not
            # matching the query fill the listing too, and the newest match may be far older.
            # r/all's stream is a sample by design (see above): a warning on every run would
            # only teach people to ignore this one
            warnings += _gap(
                read, "comments read", "comments", limit=self.limit, since=listed_since
            )
        posts = submissions + comments
        newest = max((_secs(p) for p in posts if p.published is not None), default=since)
        if since is not None and newest is not None:
            newest = max(newest, since)  # an older top post must not move the cursor back
        listed = max((int(t.timestamp()) for t in read if t is not None), default=None)
        if listed is not None and listed_since is not None:
            listed = max(listed, listed_since)
        cursor = _cursor(newest, listed) or state.cursor
        return FetchResult(posts=posts, state=FetchState(cursor=cursor), warnings=tuple(warnings))


def parse_submission(obj: Any, *, source: str = "reddit") -> RawPost:
    """Map a praw ``Submission`` (or its JSON ``data`` dict) to a ``RawPost``."""
    data = _fields(obj)
    title = data.get("title") or ""
    selftext = data.get("selftext") or ""
    # a body removed by the moderators or deleted by its author: the title is still worth
    # matching, but the store must keep the body it already holds (``extra["removed"]``)
    removed = selftext in REMOVED_MARKERS
    if removed:
        selftext = ""
    score, comments = _int(data.get("score")), _int(data.get("num_comments"))
    return RawPost(
        source=source,
        external_id=_fullname(data, "t3"),
        text=f"{title}\n\n{selftext}".strip(),
        url=_permalink(data.get("permalink")),
        title=title or None,
        author=_author(data.get("author")),
        published=_created(data.get("created_utc")),
        reach=None,
        engagement=_engagement(score, comments),
        channel=_channel(data),
        extra=_extra(data, kind="submission", score=score, num_comments=comments)
        | ({"removed": True} if removed else {}),
    )


def parse_comment(obj: Any, *, source: str = "reddit") -> RawPost:
    """Map a praw ``Comment`` (or its JSON ``data`` dict) to a ``RawPost``."""
    data = _fields(obj)
    score = _int(data.get("score"))
    url = _permalink(data.get("permalink"))
    link_id, comment_id = str(data.get("link_id") or ""), str(data.get("id") or "")
    if url is None and link_id.startswith("t3_") and comment_id:
        url = f"{REDDIT_URL}/comments/{link_id[3:]}/_/{comment_id}/"
    return RawPost(
        source=source,
        external_id=_fullname(data, "t1"),
        text=(data.get("body") or "").strip(),
        url=url,
        title=data.get("link_title") or None,
        author=_author(data.get("author")),
        published=_created(data.get("created_utc")),
        reach=None,
        engagement=_engagement(score, None),
        channel=_channel(data),
        extra=_extra(data, kind="comment", score=score, num_comments=None),
    )


def search_query(query: str) -> str:
    """The query sent to Reddit's search: ``query``, and where it has German umlauts, OR the
    same with them written out ("(Müller) OR (Mueller)"), since Reddit matches words as
    written and a German post without an umlaut key says "Mueller"."""
    if not has_umlauts(query):
        return query
    return f"({query}) OR ({write_out_umlauts(query)})"


def query_terms(query: str, *, folding: Callable[[str], str] = fold) -> list[list[str]]:
    """Folded terms of ``query`` as alternatives split on OR; a "quoted phrase" is one term.

    ``folding`` folds each term (:func:`monitor.normalize.fold_umlauts` writes German
    umlauts out); the alternatives and their terms come in the same order whatever it is.

    Reddit's search syntax is read loosely, erring towards keeping a comment, as a
    pre-filter should: parentheses are ignored (``(a OR b) AND c`` becomes "a, or b and
    c", which accepts all that the query does), excluded terms (``NOT x``, ``-x``) and
    conditions on the post rather than its words (``subreddit:spain``, ``author:x``) are
    dropped, and ``title:x`` or ``selftext:x`` counts as ``x``. An alternative left with
    no terms (``[]``) accepts any text.
    """
    alternatives: list[list[str]] = [[]]
    worded = [False]  # whether an alternative had a term, kept or dropped
    negate = False
    for sign, field, phrase, word in _TOKEN.findall(query):
        operator = word if not (sign or field) else ""
        if operator in ("OR", "|", "||"):
            alternatives.append([])
            worded.append(False)
            negate = False
            continue
        if operator in ("AND", "&&"):
            continue
        if operator == "NOT":
            negate = True
            continue
        field = field.casefold()
        if field and field not in TEXT_FIELDS and field not in POST_FIELDS:  # "hora:10" is a word
            word = f"{field}:{word}" if word else f'{field}:"{phrase}"'
            field = ""
        term = folding(phrase or word).strip()
        if term:
            worded[-1] = True
            if not (negate or sign in ("-", "!") or field in POST_FIELDS):
                alternatives[-1].append(term)
        negate = False
    return [terms for terms, had in zip(alternatives, worded, strict=True) if had]


def matches(text: str, query: str) -> bool:
    """True when ``text`` contains every term of one OR-alternative of ``query``.

    Case- and accent-insensitive substring matching of the terms :func:`query_terms`
    reads. A term also matches with German umlauts written out, in the term, the text or
    both ('Müller', 'Mueller'), as the pipeline's brand matching, which decides for real
    later, would find it.
    """
    folded, written_out = fold(text), fold_umlauts(text)
    return any(
        all(a in folded or b in written_out for a, b in alternative)
        for alternative in _term_pairs(query)
    )


@functools.lru_cache(maxsize=64)
def _term_pairs(query: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Each OR-alternative's terms as (folded, umlauts written out) pairs, read once per
    query rather than once per comment."""
    plain, spelt = query_terms(query), query_terms(query, folding=fold_umlauts)
    return tuple(
        tuple(zip(terms, spelt_terms, strict=True))
        for terms, spelt_terms in zip(plain, spelt, strict=True)
    )


def _fields(obj: Any) -> Mapping[str, Any]:
    """The data praw already holds; reading ``vars`` never triggers a lazy fetch."""
    return obj if isinstance(obj, Mapping) else vars(obj)


def _fullname(data: Mapping[str, Any], prefix: str) -> str:
    name = data.get("name")
    return str(name) if name else f"{prefix}_{data['id']}"


def _author(value: Any) -> str | None:
    """praw gives a ``Redditor`` or None; raw JSON gives a name or "[deleted]"."""
    if value is None:
        return None
    name = vars(value).get("name") if hasattr(value, "__dict__") else value
    return None if not name or str(name) == "[deleted]" else str(name)


def _permalink(path: Any) -> str | None:
    return f"{REDDIT_URL}{path}" if isinstance(path, str) and path.startswith("/") else None


def _created(value: Any) -> datetime | None:
    return datetime.fromtimestamp(float(value), tz=UTC) if value is not None else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _engagement(score: int | None, comments: int | None) -> int | None:
    if score is None and comments is None:
        return None
    return (score or 0) + (comments or 0)


def _subreddit(data: Mapping[str, Any]) -> str | None:
    subreddit = data.get("subreddit")
    if subreddit is not None and not isinstance(subreddit, str):
        subreddit = vars(subreddit).get("display_name")
    return subreddit or None


def _channel(data: Mapping[str, Any]) -> str | None:
    """Where on Reddit: ``r/spain``."""
    subreddit = _subreddit(data)
    return f"r/{subreddit}" if subreddit else None


def _extra(data: Mapping[str, Any], **values: Any) -> dict[str, Any]:
    return {"subreddit": _subreddit(data), **values}


def _secs(post: RawPost) -> int:
    assert post.published is not None
    return int(post.published.timestamp())


def _not_older(posts: list[RawPost], floor: int) -> list[RawPost]:
    return [p for p in posts if p.published is None or _secs(p) >= floor]


def _gap(
    published: list[datetime | None], listed: str, items: str, *, limit: int, since: int
) -> list[str]:
    """A warning when a listing in time order came back full and all newer than ``since``.

    Reddit then had more: what was posted between ``since`` and the oldest item read was
    never read. ``published`` holds when each item read was posted.
    """
    if len(published) < limit or not all(
        t is not None and int(t.timestamp()) > since for t in published
    ):
        return []
    return [
        f"all {len(published)} {listed} are newer than the newest seen last run "
        f"({_created(since):%Y-%m-%d %H:%M} UTC): {items} in between may have been missed; "
        "raise 'limit' or collect more often"
    ]


def _cursor(newest: int | None, listed: int | None) -> str | None:
    """The cursor for the newest post kept and the newest comment read (kept or not):
    "1467590690", or "1467590690 1467590750" once the comment listing has been read
    ("-" for no post yet)."""
    if listed is None:
        return None if newest is None else str(newest)
    return f"{'-' if newest is None else newest} {listed}"


def _cursor_seconds(cursor: str | None) -> tuple[int | None, int | None]:
    """The newest post kept and the newest comment read, from :func:`_cursor`'s text; a
    cursor written before comments were tracked apart gives its one time for both."""
    parts = (cursor or "").split()
    try:
        times = [None if p == "-" else int(p) for p in parts]
    except ValueError:
        return None, None
    if len(times) == 1:
        return times[0], times[0]
    if len(times) == 2:
        return times[0], times[1]
    return None, None


def _wrap_prawcore(source: str, e: Exception) -> SourceError:
    import prawcore

    if isinstance(e, prawcore.TooManyRequests):
        wait = f"; Reddit asks to wait {e.retry_after} s" if e.retry_after else ""
        return SourceUnavailable(source, f"rate limited by Reddit (HTTP 429){wait}")
    if isinstance(e, prawcore.ServerError | prawcore.RequestException):
        return SourceUnavailable(
            source, f"Reddit unavailable: {e}", hint="Reddit may be down; retried next run"
        )
    if isinstance(e, prawcore.OAuthException):
        return SourceAuthError(source, f"Reddit refused the credentials: {e}", hint=_AUTH_HINT)
    status = getattr(getattr(e, "response", None), "status_code", None)
    if status in (401, 403):
        return SourceAuthError(source, f"Reddit refused access (HTTP {status})", hint=_AUTH_HINT)
    if isinstance(e, prawcore.Redirect | prawcore.NotFound):
        return SourceError(source, f"Reddit: {e}", hint="check the subreddit names")
    return SourceError(source, f"Reddit request failed: {e}")


_AUTH_HINT = (
    "check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET; a private or banned subreddit "
    "also answers 403"
)


__all__ = [
    "ENV_VARS",
    "RedditSource",
    "matches",
    "parse_comment",
    "parse_submission",
    "query_terms",
    "reddit_from_env",
]
