"""The weekly executive report: figures on real SQLite and PostgreSQL stores, real HTML and
PDF files (WeasyPrint), and real email to an SMTP server on loopback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from reportdata import NOW, SETTINGS, W46, W47, fill
from sqlalchemy import update

from monitor.alerts.config import AlertSettings, DeliverySettings
from monitor.alerts.repository import AlertRepository
from monitor.alerts.rules import AlertCandidate
from monitor.errors import ConfigError, NotifyError
from monitor.i18n import tr
from monitor.insights.text import phrases
from monitor.report import data as report_data
from monitor.report import render
from monitor.report.config import ReportSettings
from monitor.report.deliver import Email, send_report
from monitor.report.service import make_report
from monitor.store.schema import posts
from tests.conftest import loopback_mail


@pytest.fixture
def filled(store):
    return store, fill(store)


def high_impact(post_id: int, severity: str = "warning") -> AlertCandidate:
    return AlertCandidate(
        f"Acme:high_impact:{post_id}",
        "high_impact",
        severity,
        "Acme",
        "High-impact negative post about Acme",
        {
            "audience": 9000,
            "reach": None,
            "engagement": 900,
            "anger": 0.9,
            "confidence": 0.9,
            "triggers": ["engagement", "anger"],
            "examples": [{"source": "forum", "text": "doble cargo", "audience": 9000}],
        },
        (post_id,),
    )


def html_of(d, lang: str) -> str:
    """The report's HTML without its charts."""
    no_charts = {"weekly": None, "daily": None, "emotions": None, "sov": None}
    return render.to_html(render.context(d, tr(lang), no_charts, "m"))


def add_alerts(store, ids) -> None:
    """Three alerts in W47 (one acknowledged after 30 min, one resolved by a person after
    2 h, one still open) and one in W46 that the W47 report must leave out."""
    repo = AlertRepository(store.engine)
    raised = W47 + timedelta(days=2, hours=8, minutes=15)
    first = repo.upsert(high_impact(ids["b1"], "critical"), raised)
    repo.acknowledge(first.id, "ana", raised + timedelta(minutes=30))
    second = repo.upsert(high_impact(ids["b2"]), raised + timedelta(hours=1))
    repo.resolve(second.id, "luis", raised + timedelta(hours=3))
    repo.upsert(high_impact(ids["b3"]), raised + timedelta(hours=2))
    repo.upsert(high_impact(ids["a4"]), W46 + timedelta(days=4, hours=10))


# ---- weeks -------------------------------------------------------------------------


def test_weeks_are_calendar_weeks_in_utc():
    assert report_data.parse_week(None, NOW) == W47
    assert report_data.parse_week("last", W47 + timedelta(days=3)) == W46
    assert report_data.parse_week("2026-W47", NOW) == W47
    assert report_data.parse_week("2026w47", NOW) == W47
    assert report_data.parse_week("2026-11-22", NOW) == W47  # a Sunday
    assert report_data.parse_week("2026-11-23", NOW) == W47 + timedelta(days=7)
    with pytest.raises(ConfigError, match="cannot read the week") as e:
        report_data.parse_week("2026-W60", NOW)
    assert "2026-W47" in e.value.hint
    with pytest.raises(ConfigError):
        report_data.parse_week("next tuesday", NOW)


def test_a_theme_finds_its_example_post_by_its_folded_key():
    negative = pd.DataFrame(
        {
            "title": [None, "Devolución"],
            "text": ["la devolucion no llega", "La Fibra Ultra™: la devolución no llega nunca"],
            "audience": [10.0, 500.0],
            "where": ["tw", "fb"],
            "url": ["https://t.example/1", ""],
            "posted_at": [NOW, NOW],
        }
    )
    example = report_data._example("devolucion no llega", negative, ["Acme"])
    assert example is not None and example["text"].endswith("no llega nunca")  # most read
    assert example["url"] is None  # it has no link
    # a key that folding the shown spelling again would not give back ("™" folds to "TM")
    (key,) = [p for p in phrases(negative.at[1, "text"]) if p.startswith("ultra")]
    assert report_data._example(key, negative, ["Acme"]) is not None


def test_report_brands_default_to_brands_with_competitors():
    assert report_data.report_brands(SETTINGS) == ("Acme",)
    assert report_data.report_brands(SETTINGS, ("Rival",)) == ("Rival",)
    with pytest.raises(ConfigError, match="no brand named"):
        report_data.report_brands(SETTINGS, ("Nope",))
    chosen = replace(SETTINGS, report=ReportSettings(brands=("Rival",)))
    assert report_data.report_brands(chosen) == ("Rival",)


# ---- figures -----------------------------------------------------------------------


def test_figures_of_the_week(filled):
    store, ids = filled
    add_alerts(store, ids)
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    week, before = d.this_week, d.previous_week
    assert (week["posts"], week["negative"], week["positive"], week["neutral"]) == (6, 4, 1, 1)
    assert week["net_sentiment"] == pytest.approx(-60)
    assert before["net_sentiment"] == pytest.approx(100 / 3)
    assert week["posts_change"] == pytest.approx(50)
    assert len(d.trend) == 2  # empty weeks before the first post are left out
    daily = d.daily.groupby(d.daily["day"].astype(str).str[:10])["posts"].sum()
    assert daily["2026-11-18"] == 3 and daily.sum() == 6
    emotions = d.emotions.set_index("emotion")
    assert emotions.loc["anger", "posts"] == 3
    assert emotions.loc["anger", "share"] == pytest.approx(50)
    assert emotions.loc["anger", "previous_share"] == pytest.approx(25)
    sov = d.share_of_voice.set_index("brand")
    assert sov.loc["Acme", "share"] == pytest.approx(75) and bool(sov.loc["Acme", "focus"])
    assert sov.loc["Acme", "previous_share"] == pytest.approx(50)
    themes = d.themes.set_index("theme")
    assert themes.index.tolist() == ["doble cargo"]  # one complaint, one line
    assert "factura" in themes.loc["doble cargo", "variants"]  # the same posts say it
    # the example of a theme is its most-read complaint
    assert themes.loc["doble cargo", "example"]["text"].startswith("Acme me ha cobrado")
    assert d.negative_posts["text"].iloc[0].startswith("Acme me ha cobrado")
    alerts = d.alerts.set_index("id")
    assert len(alerts) == 3  # the W46 alert is not in W47's report
    assert sorted(alerts["acknowledge_minutes"].dropna()) == [30.0, 120.0]
    assert alerts["resolve_minutes"].notna().sum() == 1
    assert report_data.median_minutes(d.alerts["acknowledge_minutes"]) == 75.0


def test_an_empty_week_reports_no_mentions(filled):
    store, _ = filled
    d = report_data.gather(store.engine, SETTINGS, W47 + timedelta(days=21), ("Acme",), NOW)
    assert d.empty
    ctx = render.context(d, tr("es"), {}, "m")
    assert ctx["kpis"] == [] and ctx["headlines"] == []
    assert "No hubo menciones" in render.to_html(ctx | {"charts": {}})


def test_the_report_says_why_customers_complain(filled):
    from monitor.pipeline import Pipeline

    store, _ = filled
    before = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    html = html_of(before, "es")
    assert "Ninguna mención negativa de la semana encaja en una categoría." in html
    Pipeline(SETTINGS, store).categorize_pending()
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    # the four W47 complaints are about the bill; W46's one was coverage
    complaints = d.complaints.set_index("category")
    assert complaints.loc["billing", ["negative", "previous", "change"]].tolist() == [4, 0, 4]
    assert complaints.loc["billing", "share"] == pytest.approx(100)
    assert complaints.loc["network", ["negative", "previous"]].tolist() == [0, 1]
    headline = "Lo que más motiva las quejas: Facturación y cobros (4 menciones negativas)."
    assert headline in render.headlines(d, tr("es"))
    html = html_of(d, "en")
    assert "Why customers complain" in html and "Billing and charges" in html
    assert "+4 (was 0)" in html
    assert "Network, coverage and outages" in html and "−1 (was 1)" in html  # down to none


def test_the_report_names_customers_who_complained_again(filled):
    store, ids = filled
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    html = html_of(d, "es")
    assert "Nadie que se quejó esta semana se había quejado antes" in html
    with store.engine.begin() as conn:  # a4 (W46, coverage), then b1 and b3 (W47): one person
        conn.execute(
            update(posts)
            .where(posts.c.id.in_([ids["a4"], ids["b1"], ids["b3"]]))
            .values(author="pepe")
        )
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    assert d.repeat[["author", "occasions", "complaints"]].values.tolist() == [
        ["pepe", 2, 3]
    ]  # b1 and b3: one day
    html = html_of(d, "en")
    assert "Who complains again: 1 of those who complained this week" in html
    assert "(days with complaints: pepe (2))" in html


# ---- words, HTML and PDF ------------------------------------------------------------


def test_headlines_and_kpis_in_both_languages(filled):
    store, ids = filled
    add_alerts(store, ids)
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    es = render.headlines(d, tr("es"))
    assert es[0] == "El sentimiento neto bajó 93 puntos, hasta −60."
    assert es[1] == "Las menciones crecieron un 50 % (6 en total)."
    assert "«doble" in es[2] or "«factura" in es[2] or "«cargo" in es[2]
    assert es[3] == "La emoción que más creció: ira (+25 pts)."
    en = render.headlines(d, tr("en"))
    assert en[0] == "Net sentiment fell 93 points, to −60."
    kpis = {k["label"]: k for k in render.kpis(d, tr("en"))}
    assert kpis["Mentions"]["value"] == "6" and "+50%" in kpis["Mentions"]["delta"]
    assert kpis["Net sentiment"]["tone"] == "bad"
    assert kpis["Negative mentions"]["value"] == "67%"
    assert kpis["Acme share of voice"]["value"] == "75%"
    assert kpis["Alerts"]["value"] == "3"
    assert kpis["Alerts"]["delta"] == "2 still open; first response in 75 min (median)"
    unanswered = d.alerts.assign(acknowledge_minutes=float("nan"))
    es_kpis = render.kpis(replace(d, alerts=unanswered), tr("es"))
    assert es_kpis[-1]["delta"] == "2 sin cerrar; ninguna atendida por el equipo"


def test_the_average_rating_is_a_kpi_when_the_week_had_reviews(filled):
    store, ids = filled
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    assert "Average rating" not in str(render.kpis(d, tr("en")))  # no stars, no KPI
    stars = {"a1": 4, "a2": 5, "b1": 1, "b6": 5, "r5": 2}  # r5 is Rival's: not in Acme's mean
    with store.engine.begin() as conn:
        for key, rating in stars.items():
            conn.execute(update(posts).where(posts.c.id == ids[key]).values(rating=rating))
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    kpis = {k["label"]: k for k in render.kpis(d, tr("en"))}
    rating = kpis["Average rating (2 reviews)"]
    assert rating["value"] == "3.0 ★"  # (1 + 5) / 2; the week before (4 + 5) / 2 = 4.5
    assert rating["delta"] == "−1.5 ★ vs the week before" and rating["tone"] == "bad"
    es = {k["label"]: k for k in render.kpis(d, tr("es"))}
    assert es["Valoración media (2 reseñas)"]["value"] == "3,0 ★"


def test_make_report_writes_html_and_a_pdf(filled, tmp_path):
    store, ids = filled
    add_alerts(store, ids)
    result = make_report(store, SETTINGS, week="2026-W47", out_dir=tmp_path, send=False, now=NOW)
    assert result.week == "2026-W47" and result.posts == 6 and result.emailed_to == ()
    assert result.html_path.name == "escucha-2026-W47-Acme-es.html"
    html = result.html_path.read_text(encoding="utf-8")
    assert "Informe semanal de percepción" in html and "semana del 16 nov al 22 nov 2026" in html
    assert html.count("data:image/png;base64,") == 4  # weekly, daily, emotions, share of voice
    assert "Publicación negativa de alto impacto: Acme" in html  # alerts in the report language
    assert "Atendida en" in html and "30 min" in html and "2 h" not in html
    assert "<script" not in html
    pdf = PdfReader(result.pdf_path)
    assert 2 <= len(pdf.pages) <= 4
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Informe semanal de percepción" in text and "Temas de las quejas" in text
    assert "doble cargo" in text and "Alertas de la semana" in text
    english = make_report(
        store, SETTINGS, week="2026-11-18", language="en", out_dir=tmp_path, send=False, now=NOW
    )
    text = english.html_path.read_text(encoding="utf-8")
    assert "Weekly perception report" in text and "week of Nov 16 to Nov 22 2026" in text


def test_post_text_is_escaped_in_the_html(store, tmp_path):
    fill(store)
    from monitor.normalize import content_hash
    from monitor.types import Post, SourceRun

    evil = "Acme <script>alert(1)</script> factura doble cargo"
    store.save_collection(
        SourceRun("forum", NOW, NOW),
        "rss",
        [
            Post(
                "forum",
                "x",
                "Acme",
                evil,
                content_hash(evil),
                "es",
                published=W47 + timedelta(hours=5),
                engagement=5000,
            )
        ],  # noqa: E501
        None,
    )
    result = make_report(store, SETTINGS, out_dir=tmp_path, send=False, now=NOW)
    html = result.html_path.read_text(encoding="utf-8")
    assert "<script>alert" not in html


def test_a_most_read_post_without_an_author_is_quoted_without_one(filled):
    store, ids = filled
    with store.engine.begin() as conn:  # feeds and imports often name nobody
        conn.execute(update(posts).where(posts.c.id == ids["b1"]).values(author=None))
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    quoted = render.context(d, tr("es"), {}, "m")["most_read"]
    assert quoted[0]["text"].startswith("Acme me ha cobrado")  # b1, the most read
    assert quoted[0]["meta"] == "forum · 18 nov 08:00 UTC"  # where and when, nobody named
    assert quoted[1]["meta"] == "forum · user_b2 · 18 nov 09:00 UTC"
    assert "Acme me ha cobrado" in html_of(d, "es")


def test_a_post_without_a_url_is_quoted_without_a_link(filled):
    store, ids = filled
    with store.engine.begin() as conn:
        conn.execute(update(posts).where(posts.c.id == ids["b1"]).values(url=None))
    d = report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW)
    ctx = render.context(d, tr("es"), {}, "m")
    assert (ctx["most_read"][0]["url"], ctx["most_read"][0]["host"]) == (None, "")
    assert ctx["most_read"][1]["url"] == "https://example.com/b2"  # the others keep theirs
    assert ctx["themes"][0]["example"]["url"] is None  # b1 is the theme's example too
    html = html_of(d, "es")
    assert 'href="https://example.com/b2"' in html and "example.com/b1" not in html


def test_links_in_the_report_are_http_only(filled):
    store, ids = filled
    evil = "javascript://example.com/%0Aalert(document.cookie)"  # collected as the post's URL
    with store.engine.begin() as conn:
        conn.execute(update(posts).where(posts.c.id == ids["b1"]).values(url=evil))
    html = html_of(report_data.gather(store.engine, SETTINGS, W47, ("Acme",), NOW), "es")
    assert "javascript:" not in html
    assert 'href="https://example.com/b2"' in html  # http(s) links stay


# ---- email -------------------------------------------------------------------------


def mail_settings(port: int, **report) -> object:
    channel = loopback_mail(port, "ops@example.com")
    alerts = AlertSettings(
        channels=(channel,), delivery=DeliverySettings(max_attempts=2, backoff_seconds=1)
    )
    cfg = ReportSettings(channel="board-mail", to=("ceo@example.com",), **report)
    return replace(SETTINGS, alerts=alerts, report=cfg)


def test_report_is_emailed_with_the_pdf_and_html_attached(filled, smtp_server, tmp_path):
    port, inbox = smtp_server
    store, _ = filled
    settings = mail_settings(port, language="en")
    result = make_report(store, settings, out_dir=tmp_path, now=NOW, env={})
    assert result.emailed_to == ("ceo@example.com",)
    assert [e.rcpt_tos for e in inbox.envelopes] == [["ceo@example.com"]]  # report.to wins
    msg = inbox.messages[0]
    assert msg["Subject"].startswith("[Escucha] Weekly perception report")
    assert "2026-W47" in msg["Subject"]
    body = msg.get_body(("html",)).get_content()
    assert "Net sentiment fell 93 points" in body and "2026-W47" in body
    files = {p.get_filename(): p.get_payload(decode=True) for p in msg.iter_attachments()}
    assert set(files) == {"escucha-2026-W47-Acme-en.pdf", "escucha-2026-W47-Acme-en.html"}
    assert files["escucha-2026-W47-Acme-en.pdf"].startswith(b"%PDF-")
    assert b"Weekly perception report" in files["escucha-2026-W47-Acme-en.html"]
    assert "dashboard" not in body  # no address configured, no link


def test_report_email_links_to_the_dashboard_weekly_page(filled, smtp_server, tmp_path):
    port, inbox = smtp_server
    store, _ = filled
    settings = replace(mail_settings(port), dashboard_url="https://escucha.example")
    make_report(store, settings, out_dir=tmp_path, now=NOW, env={})
    body = inbox.messages[0].get_body(("html",)).get_content()
    assert "<a href='https://escucha.example/weekly?lang=es'>" in body
    assert "Ver las tendencias semanales en el panel" in body


def test_a_dead_smtp_server_raises_after_retries_and_keeps_the_files(filled, tmp_path):
    from tests.conftest import free_port

    store, _ = filled
    slept, out = [], tmp_path / "reports"
    with pytest.raises(NotifyError, match="not delivered after 2 attempts") as e:
        make_report(
            store, mail_settings(free_port()), out_dir=out, now=NOW, env={}, sleep=slept.append
        )
    assert slept == [1]
    assert "files are kept" in e.value.hint
    once = mail_settings(free_port())
    once = replace(once, alerts=replace(once.alerts, delivery=DeliverySettings(max_attempts=1)))
    with pytest.raises(NotifyError, match="not delivered after 1 attempt: "):
        make_report(store, once, out_dir=out, now=NOW, env={}, sleep=slept.append)
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".pdf"]
    assert all(str(p) in e.value.hint for p in out.iterdir())  # it says where


def test_a_refused_recipient_is_not_delivered_and_the_others_get_the_report_once(
    smtp_server, tmp_path
):
    port, inbox = smtp_server
    inbox.refused.add("bad@example.com")
    channel = loopback_mail(port, "ceo@example.com", "bad@example.com")
    report = tmp_path / "report.html"
    report.write_text("<p>report</p>")
    alerts = AlertSettings(delivery=DeliverySettings(max_attempts=3, backoff_seconds=0))
    with pytest.raises(NotifyError, match="not delivered after 3 attempts") as e:
        send_report(Email("weekly", "<p>hi</p>", (report,)), channel, alerts, sleep=lambda s: 0)
    assert [env.rcpt_tos for env in inbox.envelopes] == [["ceo@example.com"]]
    assert "bad@example.com" in e.value.message
    assert "it reached ceo@example.com" in e.value.message


def test_a_week_that_has_not_started_is_refused(filled, tmp_path):
    store, _ = filled
    out = tmp_path / "reports"
    with pytest.raises(ConfigError, match="has not started yet"):
        make_report(store, SETTINGS, week="2030-W01", out_dir=out, send=False, now=NOW)
    assert not out.exists()  # nothing written, nothing sent


def test_a_report_folder_that_cannot_be_written_is_a_config_error_naming_it(sqlite_store, tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("x", encoding="utf-8")
    settings = replace(SETTINGS, report=ReportSettings(pdf=False))
    with pytest.raises(ConfigError, match=f"cannot write the report to {in_the_way}/sub") as e:
        make_report(sqlite_store, settings, out_dir=in_the_way / "sub", send=False, now=NOW)
    assert "report.out_dir" in e.value.hint and "--out" in e.value.hint


# ---- configuration -------------------------------------------------------------------


def test_report_settings_from_toml(tmp_path):
    from monitor.settings import parse_config

    data = {
        "brands": [{"name": "Acme"}],
        "alerts": {
            "channels": [
                {
                    "name": "mail",
                    "kind": "email",
                    "host": "smtp.example.com",
                    "from": "escucha@x.com",
                    "to": ["a@x.com"],
                },
                {"name": "hook", "kind": "webhook", "url_env": "HOOK"},
            ]
        },
        "report": {
            "language": "en",
            "weekday": "Friday",
            "hour": 16,
            "out_dir": "out",
            "channel": "mail",
            "to": ["ceo@x.com"],
            "brands": ["Acme"],
        },
    }
    s = parse_config(data, tmp_path, SETTINGS).report
    assert (s.language, s.weekday, s.hour, s.channel, s.to) == (
        "en",
        "fri",
        16,
        "mail",
        ("ceo@x.com",),
    )
    assert s.out_dir == (tmp_path / "out").resolve()
    bad = [
        ({"hour": 24}, "between 0 and 23"),
        ({"hour": 7.5}, "report.hour must be a whole number"),  # not silently 7
        ({"weekday": "someday"}, "report.weekday"),
        ({"language": "fr"}, "report.language"),
        ({"channel": "hook"}, "not an email channel"),
        ({"brands": ["Nope"]}, "unknown brands"),
        ({"colour": "red"}, "unknown keys"),
        ({"to": "ceo@x.com"}, "list of strings"),
    ]
    for change, message in bad:
        with pytest.raises(ConfigError, match=message):
            parse_config({**data, "report": {**data["report"], **change}}, tmp_path, SETTINGS)


def test_the_scheduler_runs_the_report_weekly():
    from monitor.scheduler import build_scheduler

    class FakePipeline:  # the jobs are only registered, never run
        store = None

    settings = replace(SETTINGS, report=ReportSettings(weekday="mon", hour=7))
    scheduler = build_scheduler(settings, FakePipeline(), blocking=False, start_now=False)
    job = scheduler.get_job("report")
    assert job is not None
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 19, tzinfo=UTC))
    assert fire == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    off = replace(SETTINGS, report=ReportSettings(enabled=False))
    assert (
        build_scheduler(off, FakePipeline(), blocking=False, start_now=False).get_job("report")
        is None
    )


def test_the_first_week_with_data_has_nothing_to_compare_with(filled):
    store, _ = filled
    d = report_data.gather(store.engine, SETTINGS, W46, ("Acme",), NOW)
    kpis = render.kpis(d, tr("es"))
    assert kpis[0]["value"] == "4"
    assert kpis[0]["delta"] == "sin semana anterior"
    assert render.headlines(d, tr("es"))[0] == "El sentimiento neto se mantuvo en +33."


def test_cli_report(filled, tmp_path, capsys):
    from monitor.cli import main

    store, _ = filled
    url = store.engine.url.render_as_string(hide_password=False)
    code = main(["--db", url, "report", "--week", "2026-W47", "--out", str(tmp_path), "--no-send"])
    out = capsys.readouterr().out
    assert code == 0
    assert "weekly report 2026-W47" in out and ".pdf" in out
    assert any(Path(p).suffix == ".pdf" for p in tmp_path.iterdir())


def test_cli_report_into_a_folder_it_cannot_write_is_one_line_not_a_traceback(
    tmp_path, capsys, monkeypatch
):
    from monitor.cli import main

    monkeypatch.chdir(tmp_path)  # no ./monitor.toml

    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("x", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'm.db'}"
    code = main(["--db", db, "report", "--no-send", "--out", str(in_the_way / "sub")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: cannot write the report to") and "\nhint: " in err


def test_cli_report_by_hand_makes_a_week_the_scheduled_run_would_skip(
    sqlite_store, tmp_path, capsys, monkeypatch
):
    """`monitor run` skips a week before the store's first post (here: an empty store);
    asked for by hand, the report of any past week is made."""
    from monitor.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "monitor.toml").write_text("[report]\npdf = false\n", encoding="utf-8")
    url = sqlite_store.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "out"
    code = main(["--db", url, "report", "--week", "2026-W47", "--out", str(out), "--no-send"])
    assert code == 0
    assert "weekly report 2026-W47: 0 mentions" in capsys.readouterr().out
    assert [p.name for p in out.iterdir()] == ["escucha-2026-W47-all-es.html"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_signed_figure_that_rounds_to_zero_has_no_sign(lang):
    t = tr(lang)
    assert [t.number(v, sign=True) for v in (0, 0.3, -0.4, 2, -2)] == ["0", "0", "0", "+2", "−2"]
    assert t.pct(-0.04, 1, sign=True) in ("0,0 %", "0.0%")
