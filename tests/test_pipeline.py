"""The collection pipeline end to end: a real feed on loopback, real matching, a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.pipeline import Pipeline
from monitor.settings import BrandConfig, Settings, SourceConfig

FEEDS = Path(__file__).parent / "data" / "feeds"

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>http://x</link><description>d</description>
<item><guid>1</guid><title>Movistela me cobró dos veces</title><link>http://x/1</link>
<description>&lt;p&gt;Una vergüenza, Movistela no contesta&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><guid>2</guid><title>Paella del domingo</title><link>http://x/2</link><description>Nada que ver</description></item>
<item><guid>3</guid><title>Concierto</title><link>http://x/3</link><description>Esta noche en el Movistela Arena</description></item>
</channel></rss>"""


MOVISTELA = BrandConfig("Movistela", exclude=("movistela arena",))


def settings(sources):
    return Settings(database_url="sqlite://", brands=(MOVISTELA,), sources=tuple(sources))


def test_collect_matches_cleans_stores_and_is_idempotent(httpserver, sqlite_store):
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    cfg = SourceConfig("feed", "rss", {"url": httpserver.url_for("/feed")})
    pipeline = Pipeline(settings([cfg]), sqlite_store)
    (run,) = pipeline.collect()
    assert (run.fetched, run.matched, run.new_posts, run.error) == (3, 1, 1, None)
    (again,) = pipeline.collect()
    assert again.new_posts == 0 and sqlite_store.post_count() == 1
    ((_, text),) = sqlite_store.unclassified(5)
    assert "alert(1)" not in text and "Una vergüenza" in text


def test_one_failing_source_does_not_stop_the_others(httpserver, sqlite_store):
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    httpserver.expect_request("/broken").respond_with_data(
        "<html>not a feed</html>", content_type="text/html"
    )
    sources = [
        SourceConfig("broken", "rss", {"url": httpserver.url_for("/broken")}),
        SourceConfig("dead", "rss", {"url": "http://127.0.0.1:9/feed", "timeout": 1}),
        SourceConfig("good", "rss", {"url": httpserver.url_for("/feed")}),
    ]
    runs = {r.source: r for r in Pipeline(settings(sources), sqlite_store).collect()}
    assert runs["broken"].error and "feed" in runs["broken"].error
    assert runs["dead"].error
    assert runs["good"].new_posts == 1
    health = {h.name: h for h in sqlite_store.source_health()}
    assert health["broken"].consecutive_failures == 1 and health["good"].consecutive_failures == 0


def test_cross_posts_across_sources_are_linked(tmp_path, sqlite_store):
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.csv"
    a.write_text(
        '{"id": "1", "text": "Movistela me ha cobrado dos veces https://t.co/x"}\n',
        encoding="utf-8",
    )
    b.write_text("id,text\n9,movistela me ha cobrado DOS veces!!\n", encoding="utf-8")
    sources = [
        SourceConfig("a", "file", {"path": str(a)}),
        SourceConfig("b", "file", {"path": str(b)}),
    ]
    runs = Pipeline(settings(sources), sqlite_store).collect()
    assert [r.new_posts for r in runs] == [1, 1]
    with sqlite_store.engine.connect() as conn:
        dup = conn.exec_driver_sql(
            "select count(*) from posts where duplicate_of is not null"
        ).scalar()
    assert dup == 1


def test_an_exports_channel_and_other_columns_reach_the_dashboard(tmp_path, sqlite_store):
    from monitor.insights import Filters, latest_posts

    export = tmp_path / "suite.csv"
    export.write_text(
        "Full Text,Page Type,Sentiment,Country\n"
        "Movistela me cobró dos veces,forum,negative,ES\n"
        "Movistela sin cobertura en Cuenca,,,\n",
        encoding="utf-8",
    )
    columns = {"text": "Full Text", "source": "Page Type"}
    cfg = SourceConfig("suite", "file", {"path": str(export), "columns": columns})
    Pipeline(settings([cfg]), sqlite_store).collect()

    shown = latest_posts(sqlite_store.engine, Filters(brands=("Movistela",)))
    assert sorted(shown["where"]) == ["suite", "suite · forum"]
    with sqlite_store.engine.connect() as conn:
        extra = conn.exec_driver_sql("select extra from posts where channel = 'forum'").scalar()
    assert json.loads(extra) == {"sentiment": "negative", "country": "ES"}  # kept, not dropped


def test_a_review_export_about_one_brand_needs_no_brand_name_in_its_rows(tmp_path, sqlite_store):
    from monitor.settings import parse_config

    export = tmp_path / "reviews.csv"
    export.write_text(
        "text,rating,date\n"
        "La app no carga desde ayer y el chat no responde,1,2026-11-20\n"
        "Muy buena atención en tienda,5,2026-11-21\n"
        "Concierto genial en el Movistela Arena,5,2026-11-21\n",  # still excluded
        encoding="utf-8",
    )
    source = {"name": "reviews", "kind": "file", "path": str(export), "brands": ["Movistela"]}
    brands = [{"name": "Movistela", "exclude": ["movistela arena"]}]
    about = {"brands": brands, "sources": [{**source, "about_brand": True}]}
    s = parse_config(about, tmp_path, Settings(database_url="sqlite://"))
    (run,) = Pipeline(s, sqlite_store).collect()
    assert (run.fetched, run.matched, run.new_posts, run.error) == (3, 2, 2, None)
    plain = parse_config({"brands": brands, "sources": [source]}, tmp_path, Settings())
    assert Pipeline(plain, sqlite_store).collect()[0].matched == 0  # the rows never name it


def test_reviews_sharing_a_page_url_are_stored_apart_and_read_again_unchanged(
    tmp_path, sqlite_store
):
    export = tmp_path / "reviews.csv"
    page = "https://www.trustpilot.com/review/movistela.es"
    export.write_text(
        f"text,author,url\nMovistela me cobra de más,ana,{page}\n"
        f"Movistela no me da de baja,luis,{page}\n",
        encoding="utf-8",
    )
    pipeline = Pipeline(
        settings([SourceConfig("reviews", "file", {"path": str(export)})]), sqlite_store
    )

    pipeline.collect()
    (again,) = pipeline.collect()

    with sqlite_store.engine.connect() as conn:
        texts = conn.exec_driver_sql("select text from posts order by id").scalars().all()
    assert texts == ["Movistela me cobra de más", "Movistela no me da de baja"]
    assert again.new_posts == 0


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"kind": "file", "path": "x.csv", "about_brand": True}, "name the one brand"),
        ({"kind": "file", "path": "x.csv", "about_brand": "yes"}, "true or false"),
        ({"kind": "appstore", "app_id": "1", "brands": ["M"], "about_brand": False}, "always"),
        ({"kind": "appstore", "app_id": "1", "brands": ["Movistel"]}, "unknown brand 'Movistel'"),
    ],
)
def test_about_brand_settings_that_cannot_work_are_refused(tmp_path, source, message):
    from monitor.errors import ConfigError
    from monitor.settings import parse_config

    with pytest.raises(ConfigError, match=message):
        parse_config({"sources": [{"name": "s", **source}]}, tmp_path, Settings())


def test_collected_posts_are_put_into_categories_and_again_when_the_rules_change(
    httpserver, sqlite_store
):
    from dataclasses import replace

    from monitor.categories import CategorySettings
    from monitor.store.schema import post_categories

    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    cfg = SourceConfig("news", "rss", {"url": httpserver.url_for("/feed")})
    pipeline = Pipeline(settings([cfg]), sqlite_store)
    pipeline.collect()

    def stored():
        with sqlite_store.engine.connect() as conn:
            return sorted(conn.execute(post_categories.select().with_only_columns(
                post_categories.c.category)).scalars())  # fmt: skip

    seen = []
    assert pipeline.categorize_pending(progress=lambda d, t: seen.append((d, t))) == 1
    assert seen == [(1, 1)]
    # "me cobró dos veces … no contesta": a charge, and nobody answering
    assert stored() == ["billing", "support"]
    assert pipeline.categorize_pending() == 0  # nothing new, nothing redone
    # the team edits the rules: every stored post is read again by the new ones
    rules = CategorySettings.from_mapping({"builtin": False, "answers": {"terms": ["contest*"]}})
    edited = Pipeline(replace(pipeline.settings, categories=rules), sqlite_store)
    assert edited.categorize_pending() == 1
    assert stored() == ["answers"]


def test_the_scheduler_puts_posts_into_categories_even_without_a_classifier(
    httpserver, sqlite_store, caplog
):
    from monitor.scheduler import _classify_job

    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    cfg = SourceConfig("news", "rss", {"url": httpserver.url_for("/feed")})
    pipeline = Pipeline(settings([cfg]), sqlite_store)  # no classifier configured
    pipeline.collect()
    _classify_job(pipeline)
    assert sqlite_store.count_uncategorized(pipeline.settings.categories.fingerprint) == 0
    assert "classification skipped" in caplog.text  # said, and the job carried on


def test_values_too_big_for_their_columns_are_fitted_not_lost(tmp_path, store):
    rows = [
        {"id": "x" * 600, "text": "Movistela me cobra de más (a 600-character feed id)"},
        {"id": "2", "text": "Movistela sube precios", "author": "; ".join(["Redacción"] * 40)},
        {"id": "3", "text": "Movistela en todas partes", "reach": 3_500_000_000},
        {"id": "4", "text": "Movistela viral", "engagement": 1.5e19},  # a spreadsheet's count
    ]
    export = tmp_path / "odd.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    cfg = SourceConfig("odd", "file", {"path": str(export)})
    pipeline = Pipeline(settings([cfg]), store)
    (run,) = pipeline.collect()
    assert (run.error, run.new_posts) == (None, 4)
    with store.engine.connect() as conn:
        got = conn.exec_driver_sql(
            "select external_id, author, reach, engagement from posts order by id"
        ).all()
    assert got[0][0].startswith("sha1:") and len(got[0][0]) <= 500
    assert len(got[1][1]) == 300 and got[1][1].endswith("…")
    assert got[2][2] == got[3][3] == 2**31 - 1  # capped at what the column holds
    export.touch()  # read again: the long id maps to the same stored post
    (again,) = pipeline.collect()
    assert (again.error, again.new_posts) == (None, 0) and store.post_count() == 4


def test_a_batch_the_store_refuses_is_recorded_as_a_failure_and_the_others_still_run(
    tmp_path, sqlite_store, monkeypatch
):
    for name in ("odd", "good"):
        (tmp_path / f"{name}.jsonl").write_text(
            json.dumps({"id": "1", "text": f"Movistela no funciona ({name})"}), encoding="utf-8"
        )
    sources = [
        SourceConfig(n, "file", {"path": str(tmp_path / f"{n}.jsonl")}) for n in ("odd", "good")
    ]
    add_posts = sqlite_store._add_posts

    def refuse_odd(conn, items, now):  # a crash in the middle of the batch
        if items and items[0].source == "odd":
            add_posts(conn, items, now)  # the posts are written, then the batch fails
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return add_posts(conn, items, now)

    monkeypatch.setattr(sqlite_store, "_add_posts", refuse_odd)
    runs = {r.source: r for r in Pipeline(settings(sources), sqlite_store).collect()}
    assert "OverflowError" in runs["odd"].error and runs["odd"].new_posts == 0
    assert runs["good"].new_posts == 1 and runs["good"].error is None
    health = {h.name: h for h in sqlite_store.source_health()}
    assert health["odd"].consecutive_failures == 1 and health["odd"].last_error
    assert sqlite_store.post_count() == 1  # the refused batch was rolled back whole
    monkeypatch.undo()  # fixed: the next run stores what the failed one could not
    (retry,) = Pipeline(settings(sources[:1]), sqlite_store).collect()
    assert retry.new_posts == 1


MIXED_LANGUAGES = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>"movistela" - Google News</title><link>http://x</link><description>d</description>
<language>es</language>
<item><guid>en</guid><title>Movistela outage leaves thousands without internet - Reuters</title></item>
<item><guid>es</guid><title>Movistela lanza nueva tarifa de fibra - El País</title></item>
<item><guid>short</guid><title>Movistela cobra dos veces</title></item>
<item><guid>pt</guid><title>Movistela cobra duas vezes</title><dc:language>pt-PT</dc:language></item>
</channel></rss>"""


def test_a_feeds_channel_language_does_not_override_what_its_items_are_written_in(
    httpserver, sqlite_store
):
    # an English story in a feed that declares Spanish is stored as English, and reaches
    # a brand that watches English; Spanish text, and text too short to tell (which falls
    # back to the channel's language), does not; an item's own tag stays authoritative
    httpserver.expect_request("/feed").respond_with_data(
        MIXED_LANGUAGES, content_type="application/rss+xml"
    )
    english_only = BrandConfig("Movistela", languages=("en",))
    cfg = SourceConfig("news", "rss", {"url": httpserver.url_for("/feed")})
    s = Settings(database_url="sqlite://", brands=(english_only,), sources=(cfg,))
    (run,) = Pipeline(s, sqlite_store).collect()
    assert (run.fetched, run.matched, run.new_posts) == (4, 1, 1)
    assert dict(run.left_out) == {"language es not watched": 2, "language pt not watched": 1}
    with sqlite_store.engine.connect() as conn:
        stored = conn.exec_driver_sql("select title, lang from posts").all()
    assert stored == [("Movistela outage leaves thousands without internet - Reuters", "en")]


def test_a_brand_watching_a_rarer_language_keeps_its_short_posts(tmp_path, sqlite_store):
    """Languages outside langid.COMMON_LANGUAGES are weighed down so that a short Spanish
    post is not read as Galician; a language a brand watches is no rare language to this
    install, though: weighed down, short Marathi posts read as Hindi and Macedonian ones as
    Serbian, and the brand's language filter dropped every one of them."""
    path = tmp_path / "posts.jsonl"
    texts = [
        "Movistela अ‍ॅप पुन्हा काम करत नाही, खूप वाईट",  # Marathi
        "Movistela माझ्या खात्यातून दोनदा पैसे कापले गेले",
        "Movistela ми наплатија двапати овој месец",  # Macedonian
    ]
    path.write_text(
        "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    brand = BrandConfig("Movistela", languages=("mr", "mk"))
    cfg = SourceConfig("file", "file", {"path": str(path)})
    settings = Settings(database_url="sqlite://", brands=(brand,), sources=(cfg,))
    (run,) = Pipeline(settings, sqlite_store).collect()
    assert (run.matched, run.new_posts) == (3, 3)
    with sqlite_store.engine.connect() as conn:
        langs = conn.exec_driver_sql("select lang from posts order by external_id").scalars()
        assert list(langs) == ["mr", "mr", "mk"]
