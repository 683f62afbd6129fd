"""App Store reviews of one app: Apple's public customer-reviews feed, no key needed.

``https://itunes.apple.com/{country}/rss/customerreviews/page={n}/id={app_id}/sortby=mostrecent/json``
lists the newest reviews of an app in one storefront, 50 per page, at most 10 pages.
Each review becomes a post with its star ``rating`` (1-5) and, as engagement, the
number of people who voted on whether it was helpful. A review of the brand's own
app is about the brand even when it never names it, so this kind of source must name
exactly one brand (``brands = ["Movistela"]``) and every review counts as a mention.

``fetch`` is thin (one careful GET per page); ``parse`` is pure and tested on its own.
A review is stored once, as first seen: an edit on Apple's side (new text or stars)
does not update it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from monitor.errors import SourceError
from monitor.sources import http
from monitor.sources.base import FetchResult, Params, stable_id
from monitor.sources.files import parse_date
from monitor.types import FetchState, RawPost

FEED_URL = (
    "https://itunes.apple.com/{country}/rss/customerreviews/page={page}/id={app_id}"
    "/sortby=mostrecent/json"
)
APP_URL = "https://apps.apple.com/{country}/app/id{app_id}?see-all=reviews"
MAX_PAGES = 10  # Apple serves at most 10 pages of 50 reviews
_HINT = "check app_id (the digits after 'id' in the app's App Store link) and country"


class AppStoreSource:
    """Reviews of App Store app ``app_id`` in storefront ``country`` (ISO 3166 code)."""

    kind = "appstore"
    PARAMS = ("app_id", "country", "pages", "timeout")

    def __init__(
        self,
        name: str,
        app_id: str,
        *,
        country: str = "es",
        pages: int = 1,
        timeout: float = http.DEFAULT_TIMEOUT,
        base_url: str = FEED_URL,
        client: httpx.Client | None = None,
        retry: http.Retry = http.Retry(),  # noqa: B008 (frozen value object)
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name, self.app_id, self.country = name, app_id, country
        self.pages = pages
        self.timeout = timeout
        self.base_url = base_url
        self._client = client
        self._retry = retry
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"AppStoreSource({self.name!r}, app {self.app_id}, {self.country})"

    @classmethod
    def from_params(
        cls, name: str, params: Mapping[str, Any], *, http_client: httpx.Client | None = None
    ) -> AppStoreSource:
        """From a config table: ``app_id`` (required), ``country`` (default "es"),
        ``pages`` (1-10, default 1), ``timeout`` seconds."""
        p = Params(name, cls.kind, params, cls.PARAMS)
        raw_id = params.get("app_id")
        if raw_id is None:
            p.text("app_id", required=True, example="284882215")
        app_id = str(raw_id).strip().removeprefix("id")
        if not (app_id.isascii() and app_id.isdigit()):
            raise p.error(
                f"app_id must be the app's number, not {raw_id!r}",
                hint='e.g. app_id = "284882215" (from apps.apple.com/es/app/…/id284882215)',
            )
        country = (p.text("country") or "es").lower()
        if len(country) != 2 or not (country.isascii() and country.isalpha()):
            raise p.error(f"country must be a two-letter storefront code, not {country!r}")
        pages = int(p.number("pages", 1, integer=True))
        if pages > MAX_PAGES:
            raise p.error(f"pages must be at most {MAX_PAGES} (Apple serves no more)")
        return cls(
            name,
            app_id,
            country=country,
            pages=pages,
            timeout=p.number("timeout", http.DEFAULT_TIMEOUT),
            client=http_client,
        )

    def url(self, page: int) -> str:
        return self.base_url.format(country=self.country, page=page, app_id=self.app_id)

    def fetch(self, state: FetchState) -> FetchResult:
        """Read pages 1…``pages`` (newest first), stopping at the first empty one.

        A page that fails after the first one costs only itself: the reviews already
        read are kept and the failure is a warning.
        """
        posts: list[RawPost] = []
        warnings: list[str] = []
        if self._client is not None:
            full = self._read_pages(self._client, posts, warnings)
        else:
            with http.default_client(self.timeout) as client:
                full = self._read_pages(client, posts, warnings)
        return FetchResult(posts=posts, state=state, warnings=tuple(warnings), pages_full=full)

    def _read_pages(self, client: httpx.Client, posts: list[RawPost], warnings: list[str]) -> bool:
        """Whether the last page read still had reviews (there may be older ones)."""
        for page in range(1, self.pages + 1):
            try:
                response = http.get(
                    client,
                    self.url(page),
                    source=self.name,
                    headers={"Accept": "application/json"},
                    timeout=self.timeout,
                    retry=self._retry,
                    sleep=self._sleep,
                )
                found, problems = parse(
                    response.body, source=self.name, app_id=self.app_id, country=self.country
                )
            except SourceError as e:
                if page == 1:
                    raise
                warnings.append(f"page {page}: {e.message}; kept the {len(posts)} reviews before")
                return False
            posts.extend(found)
            warnings.extend(f"page {page}: {p}" for p in problems)
            if not found and not problems:  # past the last review
                return False
        return True  # the page limit, not the last review, ended the read


def parse(
    payload: bytes, *, source: str, app_id: str, country: str
) -> tuple[list[RawPost], list[str]]:
    """Reviews in one page of the feed, and warnings; ``SourceError`` if it is no such page."""
    try:
        data = json.loads(payload)
        feed = data["feed"]
    except (ValueError, TypeError, KeyError) as e:
        reason = "not JSON" if isinstance(e, ValueError) else "no 'feed' object"
        raise SourceError(source, f"not an App Store reviews page: {reason}", hint=_HINT) from e
    if not isinstance(feed, Mapping):
        raise SourceError(
            source, "not an App Store reviews page: 'feed' is not an object", hint=_HINT
        )
    entries = feed.get("entry") or []
    if isinstance(entries, Mapping):  # a page with one entry holds it bare
        entries = [entries]
    if not isinstance(entries, list):
        raise SourceError(
            source, "not an App Store reviews page: 'entry' is not a list", hint=_HINT
        )
    reviews = [e for e in entries if isinstance(e, Mapping) and "im:rating" in e]
    # (older pages open with an entry describing the app itself, without a rating)
    posts, warnings = [], []
    for number, entry in enumerate(reviews, start=1):
        post = _review(entry, source, app_id, country)
        if post is None:
            warnings.append(f"review {number}: no text or rating; skipped")
        else:
            posts.append(post)
    return posts, warnings


def _review(entry: Mapping[str, Any], source: str, app_id: str, country: str) -> RawPost | None:
    title, text = _label(entry, "title"), _label(entry, "content")
    rating = _whole(_label(entry, "im:rating"))
    if not (text or title) or rating is None or not 1 <= rating <= 5:
        return None
    review_id = _label(entry, "id") or stable_id(title, text, _label(entry, "updated"))
    author = entry.get("author") or {}
    votes = _whole(_label(entry, "im:voteCount"))
    return RawPost(
        source=source,
        external_id=review_id,
        text=text or title or "",
        url=APP_URL.format(country=country, app_id=app_id),
        title=title if text else None,
        author=_label(author, "name") if isinstance(author, Mapping) else None,
        published=_date(_label(entry, "updated")),
        engagement=votes,  # people who voted on whether the review helped
        rating=rating,
        extra={"app_version": _label(entry, "im:version"), "storefront": country},
    )


def _label(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, Mapping):
        value = value.get("label")
    return value.strip() or None if isinstance(value, str) else None


def _whole(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _date(value: str | None) -> datetime | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None
