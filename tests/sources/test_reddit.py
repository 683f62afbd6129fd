"""Reddit through the real praw/prawcore code path, answered by a loopback HTTP server
that replays Reddit API responses recorded by praw's own test suite (../shared)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import praw
import prawcore
import pytest
import requests
from pytest_httpserver import HTTPServer

from monitor.errors import SourceAuthError, SourceError, SourceUnavailable
from monitor.sources.base import FetchState
from monitor.sources.http import USER_AGENT
from monitor.sources.reddit import (
    RedditSource,
    matches,
    parse_comment,
    parse_submission,
    query_terms,
    reddit_from_env,
)

ENV = {"REDDIT_CLIENT_ID": "test-id", "REDDIT_CLIENT_SECRET": "test-secret"}
# The shape of Reddit's token answer (as recorded in every cassette), so that tests of
# error handling run without the shared recordings.
TOKEN = {"access_token": "<ACCESS_TOKEN>", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
EMPTY_LISTING = json.dumps({"kind": "Listing", "data": {"children": [], "after": None}})
SEARCH_IDS = ["t3_3gpbiu", "t3_3x4kt2", "t3_3b4erh", "t3_1qvzkd", "t3_3qc02b", "t3_4at068"]


class Cassettes:
    """Reads praw's Betamax cassettes: ``interactions[i].response.body.string``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def body(self, name: str, index: int = 1) -> str:
        return self.response(name, index)[0]

    def response(self, name: str, index: int = 1) -> tuple[str, dict[str, str]]:
        with (self.root / f"{name}.json").open(encoding="utf-8") as f:
            response = json.load(f)["interactions"][index]["response"]
        headers = {k.lower(): v[0] for k, v in response["headers"].items()}
        return response["body"]["string"], headers

    def data(self, name: str, index: int = 1) -> Any:
        return json.loads(self.response(name, index)[0])


@pytest.fixture
def cassettes(shared_fixtures: Path) -> Cassettes:
    root = shared_fixtures / "reddit_praw_cassettes"
    if not root.is_dir():
        pytest.skip(f"praw cassettes not found in {root}")
    return Cassettes(root)


class FakeReddit:
    """The loopback server playing Reddit: the token endpoint plus the listings given."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        server.expect_request("/api/v1/access_token", method="POST").respond_with_json(TOKEN)
        self.base = server.url_for("").rstrip("/")

    def serve(self, path: str | re.Pattern[str], body: str = EMPTY_LISTING, **kw: Any) -> None:
        kw.setdefault("content_type", "application/json")
        self.server.expect_request(path).respond_with_data(body, **kw)

    def requests(self, path: str) -> list[Any]:
        return [req for req, _ in self.server.log if req.path == path]


@pytest.fixture
def api(httpserver: HTTPServer) -> FakeReddit:
    return FakeReddit(httpserver)


@pytest.fixture
def reddit(api: FakeReddit) -> Iterator[praw.Reddit]:
    with requests.Session() as session:
        yield reddit_from_env(
            ENV,
            oauth_url=api.base,
            reddit_url=api.base,
            timeout=5,
            requestor_kwargs={"session": session},
        )


def recorded_comments(
    api: FakeReddit,
    reddit: praw.Reddit,
    cassettes: Cassettes,
    query: str = "TRUDEAU",
    subreddit: str = "askreddit",
) -> RedditSource:
    """A source reading comments (limit 100) of ``subreddit``, served praw's recorded listing
    of 100 r/AskReddit comments (one mentions Trudeau) and no search results."""
    api.serve(f"/r/{subreddit}/search/")
    api.serve(f"/r/{subreddit}/comments/", cassettes.body("TestSubredditListings.test_comments"))
    return RedditSource(
        "r", query, subreddits=(subreddit,), limit=100, comments=True, reddit=reddit
    )


@pytest.fixture
def no_praw_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """prawcore waits up to 6 s between its own retries; tests need not."""
    monkeypatch.setattr(prawcore.sessions.FiniteRetryStrategy, "_sleep_seconds", lambda self: None)


def test_token_answer_matches_the_recordings(cassettes: Cassettes) -> None:
    for name in ("TestSubreddit.test_search", "TestSubredditListings.test_comments"):
        assert cassettes.data(name, index=0) == TOKEN


# --- search through praw ------------------------------------------------------------


def test_search_maps_recorded_submissions(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    api.serve("/r/all/search/", cassettes.body("TestSubreddit.test_search"))
    source = RedditSource("reddit-praw", "praw oauth search", reddit=reddit)

    result = source.fetch(FetchState())

    assert [p.external_id for p in result.posts] == SEARCH_IDS
    first = result.posts[0]
    assert first.source == "reddit-praw"
    assert first.author == "dClauzel"
    assert first.title.startswith("[PRAW][OAuth2Util] Problem using get_banned()")
    assert first.text.startswith(first.title + "\n\n# solved")  # title + selftext
    assert first.url == (
        "https://www.reddit.com/r/redditdev/comments/3gpbiu/"
        "prawoauth2util_problem_using_get_banned_raise/?ref=search_posts"
    )
    assert first.published == datetime(2015, 8, 12, 9, 8, 34, tzinfo=UTC)
    assert first.engagement == 0 + 21 and first.reach is None
    assert first.channel == "r/redditdev"
    assert first.extra == {
        "subreddit": "redditdev",
        "kind": "submission",
        "score": 0,
        "num_comments": 21,
    }
    assert result.posts[5].author == "nmtake"
    assert (
        result.posts[5].title
        == "たびたび話題になるサイドバーの閲覧中ユーザ数について（また）調べた"
    )
    assert result.state == FetchState(cursor="1458221634")  # newest created_utc


def test_a_search_for_a_german_name_also_asks_for_it_written_out(
    api: FakeReddit, reddit: praw.Reddit
) -> None:
    api.serve("/r/de/search/")
    source = RedditSource("r", 'Müller "Drogerie Öl"', subreddits=("de",), reddit=reddit)

    source.fetch(FetchState())

    (search,) = api.requests("/r/de/search/")
    assert search.args["q"] == '(Müller "Drogerie Öl") OR (Mueller "Drogerie Oel")'


def test_search_request_is_made_by_praw_as_configured(api: FakeReddit, reddit: praw.Reddit) -> None:
    api.serve("/r/spain+es/search/")
    source = RedditSource(
        "r", "cafés aurora", subreddits=("spain", "es"), limit=25, sort="new", reddit=reddit
    )

    result = source.fetch(FetchState(cursor="123"))

    assert result.posts == [] and result.state.cursor == "123"
    (token,) = api.requests("/api/v1/access_token")
    assert token.authorization.type == "basic"
    assert (token.authorization.username, token.authorization.password) == (
        "test-id",
        "test-secret",
    )
    (search,) = api.requests("/r/spain+es/search/")
    assert search.args["q"] == "cafés aurora"
    assert search.args["sort"] == "new"
    assert search.args["restrict_sr"] == "True"
    assert search.args["limit"] == "25"
    assert search.headers["Authorization"] == "bearer <ACCESS_TOKEN>"
    assert search.headers["User-Agent"].startswith(USER_AGENT)


def test_cursor_skips_items_older_than_the_newest_seen(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    api.serve("/r/all/search/", cassettes.body("TestSubreddit.test_search"))
    source = RedditSource("r", "praw oauth search", reddit=reddit)

    result = source.fetch(FetchState(cursor="1445894438"))  # t3_3qc02b's created_utc

    assert [p.external_id for p in result.posts] == ["t3_3x4kt2", "t3_3qc02b", "t3_4at068"]
    assert result.state.cursor == "1458221634"


def test_cursor_keeps_results_indexed_late_within_the_margin(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    api.serve("/r/all/search/", cassettes.body("TestSubreddit.test_search"))
    source = RedditSource("r", "praw oauth search", reddit=reddit)

    # t3_3qc02b was posted 30 minutes before the newest item seen last run: Reddit's
    # search indexed it only after that run
    result = source.fetch(FetchState(cursor=str(1445894438 + 30 * 60)))

    assert "t3_3qc02b" in [p.external_id for p in result.posts]


@pytest.mark.parametrize("sort", ["relevance", "top", "hot", "comments"])
def test_cursor_drops_nothing_from_results_not_in_time_order(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes, sort: str
) -> None:
    api.serve("/r/all/search/", cassettes.body("TestSubreddit.test_search"))
    source = RedditSource("r", "praw oauth search", sort=sort, reddit=reddit)

    result = source.fetch(FetchState(cursor="1458221634"))  # the newest result's created_utc

    assert [p.external_id for p in result.posts] == SEARCH_IDS


def test_cursor_does_not_move_back_when_results_are_older(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    api.serve("/r/all/search/", cassettes.body("TestSubreddit.test_search"))
    source = RedditSource("r", "praw oauth search", sort="top", reddit=reddit)

    result = source.fetch(FetchState(cursor="1500000000"))

    assert result.state.cursor == "1500000000"


def test_a_full_page_newer_than_the_cursor_warns_of_a_gap(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    api.serve("/r/all/search/", cassettes.body("TestSubreddit.test_search"))
    source = RedditSource("r", "praw oauth search", limit=len(SEARCH_IDS), reddit=reddit)

    result = source.fetch(FetchState(cursor="1384000000"))  # before the oldest result

    (warning,) = result.warnings
    assert "may have been missed" in warning and "'limit'" in warning


def test_a_page_reaching_back_to_the_cursor_does_not_warn(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    api.serve("/r/all/search/", cassettes.body("TestSubreddit.test_search"))
    source = RedditSource("r", "praw oauth search", limit=len(SEARCH_IDS), reddit=reddit)

    result = source.fetch(FetchState(cursor="1445894438"))

    assert result.warnings == ()


def test_a_full_comment_listing_newer_than_the_cursor_warns_of_a_gap(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    source = recorded_comments(api, reddit, cassettes)

    # all 100 comments read are newer than this; only one of them matches the query
    result = source.fetch(FetchState(cursor="1467590000"))

    assert [p.external_id for p in result.posts] == ["t1_d4y8bdf"]
    (warning,) = result.warnings
    assert warning.startswith("all 100 comments read are newer than the newest seen last run")
    assert "may have been missed" in warning and "'limit'" in warning


def test_the_site_wide_comment_stream_draws_no_gap_warning(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    """r/all's comments come faster than any 'limit': a sample by design, not a gap to
    warn of on every run."""
    source = recorded_comments(api, reddit, cassettes, subreddit="all")

    result = source.fetch(FetchState(cursor="1467590000 1467590000"))

    assert [p.external_id for p in result.posts] == ["t1_d4y8bdf"]
    assert result.warnings == ()


def test_a_comment_listing_reaching_back_to_the_cursor_does_not_warn(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    source = recorded_comments(api, reddit, cassettes)

    # the oldest comment read was posted at 1467590634: the listing reached the last run
    result = source.fetch(FetchState(cursor="1467590634"))

    assert result.warnings == ()


def test_a_comment_listing_reaching_back_to_the_last_one_read_does_not_warn(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    """The listing holds every comment, matching or not, so whether it reached the last
    run is judged by the newest comment read then, not by the newest match: a brand
    mentioned once an hour in a subreddit busier than 'limit' comments per run must not
    draw a gap warning on every run."""
    listing = cassettes.data("TestSubredditListings.test_comments")
    children = listing["data"]["children"]  # 100 comments posted 1467590634..690
    oldest = min(c["data"]["created_utc"] for c in children)
    for c in children:
        if "trudeau" in c["data"]["body"].lower():  # the one match: the oldest comment read
            c["data"]["created_utc"] = oldest
    api.serve("/r/askreddit/search/")
    api.server.expect_oneshot_request("/r/askreddit/comments/").respond_with_json(listing)
    source = RedditSource(
        "r", "TRUDEAU", subreddits=("askreddit",), limit=100, comments=True, reddit=reddit
    )
    first = source.fetch(FetchState())
    assert [p.external_id for p in first.posts] == ["t1_d4y8bdf"]

    # 30 s later: 100 comments again, none matching, the oldest read before the newest
    # one read last time (1467590690) but all newer than the match
    for c in children:
        c["data"]["created_utc"] += 30
        c["data"]["body"] = "nothing about it"
    api.server.expect_oneshot_request("/r/askreddit/comments/").respond_with_json(listing)
    second = source.fetch(first.state)

    assert second.posts == [] and second.warnings == ()


def test_comments_are_filtered_by_query_terms(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    source = recorded_comments(api, reddit, cassettes, "TRUDEAU OR movie")

    result = source.fetch(FetchState())

    ids = [p.external_id for p in result.posts]
    assert ids == ["t1_d4y8bdf", "t1_d4y8ayt", "t1_d4y8aj4", "t1_d4y8af3"]
    trudeau = result.posts[0]
    assert trudeau.author == "CHOCOLATEJ3SU5"
    assert trudeau.text.startswith("Trudeau has made us look like")
    assert trudeau.published == datetime.fromtimestamp(1467590690, UTC)
    assert trudeau.url is not None and trudeau.url.startswith("https://www.reddit.com/comments/")
    assert trudeau.extra["kind"] == "comment" and trudeau.extra["subreddit"] == "AskReddit"
    assert trudeau.channel == "r/AskReddit"
    (listing,) = api.requests("/r/askreddit/comments/")
    assert listing.args["limit"] == "100"
    # Mapping read praw's data only: no lazy per-comment fetches were triggered.
    assert len(api.server.log) == 3


def test_rate_limit_headers_reach_praw(
    api: FakeReddit, reddit: praw.Reddit, cassettes: Cassettes
) -> None:
    body, headers = cassettes.response("TestRedditorListings.test_overview__top")
    limits = {k: v for k, v in headers.items() if k.startswith("x-ratelimit")}
    api.server.expect_request(re.compile("/user/spez/.*")).respond_with_data(
        body, content_type="application/json", headers=limits
    )

    comments = list(reddit.redditor("spez").top(time_filter="all", limit=100))
    posts = [parse_comment(c) for c in comments]

    assert reddit.auth.limits == {"remaining": 996, "used": 4}  # praw's limiter saw them
    assert len(posts) == 100
    assert posts[0].external_id == "t1_cszv2lg"
    assert posts[0].author == "spez"
    assert posts[0].url == (
        "https://www.reddit.com/r/IAmA/comments/3cxedn/"
        "i_am_steve_huffman_the_new_ceo_of_reddit_ama/cszv2lg/"
    )
    assert posts[0].title == "I am Steve Huffman, the new CEO of reddit. AMA."
    assert posts[0].engagement == 5497  # the score; the thread's num_comments is not ours
    assert len(api.server.log) == 2


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "challenge"),
    [(401, 'Bearer realm="reddit", error="invalid_token"'), (403, None)],
)
def test_refused_listing_is_auth_error(
    api: FakeReddit,
    reddit: praw.Reddit,
    no_praw_sleep: None,
    status: int,
    challenge: str | None,
) -> None:
    headers = {"www-authenticate": challenge} if challenge else {}
    api.serve("/r/all/search/", status=status, headers=headers)

    with pytest.raises(SourceAuthError, match=f"HTTP {status}") as info:
        RedditSource("r", "x", reddit=reddit).fetch(FetchState())

    assert "REDDIT_CLIENT_ID" in (info.value.hint or "")
    assert isinstance(info.value.__cause__, prawcore.PrawcoreException)


def test_unexpected_praw_failure_is_wrapped(api: FakeReddit, reddit: praw.Reddit) -> None:
    # prawcore raises KeyError on a www-authenticate error it does not know.
    api.serve("/r/all/search/", status=403, headers={"www-authenticate": 'Bearer error="odd"'})

    with pytest.raises(SourceError, match="unexpected error from praw") as info:
        RedditSource("r", "x", reddit=reddit).fetch(FetchState())

    assert isinstance(info.value.__cause__, KeyError)


def test_refused_token_is_auth_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/v1/access_token").respond_with_json(
        {"message": "Unauthorized", "error": 401}, status=401
    )
    base = httpserver.url_for("").rstrip("/")
    with requests.Session() as session:
        reddit = reddit_from_env(
            ENV, oauth_url=base, reddit_url=base, requestor_kwargs={"session": session}
        )
        with pytest.raises(SourceAuthError, match="401"):
            RedditSource("r", "x", reddit=reddit).fetch(FetchState())


def test_server_error_is_unavailable_after_praws_retries(
    api: FakeReddit, reddit: praw.Reddit, no_praw_sleep: None
) -> None:
    api.serve("/r/all/search/", status=503)

    with pytest.raises(SourceUnavailable, match="Reddit unavailable"):
        RedditSource("r", "x", reddit=reddit).fetch(FetchState())

    assert len(api.requests("/r/all/search/")) == 3  # prawcore retried twice


def test_too_many_requests_is_unavailable(api: FakeReddit, reddit: praw.Reddit) -> None:
    api.serve("/r/all/search/", status=429, headers={"retry-after": "30"})

    with pytest.raises(SourceUnavailable, match="wait 30 s"):
        RedditSource("r", "x", reddit=reddit).fetch(FetchState())


def test_unknown_subreddit_redirect_is_source_error(api: FakeReddit, reddit: praw.Reddit) -> None:
    api.serve(
        "/r/nosuchsub/search/",
        status=302,
        headers={"location": "https://www.reddit.com/subreddits/search.json?q=nosuchsub"},
    )

    with pytest.raises(SourceError, match="Redirect to /subreddits/search") as info:
        RedditSource("r", "x", subreddits=("nosuchsub",), reddit=reddit).fetch(FetchState())

    assert "subreddit" in (info.value.hint or "")


def test_dead_host_is_unavailable(no_praw_sleep: None) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with requests.Session() as session:
        reddit = reddit_from_env(
            ENV, oauth_url=dead, reddit_url=dead, requestor_kwargs={"session": session}
        )
        with pytest.raises(SourceUnavailable, match="Reddit unavailable"):
            RedditSource("r", "x", reddit=reddit).fetch(FetchState())


# --- credentials --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET"),
        ({"REDDIT_CLIENT_ID": "abc123"}, "REDDIT_CLIENT_SECRET"),
        ({"REDDIT_CLIENT_SECRET": "s3cr3t-value", "REDDIT_CLIENT_ID": " "}, "REDDIT_CLIENT_ID"),
    ],
)
def test_missing_credentials_name_the_variables(env: dict[str, str], missing: str) -> None:
    with pytest.raises(SourceAuthError, match=f"{missing} not set") as info:
        reddit_from_env(env)

    shown = f"{info.value} {info.value.hint}"
    assert "REDDIT_CLIENT_SECRET" in (info.value.hint or "")
    assert "abc123" not in shown and "s3cr3t-value" not in shown


def test_source_without_reddit_reads_credentials_when_fetched() -> None:
    source = RedditSource("brand-reddit", "x", env={})

    with pytest.raises(SourceAuthError) as info:
        source.fetch(FetchState())

    assert info.value.source == "brand-reddit"


def test_reddit_from_env_builds_read_only_client_without_requests(httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")

    default = reddit_from_env(ENV, oauth_url=base, reddit_url=base)
    custom = reddit_from_env({**ENV, "REDDIT_USER_AGENT": "linux:escucha-test:0.1 (by /u/me)"})

    assert default.read_only is True
    assert default.config.user_agent == USER_AGENT
    assert default.config.check_for_updates is False
    assert custom.config.user_agent == "linux:escucha-test:0.1 (by /u/me)"
    assert httpserver.log == []


def test_importing_sources_does_not_import_praw() -> None:
    code = (
        "import sys; from monitor.sources import make_source; "
        "make_source('r', 'reddit', {'query': 'x'}); "
        "import monitor.sources.reddit; print('praw' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- pure mapping -------------------------------------------------------------------


def test_parse_recorded_submission_and_comment_json(cassettes: Cassettes) -> None:
    submission_listing, comment_listing = cassettes.data("TestSubmission.test_comments")
    submission = parse_submission(submission_listing["data"]["children"][0]["data"])
    comment = parse_comment(comment_listing["data"]["children"][0]["data"], source="x")

    assert submission.external_id == "t3_2gmzqe"
    assert submission.author == "bboe"
    assert submission.title == "[PRAW] HTTPS enabled PRAW testing needed"
    assert submission.url == (
        "https://www.reddit.com/r/redditdev/comments/2gmzqe/praw_https_enabled_praw_testing_needed/"
    )
    assert submission.published == datetime(2014, 9, 17, 6, 34, 31, tzinfo=UTC)
    assert submission.engagement == 11 + 2
    assert comment.external_id == "t1_cklfmye"
    assert comment.author == "paneer_burrito"
    assert comment.source == "x"
    assert comment.url == "https://www.reddit.com/comments/2gmzqe/_/cklfmye/"
    assert comment.published == datetime.fromtimestamp(1411005112, UTC)


def test_parse_deleted_author_is_none(cassettes: Cassettes) -> None:
    data = cassettes.data("TestComment.test_attributes")["data"]["children"][0]["data"]
    assert parse_comment(data).author == "bboe"

    assert parse_comment({**data, "author": "[deleted]"}).author is None
    assert parse_comment({**data, "author": None}).author is None


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("Me encantó el CAFÉ de Aurora", "cafe aurora", True),
        ("Aurora", "cafe aurora", False),
        ("la marca Cafés Aurora mola", '"cafés aurora"', True),
        ("aurora cafés", '"cafés aurora"', False),
        ("solo hablo de movie", "trudeau OR movie", True),
        ("nada", "trudeau OR movie", False),
        ("x", "AND", False),
        ("la fibra de movistela no va", "(movistela OR movi) AND fibra", True),
        ("la fibra de movi no va", "(movistela OR movi) AND fibra", True),
        ("la fibra va bien", "(movistela OR movi) AND fibra", False),
        ("movistela sube la luz", "movistela -arena", True),
        ("movistela sube la luz", "movistela NOT arena", True),
        ("movistela sube la luz", 'movistela -"movistela arena"', True),
        ("movistela sube la luz", "subreddit:spain movistela", True),
        ("movistela sube la luz", "title:movistela", True),
        ("la luz sube", "title:movistela", False),
        ("MUELLER liefert nicht", "Müller", True),  # umlauts written out, both ways
        ("Müller liefert nicht", "mueller", True),
        ("Muller liefert nicht", "Müller", True),
        ('Kuehne sagt: "Müller Süd"', 'Kühne "Mueller Sued"', True),
        ("Müller Nord", '"Mueller Sued"', False),
    ],
)
def test_matches(text: str, query: str, expected: bool) -> None:
    assert matches(text, query) is expected


def test_query_terms() -> None:
    assert query_terms('Café "Gran Vía" OR aurora') == [["cafe", "gran via"], ["aurora"]]


def test_query_terms_ignore_parentheses_exclusions_and_post_conditions() -> None:
    query = '(Movistela OR movi) AND fibra -arena NOT "Movistela Arena" subreddit:spain'
    assert query_terms(query) == [["movistela"], ["movi", "fibra"]]


def test_query_terms_of_only_exclusions_accept_any_text() -> None:
    assert query_terms("NOT arena") == [[]]
    assert matches("cualquier cosa", "-arena")


def test_parse_removed_selftext_keeps_the_title() -> None:
    data = {"id": "abc", "title": "Aurora", "selftext": "[removed]", "created_utc": 0.0}

    post = parse_submission(data)

    assert (post.external_id, post.text, post.url, post.engagement) == (
        "t3_abc",
        "Aurora",
        None,
        None,
    )
    assert post.published == datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("marker", ["[removed]", "[deleted]"])
def test_parse_body_gone_at_reddit_is_marked_removed(cassettes: Cassettes, marker: str) -> None:
    submission_listing, _ = cassettes.data("TestSubmission.test_comments")
    data = submission_listing["data"]["children"][0]["data"]

    kept, gone = parse_submission(data), parse_submission({**data, "selftext": marker})

    assert "removed" not in kept.extra
    assert gone.extra["removed"] is True
    assert gone.text == data["title"]
