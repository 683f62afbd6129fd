"""The query layer against real SQLite and PostgreSQL stores (see conftest for the data)."""

from __future__ import annotations

import math
from datetime import timedelta

import pandas as pd
import pytest
from dashdata import COLLECTED, D1, D2, END, SETTINGS, XSS_TEXT, analysis, fill

from monitor import insights
from monitor.insights import Filters
from monitor.insights.text import (
    as_written,
    distinctive_terms,
    near_duplicate_groups,
    phrases,
    stop_words_for,
    theme_groups,
    tokens,
    written_forms,
)
from monitor.normalize import content_hash, fold
from monitor.types import Post, SourceRun

ACME = Filters(brands=("Acme",), start=END - timedelta(days=7), end=END)


def counts(filled, f=ACME):
    return insights.period_counts(filled.store.engine, f)


def test_default_period_ends_at_the_newest_post(filled):
    f = insights.default_filters(filled.store.engine)
    assert f.end == END
    assert f.start == END - timedelta(days=7)
    assert insights.default_filters(filled.store.engine, days=30).start == END - timedelta(days=30)


def test_volume_counts_each_cross_post_once(filled):
    c = counts(filled)
    t = insights.totals(c)
    # neg1, neg2, pos1, neu1, pend, xss: the fb copy of neg1 is not counted again
    assert t["posts"] == 6
    assert (t["negative"], t["positive"], t["neutral"], t["pending"]) == (3, 1, 1, 1)
    vol = insights.volume(c)
    assert vol["posts"].tolist() == [2, 4]  # 18 Nov: neg2, neu1; 19 Nov: the rest
    assert vol["period"].dt.day.tolist() == [18, 19]


def test_net_sentiment_is_p_minus_n_over_p_plus_n(filled):
    assert insights.totals(counts(filled))["net_sentiment"] == pytest.approx(-50.0)  # (1-3)/4
    everyone = insights.totals(counts(filled, ACME.replace(brands=())))
    assert everyone["net_sentiment"] == pytest.approx((2 - 4) / 6 * 100)
    series = insights.net_sentiment_series(counts(filled)).set_index("period")["net_sentiment"]
    assert series.tolist() == pytest.approx([-100.0, -33.333333])  # 18 Nov: 0P 1N; 19 Nov: 1P 2N
    assert math.isnan(insights.net_sentiment(0, 0))


def test_a_correction_changes_every_figure(filled):
    filled.store.update_action(
        filled.ids["neg2"], COLLECTED, corrected_sentiment="positive", corrected_emotion="joy"
    )
    t = insights.totals(counts(filled))
    assert (t["negative"], t["positive"]) == (2, 2)
    assert t["net_sentiment"] == pytest.approx(0.0)
    emotions = insights.emotion_mix(counts(filled)).set_index("emotion")["posts"]
    assert emotions["joy"] == 2 and "sadness" not in emotions
    positives = insights.latest_posts(filled.store.engine, ACME.replace(sentiments=("positive",)))
    assert set(positives["post_id"]) == {filled.ids["neg2"], filled.ids["pos1"]}
    assert positives.set_index("post_id").at[filled.ids["neg2"], "corrected"]
    assert positives.set_index("post_id").at[filled.ids["neg2"], "sentiment_conf"] == 1.0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"sources": ("fb",)}, 1),  # neu1 (neg1c is a cross-post)
        ({"languages": ("en",)}, 3),  # pos1, neu1, xss
        ({"sentiments": ("negative",)}, 3),
        ({"emotions": ("anger",)}, 2),  # neg1, xss
        ({"brands": ("Rival",)}, 2),
        ({"start": D1 - timedelta(hours=1)}, 4),  # 19 Nov only
    ],
)
def test_filters_change_the_figures(filled, change, expected):
    assert insights.totals(counts(filled, ACME.replace(**change)))["posts"] == expected


def test_breakdowns_by_source_and_language(filled):
    c = counts(filled)
    by_source = insights.breakdown(c, "source").set_index("source")
    assert by_source.loc["tw", ["posts", "negative", "positive"]].tolist() == [5, 3, 1]
    assert by_source.loc["fb", "posts"] == 1
    by_lang = insights.breakdown(c, "language").set_index("language")
    assert by_lang.loc["en", "net_sentiment"] == pytest.approx(0.0)  # pos1 vs xss
    sent = insights.sentiment_series(c)
    assert set(sent["sentiment"]) == {"negative", "neutral", "positive"}
    assert sent.groupby("period")["share"].sum().tolist() == pytest.approx([100, 100])


def test_breakdown_by_source_and_channel_keeps_the_biggest_rows():
    rows = [
        ("reddit", "r/spain", "negative", 5),
        ("reddit", "r/spain", "positive", 1),
        ("reddit", "r/mexico", "negative", 2),
        ("export", "forum", "neutral", 3),
        ("export", "", "positive", 1),
        ("export", "news", "negative", 1),
        ("rss", "El Diario", "pending", 9),  # nothing classified yet: no bar at all
    ]
    c = pd.DataFrame(
        [(D1, s, ch, "es", sent, "other", n) for s, ch, sent, n in rows],
        columns=insights.live.COUNT_COLUMNS,
    )

    full = insights.breakdown(c, "where")
    assert full["where"].tolist() == [
        "reddit · r/spain", "export · forum", "reddit · r/mexico", "export", "export · news"
    ]  # fmt: skip
    capped = insights.breakdown(c, "where", top=3).set_index("where")
    assert capped.index.tolist() == ["reddit · r/spain", "export · forum", insights.REST]
    assert capped.loc[insights.REST, ["posts", "negative", "positive"]].tolist() == [4, 3, 1]
    assert capped.loc[insights.REST, "net_sentiment"] == pytest.approx(-50.0)


def test_short_periods_are_bucketed_by_hour(filled):
    f = ACME.replace(start=END - timedelta(days=1))
    c = counts(filled, f)
    assert insights.volume(c)["period"].dt.hour.tolist() == [12, 13, 14, 15]


def test_latest_posts_newest_first_with_labels(filled):
    df = insights.latest_posts(filled.store.engine, ACME, limit=3)
    assert df["post_id"].tolist() == [filled.ids[k] for k in ("xss", "pend", "pos1")]
    xss = df.iloc[0]
    assert xss["text"] == XSS_TEXT
    assert (xss["sentiment"], xss["emotion"]) == ("negative", "anger")
    assert xss["sentiment_conf"] == pytest.approx(0.95)
    assert pd.isna(df.iloc[1]["sentiment"])  # not classified yet


def test_a_missing_author_title_or_url_reads_back_as_none(filled):
    from monitor.store.schema import posts

    engine, ids = filled.store.engine, filled.ids
    with engine.begin() as conn:  # among posts that have them (pandas 3 would give NaN)
        conn.execute(posts.update().where(posts.c.id == ids["xss"]).values(author=None, url=None))
        conn.execute(posts.update().where(posts.c.id == ids["pos1"]).values(title="Great"))
    df = insights.latest_posts(engine, ACME).set_index("post_id")
    assert df.at[ids["xss"], "author"] is None and df.at[ids["xss"], "url"] is None
    assert df.at[ids["neg1"], "title"] is None
    assert df.at[ids["pos1"], "title"] == "Great"
    queue = insights.response_queue(engine, ACME).set_index("post_id")  # every page's posts
    assert queue.at[ids["xss"], "author"] is None


def test_queue_orders_by_urgency_and_groups_cross_posts(filled):
    q = insights.response_queue(filled.store.engine, ACME)
    ids = filled.ids
    assert q["post_id"].tolist() == [ids["xss"], ids["neg1"], ids["neg1c"], ids["neg2"]]
    assert q["story_rank"].tolist() == [1, 2, 2, 3]
    assert q["story_posts"].tolist() == [1, 2, 2, 1]
    # 100 × .95 × (.5 + .5 × .9) × (.5 + .5 × log10(501) / 5) × .5 ^ (9 / 24)
    expected = 100 * 0.95 * 0.95 * (0.5 + 0.5 * math.log10(501) / 5) * 0.5 ** (9 / 24)
    assert q.iloc[0]["urgency"] == pytest.approx(expected, rel=1e-6)
    assert (q["status"] == "open").all()


def test_a_reviews_stars_weigh_its_urgency(filled):
    from monitor.store.schema import posts

    engine, ids = filled.store.engine, filled.ids
    before = insights.response_queue(engine, ACME).set_index("post_id")["urgency"]
    with engine.begin() as conn:
        conn.execute(posts.update().where(posts.c.id == ids["xss"]).values(rating=5))
        conn.execute(posts.update().where(posts.c.id == ids["neg2"]).values(rating=1))
    after = insights.response_queue(engine, ACME).set_index("post_id")["urgency"]
    assert after[ids["xss"]] == pytest.approx(before[ids["xss"]] * 0.2)  # five stars: (6-5)/5
    assert after[ids["neg2"]] == pytest.approx(before[ids["neg2"]])  # one star: full weight
    assert after[ids["neg1"]] == pytest.approx(before[ids["neg1"]])  # not a review


def test_a_low_star_review_the_model_missed_is_still_in_the_queue(filled):
    from monitor.store.schema import posts

    store, ids = filled.store, filled.ids
    engine = store.engine
    assert ids["neu1"] not in set(insights.response_queue(engine, ACME)["post_id"])
    with engine.begin() as conn:  # "new store opens", read neutral (.7): but one star
        conn.execute(posts.update().where(posts.c.id == ids["neu1"]).values(rating=1))
    q = insights.response_queue(engine, ACME).set_index("post_id")
    assert q.at[ids["neu1"], "sentiment"] == "neutral"  # shown as the model read it
    assert q.at[ids["neu1"], "urgency"] > 0  # stars give the confidence: (3 - 1) / 2
    before = insights.response_times(engine, ACME).iloc[0]["open_posts"]
    store.update_action(ids["neu1"], COLLECTED, corrected_sentiment="neutral")
    assert ids["neu1"] not in set(insights.response_queue(engine, ACME)["post_id"])
    assert insights.response_times(engine, ACME).iloc[0]["open_posts"] == before - 1


def test_queue_actions_move_posts_out_and_in(filled):
    store, ids = filled.store, filled.ids
    store.update_action(ids["xss"], COLLECTED, status="handled", note="answered by DM")
    store.update_action(ids["neg2"], COLLECTED, corrected_sentiment="neutral")
    store.update_action(ids["pos1"], COLLECTED, corrected_sentiment="negative")
    store.update_action(ids["neg1"], COLLECTED, status="assigned", assignee="ana")
    q = insights.response_queue(store.engine, ACME).set_index("post_id")
    assert set(q.index) == {ids["neg1"], ids["neg1c"], ids["pos1"]}
    assert q.at[ids["neg1"], "status"] == "assigned"
    assert q.at[ids["neg1"], "assignee"] == "ana"
    assert q.at[ids["pos1"], "sentiment_conf"] == 1.0  # a person's label is certain


def test_first_response_time(filled):
    store, ids = filled.store, filled.ids
    store.update_action(ids["neg1"], COLLECTED + timedelta(minutes=30), status="assigned")
    store.update_action(ids["xss"], COLLECTED + timedelta(minutes=90), status="handled")
    store.update_action(ids["xss"], COLLECTED + timedelta(minutes=200), note="again")
    r = insights.response_times(store.engine, ACME).iloc[0]
    assert r["responded"] == 2
    assert r["median_minutes"] == pytest.approx(60)
    assert r["p90_minutes"] == pytest.approx(30 + 0.9 * 60)
    assert r["open_posts"] == 2  # neg1 (assigned, not handled) and neg2
    assert r["awaiting"] == 1  # neg2: nobody responded


def test_a_cross_posted_story_answered_once_counts_as_one_response(filled):
    store, ids = filled.store, filled.ids
    for key in ("neg1", "neg1c"):  # the queue's default: an action applies to the whole story
        store.update_action(ids[key], COLLECTED + timedelta(minutes=30), status="handled")
    store.update_action(ids["xss"], COLLECTED + timedelta(minutes=90), status="handled")
    r = insights.response_times(store.engine, ACME).iloc[0]
    assert r["responded"] == 2  # two stories, as open_posts and every figure count them
    assert r["median_minutes"] == pytest.approx(60)  # (30 + 90) / 2, not weighted by copies


def test_a_story_answered_on_its_cross_post_only_counts_as_answered(filled):
    store, ids = filled.store, filled.ids
    store.update_action(ids["neg1c"], COLLECTED + timedelta(minutes=30), status="assigned")
    r = insights.response_times(store.engine, ACME).iloc[0]
    assert (r["responded"], r["median_minutes"]) == (1, pytest.approx(30))


def test_weekly_review_ratings_average_the_stars_of_each_week(filled):
    from sqlalchemy import select

    from monitor.store.schema import posts

    engine = filled.store.engine
    assert insights.weekly_ratings(engine, ACME, weeks=2)["reviews"].tolist() == [0, 0]
    with engine.begin() as conn:
        acme = (
            conn.execute(
                select(posts.c.id)
                .where(posts.c.brand == "Acme", posts.c.duplicate_of.is_(None))
                .order_by(posts.c.id)
                .limit(3)
            )
            .scalars()
            .all()
        )
        for pid, stars in zip(acme, (1, 2, 5), strict=True):
            conn.execute(posts.update().where(posts.c.id == pid).values(rating=stars))
    out = insights.weekly_ratings(engine, ACME, weeks=2)
    assert out["week"].tolist() == [1, 0] and out["reviews"].tolist() == [0, 3]
    assert out["mean_rating"].iloc[-1] == pytest.approx(8 / 3) and math.isnan(
        out["mean_rating"].iloc[0]
    )
    rival = insights.weekly_ratings(engine, ACME.replace(brands=("Rival",)), weeks=2)
    assert rival["reviews"].sum() == 0  # the brand filter applies


def test_weekly_trends_and_share_of_voice(filled):
    engine = filled.store.engine
    windows = insights.week_windows(ACME, weeks=2)
    assert windows["week"].tolist() == [1, 0]
    assert windows["week_end"].iloc[-1] == pd.Timestamp(END)
    c = insights.weekly_counts(engine, ACME, SETTINGS, weeks=2)
    assert set(c["brand"]) == {"Acme", "Rival"}  # the competitor is counted for share of voice
    wow = insights.week_over_week(c, windows, ["Acme"])
    assert wow["posts"].tolist() == [0, 6]
    assert wow["net_sentiment"].iloc[-1] == pytest.approx(-50.0)
    assert math.isnan(wow["posts_change"].iloc[-1])  # nothing the week before
    assert wow["negative_share"].iloc[-1] == pytest.approx(60.0)  # 3 of 5 classified
    assert math.isnan(wow["negative_share"].iloc[0])
    sov = insights.share_of_voice(c, windows, SETTINGS, ["Acme"])
    this_week = sov[sov["week"] == 0].set_index("brand")
    assert this_week.at["Acme", "share"] == pytest.approx(75.0)
    assert this_week.at["Rival", "share"] == pytest.approx(25.0)
    assert bool(this_week.at["Acme", "focus"]) and not bool(this_week.at["Rival", "focus"])
    emo = insights.weekly_emotions(c, windows, ["Acme"])
    assert emo[emo["week"] == 0].set_index("emotion").at["anger", "posts"] == 2


def test_themes_and_most_read_negative_posts(filled):
    engine = filled.store.engine
    themes = insights.negative_themes(engine, ACME.replace(brands=()), ["Acme", "Rival"])
    assert themes["theme"].tolist() == ["factura"]
    assert themes.iloc[0]["posts"] == 2
    top = insights.most_read_negative(engine, ACME)
    ids = filled.ids
    assert top["post_id"].tolist() == [ids["neg1"], ids["xss"], ids["neg2"]]
    assert top["audience"].tolist() == [5000, 500, 20]


def test_filter_options(filled):
    o = insights.filter_options(filled.store.engine)
    assert o.brands == ("Acme", "Rival")
    assert o.sources == ("fb", "tw")
    assert o.languages == ("en", "es")
    assert o.channels == ()  # no source here says where within it a post appeared


def test_channels_are_offered_and_filter_every_figure(filled):
    from monitor.store.schema import posts

    with filled.store.engine.begin() as conn:
        ids = [filled.ids["neg2"], filled.ids["pos1"]]
        conn.execute(posts.update().where(posts.c.id.in_(ids)).values(channel="r/spain"))
        conn.execute(posts.update().where(posts.c.id == filled.ids["xss"]).values(channel="news"))

    assert insights.filter_options(filled.store.engine).channels == ("news", "r/spain")
    spain = insights.totals(counts(filled, ACME.replace(channels=("r/spain",))))
    assert (spain["posts"], spain["negative"], spain["positive"]) == (2, 1, 1)
    assert insights.response_queue(filled.store.engine, ACME.replace(channels=("news",)))[
        "post_id"
    ].tolist() == [filled.ids["xss"]]


def test_posts_without_a_language_are_unknown(filled):
    row = ("nolang", "tw", "Acme", None, D1, "Acme ???", None, "neutral", 0.6, "other", 0.6, 0.0)
    fill(filled.store, [row])
    assert insights.filter_options(filled.store.engine).languages == ("en", "es", "unknown")
    only = insights.totals(counts(filled, ACME.replace(languages=("unknown",))))
    assert only["posts"] == 1
    assert insights.totals(counts(filled, ACME.replace(languages=("es", "unknown"))))["posts"] == 4


def _edit_neg2_at_its_source(store, when):
    """The source changed neg2's text: collecting it again drops its analysis (pending)."""
    text = "Otra factura mal de Acme, ya está arreglado, gracias"
    edited = Post("tw", "neg2", "Acme", text, content_hash(text), "es", published=D2)
    store.save_collection(SourceRun("tw", when, when), "rss", [edited], None)


def test_the_data_version_changes_when_an_edited_post_loses_its_analysis(filled):
    store, engine = filled.store, filled.store.engine
    before = insights.data_version(engine)
    _edit_neg2_at_its_source(store, COLLECTED + timedelta(hours=1))
    assert insights.totals(counts(filled))["pending"] == 2  # pend and the edited neg2
    assert insights.data_version(engine) != before


def test_the_data_version_does_not_return_to_its_value_before_an_edit(filled):
    store, engine = filled.store, filled.store.engine
    before = insights.data_version(engine)
    _edit_neg2_at_its_source(store, COLLECTED + timedelta(hours=1))
    # classified again, now positive, before the dashboard looked in between
    again = analysis("positive", 0.9, "joy", 0.9, 0.0)
    store.save_analyses([(filled.ids["neg2"], again)], COLLECTED + timedelta(hours=2))
    assert insights.totals(counts(filled))["negative"] == 2  # was 3: the figures changed
    assert insights.data_version(engine) != before  # so the cached ones must not be used


def test_an_empty_store_gives_empty_figures(store):
    engine = store.engine
    assert insights.data_range(engine) == (None, None)
    f = insights.default_filters(engine)
    c = insights.period_counts(engine, f)
    assert c.empty and insights.totals(c)["posts"] == 0
    assert insights.volume(c).empty and insights.breakdown(c, "source").empty
    assert insights.response_queue(engine, f).empty
    assert insights.response_times(engine, f).iloc[0]["responded"] == 0
    windows = insights.week_windows(f)
    wc = insights.weekly_counts(engine, f, SETTINGS)
    assert insights.week_over_week(wc, windows)["posts"].sum() == 0
    assert insights.negative_themes(engine, f).empty
    assert insights.most_read_negative(engine, f).empty
    assert insights.category_breakdown(engine, f).empty
    assert insights.categorized_posts(engine, f) == 0
    assert insights.complaint_categories(insights.weekly_categories(engine, f, 2), 0).empty


def _categorize(filled):
    from monitor.pipeline import Pipeline

    assert Pipeline(SETTINGS, filled.store).categorize_pending() == 9
    return filled.store.engine


def test_categories_figures_and_filter(filled):
    engine = _categorize(filled)
    assert insights.filter_options(engine).categories == ("billing", "network", "staff", "support")
    table = insights.category_breakdown(engine, ACME).set_index("category")
    # neg1 (its cross-post counts once) and neg2 are billing; pos1 support; neu1 "store"
    assert table.index.tolist() == ["billing", "staff", "support"]  # most negative, then by name
    assert table.loc["billing", ["negative", "posts"]].tolist() == [2, 2]
    assert table.loc["billing", "net_sentiment"] == -100
    assert table.loc["support", "positive"] == 1
    assert insights.categorized_posts(engine, ACME) == 4  # of 6: pend and xss are in none
    billing = ACME.replace(categories=("billing",))
    assert insights.totals(counts(filled, billing))["posts"] == 2
    latest = insights.latest_posts(engine, billing)
    assert latest["post_id"].tolist() == [filled.ids["neg1"], filled.ids["neg2"]]
    assert latest["categories"].tolist() == [("billing",), ("billing",)]
    # a billing post also about customer service: the billing view lists billing alone
    filled.store.save_categories([(filled.ids["neg2"], "-", ("billing", "support"))], "x")
    assert insights.category_breakdown(engine, billing)["category"].tolist() == ["billing"]
    assert insights.categorized_posts(engine, billing) == 2
    # the figures count a post once per category, so two categories can hold one post
    either = ACME.replace(categories=("billing", "support"))
    assert insights.totals(counts(filled, either))["posts"] == 3


def test_why_customers_complain_this_week_against_the_last(filled):
    engine = _categorize(filled)
    weekly = insights.weekly_categories(engine, ACME, 2)
    this_week = weekly[weekly["week"] == 0].set_index("category")
    assert this_week.loc["billing", "negative"] == 2
    out = insights.complaint_categories(weekly, negatives=3)  # neg1, neg2, xss
    assert out.to_dict("records") == [
        {"category": "billing", "negative": 2, "previous": 0, "change": 2, "share": 2 / 3 * 100}
    ]  # support and staff have no negative post in either week


def test_complaint_categories_compare_two_weeks():
    weekly = pd.DataFrame(
        {
            "week": [0, 0, 1, 1, 1],
            "category": ["billing", "delivery", "billing", "network", "delivery"],
            "negative": [10, 4, 2, 5, 4],
        }
    )
    out = insights.complaint_categories(weekly, negatives=20)
    assert out["category"].tolist() == ["billing", "delivery", "network"]
    assert out["change"].tolist() == [8, 0, -5]
    assert out["share"].tolist() == [50.0, 20.0, 0.0]


def test_posts_export_as_a_spreadsheet_file_in_the_readers_language(filled):
    import csv
    import io

    from monitor.i18n import tr

    engine = _categorize(filled)
    with engine.begin() as conn:  # a post that a spreadsheet would take for a formula
        from monitor.store.schema import posts

        conn.execute(
            posts.update()
            .where(posts.c.id == filled.ids["pos1"])
            .values(text='=HYPERLINK("http://evil.example","clic")')
        )
    df = insights.latest_posts(engine, ACME, limit=insights.EXPORT_LIMIT)
    names = {"billing": "Facturación y cobros", "support": "Atención al cliente"}
    raw = insights.posts_csv(df, tr("es"), lambda c: names.get(c, c))
    assert raw.startswith("\ufeff".encode())  # Excel reads the accents
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 6  # every Acme post of the period, cross-posts once
    by_author = {r["Autor"]: r for r in rows}
    neg1 = by_author["user_neg1"]
    assert neg1["Sentimiento"] == "Negativo" and neg1["Confianza del sentimiento"] == "0,9"
    assert neg1["Categorías"] == "Facturación y cobros"
    assert neg1["Publicada (UTC)"] == "2026-11-19 12:00"
    assert by_author["user_pos1"]["Texto"].startswith("'=HYPERLINK")  # not a formula
    assert by_author["user_pend"]["Sentimiento"] == ""  # not classified yet
    pending_only = insights.posts_by_id(engine, [filled.ids["pend"]])  # nothing classified
    assert "Confianza del sentimiento" in insights.posts_csv(pending_only, tr("es"), str).decode()
    en = insights.posts_csv(df, tr("en"), str).decode("utf-8-sig")
    assert en.splitlines()[0].startswith("Posted (UTC),Brand,Source,Channel,Language")


def test_complaint_trend_follows_the_categories_with_most_complaints():
    windows = pd.DataFrame(
        {
            "week": [2, 1, 0],
            "week_start": pd.to_datetime(["2026-11-02", "2026-11-09", "2026-11-16"], utc=True),
        }
    )
    weekly = pd.DataFrame(
        {
            "week": [0, 0, 0, 1, 2, 2],
            "category": ["billing", "delivery", "price", "billing", "network", "price"],
            "negative": [10, 1, 0, 2, 3, 0],
        }
    )
    out = insights.complaint_trend(weekly, windows, top=2)
    # billing (12) and network (3) have most; a week without any counts 0
    assert out["category"].unique().tolist() == ["billing", "network"]
    assert out[out["category"] == "billing"]["negative"].tolist() == [0, 2, 10]
    assert out[out["category"] == "network"]["negative"].tolist() == [3, 0, 0]
    assert insights.complaint_trend(weekly.assign(negative=0), windows).empty


# ---- pure helpers ------------------------------------------------------------


def test_distinctive_terms_prefer_what_is_new():
    now = ["factura duplicada otra vez", "factura duplicada y nadie responde", "sin fibra"]
    before = ["sin fibra desde ayer", "sin fibra en casa", "fibra caída"]
    terms = [t for t, *_ in distinctive_terms(now, before)]
    assert terms[0] == "factura duplicada"
    assert "fibra" not in terms


def test_theme_phrases_keep_their_function_words_and_stop_at_punctuation():
    got = phrases(
        "¡Me han cobrado dos veces la factura! Doble cargo, otra vez. @movistela https://t.co/x"
    )
    assert {"cobrado dos veces", "doble cargo", "factura"} <= got
    assert "cobrado veces" not in got  # the dropped "dos" does not join its neighbours
    assert "factura doble" not in got and "factura doble cargo" not in got  # across "!"
    assert not any("movistela" in p or "http" in p for p in got)
    assert "me han" not in got and "vez" not in got  # stop words never start or end a phrase
    assert phrases("Movistela me cobró", frozenset({"movistela"})) == {"cobro"}
    assert "duplicada cobro" not in phrases("Factura duplicada\nCobro doble")  # title | body


def test_phrases_of_one_complaint_are_one_theme_with_variants():
    now = [
        "Doble cargo en la factura de noviembre",
        "otra vez doble cargo, la factura mal",
        "doble cargo y nadie contesta",
        "sin fibra en casa desde el lunes",
        "sin fibra otra vez, fibra caída",
    ]
    before = ["todo bien", "la app va lenta", "la app no abre"]

    groups = theme_groups(now, before, top=5)

    themes = {theme: variants for theme, *_, variants in groups}
    assert "factura" in themes["doble cargo"]  # 2 of its 3 posts: the same complaint
    assert "factura" not in themes and "doble" not in themes  # no line of their own
    assert "fibra" in themes or "sin fibra" in themes  # another complaint: its own line
    lead = groups[[g[0] for g in groups].index("doble cargo")]
    assert lead[1] == 3 and lead[2] == pytest.approx(0.6)  # posts with any of its phrases
    assert len(groups) < len(distinctive_terms(now, before))


def test_themes_are_shown_as_people_write_them_accents_and_all():
    now = [
        "Mañana sin fibra otra vez",
        "mañana tampoco hay fibra y la devolución no llega",
        "la devolucion no llega y manana igual https://x.example/devolucion #devolucion",
        "Die Straße ist gesperrt",
        "El router de Telefónica's cuelga",
    ]
    forms = written_forms(now)

    assert as_written("manana", forms) == "mañana"  # 2 of 3 posts write the ñ
    # a tie, once the link and the hashtag (which are no theme words) are left out
    assert as_written("devolucion no llega", forms) == "devolución no llega"
    assert as_written("strasse gesperrt", forms) == "straße gesperrt"
    assert as_written("telefonica", forms) == "telefónica"  # a possessive as its noun
    assert as_written("nunca vista", forms) == "nunca vista"  # words not seen stay folded
    assert written_forms(["MAÑANA", "manana"]) == {"manana": "mañana"}
    assert written_forms(["οδος", "οδός"]) == {"οδοσ": "οδός"}  # the accent wins the tie


def test_weekly_themes_carry_the_folded_key_beside_the_spelling(filled):
    themes = insights.negative_themes(
        filled.store.engine, ACME.replace(brands=()), ["Acme", "Rival"]
    )
    assert themes.columns[:2].tolist() == ["theme", "key"]
    assert (themes["key"] == themes["theme"].map(fold)).all()


def test_english_contractions_are_function_words_not_theme_words():
    assert tokens("The app doesn't work and I didn’t get my refund") == [
        "app",
        "work",
        "refund",
    ]


def test_english_contractions_never_become_themes():
    now = [
        "The app doesn't work since the update",
        "It doesn't load and I didn't get my refund",
        "Payment didn’t go through and the app doesn’t open, it won’t",
    ]
    themes = {t for t, *_ in distinctive_terms(now, [], top=10)}
    assert "app" in themes
    assert not {"doesn", "didn", "won", "app doesn", "didn get"} & themes


def test_a_theme_phrase_may_hold_a_contraction_as_its_function_word():
    assert "app doesn't work" in phrases("The app doesn’t work")


def test_a_possessive_is_its_noun_and_a_brands_possessive_is_its_name():
    brand = stop_words_for(["McDonald's"])
    assert phrases("McDonald’s fries were cold, the company's staff rude", brand) == {
        "fries",
        "cold",
        "fries were cold",
        "company",
        "company staff",
        "staff",
        "staff rude",
        "rude",
    }


def test_a_french_elision_still_splits_off_its_article():
    assert tokens("L'application ne marche pas") == ["application", "marche", "pas"]


def test_a_theme_is_shown_once_in_its_longest_form_with_a_similar_count():
    now = ["me han cobrado dos veces", "cobrado dos veces este mes", "cobrado dos veces, otra vez"]
    now += ["sin fibra en casa"]
    terms = [t for t, *_ in distinctive_terms(now, ["todo bien", "fibra rápida"])]
    assert terms[0] == "cobrado dos veces"
    assert "cobrado" not in terms and "veces" not in terms  # inside the phrase, same count


def test_stories_group_same_text_and_near_duplicates_of_one_brand():
    text = "Movistela me cobró dos veces la factura de noviembre"
    rows = pd.DataFrame(
        {
            "post_id": [1, 2, 3, 4, 5],
            "brand": ["Movistela", "Movistela", "Telvia", "Movistela", "Telvia"],
            "content_hash": ["a", "b", "c", "d", "a"],
            "title": [None, None, None, None, None],
            "text": [text, text.lower() + "!!", text, "Sin fibra en Valencia desde ayer", "x"],
            "urgency": [50.0, 40.0, 45.0, 60.0, 10.0],
        }
    )
    out = insights.group_stories(rows).set_index("post_id")
    assert (
        out.at[1, "story"] == out.at[2, "story"] == out.at[5, "story"] == 1
    )  # near-dup, same hash
    assert out.at[3, "story"] == 3  # same words, other brand: its own story
    assert out.loc[[4, 1, 3], "story_rank"].tolist() == [1, 2, 3]
    assert out.at[1, "story_posts"] == 3


def test_near_duplicates_share_a_group():
    groups = near_duplicate_groups(
        [
            "Movistela me cobró dos veces la factura de noviembre",
            "movistela me cobro dos veces la factura de noviembre!!",
            "La fibra de Movistela no funciona en Valencia",
        ]
    )
    assert groups[0] == groups[1] != groups[2]


def test_the_alerts_raised_in_the_period_for_the_timeline(filled):
    from monitor.alerts.repository import AlertRepository
    from monitor.alerts.rules import AlertCandidate

    repo = AlertRepository(filled.store.engine)
    for brand, rule, severity, when in (
        ("Acme", "negative_spike", "critical", D1),
        ("Rival", "high_impact", "warning", D1),  # not the brand filtered on
        (None, "source_health", "warning", D1),  # belongs to no brand
        ("Acme", "high_impact", "warning", END - timedelta(days=30)),  # before the period
    ):
        key = f"{brand}:{rule}:{when:%d}"
        repo.upsert(AlertCandidate(key, rule, severity, brand, "t", {}), when)
    found = insights.alerts_raised(filled.store.engine, ACME)
    assert found[["severity", "rule", "brand"]].values.tolist() == [
        ["critical", "negative_spike", "Acme"]
    ]
    assert found["period"].tolist() == [D1]
    both = insights.alerts_raised(filled.store.engine, ACME.replace(brands=()))
    assert sorted(both["brand"]) == ["Acme", "Rival"]


def test_the_volume_chart_draws_a_line_per_alert():
    from dashboard import charts
    from monitor.i18n import tr

    volume = pd.DataFrame({"period": [D1], "posts": [3]})
    marks = pd.DataFrame(
        [(D1, 7, "critical", "negative_spike", "Acme")],
        columns=["period", "alert_id", "severity", "rule", "brand"],
    )
    spec = charts.volume_chart(volume, tr("es"), "day", "Menciones", alerts=marks).to_dict()
    rows = [r for data in spec["datasets"].values() for r in data if "what" in r]
    assert [(r["what"], r["severity_label"]) for r in rows] == [
        ("#7 · Pico negativo · Acme", "Crítica")
    ]


def test_a_small_brands_themes_are_not_thinned_out_by_a_busy_one(filled):
    engine = filled.store.engine
    busy = [
        Post("tw", f"r{i}", "Rival", f"Rival post {i}", f"rival-{i}", "es", published=D1)
        for i in range(60)
    ]
    filled.store.save_collection(SourceRun("tw", COLLECTED, COLLECTED), "rss", busy, None)
    # 3 posts per side would be read for a brand with about 9 posts: every one of Acme's
    themes = insights.negative_themes(engine, ACME, ["Acme", "Rival"], sample=3)
    assert themes["theme"].tolist() == ["factura"] and themes.iloc[0]["posts"] == 2


def test_a_german_brand_is_no_theme_in_either_spelling():
    brand = stop_words_for(["Müller Drogerie"])
    assert tokens("Mueller hat meine Bestellung storniert, Müller antwortet nicht", brand) == [
        "hat",
        "meine",
        "bestellung",
        "storniert",
        "antwortet",
        "nicht",
    ]


def test_themes_fold_as_brand_matching_does():
    assert tokens("Die Straße ist gesperrt") == ["die", "strasse", "ist", "gesperrt"]


def test_the_themes_sample_spreads_over_the_whole_week_on_every_database(store):
    # 20 complaints, the first ten about the bill, the last ten about coverage; a sample of
    # 10 reads every post (the stride is 1), then keeps 10 of them: spread over the week,
    # not the ten the database happens to return first (SQLite: the oldest; PostgreSQL:
    # any), which would leave the week's newest complaint unseen
    rows = [
        (f"c{i:02}", "tw", "Acme", "es", END - timedelta(days=6, hours=-7 * i),
         ("Acme factura duplicada otra vez" if i < 10 else "Acme cobertura caida en casa")
         + f" ({i})", 5, "negative", 0.9, "anger", 0.8, 0.8)
        for i in range(20)
    ]  # fmt: skip
    fill(store, rows)
    themes = insights.negative_themes(store.engine, ACME, ["Acme"], sample=10)
    found = dict(zip(themes["theme"], themes["posts"], strict=True))
    assert sorted(found.values()) == [5, 5] and found.get("factura duplicada") == 5, found
    assert any("caida" in t for t in found), found  # the coverage complaints
