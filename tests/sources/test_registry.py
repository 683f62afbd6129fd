"""make_source: building sources from configuration, and the mistakes it reports."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from monitor.errors import ConfigError
from monitor.sources import SOURCE_KINDS, make_source
from monitor.sources.reddit import RedditSource
from monitor.sources.rss import RssSource


def test_kinds() -> None:
    assert SOURCE_KINDS == ("rss", "reddit", "file", "appstore")


def test_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown kind 'twitter'") as info:
        make_source("x", "twitter", {})

    assert info.value.hint == "use one of: rss, reddit, file, appstore"


def test_rss_source_uses_the_injected_client() -> None:
    with httpx.Client() as client:
        source = make_source(
            "news", "rss", {"url": "https://e.example/feed", "timeout": 5}, http_client=client
        )

        assert isinstance(source, RssSource)
        assert (source.name, source.kind, source.url, source.timeout) == (
            "news",
            "rss",
            "https://e.example/feed",
            5,
        )
        assert source._client is client
    assert repr(source) == "RssSource('news', 'https://e.example/feed')"


def test_reddit_source_params() -> None:
    source = make_source(
        "r",
        "reddit",
        {"query": "aurora", "subreddits": "spain+es", "limit": 50, "comments": True, "sort": "top"},
    )

    assert isinstance(source, RedditSource)
    assert source.subreddits == ("spain", "es")
    assert (source.limit, source.comments, source.sort) == (50, True, "top")
    defaults = make_source("r", "reddit", {"query": "aurora"})
    assert isinstance(defaults, RedditSource)
    assert (defaults.subreddits, defaults.limit, defaults.comments, defaults.sort) == (
        ("all",),
        100,
        False,
        "new",
    )


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("rss", {}, "missing required parameter 'url'"),
        ("rss", {"url": "  "}, "missing required parameter 'url'"),
        ("rss", {"url": "ftp://e.example/feed"}, "must start with http"),
        ("rss", {"url": 42}, "'url' must be a string"),
        ("rss", {"url": "https://e.example", "timeout": 0}, "'timeout' must be a positive number"),
        ("rss", {"url": "https://e.example", "timeout": "5"}, "'timeout' must be a positive"),
        ("rss", {"url": "https://e.example", "tiemout": 5}, "unknown parameter 'tiemout'"),
        ("reddit", {}, "missing required parameter 'query'"),
        ("reddit", {"query": "a", "limit": 2.5}, "'limit' must be a positive whole number"),
        ("reddit", {"query": "a", "limit": True}, "'limit' must be a positive whole number"),
        ("reddit", {"query": "a", "limit": 5000}, "at most 1000"),
        ("reddit", {"query": "a", "sort": "best"}, "'sort' must be one of"),
        ("reddit", {"query": "a", "comments": "yes"}, "'comments' must be true or false"),
        ("reddit", {"query": "a", "subreddits": [1, 2]}, "'subreddits' must be a list"),
        ("reddit", {"query": "a", "subreddit": "spain"}, "unknown parameter 'subreddit'"),
    ],
)
def test_bad_params_are_config_errors(kind: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        make_source("src", kind, params)

    assert str(info.value).startswith(f"source 'src' ({kind}): ")


def test_unknown_parameter_hint_lists_accepted_ones() -> None:
    with pytest.raises(ConfigError) as info:
        make_source("src", "reddit", {"query": "a", "subreddit": "spain"})

    assert info.value.hint == "reddit sources accept: comments, limit, query, sort, subreddits"


def test_missing_param_hint_shows_an_example() -> None:
    with pytest.raises(ConfigError) as info:
        make_source("src", "rss", {})

    assert info.value.hint == 'add url = "https://example.org/feed.xml"'


def test_params_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="must be a table"):
        make_source("src", "rss", ["url"])  # type: ignore[arg-type]
