"""RSS/Atom: the pure parser on recorded and hand-written feeds, the fetch on a real
HTTP server on loopback (conditional GET, retries, timeouts, dead hosts, bad payloads)."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.errors import SourceAuthError, SourceError, SourceUnavailable
from monitor.sources import http
from monitor.sources.base import FetchState
from monitor.sources.rss import RssSource, google_news_url, parse

RSS = "application/rss+xml; charset=utf-8"


def source(server: HTTPServer, client: httpx.Client, sleeps: list[float], **kw) -> RssSource:
    return RssSource("news", server.url_for("/feed"), client=client, sleep=sleeps.append, **kw)


# --- parse: pure --------------------------------------------------------------------


def test_parse_spanish_rss(feeds: Path) -> None:
    posts, warnings = parse((feeds / "marca_es.rss").read_bytes(), source="blog")

    assert warnings == []
    assert [p.external_id for p in posts] == [
        "blog.example.es-1042",  # the guid
        "https://blog.example.es/2025/06/atencion-cliente",  # no guid: the link
        posts[2].external_id,
    ]
    assert posts[2].external_id.startswith("sha256:")  # neither: a hash
    first = posts[0]
    assert first.source == "blog"
    assert first.title == "¿Alguien más ha probado el nuevo café de Aurora?"
    assert first.text.startswith("Me encantó el tueste")
    assert first.author == "María Núñez"
    assert first.published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)  # +0200 -> UTC
    assert first.lang is None and first.lang_hint == "es-es"  # the channel's <language>
    assert first.extra["tags"] == ["café"]
    assert first.extra["feed_title"] == "Opiniones sobre Cafés Aurora"
    assert posts[2].title is None and posts[2].url is None
    assert posts[2].text.startswith("Sin título ni enlace")


def test_parse_keeps_content_but_sanitises_script(feeds: Path) -> None:
    posts, _ = parse((feeds / "marca_es.rss").read_bytes(), source="blog")
    text = posts[1].text  # content:encoded wins over description

    assert "<b>tres semanas</b>" in text
    assert "Muy mal, Aurora." in text
    assert "<script" not in text and "alert(" not in text


def test_parse_atom_resolves_relative_links_against_base_url(feeds: Path) -> None:
    posts, warnings = parse(
        (feeds / "marca_es.atom").read_bytes(),
        source="foro",
        base_url="https://foro.example.es/atom.xml",
    )

    assert warnings == []
    assert posts[0].url == "https://foro.example.es/hilos/77"
    assert posts[0].external_id == "tag:foro.example.es,2025:hilo-77"
    assert posts[0].author == "Jordi Puig"
    assert posts[0].published == datetime(2025, 6, 12, 5, 40, tzinfo=UTC)
    assert posts[0].text == "<p>Un 12&nbsp;% más caro en un año. ¿Está justificado?</p>"
    assert (posts[0].lang, posts[0].lang_hint) == (None, "es")  # the feed's xml:lang
    assert posts[1].published is None
    assert posts[1].text == "Aurora abre tienda en Sevilla: ¡qué alegría!"


def test_parse_latin1_feed_declared_in_prolog(feeds: Path) -> None:
    payload = (feeds / "marca_latin1.rss").read_bytes()
    assert "ñ".encode("latin-1") in payload  # really not UTF-8

    posts, warnings = parse(payload, source="r", headers={"Content-Type": "application/xml"})

    assert warnings == []
    assert posts[0].title == "Señal de alarma: el café llegó frío"
    assert "muchísimo" in posts[0].text


def test_parse_big5_needs_the_content_type_charset() -> None:
    feed = (
        '<rss version="2.0"><channel><title>品牌</title>'
        "<item><guid>b5-1</guid><title>咖啡很好喝</title><description>我喜歡這個品牌</description></item>"
        "</channel></rss>"
    ).encode("big5")

    posts, warnings = parse(feed, source="tw", headers={"Content-Type": "text/xml; charset=big5"})

    assert warnings == []
    assert posts[0].title == "咖啡很好喝"
    assert posts[0].text == "我喜歡這個品牌"


def test_parse_malformed_feed_with_entries_warns(feeds: Path) -> None:
    payload = (feeds / "marca_es.rss").read_bytes()
    truncated = payload[: payload.index(b"</item>") + len(b"</item>")]  # no closing tags

    posts, warnings = parse(truncated, source="blog")

    assert [p.external_id for p in posts] == ["blog.example.es-1042"]
    assert len(warnings) == 1 and "malformed" in warnings[0]


def test_parse_feed_without_entries_served_as_html_warns(feeds: Path) -> None:
    payload = (feeds / "marca_es.rss").read_bytes()
    quiet = payload[: payload.index(b"<item>")] + b"</channel></rss>"  # no mentions today

    posts, warnings = parse(quiet, source="s", headers={"Content-Type": "text/html; charset=UTF-8"})

    assert posts == []
    (warning,) = warnings
    assert "not an XML media type" in warning


@pytest.mark.parametrize(
    "payload",
    [
        b"<!doctype html><html><head><title>Login</title></head><body><p>Hola</body></html>",
        b"\x00\x01\x02 garbage \xff\xfe",
        b"",
        b'{"items": []}',
        b"<?xml version='1.0'?><config><item>not a feed</item></config>",
    ],
)
def test_parse_rejects_payloads_that_are_not_feeds(payload: bytes) -> None:
    with pytest.raises(SourceError, match="not a valid RSS/Atom feed") as info:
        parse(payload, source="bad")
    assert info.value.source == "bad"
    assert info.value.hint and "RSS or Atom" in info.value.hint


def test_parse_never_opens_a_payload_as_a_file_path(tmp_path: Path, feeds: Path) -> None:
    # feedparser.parse(bytes) would open() bytes that name a file; parse must not.
    target = tmp_path / "feed.rss"
    target.write_bytes((feeds / "marca_es.rss").read_bytes())

    with pytest.raises(SourceError, match="not a valid RSS/Atom feed"):
        parse(str(target).encode(), source="x")


def test_parse_google_news_publisher() -> None:
    feed = b"""<rss version="2.0"><channel><title>"aurora" - Google News</title>
    <item><title>Aurora abre tienda - El Diario</title><link>https://news.google.com/rss/articles/CBMi</link>
    <guid isPermaLink="false">CBMi</guid><pubDate>Mon, 16 Jun 2025 07:00:00 GMT</pubDate>
    <description>&lt;a href="https://news.google.com/rss/articles/CBMi"&gt;Aurora abre tienda&lt;/a&gt;</description>
    <source url="https://eldiario.example">El Diario</source></item></channel></rss>"""

    posts, _ = parse(feed, source="gn")

    assert posts[0].external_id == "CBMi"
    assert posts[0].extra["publisher"] == "El Diario"
    assert posts[0].channel == "El Diario"  # the outlet, shown beside the feed's name
    assert posts[0].published == datetime(2025, 6, 16, 7, 0, tzinfo=UTC)


def test_a_channel_language_is_a_hint_and_an_items_own_language_is_kept() -> None:
    # an aggregator declares one language for its channel and carries items in others
    feed = b"""<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
    <title>"aurora" - Google News</title><language>es</language>
    <item><guid>1</guid><title>Aurora opens its first London store - Reuters</title></item>
    <item><guid>2</guid><title>Aurora cobra duas vezes</title><dc:language>pt-BR</dc:language></item>
    <item xml:lang="fr"><guid>3</guid><title>Aurora</title><description>Aurora ouvre</description></item>
    </channel></rss>"""

    posts, _ = parse(feed, source="gn")

    assert [(p.lang, p.lang_hint) for p in posts] == [(None, "es"), ("pt-br", "es"), ("fr", "es")]


def test_an_atom_feeds_xml_lang_inherited_by_its_entries_is_a_hint() -> None:
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es"><title>Foro</title>
    <id>urn:foro</id><updated>2025-06-12T08:00:00Z</updated>
    <entry><id>1</id><title>Aurora abre tienda</title><content>Aurora abre en Sevilla</content></entry>
    <entry xml:lang="en-GB"><id>2</id><title>Aurora</title><content>Aurora opens</content></entry>
    </feed>"""

    posts, _ = parse(feed, source="foro")

    assert [(p.lang, p.lang_hint) for p in posts] == [(None, "es"), ("en-gb", "es")]


def test_google_news_url() -> None:
    assert google_news_url("Cafés Aurora") == (
        "https://news.google.com/rss/search?q=Caf%C3%A9s%20Aurora&hl=es&gl=ES&ceid=ES:es"
    )
    assert google_news_url('"aurora" -boreal', lang="en", country="US").endswith(
        "&hl=en&gl=US&ceid=US:en"
    )


# --- recorded feeds from feedparser's suite (../shared) -----------------------------


def test_large_real_atom_feed_is_sanitised_not_bozo(shared_fixtures: Path) -> None:
    path = shared_fixtures / "feedparser_feeds/wellformed/sanitize"
    payload = (path / "large_atom_feed_that_needs_css_sanitisation.xml").read_bytes()
    assert len(payload) > 150_000 and b"<embed" in payload and b"-webkit-" in payload

    posts, warnings = parse(payload, source="touchnokia")

    assert warnings == []  # Expect: not bozo
    assert len(posts) == 15
    assert posts[0].external_id == "tag:touchnokia.ru,2009://1.666"
    assert posts[0].title == "Невидимая броня для Вашего Nokia 5800"
    assert posts[0].author == "iPod"
    assert posts[0].published == datetime(2009, 9, 9, 14, 19, 45, tzinfo=UTC)
    assert posts[0].lang == "ru"
    assert not any("<embed" in p.text or "-webkit-" in p.text for p in posts)


def test_shared_item_description_oracle(shared_fixtures: Path) -> None:
    payload = (
        shared_fixtures / "feedparser_feeds/wellformed/rss/item_description.xml"
    ).read_bytes()

    posts, warnings = parse(payload, source="s")

    # Expect: not bozo and entries[0]['description'] == 'Example description'
    assert warnings == []
    assert [p.text for p in posts] == ["Example description"]
    assert posts[0].external_id.startswith("sha256:")


# --- fetch over a real loopback server ---------------------------------------------


def test_fetch_good_feed_sends_honest_headers_and_keeps_validators(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float], feeds: Path
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        (feeds / "marca_es.rss").read_bytes(),
        content_type=RSS,
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 11 Jun 2025 18:05:00 GMT"},
    )

    result = source(httpserver, client, sleeps).fetch(FetchState(cursor="kept"))

    assert [p.external_id for p in result.posts][:2] == [
        "blog.example.es-1042",
        "https://blog.example.es/2025/06/atencion-cliente",
    ]
    assert result.not_modified is False
    assert result.state == FetchState(
        etag='"v1"', last_modified="Wed, 11 Jun 2025 18:05:00 GMT", cursor="kept"
    )
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"] == http.USER_AGENT
    assert "application/rss+xml" in request.headers["Accept"]
    assert "If-None-Match" not in request.headers
    assert sleeps == []


def test_fetch_conditional_get_304_keeps_state(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
) -> None:
    state = FetchState(etag='"v1"', last_modified="Wed, 11 Jun 2025 18:05:00 GMT", cursor="c")
    httpserver.expect_request(
        "/feed",
        headers={"If-None-Match": '"v1"', "If-Modified-Since": "Wed, 11 Jun 2025 18:05:00 GMT"},
    ).respond_with_data("", status=304)

    result = source(httpserver, client, sleeps).fetch(state)

    assert result.not_modified is True
    assert result.posts == []
    assert result.state == state
    httpserver.check_assertions()  # the validators were sent (else: no handler -> 500)


def test_fetch_skips_validators_that_cannot_be_sent(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float], feeds: Path
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        (feeds / "marca_es.rss").read_bytes(), content_type=RSS
    )
    state = FetchState(etag='W/"caf\xe9"', last_modified="Wed,\n11 Jun 2025")

    result = source(httpserver, client, sleeps).fetch(state)

    assert len(result.posts) == 3
    request, _ = httpserver.log[0]
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


def test_fetch_without_injected_client(httpserver: HTTPServer, feeds: Path) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        (feeds / "marca_es.atom").read_bytes(), content_type="application/atom+xml"
    )

    result = RssSource("foro", httpserver.url_for("/feed"), timeout=5).fetch(FetchState())

    assert [p.url for p in result.posts][0] == httpserver.url_for("/hilos/77")


def test_fetch_429_then_success_honours_retry_after(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float], feeds: Path
) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/feed").respond_with_data(
        (feeds / "marca_es.rss").read_bytes(), content_type=RSS
    )

    result = source(httpserver, client, sleeps).fetch(FetchState())

    assert len(result.posts) == 3
    assert sleeps == [7.0]
    assert len(httpserver.log) == 2


def test_fetch_retry_after_is_capped(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": "86400"}
    )

    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        source(httpserver, client, sleeps, retry=http.Retry(max_wait=30)).fetch(FetchState())

    assert sleeps == [30.0, 30.0]


def test_fetch_500_three_times_is_unavailable(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
) -> None:
    httpserver.expect_request("/feed").respond_with_data("boom", status=500)

    with pytest.raises(SourceUnavailable, match=r"HTTP 500 \(3 attempts\)") as info:
        source(httpserver, client, sleeps).fetch(FetchState())

    assert len(httpserver.log) == 3
    assert sleeps == [1.0, 2.0]  # exponential backoff
    assert info.value.source == "news" and info.value.hint


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, SourceAuthError, "refused"),
        (403, SourceAuthError, "refused"),
        (404, SourceError, "not found"),
        (410, SourceError, "not found"),
        (400, SourceError, "HTTP 400"),
    ],
)
def test_fetch_client_errors_are_not_retried(
    httpserver: HTTPServer,
    client: httpx.Client,
    sleeps: list[float],
    status: int,
    error: type[SourceError],
    words: str,
) -> None:
    httpserver.expect_request("/feed").respond_with_data("no", status=status)

    with pytest.raises(error, match=words) as info:
        source(httpserver, client, sleeps).fetch(FetchState())

    assert type(info.value) is error  # a 404 is not "unavailable"
    assert len(httpserver.log) == 1 and sleeps == []
    if status in (404, 410):
        assert "url" in (info.value.hint or "")


def test_fetch_timeout_is_unavailable(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(timeout=5)  # much longer than the client's 0.2 s
        return Response("<rss/>", content_type=RSS)

    httpserver.expect_request("/feed").respond_with_handler(slow)
    feed = source(httpserver, client, sleeps, timeout=0.2, retry=http.Retry(attempts=2))
    try:
        with pytest.raises(SourceUnavailable, match="timed out after 0.2 s"):
            feed.fetch(FetchState())
    finally:
        release.set()
    assert sleeps == [1.0]


def test_fetch_dead_port_is_unavailable(client: httpx.Client, sleeps: list[float]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there

    feed = RssSource("dead", f"http://127.0.0.1:{port}/feed", client=client, sleep=sleeps.append)
    with pytest.raises(SourceUnavailable, match="could not connect") as info:
        feed.fetch(FetchState())

    assert info.value.source == "dead"
    assert sleeps == [1.0, 2.0]
    assert isinstance(info.value.__cause__, httpx.ConnectError)  # wrapped and chained


def test_fetch_html_page_is_a_source_error(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "<html><body><h1>Welcome</h1><p>Cookies?</body></html>", content_type="text/html"
    )

    with pytest.raises(SourceError, match="not a valid RSS/Atom feed") as info:
        source(httpserver, client, sleeps).fetch(FetchState())

    assert not isinstance(info.value, SourceUnavailable)


def test_fetch_invalid_url_is_wrapped(client: httpx.Client, sleeps: list[float]) -> None:
    feed = RssSource("odd", "http://[::1/feed", client=client, sleep=sleeps.append)

    with pytest.raises(SourceError, match="request to http://\\[::1/feed failed"):
        feed.fetch(FetchState())


def test_fetch_one_megabyte_entry(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float]
) -> None:
    big = "Aurora " * 150_000  # ~1 MB
    payload = (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f'<item><guid isPermaLink="false">big</guid><description>{big}</description></item></channel></rss>'
    ).encode()
    assert len(payload) > 1_000_000
    httpserver.expect_request("/feed").respond_with_data(payload, content_type=RSS)

    result = source(httpserver, client, sleeps).fetch(FetchState())

    assert result.posts[0].external_id == "big"
    assert len(result.posts[0].text) == len(big.strip())


def test_fetch_refuses_bodies_over_the_cap(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"x" * 200_000, content_type=RSS)

    with pytest.raises(SourceError, match="larger than"):
        http.get(client, httpserver.url_for("/feed"), source="s", max_bytes=100_000)


def test_fetch_big5_feed_served_with_its_charset(
    httpserver: HTTPServer, client: httpx.Client, sleeps: list[float], shared_fixtures: Path
) -> None:
    payload = (shared_fixtures / "feedparser_feeds/illformed/chardet/big5.xml").read_bytes()
    httpserver.expect_request("/feed").respond_with_data(
        payload, content_type="application/atom+xml; charset=big5"
    )

    result = source(httpserver, client, sleeps).fetch(FetchState())

    # A well-decoded feed without entries: nothing to report, nothing wrong.
    assert result.posts == [] and result.warnings == ()


def test_big5_without_charset_warns_with_the_reason(shared_fixtures: Path) -> None:
    payload = (shared_fixtures / "feedparser_feeds/illformed/chardet/big5.xml").read_bytes()

    # Expect: bozo (no encoding information); a feed all the same, if one without entries
    posts, warnings = parse(payload, source="s", headers={"Content-Type": "application/atom+xml"})

    assert posts == []
    (warning,) = warnings
    assert "declared as utf-8, but parsed as" in warning


def test_retry_wait() -> None:
    retry = http.Retry(attempts=4, backoff=0.5, max_wait=3)

    assert [retry.wait(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    assert retry.wait(1, "2") == 2.0
    assert retry.wait(1, "Wed, 21 Oct 2015 07:28:00 GMT") == 0.5  # dates: backoff
    assert retry.wait(1, "nan") == 0.5
    assert repr(retry) == "Retry(attempts=4, backoff=0.5, max_wait=3)"


def test_a_european_zone_name_in_a_feed_date_is_not_read_as_utc():
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<link>http://x</link><description>d</description>
<item><guid>1</guid><title>Movistela sube precios</title><link>http://x/1</link>
<pubDate>Fri, 01 Mar 2024 10:00:00 CET</pubDate></item>
<item><guid>2</guid><title>Movistela baja precios</title><link>http://x/2</link>
<pubDate>Fri, 01 Mar 2024 10:00:00 EST</pubDate></item></channel></rss>"""
    posts, _ = parse(feed, source="blog", headers={"Content-Type": "application/rss+xml"})
    assert [p.published for p in posts] == [
        datetime(2024, 3, 1, 9, tzinfo=UTC),  # Madrid's 10:00 in winter
        datetime(2024, 3, 1, 15, tzinfo=UTC),  # feedparser's own reading stands
    ]
