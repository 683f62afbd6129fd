"""RSS and Atom feeds: a thin conditional ``fetch`` and a pure ``parse``.

Google News and Reddit search feeds are ordinary feed urls; ``google_news_url`` builds
the former. Entry HTML is kept as feedparser sanitises it (scripts and styles removed);
the pipeline strips markup later.
"""

from __future__ import annotations

import calendar
import io
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import feedparser
import httpx

from monitor.errors import SourceError
from monitor.sources import http
from monitor.sources.base import FetchResult, FetchState, Params, stable_id
from monitor.sources.dates import named_zone_date
from monitor.types import RawPost

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)


class RssSource:
    """An RSS/Atom feed at ``url``; ``RssSource("news", "https://example.org/feed")``."""

    kind = "rss"
    PARAMS = ("url", "timeout")

    def __init__(
        self,
        name: str,
        url: str,
        *,
        timeout: float = http.DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
        retry: http.Retry = http.Retry(),  # noqa: B008 (frozen value object)
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.url = url
        self.timeout = timeout
        self._client = client
        self._retry = retry
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"RssSource({self.name!r}, {self.url!r})"

    @classmethod
    def from_params(
        cls, name: str, params: Mapping[str, Any], *, http_client: httpx.Client | None = None
    ) -> RssSource:
        """Build from a config table: ``url`` (required), ``timeout`` seconds."""
        p = Params(name, cls.kind, params, cls.PARAMS)
        url = p.text("url", required=True, example="https://example.org/feed.xml")
        assert url is not None
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise p.error(f"url must start with http:// or https://, got {url!r}")
        timeout = p.number("timeout", http.DEFAULT_TIMEOUT)
        return cls(name, url, timeout=timeout, client=http_client)

    def fetch(self, state: FetchState) -> FetchResult:
        """GET the feed (conditionally) and parse it; 304 returns ``not_modified``."""
        headers = {"Accept": ACCEPT}
        if _header_safe(state.etag):
            headers["If-None-Match"] = state.etag
        if _header_safe(state.last_modified):
            headers["If-Modified-Since"] = state.last_modified
        if self._client is not None:
            response = self._get(self._client, headers)
        else:
            with http.default_client(self.timeout) as client:
                response = self._get(client, headers)
        if response.status == 304:
            return FetchResult(posts=[], state=state, not_modified=True)
        posts, warnings = parse(
            response.body, source=self.name, base_url=response.url, headers=response.headers
        )
        new_state = FetchState(
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            cursor=state.cursor,
        )
        return FetchResult(posts=posts, state=new_state, warnings=tuple(warnings))

    def _get(self, client: httpx.Client, headers: dict[str, str]) -> http.HttpResponse:
        return http.get(
            client,
            self.url,
            source=self.name,
            headers=headers,
            timeout=self.timeout,
            retry=self._retry,
            sleep=self._sleep,
        )


def parse(
    payload: bytes,
    *,
    source: str,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[list[RawPost], list[str]]:
    """Parse feed bytes into posts and warnings; raise ``SourceError`` if it is no feed.

    ``headers`` are the HTTP response headers: their ``Content-Type`` charset decides
    the encoding where the document does not (e.g. Big5 feeds).
    """
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    if base_url and "content-location" not in response_headers:
        response_headers["content-location"] = base_url
    # Without a type feedparser flags the document; XML then declares its own encoding.
    response_headers.setdefault("content-type", "application/xml")
    try:
        # A stream, never bytes: feedparser treats a bytes/str argument as a path or url.
        parsed = feedparser.parse(io.BytesIO(payload), response_headers=response_headers)
    except Exception as e:  # feedparser should not raise; wrap it if it ever does
        raise SourceError(source, f"feed could not be parsed: {e!r}", hint=_FEED_HINT) from e
    entries = parsed.get("entries") or []
    problem = _bozo_reason(parsed)
    # a feed served with a non-XML type or a wrong charset is still a feed: an error only
    # while it has no entries would flip a quiet search feed between failing and ok
    soft = isinstance(parsed.get("bozo_exception"), _SOFT_PROBLEMS)
    if not parsed.get("version") or (problem and not entries and not soft):
        reason = problem or "no RSS, Atom or RDF root element"
        raise SourceError(source, f"not a valid RSS/Atom feed: {reason}", hint=_FEED_HINT)
    warnings = []
    if problem:
        kept = "; kept its entries" if entries else ""
        warnings.append(f"feed is malformed but readable ({problem}){kept}")
    feed = parsed.get("feed") or {}
    posts = []
    for number, entry in enumerate(entries, start=1):
        post = _post(entry, feed, source)
        if post is None:
            warnings.append(f"entry {number}: no text, title or link; skipped")
        else:
            posts.append(post)
    return posts, warnings


_FEED_HINT = "check that the url serves an RSS or Atom feed (open it in a browser)"
_SOFT_PROBLEMS = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)


def google_news_url(query: str, lang: str = "es", country: str = "ES") -> str:
    """The Google News RSS search url for ``query`` in a language and country edition."""
    params = {"q": query, "hl": lang, "gl": country, "ceid": f"{country}:{lang}"}
    return "https://news.google.com/rss/search?" + urlencode(params, quote_via=quote, safe=":")


def _bozo_reason(parsed: Mapping[str, Any]) -> str | None:
    if not parsed.get("bozo"):
        return None
    error = parsed.get("bozo_exception")
    text = str(error).strip() if error is not None else ""
    return text or (type(error).__name__ if error is not None else "malformed document")


def _post(entry: Mapping[str, Any], feed: Mapping[str, Any], source: str) -> RawPost | None:
    title = _clean(entry.get("title"))
    link = _clean(entry.get("link"))
    content = entry.get("content") or []
    body = _clean(content[0].get("value")) if content else None
    text = body or _clean(entry.get("summary")) or title
    if not text:
        if not link:
            return None
        text = link
    external_id = _clean(entry.get("id")) or link or stable_id(title, text)
    author_detail = entry.get("author_detail") or {}
    author = _clean(author_detail.get("name")) or _clean(entry.get("author"))
    lang, hint = _languages(entry, content, feed)
    extra: dict[str, Any] = {}
    if feed.get("title"):
        extra["feed_title"] = feed["title"]
    publisher = (entry.get("source") or {}).get("title")  # Google News: the outlet
    if publisher:
        extra["publisher"] = publisher
    tags = [t["term"] for t in entry.get("tags") or [] if t.get("term")]
    if tags:
        extra["tags"] = tags
    return RawPost(
        source=source,
        external_id=external_id,
        text=text,
        url=link,
        title=title,
        author=author,
        published=named_zone_date(entry.get("published") or entry.get("updated"))
        or _date(entry.get("published_parsed") or entry.get("updated_parsed")),
        lang=lang.lower() if lang else None,
        channel=_clean(publisher) if publisher else None,
        extra=extra,
        lang_hint=hint.lower() if hint else None,
    )


def _languages(
    entry: Mapping[str, Any], content: list, feed: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """The entry's own language tag, and the feed's as a hint (``RawPost.lang_hint``).

    A channel's ``<language>`` (or an Atom feed's ``xml:lang``, or a Content-Language
    header) is one language for the whole feed, which aggregators (Google News, planets,
    podcasts) declare while carrying items in others: it must not outrank what the text
    is written in. feedparser passes it down to every entry's title and content, so an
    entry's tag that merely repeats the feed's is taken as the feed's."""
    feed_lang = _clean(feed.get("language"))
    own = _clean(entry.get("language"))  # <dc:language> in the item: never inherited
    if not own:
        text = content[0] if content else None
        detail = text or entry.get("summary_detail") or entry.get("title_detail") or {}
        tagged = _clean(detail.get("language"))  # xml:lang of the item or its text
        if tagged and (not feed_lang or tagged.lower() != feed_lang.lower()):
            own = tagged
    return own, feed_lang


def _date(value: time.struct_time | None) -> datetime | None:
    """feedparser's parsed dates are UTC ``struct_time``s."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _header_safe(value: str | None) -> bool:
    """Validators go back only if httpx can send them (ASCII, no control characters)."""
    return bool(value) and value.isascii() and value.isprintable()


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


__all__ = ["ACCEPT", "RssSource", "google_news_url", "parse"]
