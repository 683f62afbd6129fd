"""Delivery through apprise to real receivers on loopback: SMTP (aiosmtpd) and HTTP."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from alertdata import NOW, negative_post, window_stats

from monitor.alerts.config import AlertSettings, ChannelConfig, DeliverySettings
from monitor.alerts.notify import Notifier, channel_url, render
from monitor.alerts.repository import AlertRepository
from monitor.alerts.rules import AlertRules, evaluate
from monitor.errors import NotifyError


@pytest.fixture
def repo(sqlite_store):
    return AlertRepository(sqlite_store.engine)


@pytest.fixture
def spike(repo):
    """A stored spike alert: 15 negative posts in the last hour, 1.0 expected."""
    posts = [
        negative_post(i, 4 * i, reach=100 * i, source="reddit", text=f"Me cobraron dos veces #{i}")
        for i in range(1, 16)
    ]
    (c,) = evaluate(window_stats(3, 15, posts_=posts), AlertRules(), NOW)
    return repo.upsert(c, NOW)


def settings(*channels, language="es", **delivery):
    return AlertSettings(
        language=language, channels=channels, delivery=DeliverySettings(**delivery)
    )


def email_channel(port, **kw):
    base = {
        "name": "mail",
        "kind": "email",
        "host": "127.0.0.1",
        "port": port,
        "tls": "none",
        "sender": "escucha@example.com",
        "to": ("ops@example.com", "pr@example.com"),
    }
    return ChannelConfig(**(base | kw))


def webhook(name="hook", **kw):
    return ChannelConfig(name=name, kind="webhook", url_env="HOOK_URL", **kw)


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


# ---- messages ----------------------------------------------------------------------


def test_message_says_why_with_numbers_in_spanish_and_english(spike):
    es = render(spike, "es")
    assert es.title == "[Escucha] CRÍTICO: Pico de menciones negativas: Movistela"
    assert "15 menciones negativas en 60 min" in es.body
    assert "lo esperado eran 1,0 (15,0 veces más; p = " in es.body  # Spanish decimals
    assert "21,0 ventanas equivalentes con 21 negativas de 105" in es.body
    assert "(2026-11-18 11:00 – 12:00 UTC)" in es.body  # times are not numbers to localise
    assert "Ejemplos:" in es.body and es.body.count("https://example.com/") == 5
    assert '1. [reddit] "Me cobraron dos veces #15" (audiencia 1.500)' in es.body
    assert f"Alerta #{spike.id} · pico negativo · vista 1 vez desde" in es.body
    assert "estado abierta" in es.body and "prueba condicional" in es.body
    assert "negative_spike" not in es.body and "conditional" not in es.body  # no English
    en = render(spike, "en")
    assert en.title == "[Escucha] CRITICAL: Negative spike: Movistela"
    assert "15 negative posts in 60 min" in en.body and "1.0 were expected (15.0x" in en.body
    assert "(audience 1,500)" in en.body
    assert f"Alert #{spike.id} · negative_spike · seen 1 time since" in en.body
    assert en.data["details"]["observed"] == 15 and en.data["post_ids"] == list(spike.post_ids)


def test_message_links_to_the_dashboard_alerts_page_in_the_reader_s_language(spike):
    url = "http://escucha.example:8501"
    es = render(spike, "es", dashboard_url=url)
    assert (
        f"Ábrela en el panel: http://escucha.example:8501/alerts?lang=es&alert={spike.id}"
        in es.body
    )
    en = render(spike, "en", dashboard_url=url)
    assert (
        f"Open it in the dashboard: http://escucha.example:8501/alerts?lang=en&alert={spike.id}"
        in en.body
    )
    assert en.data["dashboard_url"].endswith(f"/alerts?lang=en&alert={spike.id}")
    plain = render(spike, "en")  # no address configured: no line, no link
    assert "dashboard" not in plain.body and plain.data["dashboard_url"] is None


def test_high_impact_message_names_its_triggers_in_the_reader_s_language(repo):
    from monitor.alerts.rules import HighImpactRule, high_impact

    post = negative_post(1, 5, reach=20_000, anger=0.9, source="reddit")
    (c,) = high_impact(window_stats(1, 1, posts_=[post]), HighImpactRule(), NOW)
    alert = repo.upsert(c, NOW)
    es, en = render(alert, "es").body, render(alert, "en").body
    assert "audiencia 20.000 (alcance 20.000, interacciones -), ira 90%" in es
    assert "Motivos: alcance, ira." in es
    assert "audience 20,000 (reach 20,000, engagement -)" in en
    assert "Triggers: reach, anger." in en


def test_a_press_article_gets_no_customer_care_reply(repo):
    from monitor.alerts.rules import HighImpactRule, high_impact

    post = negative_post(1, 5, reach=20_000, author="el_diario", tracked=False)
    (c,) = high_impact(window_stats(1, 1, posts_=[post]), HighImpactRule(), NOW)
    alert = repo.upsert(c, NOW)
    es, en = render(alert, "es").body, render(alert, "en").body
    assert "Hola el_diario" not in es and "Respuesta sugerida" not in es
    assert "no le va una respuesta de atención al cliente; que lo lleve prensa" in es
    assert "hand it to press relations" in en


def test_a_repeat_complaint_says_which_complaint_it_is(repo):
    from monitor.alerts.rules import HighImpactRule, high_impact

    post = negative_post(1, 5, author="pepe", earlier_complaints=2)
    (c,) = high_impact(window_stats(1, 1, posts_=[post]), HighImpactRule(), NOW)
    alert = repo.upsert(c, NOW)
    es, en = render(alert, "es").body, render(alert, "en").body
    assert "Motivos: queja repetida." in es
    assert "Es la 3.ª queja de pepe sobre Movistela en 90 días, cada una en un día" in es
    assert "This is pepe's 3rd complaint about Movistela in 90 days, each on a" in en
    assert "Hola pepe" in es  # the suggested reply still comes with it


def test_messages_say_what_the_posts_are_about(repo):
    from monitor.alerts.rules import HighImpactRule, high_impact
    from monitor.categories import CategorySettings

    about = [("billing",)] * 10 + [("billing", "support")] * 3 + [("vip",)] * 2
    posts = [negative_post(i, 4 * i, categories=c) for i, c in enumerate(about, 1)]
    (c,) = evaluate(window_stats(3, 15, posts_=posts), AlertRules(), NOW)
    spike = repo.upsert(c, NOW)
    own = CategorySettings.from_mapping({"vip": {"name": {"es": "Clientes VIP"}, "terms": ["vip"]}})
    assert "Sobre todo de: Facturación y cobros (13 de 15), Atención al cliente (3 de 15), " \
        "Clientes VIP (2 de 15)." in render(spike, "es", categories=own).body  # fmt: skip
    assert "Mostly about: Billing and charges (13 of 15)" in render(spike, "en").body
    post = negative_post(99, 5, reach=20_000, categories=("delivery",))
    (c,) = high_impact(window_stats(1, 1, posts_=[post]), HighImpactRule(), NOW)
    assert "About: Delivery and shipping." in render(repo.upsert(c, NOW), "en").body
    plain = negative_post(98, 5, reach=20_000)
    (c,) = high_impact(window_stats(1, 1, posts_=[plain]), HighImpactRule(), NOW)
    assert "About:" not in render(repo.upsert(c, NOW), "en").body  # in no category


def test_a_category_spike_names_its_category(repo):
    from monitor.alerts.rules import CategoryCounts, WindowCount

    posts = [negative_post(i, 5 * i, categories=("billing",)) for i in range(1, 7)]
    stats = window_stats(3, 6, posts_=posts)
    with_billing = replace(
        stats,
        categories={
            "billing": CategoryCounts(
                replace(stats.recent, negative=6, total=30),
                tuple(WindowCount(w.window, 0, 5) for w in stats.baseline),
                stats.history_start,
            )
        },
    )
    (c,) = evaluate(with_billing, AlertRules(), NOW)
    alert = repo.upsert(c, NOW)
    es, en = render(alert, "es"), render(alert, "en")
    assert es.title.endswith("Pico de quejas sobre Facturación y cobros: Movistela")
    assert "Movistela · Facturación y cobros: 6 menciones negativas en 60 min" in es.body
    assert "pico en una categoría" in es.body
    assert en.title.endswith("Spike in complaints about Billing and charges: Movistela")


def test_a_high_impact_alert_comes_with_a_reply_to_the_post_in_its_language(repo):
    from monitor.alerts.rules import HighImpactRule, high_impact
    from monitor.replies import ReplySettings

    post = negative_post(
        1, 5, reach=20_000, anger=0.9, emotion="anger", lang="en", author="bob", channel="r/uk"
    )
    (c,) = high_impact(window_stats(1, 1, posts_=[post]), HighImpactRule(), NOW)
    assert "about Movistela on feed · r/uk: audience 20,000" in c.title  # where it was said
    alert = repo.upsert(c, NOW)

    es = render(alert, "es").body  # a Spanish reader, an English post: an English draft
    assert "Respuesta sugerida (revísala antes de enviarla):\nHi bob, you have every" in es
    own = ReplySettings.from_mapping({"en": {"anger": "Sorry {author}, DM us. {brand}"}})
    assert render(alert, "en", own).body.endswith(
        "Suggested reply (check it before you send it):\nSorry bob, DM us. Movistela\n\n"
        + render(alert, "en").body.split("\n\n")[-1]
    )


def test_a_post_whose_source_reports_no_audience_is_not_called_audience_0(repo):
    """A very angry post from a source without reach or engagement (a file import, RSS)."""
    from monitor.alerts.rules import HighImpactRule, high_impact

    post = negative_post(1, 5, anger=0.95, source="demo-export")
    (c,) = high_impact(window_stats(1, 1, posts_=[post]), HighImpactRule(), NOW)
    assert c.title.endswith("on demo-export: audience not reported, anger 95%")
    alert = repo.upsert(c, NOW)
    es, en = render(alert, "es").body, render(alert, "en").body
    assert "en demo-export (la fuente no informa de alcance ni interacciones), ira 95%" in es
    assert "audiencia 0" not in es and "Motivos: ira." in es
    assert "on demo-export (the source reports no reach or engagement), anger 95%" in en
    assert "audience 0" not in en


# ---- URLs and secrets -------------------------------------------------------------------


def test_urls_take_secrets_from_the_environment_only():
    env = {"PW": "p@ss/word", "HOOK_URL": "https://example.com/hooks/x?token=abc"}
    mail = email_channel(587, tls="starttls", user="escucha", password_env="PW")
    url = channel_url(mail, env, timeout=5)
    assert url.startswith("mailtos://escucha:p%40ss%2Fword@127.0.0.1:587/?smtp=127.0.0.1")
    assert "mode=starttls" in url and "to=ops%40example.com%2Cpr%40example.com" in url
    assert "mode=ssl" in channel_url(replace(mail, tls="ssl"), env)
    assert channel_url(replace(mail, tls="none"), env).startswith("mailto://")
    assert channel_url(webhook(), env, timeout=5) == (
        "jsons://example.com/hooks/x?-token=abc&cto=5&rto=5"
    )
    slack = ChannelConfig("slack", "slack", url_env="SLACK")
    hook = "https://hooks.slack.com/services/T000/B000/XXXX"
    assert channel_url(slack, {"SLACK": hook}).startswith(hook + "?cto=")
    with pytest.raises(NotifyError, match="environment variable SLACK is not set") as e:
        channel_url(slack, {})
    assert "export SLACK=" in e.value.hint
    with pytest.raises(NotifyError, match="PW is not set"):
        channel_url(mail, {})
    assert "p@ss" not in repr(mail)


def test_an_smtp_password_without_a_user_is_an_error_not_an_anonymous_login():
    mail = email_channel(587, tls="starttls", password_env="PW")
    with pytest.raises(NotifyError, match="password_env is set but user is not"):
        channel_url(mail, {"PW": "s3cret"})


# ---- email -------------------------------------------------------------------------------


def test_email_arrives_with_the_numbers(smtp_server, spike, repo):
    port, inbox = smtp_server
    results = Notifier(settings(email_channel(port)), env={}).deliver(repo, [spike], NOW)
    assert [(r.channel, r.ok, r.attempts) for r in results] == [("mail", True, 1)]
    assert len(inbox.messages) == 2  # apprise sends one message per recipient
    assert {to for e in inbox.envelopes for to in e.rcpt_tos} == {
        "ops@example.com",
        "pr@example.com",
    }
    msg = inbox.messages[0]
    assert msg["Subject"] == "[Escucha] CRÍTICO: Pico de menciones negativas: Movistela"
    assert "escucha@example.com" in msg["From"]
    body = msg.get_body(("plain",)).get_content()
    assert "15 menciones negativas en 60 min" in body and "https://example.com/15" in body
    stored = repo.get(spike.id)
    assert stored.delivered_at == NOW and not stored.delivery_due
    assert stored.delivery_attempts == 0 and stored.last_delivery_error is None


def test_email_over_starttls_with_a_password_from_the_environment(smtp_tls_server, spike, repo):
    port, inbox = smtp_tls_server
    channel = email_channel(
        port, tls="starttls", verify_tls=False, user="escucha", password_env="ESCUCHA_SMTP_PW"
    )
    env = {"ESCUCHA_SMTP_PW": "s3cret"}
    (ok,) = Notifier(settings(channel, language="en"), env=env).deliver(repo, [spike], NOW)
    assert ok.ok, ok.error
    assert inbox.messages[0]["Subject"] == "[Escucha] CRITICAL: Negative spike: Movistela"
    # A refused password fails (aiosmtpd stalls after a failed AUTH: keep the timeout short).
    sleeps = Sleeps()
    quick = settings(channel, timeout_seconds=1, max_attempts=2)
    r = Notifier(quick, env={"ESCUCHA_SMTP_PW": "wrong"}, sleep=sleeps).send(channel, spike)
    assert (r.ok, r.attempts, sleeps) == (False, 2, [2.0]) and len(inbox.messages) == 2


def test_a_refused_recipient_does_not_make_the_others_get_the_alert_again(smtp_server, spike, repo):
    port, inbox = smtp_server
    inbox.refused.add("pr@example.com")
    n = Notifier(settings(email_channel(port), backoff_seconds=0), env={})
    (r,) = n.deliver(repo, [spike], NOW)
    assert [e.rcpt_tos for e in inbox.envelopes] == [["ops@example.com"]]
    assert (r.ok, r.attempts, dict(r.delivered_to)) == (False, 3, {"ops@example.com": 1})
    assert "pr@example.com" in r.error


def test_the_next_check_sends_only_to_the_recipients_still_owed(smtp_server, spike, repo):
    port, inbox = smtp_server
    inbox.refused.add("pr@example.com")
    n = Notifier(settings(email_channel(port), backoff_seconds=0), env={})
    n.deliver(repo, [spike], NOW)
    inbox.refused.clear()  # the mailbox exists again
    later = NOW + timedelta(minutes=15)
    (r,) = n.deliver(repo, repo.due_for_delivery(12), later)
    assert [e.rcpt_tos for e in inbox.envelopes] == [["ops@example.com"], ["pr@example.com"]]
    assert r.ok and dict(r.delivered_to) == {"pr@example.com": 1}
    assert repo.get(spike.id).delivered_at == later


# ---- webhooks ----------------------------------------------------------------------------


def test_json_webhook_receives_the_alert(httpserver, spike, repo):
    httpserver.expect_request("/hooks/escucha", method="POST").respond_with_data("ok")
    env = {"HOOK_URL": httpserver.url_for("/hooks/escucha") + "?team=pr"}
    channels = (webhook(), webhook("hook-json", payload="json"))
    results = Notifier(settings(*channels), env=env).deliver(repo, [spike], NOW)
    assert all(r.ok for r in results) and len(results) == 2
    (text_req, _), (json_req, _) = httpserver.log
    assert text_req.args["team"] == "pr"
    text = text_req.get_json()
    assert text["title"] == "[Escucha] CRÍTICO: Pico de menciones negativas: Movistela"
    assert "15 menciones negativas" in text["message"] and text["type"] == "failure"
    payload = json.loads(json_req.get_json()["message"])
    assert payload["alert"]["details"]["observed"] == 15
    assert payload["alert"]["details"]["expected"] == 1.0
    assert payload["alert"]["post_ids"] == list(spike.post_ids)
    assert "15 menciones negativas" in payload["text"]
    assert repo.get(spike.id).delivered_at == NOW


def test_slack_incoming_webhook(httpserver, spike, repo, monkeypatch):
    from apprise.plugins.slack import NotifySlack

    # The plugin posts to hooks.slack.com; point that base at the local receiver.
    monkeypatch.setattr(NotifySlack, "webhook_url", httpserver.url_for("/services"))
    httpserver.expect_request("/services/T000/B000/XXXXXXXX", method="POST").respond_with_data("ok")
    slack = ChannelConfig("slack", "slack", url_env="SLACK")
    env = {"SLACK": "https://hooks.slack.com/services/T000/B000/XXXXXXXX"}
    (r,) = Notifier(settings(slack), env=env).deliver(repo, [spike], NOW)
    assert r.ok, r.error
    sent = json.dumps(httpserver.log[0][0].get_json(), ensure_ascii=False)
    assert "Pico de menciones negativas" in sent and "15 menciones negativas" in sent


def test_failing_endpoint_is_retried_then_recorded_and_retried_next_check(httpserver, spike, repo):
    httpserver.expect_request("/down", method="POST").respond_with_data("boom", status=503)
    sleeps = Sleeps()
    env = {"HOOK_URL": httpserver.url_for("/down")}
    notifier = Notifier(settings(webhook(), backoff_seconds=1.5), env=env, sleep=sleeps)
    (r,) = notifier.deliver(repo, [spike], NOW)
    assert (r.ok, r.attempts) == (False, 3) and "503" in r.error
    assert len(httpserver.log) == 3 and sleeps == [1.5, 3.0]
    stored = repo.get(spike.id)
    assert stored.delivered_at is None and stored.delivery_due and stored.delivery_attempts == 3
    assert stored.last_delivery_error.startswith("hook: ") and "503" in stored.last_delivery_error
    assert [x.id for x in repo.due_for_delivery(12)] == [spike.id]
    # The endpoint recovers: the next check delivers.
    httpserver.clear()
    httpserver.expect_request("/down", method="POST").respond_with_data("ok")
    later = NOW + timedelta(minutes=15)
    (r,) = notifier.deliver(repo, repo.due_for_delivery(12), later)
    assert r.ok and repo.get(spike.id).delivered_at == later


def test_delivery_problems_never_raise(spike, repo):
    def explode(url, message):
        raise RuntimeError("apprise bug")

    sleeps = Sleeps()
    missing = Notifier(settings(webhook()), env={}, sleep=sleeps)
    (r,) = missing.deliver(repo, [spike], NOW)
    assert not r.ok and r.attempts == 1 and "HOOK_URL is not set" in r.error and sleeps == []
    error = repo.get(spike.id).last_delivery_error
    assert error == "hook: environment variable HOOK_URL is not set"
    crashing = Notifier(settings(webhook()), env={"HOOK_URL": "https://x.test/"}, send=explode)
    crashing.sleep = sleeps
    (r,) = crashing.deliver(repo, [spike], NOW)
    assert not r.ok and r.error == "RuntimeError: apprise bug"
    assert repo.get(spike.id).last_delivery_error == "hook: RuntimeError: apprise bug"


def test_a_delivery_error_names_its_channel_once(spike, repo, caplog):
    (r,) = Notifier(settings(webhook()), env={}).deliver(repo, [spike], NOW)
    assert f"alert {spike.id} not delivered to hook: environment variable" in caplog.text
    assert "hook: hook:" not in caplog.text
    assert r.error == "environment variable HOOK_URL is not set"
    assert repo.deliveries(spike.id)[0]["error"] == r.error  # the row names the channel


def test_channels_below_their_min_severity_are_skipped(repo, spike):
    calls = []
    quiet = replace(webhook(), min_severity="critical")
    send = lambda url, m: calls.append(url) or (True, None)  # noqa: E731
    warning = repo.upsert(
        replace(
            evaluate(window_stats(9, 12), AlertRules(), NOW)[0],
            incident_key="Otra:negative_spike",
            brand="Otra",
        ),
        NOW,
    )
    assert warning.severity == "warning"
    n = Notifier(settings(quiet), env={"HOOK_URL": "https://x.test/h"}, send=send)
    assert n.deliver(repo, [warning, spike], NOW) and len(calls) == 1
    assert not repo.get(warning.id).delivery_due  # nothing is owed for it


def test_a_message_that_cannot_be_written_is_a_failed_delivery_not_a_crash(spike, monkeypatch):
    import monitor.alerts.notify as notify

    def broken(*args, **kwargs):
        raise ValueError("Unknown format code 'x'")

    monkeypatch.setattr(notify, "render", broken)
    sent = []
    hook = webhook()
    n = Notifier(
        settings(hook),
        env={"HOOK_URL": "https://example.com/hooks/x"},
        send=lambda url, m: sent.append(m) or (True, None),
    )
    result = n.send(hook, spike)
    assert not result.ok and result.error == "ValueError: Unknown format code 'x'"
    assert sent == []
