"""App Store reviews: the pure parser on feed pages, the fetch on a real HTTP server on
loopback, the config checks, and the pipeline storing reviews that never name the brand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from monitor.errors import ConfigError, SourceError
from monitor.sources import http, make_source
from monitor.sources.appstore import AppStoreSource, parse
from monitor.types import FetchState

PAGES = Path(__file__).resolve().parents[1] / "data" / "appstore"
APP = "284882215"


def page(n: int) -> bytes:
    return (PAGES / f"reviews_page{n}.json").read_bytes()


def serve(server: HTTPServer, pages: dict[int, bytes | int]) -> str:
    for n, body in pages.items():
        path = f"/es/rss/customerreviews/page={n}/id={APP}/sortby=mostrecent/json"
        if isinstance(body, int):
            server.expect_request(path).respond_with_data("down", status=body)
        else:
            server.expect_request(path).respond_with_data(body, content_type="application/json")
    return (
        server.url_for("/")
        + "{country}/rss/customerreviews/page={page}/id={app_id}/sortby=mostrecent/json"
    )


def source(server, client, sleeps, served, **kw) -> AppStoreSource:
    return AppStoreSource(
        "appstore", APP, base_url=serve(server, served), client=client, sleep=sleeps.append, **kw
    )


# --- parse: pure --------------------------------------------------------------------


def test_parse_reads_reviews_with_their_stars_and_skips_the_app_entry():
    posts, warnings = parse(page(1), source="appstore", app_id=APP, country="es")
    assert [p.rating for p in posts] == [1, 5, 2]
    first = posts[0]
    assert first.title == "Me cobran dos veces" and first.text.startswith("Desde la última")
    assert first.author == "lucia_bcn" and first.external_id == "11000000001"
    assert first.published == datetime(2026, 11, 22, 6, 15, 2, tzinfo=UTC)  # -07:00 to UTC
    assert first.engagement == 4 and posts[1].engagement == 0  # helpful votes: none yet
    assert first.url == f"https://apps.apple.com/es/app/id{APP}?see-all=reviews"
    assert first.extra["app_version"] == "7.4.0"
    assert warnings == ["review 4: no text or rating; skipped"]  # the app's entry not counted


def test_parse_a_page_whose_one_review_is_not_in_a_list():
    posts, warnings = parse(page(2), source="appstore", app_id=APP, country="es")
    assert [(p.rating, p.author) for p in posts] == [(4, "pedro.m")] and not warnings


def test_parse_a_page_past_the_last_review_is_empty():
    assert parse(page(3), source="appstore", app_id=APP, country="es") == ([], [])


@pytest.mark.parametrize(
    ("payload", "reason"),
    [(b"<html>Not found</html>", "not JSON"), (b'{"error": 1}', "no 'feed' object")],
)
def test_parse_says_what_is_wrong_with_a_payload_that_is_no_reviews_page(payload, reason):
    with pytest.raises(SourceError, match=reason):
        parse(payload, source="appstore", app_id=APP, country="es")


# --- fetch: a real HTTP server on loopback ------------------------------------------


def test_fetch_reads_pages_until_an_empty_one(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
):
    src = source(httpserver, client, sleeps, {1: page(1), 2: page(2), 3: page(3)}, pages=5)
    result = src.fetch(FetchState())
    assert [p.rating for p in result.posts] == [1, 5, 2, 4]
    assert len(httpserver.log) == 3  # page 3 was empty: pages 4 and 5 are not asked for
    assert httpserver.log[0][0].headers["User-Agent"] == http.USER_AGENT
    assert not result.pages_full  # the source ran out of reviews, not the read of pages


def test_a_failing_later_page_keeps_the_reviews_already_read(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
):
    src = source(httpserver, client, sleeps, {1: page(1), 2: 503}, pages=2)
    result = src.fetch(FetchState())
    assert len(result.posts) == 3
    assert any(w.startswith("page 2:") and "kept the 3 reviews" in w for w in result.warnings)


def test_a_failing_first_page_is_a_source_error(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
):
    src = source(httpserver, client, sleeps, {1: 404})
    with pytest.raises(SourceError) as e:
        src.fetch(FetchState())
    assert "404" in e.value.message


# --- configuration ------------------------------------------------------------------


def test_from_params_accepts_the_id_as_written_in_the_app_link():
    src = make_source("a", "appstore", {"app_id": "id284882215", "country": "MX", "pages": 3})
    assert (src.app_id, src.country, src.pages) == (APP, "mx", 3)
    assert src.url(2).endswith(f"/mx/rss/customerreviews/page=2/id={APP}/sortby=mostrecent/json")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "missing required parameter 'app_id'"),
        ({"app_id": "id²"}, "app_id must be the app's number"),
        ({"app_id": "mi-movistela"}, "app_id must be the app's number"),
        ({"app_id": APP, "pages": 11}, "at most 10"),
        ({"app_id": APP, "country": "spain"}, "two-letter"),
        ({"app_id": APP, "sort": "helpful"}, "unknown parameter 'sort'"),
    ],
)
def test_from_params_refuses_what_cannot_work(params, message):
    with pytest.raises(ConfigError, match=message):
        make_source("a", "appstore", params)


def test_an_appstore_source_must_name_its_brand():
    from monitor.settings import Settings, parse_config

    base = {"brands": [{"name": "Movistela"}]}
    bad = {**base, "sources": [{"name": "a", "kind": "appstore", "app_id": APP}]}
    with pytest.raises(ConfigError, match="name the one brand its items are about"):
        parse_config(bad, Path("."), Settings())
    good = {**base, "sources": [{**bad["sources"][0], "brands": ["Movistela"]}]}
    (cfg,) = parse_config(good, Path("."), Settings()).sources
    assert cfg.brands == ("Movistela",) and cfg.about_brand  # appstore: always


# --- the pipeline ---------------------------------------------------------------------


def test_reviews_are_mentions_of_their_brand_and_keep_their_stars(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float], sqlite_store
):
    from sqlalchemy import select

    from monitor.pipeline import Pipeline
    from monitor.settings import BrandConfig, Settings, SourceConfig
    from monitor.store.schema import posts

    url = serve(httpserver, {1: page(1), 2: page(2), 3: page(3)})
    cfg = SourceConfig(
        "appstore", "appstore", {"app_id": APP, "pages": 3}, ("Movistela",), about_brand=True
    )
    brand = BrandConfig("Movistela", exclude=("modo oscuro",))  # exclusions still apply
    settings = Settings(database_url="sqlite://", brands=(brand,), sources=(cfg,))
    pipeline = Pipeline(
        settings,
        sqlite_store,
        source_factory=lambda c: AppStoreSource(
            c.name, APP, pages=3, base_url=url, client=client, sleep=sleeps.append
        ),
    )
    (run,) = pipeline.collect()
    assert (run.fetched, run.matched, run.new_posts, run.error) == (4, 3, 3, None)
    with sqlite_store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.brand, posts.c.rating, posts.c.lang)).all()
    assert sorted(r.rating for r in rows) == [1, 2, 5] and {r.brand for r in rows} == {"Movistela"}
    assert {r.lang for r in rows} == {"es", "en"}


def test_a_run_whose_full_pages_were_all_new_warns_that_reviews_may_be_missed(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float], sqlite_store, caplog
):
    from monitor.pipeline import Pipeline
    from monitor.settings import BrandConfig, Settings, SourceConfig

    url = serve(httpserver, {1: page(1), 2: page(2)})
    cfg = SourceConfig("appstore", "appstore", {"app_id": APP}, ("Movistela",), about_brand=True)
    settings = Settings(
        database_url="sqlite://", brands=(BrandConfig("Movistela"),), sources=(cfg,)
    )

    def collect(pages):
        make = lambda c: AppStoreSource(  # noqa: E731
            c.name, APP, pages=pages, base_url=url, client=client, sleep=sleeps.append
        )
        caplog.clear()
        Pipeline(settings, sqlite_store, source_factory=make).collect()
        return caplog.text

    assert "older new items may have been missed" in collect(1)  # page 1 full and all new
    assert "may have been missed" not in collect(2)  # page 1 again: nothing new on it
