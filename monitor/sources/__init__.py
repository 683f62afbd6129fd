"""Collectors: one module per source kind, built from configuration by ``make_source``.

rss     RSS/Atom feeds, including Google News and Reddit search feeds (rss.py)
reddit  Reddit search through praw (reddit.py; praw is imported only when used)
file    CSV/TSV/JSON Lines exports from other tools (files.py)
appstore  App Store reviews of one app, Apple's public feed (appstore.py)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError
from monitor.sources.base import FetchResult, FetchState, Source

if TYPE_CHECKING:
    import httpx
    import praw

SOURCE_KINDS: tuple[str, ...] = ("rss", "reddit", "file", "appstore")


def make_source(
    name: str,
    kind: str,
    params: Mapping[str, Any],
    *,
    http_client: httpx.Client | None = None,
    reddit: praw.Reddit | None = None,
) -> Source:
    """Build the source ``name`` of ``kind`` from its config table; ``ConfigError`` if wrong.

    Without ``http_client`` an RSS source opens a short-lived client per fetch; without
    ``reddit`` a Reddit source reads its credentials from the environment when fetched.
    """
    if not isinstance(params, Mapping):
        raise ConfigError(f"source {name!r}: parameters must be a table, not {params!r}")
    if kind == "rss":
        from monitor.sources.rss import RssSource

        return RssSource.from_params(name, params, http_client=http_client)
    if kind == "reddit":
        from monitor.sources.reddit import RedditSource

        return RedditSource.from_params(name, params, reddit=reddit)
    if kind == "file":
        from monitor.sources.files import FileSource

        return FileSource.from_params(name, params)
    if kind == "appstore":
        from monitor.sources.appstore import AppStoreSource

        return AppStoreSource.from_params(name, params, http_client=http_client)
    raise ConfigError(
        f"source {name!r}: unknown kind {kind!r}",
        hint=f"use one of: {', '.join(SOURCE_KINDS)}",
    )


__all__ = ["SOURCE_KINDS", "FetchResult", "FetchState", "Source", "make_source"]
