"""What the rules read from real stores, and check_alerts end to end."""

import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest
from alertdata import BRAND, NOW, add_posts, analysis, spike_specs
from sqlalchemy import select

from monitor.alerts import stats
from monitor.alerts.config import AlertSettings, ChannelConfig
from monitor.alerts.repository import AlertRepository
from monitor.alerts.rules import AlertRules
from monitor.alerts.service import check_alerts
from monitor.authors import Untracked
from monitor.settings import BrandConfig, Settings, SourceConfig
from monitor.store.schema import posts
from monitor.types import SourceRun

RULES = AlertRules()
SETTINGS = Settings(brands=(BrandConfig(BRAND),), sources=(SourceConfig("feed", "rss", {}, 30.0),))


def test_stats_use_corrections_skip_duplicates_and_unclassified(store):
    m = lambda minutes: NOW - timedelta(minutes=minutes)  # noqa: E731
    ids = add_posts(
        store,
        [
            ("r1", m(5), "negative", {"reach": 900}),
            ("r2", m(10), "negative", {"anger": 0.3}),
            ("r3", m(15), "negative", {"engagement": 40}),
            ("r4", m(20), "neutral"),  # a person says: negative
            ("r5", m(25), "negative"),  # a person says: positive
            ("r6", m(30), "negative", {"hash": "hash-r1"}),  # the same text as r1
            ("r7", m(35), None),  # not classified yet
            ("b1", m(1440 + 30), "negative"),  # yesterday, inside the widened window
            ("b2", m(1440 - 30), "neutral"),
            ("b3", m(1440 + 180), "negative"),  # yesterday, outside it
        ],
    )
    store.update_action(ids["r4"], NOW, corrected_sentiment="negative", corrected_by="ana")
    store.update_action(ids["r5"], NOW, corrected_sentiment="positive")
    store.update_action(ids["r2"], NOW, corrected_emotion="anger")
    with store.engine.connect() as conn:
        dup = conn.execute(select(posts.c.duplicate_of).where(posts.c.id == ids["r6"])).scalar()
    assert dup == ids["r1"]

    s = stats.brand_stats(store.engine, BRAND, RULES, NOW)
    assert (s.recent.negative, s.recent.total) == (4, 5)
    assert [(w.negative, w.total) for w in s.baseline] == [(1, 2)] + [(0, 0)] * 6
    assert s.history_start == m(1440 + 180)
    got = {p.id: p for p in s.negative_posts}
    assert list(got) == [ids[k] for k in ("r1", "r2", "r3", "r4")]  # newest first
    assert got[ids["r2"]].anger == 1.0 and got[ids["r1"]].anger == pytest.approx(0.1)
    assert got[ids["r4"]].confidence == 1.0 and got[ids["r1"]].confidence == pytest.approx(0.9)
    assert got[ids["r1"]].audience == 900 and got[ids["r3"]].audience == 400
    assert got[ids["r1"]].url == "https://example.com/r1"
    assert all(p.categories == () for p in got.values())  # not categorised yet
    from monitor.pipeline import Pipeline
    from monitor.settings import Settings

    Pipeline(Settings(), store).categorize_pending()
    s = stats.brand_stats(store.engine, BRAND, RULES, NOW)
    assert {p.categories for p in s.negative_posts} == {("billing",)}  # "me cobró…"
    # every post says "me cobra": billing's counts are the brand's
    recent, baseline, first = s.categories["billing"]
    assert first == m(1440 + 30)  # b1: b3 lies before every window
    assert (recent.negative, recent.total) == (4, 5)
    assert [(w.negative, w.total) for w in baseline] == [(1, 2)] + [(0, 0)] * 6
    assert set(s.categories) == {"billing"}
    # counted only when put into categories by the current rules (a rules change being
    # applied must not turn posts not yet redone into a spike)
    current = Settings().categories.fingerprint
    s = stats.brand_stats(store.engine, BRAND, RULES, NOW, categories_version=current)
    assert s.categories["billing"].recent.negative == 4
    s = stats.brand_stats(store.engine, BRAND, RULES, NOW, categories_version="other-rules")
    assert s.categories == {}
    assert s.audience_cutoff is None  # fewer than 200 posts this week
    with store.engine.connect() as conn:
        p80 = stats.audience_cutoff(conn, BRAND, m(10_000), NOW, 80.0, 5)
        p90 = stats.audience_cutoff(conn, BRAND, m(10_000), NOW, 90.0, 5)
    assert p80 == 400.0  # 9 posts: one (900) lies above the 80th percentile
    assert p90 == 900.0  # and none above the 90th


def test_each_negative_post_knows_its_authors_earlier_complaints(store):
    d = lambda days: NOW - timedelta(days=days, minutes=5)  # noqa: E731
    pepe = {"author": "pepe"}
    ids = add_posts(
        store,
        [
            ("now", d(0), "negative", pepe),
            ("d10", d(10), "negative", pepe),
            ("d40", d(40), "negative", {**pepe, "rating": 1}),  # one star: a complaint too
            ("d20", d(20), "positive", pepe),  # not a complaint
            ("d95", d(95), "negative", pepe),  # before the 90 days
            ("anon", d(0), "negative", {"author": "[deleted]"}),
            ("anon2", d(10), "negative", {"author": "[deleted]"}),
        ],
    )
    add_posts(store, [("other", d(5), "negative", pepe)], source="forum")  # someone else
    # an hour of venting on day 10 is one occasion with d10
    add_posts(store, [("d10b", d(10) + timedelta(hours=1), "negative", pepe)])
    s = stats.brand_stats(store.engine, BRAND, RULES, NOW)
    got = {p.id: p.earlier_complaints for p in s.negative_posts}
    assert got == {ids["now"]: 2, ids["anon"]: 0}
    news_feed = Untracked.of(sources=["feed"])
    s = stats.brand_stats(store.engine, BRAND, RULES, NOW, untracked=news_feed)
    assert {p.earlier_complaints for p in s.negative_posts} == {0}


def test_posts_in_an_untracked_channel_are_nobodys_complaints(store):
    d = lambda days: NOW - timedelta(days=days, minutes=5)  # noqa: E731
    pepe = {"author": "pepe"}
    ids = add_posts(
        store,
        [
            ("now", d(0), "negative", pepe),
            ("d10", d(10), "negative", {**pepe, "channel": "News"}),  # an article of theirs
            ("d40", d(40), "negative", {**pepe, "channel": "forum"}),
            ("press", d(0), "negative", {"author": "ana", "channel": "news"}),
            ("d30", d(30), "negative", {"author": "ana", "channel": "news"}),
        ],
    )
    news = Untracked.of(channels=["news"])  # case ignored
    s = stats.brand_stats(store.engine, BRAND, RULES, NOW, untracked=news)
    got = {p.id: p.earlier_complaints for p in s.negative_posts}
    assert got == {ids["now"]: 1, ids["press"]: 0}  # d40 counts, d10 and d30 do not
    assert {p.id: p.tracked for p in s.negative_posts} == {ids["now"]: True, ids["press"]: False}
    s = stats.brand_stats(store.engine, BRAND, RULES, NOW)
    assert {p.id: p.earlier_complaints for p in s.negative_posts} == {
        ids["now"]: 2,
        ids["press"]: 1,
    }


def test_low_star_reviews_count_as_negative_word_of_mouth(store):
    m = lambda minutes: NOW - timedelta(minutes=minutes)  # noqa: E731
    ids = add_posts(
        store,
        [
            ("v1", m(5), "neutral", {"rating": 1}),  # "the app logs me out every day"
            ("v2", m(10), "positive", {"rating": 2}),
            ("v3", m(15), None, {"rating": 1}),  # not classified yet: the stars speak
            ("v4", m(20), "neutral", {"rating": 2}),  # a person says: neutral
            ("v5", m(25), "neutral", {"rating": 4}),
        ],
    )
    store.update_action(ids["v4"], NOW, corrected_sentiment="neutral")
    s = stats.brand_stats(store.engine, BRAND, RULES, NOW)
    assert (s.recent.negative, s.recent.total) == (3, 5)
    got = {p.id: p.confidence for p in s.negative_posts}
    assert got == {ids["v1"]: 1.0, ids["v2"]: 0.5, ids["v3"]: 1.0}  # (3 - stars) / 2


def test_source_statuses(sqlite_store):
    for i in range(3):
        t = NOW - timedelta(minutes=30 * (3 - i))
        sqlite_store.save_collection(
            SourceRun("reddit", t, t, error="HTTP 503"), "reddit", [], None
        )
    sqlite_store.save_collection(SourceRun("feed", NOW, NOW), "rss", [], None)
    (reddit,) = stats.source_statuses(sqlite_store.engine, {"reddit": 60.0})
    assert (reddit.consecutive_failures, reddit.last_error, reddit.interval_minutes) == (
        3,
        "HTTP 503",
        60.0,
    )
    assert reddit.last_success_at is None and reddit.last_run_at == NOW - timedelta(minutes=30)
    assert [s.name for s in stats.source_statuses(sqlite_store.engine)] == ["feed", "reddit"]


def test_check_alerts_opens_updates_and_delivers_once(store, httpserver):
    add_posts(store, spike_specs())
    add_posts(store, [("loud", NOW - timedelta(minutes=3), "negative", {"reach": 50_000})])
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    cfg = AlertSettings(channels=(ChannelConfig("hook", "webhook", url_env="HOOK"),))
    env = {"HOOK": httpserver.url_for("/hook")}

    settings = replace(SETTINGS, dashboard_url="http://escucha.example:8501")
    first = check_alerts(store, settings, NOW, alerts=cfg, env=env)
    by_rule = {a.rule: a for a in first}
    assert set(by_rule) == {"negative_spike", "high_impact"}
    spike = by_rule["negative_spike"]
    assert spike.details["observed"] == 13 and spike.details["expected"] == 1.0
    assert spike.details["ratio"] == 13.0 and spike.details["p_value"] < 1e-6
    assert spike.severity == "critical" and len(spike.post_ids) == 13
    assert spike.delivered_at == NOW and spike.delivery_attempts == 0
    assert by_rule["high_impact"].details["audience"] == 50_000
    assert len(httpserver.log) == 2
    message = httpserver.log[0][0].get_json()["message"]
    assert "13 menciones negativas" in message
    assert "Ábrela en el panel: http://escucha.example:8501/alerts?lang=es&alert=" in message

    later = NOW + timedelta(minutes=15)
    second = check_alerts(store, SETTINGS, later, alerts=cfg, env=env)
    again = {a.rule: a for a in second}["negative_spike"]
    assert again.id == spike.id and again.updated_count == 1 and again.last_seen_at == later
    assert len(httpserver.log) == 2  # an update is not a new message
    assert AlertRepository(store.engine).count() == 2


def test_check_alerts_survives_a_broken_channel_and_can_be_switched_off(sqlite_store):
    add_posts(sqlite_store, spike_specs())
    cfg = AlertSettings(channels=(ChannelConfig("hook", "webhook", url_env="NOT_SET"),))
    (alert,) = check_alerts(sqlite_store, SETTINGS, NOW, alerts=cfg, env={})
    assert alert.delivered_at is None and "NOT_SET is not set" in alert.last_delivery_error
    off = AlertSettings(enabled=False)
    assert check_alerts(sqlite_store, SETTINGS, NOW, alerts=off) == []


def test_a_third_complaint_alerts_unless_the_source_is_not_followed(sqlite_store):
    from dataclasses import replace

    d = lambda days: NOW - timedelta(days=days, minutes=5)  # noqa: E731
    pepe = {"author": "pepe", "conf": 0.9}
    add_posts(sqlite_store, [(f"c{n}", d(n), "negative", pepe) for n in (0, 10, 40)])
    news = replace(SETTINGS, sources=(replace(SETTINGS.sources[0], track_authors=False),))
    assert check_alerts(sqlite_store, news, NOW, deliver=False) == []
    (alert,) = check_alerts(sqlite_store, SETTINGS, NOW, deliver=False)
    assert alert.rule == "high_impact" and alert.details["triggers"] == ["repeat"]


def test_without_configured_brands_the_stored_ones_are_checked(sqlite_store):
    add_posts(sqlite_store, spike_specs())
    (alert,) = check_alerts(sqlite_store, Settings(), NOW, deliver=False)
    assert alert.brand == BRAND and alert.rule == "negative_spike"


def test_alerts_list_says_no_channels_rather_than_pending(sqlite_store, tmp_path):
    """Nothing configured can send the alert, so the CLI must not promise a delivery."""
    add_posts(sqlite_store, spike_specs())
    (alert,) = check_alerts(sqlite_store, SETTINGS, NOW, deliver=False)
    (tmp_path / "monitor.toml").write_text(
        '[monitor]\ndatabase_url = "sqlite:///monitor.db"\n', encoding="utf-8"
    )
    listed = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "alerts", "list"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    row = next(
        line for line in listed.stdout.splitlines() if line.lstrip().startswith(str(alert.id))
    )
    assert "no channels" in row and "pending" not in row


def test_a_replay_raises_what_the_posts_said_then_not_how_sources_stand_now(sqlite_store):
    from monitor.alerts.service import replay_alerts

    add_posts(sqlite_store, spike_specs())
    for _ in range(3):  # the feed is failing today
        sqlite_store.save_collection(SourceRun("feed", NOW, NOW, error="HTTP 500"), "rss", [], None)
    replayed = replay_alerts(sqlite_store, SETTINGS, NOW - timedelta(minutes=30), NOW)
    assert {a.rule for a in replayed} == {"negative_spike"}
    live = check_alerts(sqlite_store, SETTINGS, NOW, deliver=False)  # a live check does see it
    assert "source_health" in {a.rule for a in live}


UNDATED_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Foro</title><link>http://x</link><description>d</description>
{items}
</channel></rss>"""


def test_an_undated_feeds_backlog_is_kept_but_raises_no_spike_and_keeps_its_date(
    httpserver, sqlite_store
):
    """A feed whose items carry no date: its first collection stores them all at the time
    they were collected (lost neither from the store nor from the dashboard), but its
    backlog of old news in the recent window is no spike; collected again later, the
    stored items keep the date they were given."""
    from monitor.pipeline import Pipeline
    from monitor.store.db import utc

    add_posts(sqlite_store, spike_specs(recent=0))  # a dated week of history, quiet today
    items = "\n".join(
        f"<item><guid>old-{i}</guid><title>Movistela me cobró de más ({i})</title></item>"
        for i in range(12)  # as many negatives as spike_specs' dated spike
    )
    httpserver.expect_request("/feed").respond_with_data(
        UNDATED_FEED.format(items=items), content_type="application/rss+xml"
    )
    news = SourceConfig("news", "rss", {"url": httpserver.url_for("/feed")})
    settings = Settings(brands=(BrandConfig(BRAND),), sources=(news,))
    clock = [NOW - timedelta(minutes=10)]
    pipeline = Pipeline(settings, sqlite_store, clock=lambda: clock[0])

    (run,) = pipeline.collect()
    assert (run.matched, run.new_posts) == (12, 12)

    def stored():
        with sqlite_store.engine.connect() as conn:
            return conn.execute(
                select(posts.c.id, posts.c.published_at, posts.c.posted_at)
                .where(posts.c.source == "news")
                .order_by(posts.c.id)
            ).all()

    first = stored()
    assert {(p, utc(t)) for _, p, t in first} == {(None, clock[0])}
    # furious, every one: old news must not raise "very angry post" alerts either
    sqlite_store.save_analyses(
        [(pid, analysis("negative", anger=0.95)) for pid, _, _ in first], NOW
    )
    pipeline.categorize_pending()  # "me cobró": billing, whose spikes are counted too

    assert check_alerts(sqlite_store, settings, NOW, deliver=False) == []

    clock[0] = NOW + timedelta(days=2)  # collected again: nothing new, no date moved
    (again,) = pipeline.collect()
    assert again.new_posts == 0 and stored() == first


def test_undated_items_of_a_later_collection_count_at_the_time_they_were_collected(
    httpserver, store, tmp_path
):
    """The first collection of an undated feed is its backlog; an item that appears in a
    later collection was written between the two, so it counts, placed at the time it was
    collected. Undated rows of an import file never count: an export says nothing of when
    they were written."""
    from werkzeug import Response

    from monitor.pipeline import Pipeline

    add_posts(store, spike_specs(recent=0))  # a dated week of history, quiet today

    def items(prefix: str, n: int) -> str:
        return "\n".join(
            f"<item><guid>{prefix}-{i}</guid><title>Movistela me cobró de más ({prefix} {i})"
            "</title></item>"
            for i in range(n)
        )

    feed = [UNDATED_FEED.format(items=items("old", 12))]
    httpserver.expect_request("/feed").respond_with_handler(
        lambda _: Response(feed[0], content_type="application/rss+xml")  # the feed as it is now
    )
    export = tmp_path / "export.csv"
    export.write_text("text\nMovistela me cobró de más (export 0)\n", encoding="utf-8")
    settings = Settings(
        brands=(BrandConfig(BRAND),),
        sources=(
            SourceConfig("news", "rss", {"url": httpserver.url_for("/feed")}),
            SourceConfig("export", "file", {"path": str(export)}),
        ),
    )
    clock = [NOW - timedelta(minutes=30)]
    pipeline = Pipeline(settings, store, clock=lambda: clock[0])
    pipeline.collect()  # the backlog: 12 old items, and the export's first row
    feed[0] = UNDATED_FEED.format(items=items("new", 12) + items("old", 12))
    export.write_text(
        "text\n" + "".join(f"Movistela me cobró de más (export {i})\n" for i in range(13)),
        encoding="utf-8",
    )
    clock[0] = NOW - timedelta(minutes=10)
    runs = pipeline.collect()
    assert [r.new_posts for r in runs] == [12, 12]

    with store.engine.connect() as conn:
        rows = conn.execute(
            select(posts.c.id, posts.c.source, posts.c.title).where(posts.c.published_at.is_(None))
        ).all()
    store.save_analyses([(pid, analysis("negative", anger=0.95)) for pid, *_ in rows], NOW)
    new = {pid for pid, source, title in rows if source == "news" and "(new " in (title or "")}
    assert len(new) == 12

    s = stats.brand_stats(store.engine, BRAND, RULES, NOW)
    assert s.recent.negative == 12  # not the backlog's 12, not the export's 13
    assert {p.id for p in s.negative_posts} == new
    assert {p.posted_at for p in s.negative_posts} == {NOW - timedelta(minutes=10)}
    fired = check_alerts(store, settings, NOW, deliver=False)
    assert "negative_spike" in {a.rule for a in fired}
