"""Every dashboard page through Streamlit's AppTest, on a real SQLite store (see dashdata)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dashdata import COLLECTED, D1, D2, SETTINGS, XSS_TEXT, fill
from sqlalchemy import select

from monitor.i18n import tr
from monitor.store import Store
from monitor.store.schema import post_actions

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
CONFIG = """
[[brands]]
name = "Acme"
competitors = ["Rival"]

[[brands]]
name = "Rival"

[[sources]]
name = "tw"
kind = "file"
path = "tw.jsonl"

[[sources]]
name = "forum"
kind = "file"
path = "forum.jsonl"

[[sources]]
name = "shop"
kind = "file"
path = "shop.jsonl"
"""
assert SETTINGS.brand("Acme").competitors == ("Rival",)  # the config above says the same


@pytest.fixture
def app(filled_sqlite, tmp_path, monkeypatch):
    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    monkeypatch.setenv("MONITOR_DATABASE_URL", str(filled_sqlite.store.engine.url))

    def start(page: str | None = None, lang: str = "es") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=30)
        at.session_state["lang"] = lang
        if page:
            at.switch_page(f"views/{page}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    start.filled = filled_sqlite
    return start


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def markdown_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.info] + [e.value for e in at.success]
    return "\n".join(parts)


def chart_titles(at: AppTest) -> list[str]:
    titles = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("title") or {}
        titles.append(title.get("text") if isinstance(title, dict) else title)
    return titles


def actions(filled) -> dict[int, dict]:
    with filled.store.engine.connect() as conn:
        rows = conn.execute(select(post_actions)).mappings().all()
    return {r["post_id"]: dict(r) for r in rows}


# ---- live ----------------------------------------------------------------------


def test_live_page_shows_the_figures_of_the_own_brand(app):
    at = app()
    assert at.title[0].value == "Qué se dice ahora"
    assert at.multiselect(key="f_brands").value == ["Acme"]  # the brand with competitors
    assert metric(at, "Menciones") == "6"
    assert metric(at, "Sentimiento neto") == "−50"
    assert "(P − N) / (P + N)" in markdown_text(at)
    assert "Menciones por día" in chart_titles(at)
    assert len(chart_titles(at)) == 6


def test_the_volume_chart_marks_the_alerts_raised_in_the_period(app):
    from monitor.alerts.repository import AlertRepository
    from monitor.alerts.rules import AlertCandidate

    def layers(at):
        spec = next(
            json.loads(c.proto.spec)
            for c in at.get("vega_lite_chart")
            if "Menciones por" in json.dumps(json.loads(c.proto.spec).get("title"))
        )
        return [layer["mark"]["type"] for layer in spec.get("layer", [spec])]

    assert layers(app()) == ["bar"]  # no alerts: bars alone
    repo = AlertRepository(app.filled.store.engine)
    spike = AlertCandidate("Acme:negative_spike", "negative_spike", "critical", "Acme", "t", {})
    repo.upsert(spike, D1)
    assert layers(app()) == ["bar", "rule"]  # read afresh: an alert is not a new post


def test_the_live_page_offers_the_filtered_posts_as_a_csv_file(app):
    at = app()
    (button,) = at.get("download_button")
    assert button.proto.label == "Descargar CSV"
    assert "10.000 publicaciones más recientes" in button.proto.help


def test_reviews_show_their_stars_and_other_posts_none(app):
    from monitor.store.schema import posts

    with app.filled.store.engine.begin() as conn:
        conn.execute(
            posts.update().where(posts.c.id == min(app.filled.ids.values())).values(rating=2)
        )
    column = app().dataframe[0].value["Valoración"].tolist()
    assert column.count("★★☆☆☆") == 1 and column.count("") == len(column) - 1


def test_a_review_edited_to_new_stars_shows_both(app):
    from monitor.store.schema import posts

    first = min(app.filled.ids.values())
    with app.filled.store.engine.begin() as conn:
        conn.execute(posts.update().where(posts.c.id == first).values(rating=4, previous_rating=1))
    column = app().dataframe[0].value["Valoración"].tolist()
    assert "★☆☆☆☆ → ★★★★☆" in column


def test_a_failing_source_is_flagged_in_the_sidebar(app):
    from monitor.types import SourceRun

    store = app.filled.store
    at = app()
    assert "todas funcionan" in markdown_text(at) and not at.warning
    failed = SourceRun("forum", COLLECTED, COLLECTED, error="HTTP 503 from forum.example")
    store.save_collection(failed, "rss", [], None)
    store.save_collection(failed, "rss", [], None)
    (warning,) = app().warning
    assert warning.value.startswith("La fuente forum falla (2 intentos seguidos; último éxito: ")
    assert "HTTP 503 from forum.example" in warning.value
    (warning,) = app(lang="en").warning
    assert "Posts since then may be missing" in warning.value
    # what the server said is shown as it is, not read as markdown
    store.save_collection(
        SourceRun("forum", COLLECTED, COLLECTED, error="**down** [see](https://x.example) `x`"),
        "rss",
        [],
        None,
    )
    (warning,) = app().warning
    assert warning.value.endswith("Error: `**down** [see](https://x.example) 'x'`")
    # a source that is not in the config (removed, or a one-off import) is not flagged
    store.save_collection(
        SourceRun("import:old.csv", COLLECTED, COLLECTED, error="x"), "file", [], None
    )
    assert len(app().warning) == 1


def test_a_source_that_never_finds_anything_is_flagged_in_the_sidebar(app):
    from monitor.types import SourceRun

    store = app.filled.store
    empty = SourceRun("shop", COLLECTED, COLLECTED, fetched=0, matched=0)
    store.save_collection(empty, "file", [], None)
    assert not app().warning  # one empty run says little
    store.save_collection(empty, "file", [], None)
    (warning,) = app().warning  # a wrong app id or address looks like this, and is silent
    assert warning.value.startswith("La fuente shop funciona pero no ha traído nada en 2")
    unmatched = SourceRun("shop", COLLECTED, COLLECTED, fetched=40, matched=0)
    store.save_collection(unmatched, "file", [], None)
    (warning,) = app(lang="en").warning
    assert "in 3 runs none mentioned a brand" in warning.value


def test_posts_without_reviews_get_no_empty_rating_column(app):
    assert "Valoración" not in app().dataframe[0].value.columns


def test_sentiment_by_language_labels_each_bar_with_its_posts(app):
    at = app()
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    chart = next(
        c for c in charts if (c.get("title") or {}).get("text") == "Sentimiento por idioma"
    )
    labels = chart["encoding"]["y"]["sort"]  # the bars, biggest first
    counts = [int(label.rsplit("(", 1)[1].rstrip(")")) for label in labels]
    assert labels[0].startswith("Español (") or labels[0].startswith("Inglés (")
    assert counts == sorted(counts, reverse=True) and sum(counts) == 6  # the page's 6 mentions


@pytest.mark.parametrize(
    ("key", "value", "mentions"),
    [
        ("f_languages", ["en"], "3"),
        ("f_sources", ["fb"], "1"),
        ("f_sentiments", ["negative"], "3"),
        ("f_emotions", ["anger"], "2"),
        ("f_brands", ["Rival"], "2"),
    ],
)
def test_filters_change_the_figures(app, key, value, mentions):
    at = app()
    at.multiselect(key=key).set_value(value).run()
    assert not at.exception
    assert metric(at, "Menciones") == mentions


def test_the_channel_filter_appears_once_a_source_names_channels(app):
    import streamlit as st

    from monitor.store.schema import posts

    assert not [m for m in app().multiselect if m.key == "f_channels"]
    with app.filled.store.engine.begin() as conn:
        conn.execute(posts.update().where(posts.c.id == app.filled.ids["xss"]).values(channel="news"))  # fmt: skip
    st.cache_data.clear()  # an UPDATE does not change the data version that keys the cache
    at = app()
    at.multiselect(key="f_channels").set_value(["news"]).run()
    assert not at.exception
    assert metric(at, "Menciones") == "1"


def _categorized(app):
    from monitor.pipeline import Pipeline

    Pipeline(SETTINGS, app.filled.store).categorize_pending()


def test_live_page_shows_what_people_talk_about_and_filters_by_category(app):
    assert not [m for m in app().multiselect if m.key == "f_categories"]  # none yet
    _categorized(app)
    at = app()
    assert "De qué hablan: sentimiento por categoría" in chart_titles(at)
    assert "4 de 6 están en alguna" in markdown_text(at)
    table = at.dataframe[0].value  # the latest posts, with what each is about
    assert "Facturación y cobros" in table["Categorías"].tolist()
    box = at.multiselect(key="f_categories")
    assert "Facturación y cobros" in box.options and "Atención al cliente" in box.options
    box.set_value(["billing"]).run()
    assert not at.exception
    assert metric(at, "Menciones") == "2"
    at = app(lang="en")
    assert "What people talk about: sentiment by category" in chart_titles(at)
    assert "Billing and charges" in at.multiselect(key="f_categories").options


def test_a_shorter_period_changes_the_figures(app):
    at = app()
    at.selectbox(key="f_period").set_value(1).run()
    assert metric(at, "Menciones") == "4"  # the newest day only
    assert "Menciones por hora" in chart_titles(at)


def test_custom_dates(app):
    at = app()
    at.selectbox(key="f_period").set_value(0).run()
    at.date_input(key="f_dates").set_value((D2.date(), D2.date())).run()
    assert not at.exception
    assert metric(at, "Menciones") == "2"  # 18 Nov: neg2 and neu1


def test_new_posts_appear_without_waiting_for_the_cache(app):
    at = app()
    filled = app.filled
    new = [
        (
            "late",
            "tw",
            "Acme",
            "es",
            D1,
            "Acme otra vez sin servicio",
            None,
            "negative",
            0.9,
            "anger",
            0.9,
            0.9,
        )
    ]
    fill(filled.store, new)  # what `monitor run` does meanwhile
    at.run()  # the auto-refresh check reruns the app when the data version changes
    assert metric(at, "Menciones") == "7"


def test_post_text_is_shown_as_data_never_as_markup(app):
    at = app()
    texts = at.dataframe[0].value["Texto"].tolist()
    assert XSS_TEXT in texts
    assert "<script>" not in markdown_text(at)
    assert "alert" not in markdown_text(at)


def test_language_switch_changes_titles_and_labels(app):
    at = app(lang="en")
    assert at.title[0].value == "What people are saying now"
    assert metric(at, "Mentions") == "6"
    assert "Mentions per day" in chart_titles(at)
    columns = list(at.dataframe[0].value.columns)
    assert "Text" in columns and "Sentiment (confidence)" in columns
    assert not {"text", "sentiment", "post_id", "posted_at"} & set(columns)
    at.segmented_control(key="lang").set_value("es").run()
    assert at.title[0].value == "Qué se dice ahora"
    assert at.multiselect(key="f_brands").value == ["Acme"]  # filters survive the switch


def test_a_link_with_lang_opens_the_dashboard_in_that_language(app):
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "en"  # a shared or bookmarked link
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "What people are saying now"
    at.segmented_control(key="lang").set_value("es").run()
    assert at.title[0].value == "Qué se dice ahora"
    assert at.query_params["lang"] == "es"  # the address follows the switch

    unknown = AppTest.from_file(APP, default_timeout=30)
    unknown.query_params["lang"] = "xx"
    unknown.run()
    assert unknown.title[0].value == "Qué se dice ahora"  # the default, not an error


# ---- response queue ------------------------------------------------------------


def test_queue_lists_stories_and_renders_posts_as_text(app):
    at = app("queue")
    assert at.title[0].value == "Negativas por responder, lo más urgente primero"
    assert metric(at, "Abiertas (periodo, máx. 7 días)") == "3"
    table = at.dataframe[0].value
    assert table["#"].tolist() == [1, 2, 3]
    assert table["Publicaciones"].tolist() == [1, 2, 1]
    assert XSS_TEXT in [t.value for t in at.text]  # the selected story: st.text, not markdown
    assert "<script>" not in markdown_text(at)
    assert "Nadie que se quejó en el periodo se había quejado antes" in markdown_text(at)


def test_a_story_from_the_press_gets_no_customer_care_reply(app):
    assert app("queue").code  # a customer's story: a draft reply to copy
    untracked = CONFIG.replace('kind = "file"', 'kind = "file"\ntrack_authors = false')
    Path(os.environ["MONITOR_CONFIG"]).write_text(untracked, encoding="utf-8")
    at = app("queue")
    assert not at.code  # nothing to copy
    assert "no le va una respuesta de atención al cliente" in markdown_text(at)


def test_a_queue_emptied_by_a_filter_says_so_rather_than_nothing_pending(app):
    at = app("queue")
    at.multiselect(key="f_emotions").set_value(["joy"]).run()  # no open complaint is joyful
    assert not at.exception
    shown = markdown_text(at)
    assert "Ninguna publicación coincide con estos filtros" in shown
    assert "Nada pendiente" not in shown


def test_the_story_picker_counts_one_post_in_the_singular(app):
    at = app("queue", lang="en")
    labels = at.selectbox(key="q_story").options  # as the format function wrote them
    assert any(" · 1 post · " in label for label in labels)
    assert any(" · 2 posts · " in label for label in labels)


def test_a_queued_post_without_author_names_nobody(app):
    from monitor.store.schema import posts

    with app.filled.store.engine.begin() as conn:  # feeds and imports often have no author
        conn.execute(posts.update().where(posts.c.id == app.filled.ids["xss"]).values(author=None))
    at = app("queue")  # the first story is xss
    texts = [x.value for x in at.text]
    assert texts[0] == "Acme · tw · 19 nov 15:00 UTC"  # brand, where, when: no empty name
    assert not any("nan" in x for x in texts)
    assert at.code[0].value.startswith("Hi, you have every reason to be upset")  # the draft


def test_the_open_figure_counts_the_listed_stories_of_a_short_period(app):
    at = app("queue")
    at.selectbox(key="f_period").set_value(1).run()  # 19 Nov: xss, neg1 and its cross-post
    assert at.dataframe[0].value["#"].tolist() == [1, 2]
    assert metric(at, "Abiertas (periodo, máx. 7 días)") == "2"  # not the last 7 days' 3


def test_the_open_figure_says_what_it_counts_in_english(app):
    assert metric(app("queue", lang="en"), "Open (period, up to 7 days)") == "3"


def test_the_queue_marks_and_lists_customers_who_complain_again(app):
    from monitor.store.schema import posts

    ids = app.filled.ids
    with app.filled.store.engine.begin() as conn:  # neg2 (two days ago), then xss: one customer
        conn.execute(
            posts.update().where(posts.c.id.in_([ids["neg2"], ids["xss"]])).values(author="pepe")
        )
    at = app("queue")  # the first story is xss, now pepe's second complaint
    assert at.dataframe[0].value["Quejas previas (90 d)"].tolist()[:2] == ["1", ""]
    assert (
        "pepe ya se había quejado de Acme 1 vez en los 90 días anteriores, en otros días "
        "(urgencia × 1,5)." in markdown_text(at)
    )
    repeat = at.dataframe[1].value
    assert repeat[
        ["Autor", "Marca", "Días con quejas", "Quejas", "Sin atender"]
    ].values.tolist() == [["pepe", "Acme", 2, 2, 2]]
    assert repeat["Última queja"].tolist() == [XSS_TEXT]  # shown as data, never as markup


MARKUP_NAME = "- **Pepe** <b>x</b> $$x^2$$ [x](javascript:alert(1)) :red[y]"


def _unrendered(caption: str) -> bool:
    """Every markup character of MARKUP_NAME in ``caption`` is backslash-escaped."""
    return all(
        part in caption
        for part in (r"\- \*\*Pepe\*\*", r"\<b\>", r"\$\$", r"\[x\]\(javascript\:", r"\:red\[y\]")
    )


def test_a_repeat_complainers_name_is_not_read_as_markup(app):
    from monitor.store.schema import posts

    ids = app.filled.ids
    with app.filled.store.engine.begin() as conn:  # the author's name comes from the source
        conn.execute(
            posts.update()
            .where(posts.c.id.in_([ids["neg2"], ids["xss"]]))
            .values(author=MARKUP_NAME)
        )
    for lang in ("es", "en"):
        (note,) = [c.value for c in app("queue", lang=lang).caption if "(urgen" in c.value]
        assert _unrendered(note), note
        assert "](javascript" not in note


def test_names_people_type_are_not_read_as_markup(app):
    repo, alert = _raise_alert(app.filled)
    at = app("alerts")
    at.text_input(key="a_user").input(MARKUP_NAME).run()
    at.button(key=f"a_ack_{alert.id}").click().run()
    (by,) = [c.value for c in at.caption if c.value.startswith("Reconocida por")]
    assert _unrendered(by), by
    at = app("queue")
    story = at.selectbox(key="q_story").value
    at.text_input(key=f"q_assignee_{story}").input(MARKUP_NAME)
    at.button(key=f"q_assign_{story}").click().run()
    assert _unrendered(at.success[0].value), at.success[0].value


def test_a_queued_review_shows_its_stars_on_its_card(app):
    from monitor.store.schema import posts

    with app.filled.store.engine.begin() as conn:
        conn.execute(posts.update().values(rating=1))
    at = app("queue")
    assert any("★☆☆☆☆" in m.value for m in at.markdown)  # the urgency badge of the card


def test_an_unclassified_low_star_review_can_be_labelled_from_the_queue(app):
    from monitor.store.schema import analyses, posts

    with app.filled.store.engine.begin() as conn:  # one star: queued before the model reads it
        conn.execute(posts.update().values(rating=1))
        conn.execute(analyses.delete())
    at = app("queue")
    story = at.session_state["q_story"]
    assert at.selectbox(key=f"q_fix_sentiment_{story}").value == "negative"  # its stars say so


def test_a_low_star_review_read_as_positive_keeps_its_label_in_the_correction(app):
    from monitor.store.schema import posts

    ids = app.filled.ids
    with app.filled.store.engine.begin() as conn:  # "great support", but one star
        conn.execute(posts.update().where(posts.c.id == ids["pos1"]).values(rating=1))
    at = app("queue")
    at.selectbox(key="q_story").set_value(ids["pos1"]).run()
    assert at.selectbox(key=f"q_fix_sentiment_{ids['pos1']}").value == "positive"


def test_the_queue_suggests_a_reply_in_the_posts_language_for_its_emotion(app, tmp_path):
    at = app("queue")  # the first story: an English post read as anger, by user_xss
    assert at.code[0].value.startswith("Hi user_xss, you have every reason to be upset")
    assert "The Acme team" in at.code[0].value
    assert "Borrador para la emoción «Ira» · idioma: Inglés" in markdown_text(at)

    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG + '[replies.en]\nanger = "Sorry {author}! DM us. {brand}"\n')
    assert app("queue").code[0].value == "Sorry user_xss! DM us. Acme"


def test_queue_actions_persist(app):
    at = app("queue")
    ids = app.filled.ids
    story = at.selectbox(key="q_story").value
    assert story == ids["xss"]
    at.text_input(key=f"q_assignee_{story}").input("ana")
    at.button(key=f"q_assign_{story}").click().run()
    assert not at.exception
    assert actions(app.filled)[ids["xss"]]["status"] == "assigned"
    assert actions(app.filled)[ids["xss"]]["assignee"] == "ana"
    assert actions(app.filled)[ids["xss"]]["first_response_at"] is not None

    # the two copies of the cross-posted story are handled together, with a note
    at.selectbox(key="q_story").set_value(ids["neg1"]).run()
    at.text_area(key=f"q_note_{ids['neg1']}").input("Respondido por DM")
    at.button(key=f"q_handle_{ids['neg1']}").click().run()
    assert not at.exception
    done = actions(app.filled)
    for key in ("neg1", "neg1c"):
        assert done[ids[key]]["status"] == "handled"
        assert done[ids[key]]["note"] == "Respondido por DM"
    assert at.dataframe[0].value["Publicaciones"].tolist() == [1, 1]

    # correcting a label takes the post out of the queue and changes the figures
    at.selectbox(key="q_story").set_value(ids["neg2"]).run()
    at.selectbox(key=f"q_fix_sentiment_{ids['neg2']}").set_value("neutral")
    at.selectbox(key=f"q_fix_emotion_{ids['neg2']}").set_value("other")
    at.button(key=f"q_correct_{ids['neg2']}").click().run()
    assert not at.exception
    row = actions(app.filled)[ids["neg2"]]
    assert (row["corrected_sentiment"], row["corrected_emotion"]) == ("neutral", "other")
    assert len(at.dataframe[0].value) == 1  # only the assigned xss story is left
    live = app("live")
    assert metric(live, "Sentimiento neto") == "−33"  # 1 positive, 2 negative now


def test_time_to_first_response_is_shown(app):
    filled = app.filled

    filled.store.update_action(
        filled.ids["neg1"], COLLECTED + timedelta(minutes=45), status="assigned"
    )
    at = app("queue")
    assert metric(at, "Mediana hasta 1.ª respuesta") == "45 min"


# ---- weekly ----------------------------------------------------------------------


def test_weekly_page(app):
    at = app("weekly")
    assert at.title[0].value == "Resumen semanal"
    assert metric(at, "Menciones esta semana") == "6"
    assert metric(at, "Cuota de voz de Acme") == "75 %"
    titles = chart_titles(at)
    assert "Cuota de voz frente a la competencia (% de menciones)" in titles
    assert "Temas negativos que más crecen esta semana" in titles
    most_read = at.dataframe[0].value
    assert most_read["Lectores (est.)"].tolist() == [5000, 500, 20]
    at.segmented_control(key="w_weeks").set_value(8).run()
    assert not at.exception
    assert len(at.dataframe[1].value) == 8


def test_weekly_page_in_calendar_weeks_shows_the_reports_figures(app):
    from monitor.report import data as report_data

    at = app("weekly")
    at.segmented_control(key="w_kind").set_value("calendar").run()
    assert not at.exception
    assert "de lunes a domingo" in markdown_text(at) and "22 nov" in markdown_text(at)
    week = report_data.gather(
        app.filled.store.engine, SETTINGS, datetime(2026, 11, 16, tzinfo=UTC), ("Acme",)
    )
    assert metric(at, "Menciones esta semana") == str(int(week.this_week["posts"]))
    assert metric(at, "Sentimiento neto") == tr("es").number(
        week.this_week["net_sentiment"], 0, sign=True
    )


def test_calendar_weeks_end_on_the_monday_after_the_period():
    from monitor.insights import Filters, calendar_weeks

    friday = Filters(end=datetime(2026, 11, 20, tzinfo=UTC))
    assert calendar_weeks(friday).end == datetime(2026, 11, 23, tzinfo=UTC)
    monday = Filters(end=datetime(2026, 11, 23, tzinfo=UTC))  # a week that has just ended
    assert calendar_weeks(monday).end == monday.end
    late = Filters(end=datetime(2026, 11, 23, 0, 1, tzinfo=UTC))
    assert calendar_weeks(late).end == datetime(2026, 11, 30, tzinfo=UTC)


def test_weekly_page_gives_the_average_stars_of_this_weeks_reviews(app):
    from monitor.store.schema import posts

    with app.filled.store.engine.begin() as conn:
        conn.execute(posts.update().where(posts.c.brand == "Acme").values(rating=2))
    text = markdown_text(app("weekly"))
    assert "valoración media 2,0 ★ (sin reseñas la semana anterior)" in text


def test_weekly_page_without_reviews_says_nothing_about_stars(app):
    assert "Reseñas con estrellas" not in markdown_text(app("weekly"))


def test_weekly_page_says_why_customers_complain(app):
    at = app("weekly")
    assert "Ninguna negativa de estas dos semanas encaja en una categoría." in markdown_text(at)
    _categorized(app)
    at = app("weekly")
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    chart = next(
        c for c in charts if c["title"]["text"] == "Por qué se quejan: negativas por categoría"
    )
    # one bar per category with this week's negatives (a tick marks the week before's)
    assert chart["layer"][0]["encoding"]["y"]["sort"] == ["Facturación y cobros (2)"]
    trend = next(
        c for c in charts if c["title"]["text"].startswith("Quejas por categoría, semana a semana")
    )
    # Acme's complaints only: Rival's coverage complaint is not on the own brand's page
    assert trend["encoding"]["color"]["sort"] == ["Facturación y cobros"]


def test_the_queue_shows_what_each_story_is_about(app):
    _categorized(app)
    at = app("queue")
    assert "Facturación y cobros" in at.dataframe[0].value["Categorías"].tolist()


def test_the_queue_suggests_the_owner_of_a_storys_category(app):
    import os

    config = Path(os.environ["MONITOR_CONFIG"])
    config.write_text(CONFIG + '\n[categories.billing]\nowner = "Finanzas"\n', encoding="utf-8")
    _categorized(app)
    at = app("queue")
    neg1 = app.filled.ids["neg1"]
    at.selectbox(key="q_story").set_value(neg1).run()
    assert at.text_input(key=f"q_assignee_{neg1}").value == "Finanzas"
    assert "Sugerido por la categoría «Facturación y cobros»" in markdown_text(at)
    xss = app.filled.ids["xss"]  # in no category: nobody is suggested
    at.selectbox(key="q_story").set_value(xss).run()
    assert at.text_input(key=f"q_assignee_{xss}").value == ""


def test_weekly_page_in_english(app):
    at = app("weekly", lang="en")
    assert at.title[0].value == "Weekly summary"
    assert "Share of voice against competitors (% of mentions)" in chart_titles(at)


# ---- no data ------------------------------------------------------------------------


@pytest.mark.parametrize("migrated", [True, False])
def test_empty_store_says_how_to_collect(tmp_path, monkeypatch, migrated):
    db = tmp_path / "empty.db"
    if migrated:
        Store.open(f"sqlite:///{db}").close()
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{db}")
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")  # no brands, no sources
    monkeypatch.setenv("MONITOR_CONFIG", str(tmp_path / "empty.toml"))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert "monitor collect" in at.info[0].value
    assert db.exists() == migrated  # the dashboard never creates a database


# ---- alerts ----------------------------------------------------------------------


def _raise_alert(filled, severity="critical", post_key="neg1"):
    from monitor.alerts.repository import AlertRepository
    from monitor.alerts.rules import AlertCandidate

    repo = AlertRepository(filled.store.engine)
    post = filled.ids[post_key]
    alert = repo.upsert(
        AlertCandidate(
            f"Acme:high_impact:{post}",
            "high_impact",
            severity,
            "Acme",
            "High-impact negative post about Acme",
            {
                "audience": 5000,
                "reach": None,
                "engagement": 500,
                "anger": 0.8,
                "confidence": 0.9,
                "triggers": ["engagement"],
                "examples": [{"source": "tw", "text": "cobro doble", "audience": 5000}],
            },
            (post,),
        ),
        D1 + timedelta(minutes=20),
    )
    return repo, alert


def test_alerts_page_explains_the_alert_and_records_who_acknowledged_it(app):
    repo, alert = _raise_alert(app.filled)
    at = app("alerts")
    assert metric(at, "Abiertas") == "1" and metric(at, "Críticas activas") == "1"
    why = "\n".join(t.value for t in at.text)
    assert "audiencia 5.000" in why and "ira 80%" in why
    shown = at.dataframe[1].value  # the posts behind the alert
    assert shown.iloc[0][at.dataframe[1].value.columns[5]].startswith("Acme me hizo un cobro doble")
    at.button(key=f"a_ack_{alert.id}").click().run()
    assert "Escribe tu nombre" in at.warning[0].value  # no name, nothing recorded
    assert repo.get(alert.id).status == "open"
    at.text_input(key="a_user").input("marta").run()
    at.button(key=f"a_ack_{alert.id}").click().run()
    stored = repo.get(alert.id)
    assert (stored.status, stored.acknowledged_by) == ("acknowledged", "marta")
    assert "Alerta #1 reconocida." in markdown_text(at)
    at.button(key=f"a_resolve_{alert.id}").click().run()
    assert repo.get(alert.id).status == "resolved"
    assert "No hay alertas" in markdown_text(at)  # the active list is empty now
    assert "1 ya están cerradas" in markdown_text(at)  # and says where the closed one is


def test_alerts_page_in_english_and_empty(app):
    at = app("alerts", lang="en")
    assert "No alerts" in markdown_text(at)
    _raise_alert(app.filled, severity="warning")
    at = app("alerts", lang="en")
    titles = at.dataframe[0].value["Alert"].tolist()
    assert titles == ["High-impact negative post: Acme"]
    assert at.dataframe[0].value["Severity"].tolist() == ["Warning"]
    assert at.dataframe[0].value["Delivery"].tolist() == ["no channels"]  # none configured


def test_alerts_closed_by_the_rules_are_found_and_said_so(app):
    from monitor.alerts.repository import AUTO

    repo, alert = _raise_alert(app.filled)
    repo.resolve(alert.id, AUTO, D1 + timedelta(hours=3))
    at = app("alerts")
    assert "1 ya están cerradas" in markdown_text(at)
    at.segmented_control(key="a_show").set_value("all").run()
    assert at.dataframe[0].value["Estado"].tolist() == ["Cerrada"]
    assert "Cerrada automáticamente el 19 nov 15:00 UTC" in markdown_text(at)


def test_a_link_from_an_alert_message_opens_the_page_on_that_alert(app):
    from monitor.alerts.repository import AUTO

    repo, closed = _raise_alert(app.filled)
    repo.resolve(closed.id, AUTO, D1 + timedelta(hours=3))
    _, other = _raise_alert(app.filled, post_key="neg2")

    def opened(query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=30)
        at.query_params["alert"] = query  # …/alerts?lang=es&alert=12, as messages link
        at.switch_page("views/alerts.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    at = opened(str(closed.id))
    assert at.segmented_control(key="a_show").value == "all"  # closed: listed under all
    assert at.selectbox(key="a_pick").value == closed.id
    at.selectbox(key="a_pick").set_value(other.id).run()
    assert at.selectbox(key="a_pick").value == other.id  # the person's choice stands
    for wrong in ("999", "doce"):  # deleted since, or mistyped: the page as usual
        assert opened(wrong).selectbox(key="a_pick").value == other.id


def test_an_alert_whose_posts_were_deleted_says_so_rather_than_an_empty_table(app):
    from monitor.store.schema import posts

    repo, alert = _raise_alert(app.filled)  # behind it: neg1
    with app.filled.store.engine.begin() as conn:  # removed by hand (a deletion request)
        conn.execute(posts.delete().where(posts.c.id == app.filled.ids["neg1"]))
    at = app("alerts")
    assert len(at.dataframe) == 1  # the alerts; no empty table of posts under it
    assert "Publicaciones de esta alerta que ya no están en la base de datos: 1 de 1" in (
        markdown_text(at)
    )
    english = markdown_text(app("alerts", lang="en"))
    assert "Posts of this alert no longer in the database: 1 of 1" in english
