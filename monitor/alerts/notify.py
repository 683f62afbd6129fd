"""Deliver alerts with apprise: email (SMTP, STARTTLS or SSL), Slack incoming webhooks,
and generic JSON webhooks.

Secrets come from the environment only: a channel names the variable that holds its
password (``password_env``) or URL (``url_env``), read at the moment of sending and
never logged. Each channel is tried ``max_attempts`` times with exponential backoff
(the ``sleep`` is injected); the outcome is recorded on the alert. Nothing here
raises to the caller: a failed delivery stays due and is retried on the next check.

:func:`render` is pure: the title, the why-with-numbers and up to five example
posts, in Spanish or English.
"""

from __future__ import annotations

import json
import logging
import string
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from monitor.alerts.config import AlertSettings, ChannelConfig
from monitor.alerts.repository import Alert, AlertRepository
from monitor.alerts.rules import (
    CATEGORY_SPIKE,
    CRITICAL,
    HIGH_IMPACT,
    NEGATIVE_SPIKE,
    SEVERITY_RANK,
)
from monitor.authors import REPEAT_DAYS, ordinal
from monitor.categories import CategorySettings
from monitor.errors import MonitorError, NotifyError
from monitor.i18n import decimal_comma
from monitor.replies import ReplySettings, draft_reply
from monitor.settings import dashboard_link, secret

log = logging.getLogger(__name__)
TLS_TO_APPRISE = {"starttls": "starttls", "ssl": "ssl", "none": "insecure"}


# ---- messages -------------------------------------------------------------------

_TEXT = {
    "es": {
        "_decimal": ",",
        "statuses": {"open": "abierta", "acknowledged": "reconocida", "resolved": "cerrada"},
        "warning": "AVISO",
        "critical": "CRÍTICO",
        "negative_spike": "Pico de menciones negativas: {brand}",
        "category_spike": "Pico de quejas sobre {category}: {brand}",
        "high_impact": "Publicación negativa de alto impacto: {brand}",
        "source_health": "Fuente con problemas: {source}",
        "spike": (
            "{brand}: {observed} menciones negativas en {minutes} min "
            "({start} – {end} UTC); lo esperado eran {expected:.1f} "
            "({ratio:.1f} veces más; p = {p:.1e}, prueba {test})."
        ),
        "baseline": (
            "Línea base: {seasonality}, {exposure:.1f} ventanas equivalentes con "
            "{negative} negativas de {total} publicaciones clasificadas."
        ),
        "share": (
            "Proporción negativa: {observed:.0%} de {total} publicaciones, "
            "frente al {baseline:.0%} habitual ({ratio:.1f} veces; p = {p:.1e})."
        ),
        "seasonality": {
            "daily": "misma hora de los días anteriores",
            "weekly": "misma hora de la semana en semanas anteriores",
            "none": "todas las horas de los días anteriores",
        },
        "impact": (
            "Una publicación negativa en {source} con audiencia {audience:,} "
            "(alcance {reach}, interacciones {engagement}), ira {anger:.0%}, "
            "confianza {confidence:.0%}. Motivos: {triggers}."
        ),
        "impact_unknown_audience": (
            "Una publicación negativa en {source} (la fuente no informa de alcance ni "
            "interacciones), ira {anger:.0%}, confianza {confidence:.0%}. Motivos: {triggers}."
        ),
        "source": (
            "La fuente {source} ({kind}) lleva {failures} fallos seguidos; "
            "último éxito: {since}. Último error: {error}."
        ),
        "never": "nunca",
        "minutes_ago": "hace {minutes} min",
        "footer": "Alerta #{id} · {rule} · {seen} desde {first} UTC · estado {status}",
        "open": "Ábrela en el panel: {url}",
        "press": (
            "Lo publica un medio o un periodista (un canal sin seguimiento de autores): "
            "no le va una respuesta de atención al cliente; que lo lleve prensa."
        ),
        "seen": ("vista {n} vez", "vista {n} veces"),
        "rules": {
            "negative_spike": "pico negativo",
            "category_spike": "pico en una categoría",
            "high_impact": "alto impacto",
            "source_health": "salud de la fuente",
        },
        "tests": {"conditional": "condicional", "poisson": "de Poisson"},
        "about_many": "Sobre todo de: {categories}.",
        "about_one": "Trata de: {categories}.",
        "about_count": "{name} ({n} de {total})",
        "examples": "Ejemplos:",
        "draft": "Respuesta sugerida (revísala antes de enviarla):",
        "audience": "audiencia",
        "triggers": {
            "reach": "alcance",
            "engagement": "interacciones",
            "percentile": "audiencia inusual",
            "anger": "ira",
            "repeat": "queja repetida",
        },
        "repeat": (
            "Es la {nth} queja de {author} sobre {brand} en {days} días, cada una en un día "
            "distinto."
        ),
    },
    "en": {
        "_decimal": ".",
        "statuses": {},
        "warning": "WARNING",
        "critical": "CRITICAL",
        "negative_spike": "Negative spike: {brand}",
        "category_spike": "Spike in complaints about {category}: {brand}",
        "high_impact": "High-impact negative post: {brand}",
        "source_health": "Source in trouble: {source}",
        "spike": (
            "{brand}: {observed} negative posts in {minutes} min "
            "({start} – {end} UTC); {expected:.1f} were expected "
            "({ratio:.1f}x; p = {p:.1e}, {test} test)."
        ),
        "baseline": (
            "Baseline: {seasonality}, {exposure:.1f} window-equivalents with "
            "{negative} negative of {total} classified posts."
        ),
        "share": (
            "Negative share: {observed:.0%} of {total} posts, "
            "against {baseline:.0%} usually ({ratio:.1f}x; p = {p:.1e})."
        ),
        "seasonality": {
            "daily": "same time of day on previous days",
            "weekly": "same hour of the week in previous weeks",
            "none": "every hour of the previous days",
        },
        "impact": (
            "A negative post on {source} with audience {audience:,} "
            "(reach {reach}, engagement {engagement}), anger {anger:.0%}, "
            "confidence {confidence:.0%}. Triggers: {triggers}."
        ),
        "impact_unknown_audience": (
            "A negative post on {source} (the source reports no reach or engagement), "
            "anger {anger:.0%}, confidence {confidence:.0%}. Triggers: {triggers}."
        ),
        "source": (
            "Source {source} ({kind}) has failed {failures} times in a row; "
            "last success: {since}. Last error: {error}."
        ),
        "never": "never",
        "minutes_ago": "{minutes} min ago",
        "footer": "Alert #{id} · {rule} · {seen} since {first} UTC · status {status}",
        "open": "Open it in the dashboard: {url}",
        "press": (
            "Published by a news outlet or a journalist (a channel whose authors are not "
            "followed): a customer-care reply does not fit; hand it to press relations."
        ),
        "seen": ("seen {n} time", "seen {n} times"),
        "rules": {},
        "tests": {},
        "about_many": "Mostly about: {categories}.",
        "about_one": "About: {categories}.",
        "about_count": "{name} ({n} of {total})",
        "examples": "Examples:",
        "draft": "Suggested reply (check it before you send it):",
        "audience": "audience",
        "triggers": {
            "reach": "reach",
            "engagement": "engagement",
            "percentile": "unusual audience",
            "anger": "anger",
            "repeat": "repeat complaint",
        },
        "repeat": (
            "This is {author}'s {nth} complaint about {brand} in {days} days, each on a "
            "different day."
        ),
    },
}


class _NumberFormatter(string.Formatter):
    """str.format that writes numbers the Spanish way (1.234,5) where the language asks."""

    def __init__(self, decimal: str) -> None:
        self.decimal = decimal

    def format_field(self, value: Any, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if self.decimal == "," and isinstance(value, int | float) and not isinstance(value, bool):
            text = decimal_comma(text)
        return text


def _fmt(t: Mapping[str, Any], key: str, **values: Any) -> str:
    return _NumberFormatter(t["_decimal"]).format(t[key], **values)


def _count(t: Mapping[str, Any], value: int | None) -> str:
    """A count with the language's thousands separator; "-" where the source gives none."""
    return "-" if value is None else _NumberFormatter(t["_decimal"]).format("{:,}", value)


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    severity: str
    data: Mapping[str, Any]  # the alert as JSON-ready data (webhook payload = "json")


def _hhmm(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M") if iso else "?"


def _why(alert: Alert, t: Mapping[str, Any], category: str | None = None) -> list[str]:
    """The numbers behind ``alert``; ``category``: the name of a category spike's category."""
    d = alert.details
    if alert.rule in (NEGATIVE_SPIKE, CATEGORY_SPIKE):
        lines = [
            _fmt(
                t,
                "spike",
                brand=f"{alert.brand} · {category}" if category else alert.brand,
                observed=d["observed"],
                minutes=d["window_minutes"],
                start=_hhmm(d["window_start"]),
                end=_hhmm(d["window_end"])[-5:],
                expected=d["expected"],
                ratio=d["ratio"],
                p=d["p_value"],
                test=t["tests"].get(d["test"], d["test"]),
            )
        ]
        b = d["baseline"]
        lines.append(
            _fmt(
                t,
                "baseline",
                seasonality=t["seasonality"].get(b["seasonality"], b["seasonality"]),
                exposure=b["exposure_windows"],
                negative=b["negative"],
                total=b["total"],
            )
        )
        if d.get("share"):
            s = d["share"]
            lines.append(
                _fmt(
                    t,
                    "share",
                    observed=s["observed"],
                    total=s["total"],
                    baseline=s["baseline"],
                    ratio=s["ratio"],
                    p=s["p_value"],
                )
            )
        return lines
    if alert.rule == HIGH_IMPACT:
        example = (d.get("examples") or [{}])[0]
        unknown = d.get("reach") is None and d.get("engagement") is None
        return [
            _fmt(
                t,
                "impact_unknown_audience" if unknown else "impact",
                source=example.get("source", "?"),
                audience=d["audience"],
                reach=_count(t, d["reach"]),
                engagement=_count(t, d["engagement"]),
                anger=d["anger"],
                confidence=d["confidence"],
                triggers=", ".join(t["triggers"].get(k, k) for k in d["triggers"]),
            )
        ]
    minutes = d.get("minutes_since_success")
    since = t["never"] if minutes is None else _fmt(t, "minutes_ago", minutes=minutes)
    return [
        _fmt(
            t,
            "source",
            source=d["source"],
            kind=d["kind"],
            failures=d["consecutive_failures"],
            since=since,
            error=d.get("last_error") or "-",
        )
    ]


def _repeat(alert: Alert, t: Mapping[str, Any], lang: str) -> list[str]:
    """The line that says a high-impact post is its author's Nth complaint, if it is."""
    d = alert.details
    if "repeat" not in d.get("triggers", ()):
        return []
    example = (d.get("examples") or [{}])[0]
    return [
        _fmt(
            t,
            "repeat",
            nth=ordinal(int(d.get("earlier_complaints") or 0) + 1, lang),
            author=example.get("author") or "?",
            brand=alert.brand,
            days=REPEAT_DAYS,
        )
    ]


def _about(
    alert: Alert, t: Mapping[str, Any], lang: str, categories: CategorySettings
) -> list[str]:
    """What the alert's posts are about (monitor.categories), when they are about anything."""
    found = alert.details.get("categories") or []
    if not found:
        return []
    total = int(alert.details.get("post_count") or 0)
    if total <= 1:
        listed = ", ".join(categories.name(c["category"], lang) for c in found)
        return [_fmt(t, "about_one", categories=listed)]
    listed = ", ".join(
        _fmt(t, "about_count", name=categories.name(c["category"], lang), n=c["posts"], total=total)
        for c in found
    )
    return [_fmt(t, "about_many", categories=listed)]


def render(
    alert: Alert,
    language: str = "es",
    replies: ReplySettings | None = None,
    categories: CategorySettings | None = None,
    dashboard_url: str | None = None,
) -> Message:
    """Title and plain-text body of ``alert`` in ``language`` ("es" or "en"); a high-impact
    post comes with a suggested first reply (``replies``: the texts, built-in by default),
    every alert says what its posts are about (``categories``: their names), and links to
    the dashboard's alerts page when ``dashboard_url`` says where the dashboard is."""
    t = _TEXT.get(language, _TEXT["en"])
    lang = language if language in _TEXT else "en"
    categories = categories or CategorySettings()
    category = alert.details.get("category")
    name = categories.name(category, lang) if category else None
    head = t[alert.rule].format(
        brand=alert.brand, source=alert.details.get("source"), category=name
    )
    title = f"[Escucha] {t[alert.severity]}: {head}"
    lines = _why(alert, t, name) + _repeat(alert, t, lang) + _about(alert, t, lang, categories)
    examples = list(alert.details.get("examples") or [])[:5]
    if examples and alert.rule != HIGH_IMPACT:
        lines += ["", t["examples"]]
        for i, ex in enumerate(examples, 1):
            lines.append(
                f'{i}. [{ex["source"]}] "{ex["text"]}" ({t["audience"]} {_count(t, ex["audience"])})'
                + (f" {ex['url']}" if ex.get("url") else "")
            )
    elif examples:
        ex = examples[0]
        lines += ["", f'"{ex["text"]}"'] + ([ex["url"]] if ex.get("url") else [])
        press = ex.get("tracked", True) is False  # a news outlet's: no customer to answer
        draft = (
            None
            if press
            else draft_reply(
                replies or ReplySettings(),
                emotion=ex.get("emotion"),
                lang=ex.get("lang"),
                fallback_lang=language,
                author=ex.get("author"),
                brand=alert.brand or "",
            )
        )
        if draft:
            lines += ["", t["draft"], draft.text]
        elif press:
            lines += ["", t["press"]]
    link = dashboard_link(dashboard_url, "alerts", lang)
    if link:
        link += f"&alert={alert.id}"  # the page opens on this alert
        lines += ["", t["open"].format(url=link)]
    lines += [
        "",
        _fmt(
            t,
            "footer",
            id=alert.id,
            rule=t["rules"].get(alert.rule, alert.rule),
            seen=t["seen"][alert.updated_count > 0].format(n=alert.updated_count + 1),
            first=alert.first_seen_at.strftime("%Y-%m-%d %H:%M"),
            status=t["statuses"].get(alert.status, alert.status),
        ),
    ]
    data = {
        "id": alert.id,
        "incident_key": alert.incident_key,
        "brand": alert.brand,
        "rule": alert.rule,
        "severity": alert.severity,
        "status": alert.status,
        "title": alert.title,
        "details": dict(alert.details),
        "post_ids": list(alert.post_ids),
        "first_seen_at": alert.first_seen_at.isoformat(),
        "last_seen_at": alert.last_seen_at.isoformat(),
        "updated_count": alert.updated_count,
        "dashboard_url": link,
    }
    return Message(title, "\n".join(lines), alert.severity, data)


# ---- apprise URLs -----------------------------------------------------------------


def _env_value(channel: ChannelConfig, var: str | None, env: Mapping[str, str] | None) -> str:
    value = secret(var, env) if var else None
    if not value:
        raise NotifyError(
            channel.name,
            f"environment variable {var} is not set",
            hint=f"export {var}=... before starting Escucha",
        )
    return value


def channel_url(
    channel: ChannelConfig, env: Mapping[str, str] | None = None, timeout: float = 10.0
) -> str:
    """The apprise URL for ``channel``, with its secret read from the environment."""
    timeouts = {"cto": f"{timeout:g}", "rto": f"{timeout:g}"}
    if channel.kind == "email":
        password = secret(channel.password_env, env) if channel.password_env else None
        if channel.password_env and not password:
            _env_value(channel, channel.password_env, env)  # raises with the hint
        if password and not channel.user:  # the config refuses this; callers may not
            raise NotifyError(channel.name, "password_env is set but user is not")
        scheme = "mailto" if channel.tls == "none" else "mailtos"
        auth = ""
        if channel.user and password:
            auth = f"{quote(channel.user, safe='')}:{quote(password, safe='')}@"
        port = f":{channel.port}" if channel.port else ""
        params = {
            "smtp": channel.host,
            "from": channel.sender,
            "to": ",".join(channel.to),
            "mode": TLS_TO_APPRISE[channel.tls],
            "verify": "yes" if channel.verify_tls else "no",
            **timeouts,
        }
        return f"{scheme}://{auth}{channel.host}{port}/?{urlencode(params)}"
    url = _env_value(channel, channel.url_env, env)
    parts = urlsplit(url)
    if channel.kind == "slack":
        if parts.scheme not in {"https", "slack"}:
            raise NotifyError(channel.name, "the Slack URL must be https://hooks.slack.com/...")
        sep = "&" if parts.query else "?"
        return f"{url}{sep}{urlencode(timeouts)}"
    # webhook: https://host/path?x=1 -> jsons://host/path?-x=1 (apprise's GET-parameter form)
    schemes = {"https": "jsons", "http": "json", "jsons": "jsons", "json": "json"}
    if parts.scheme not in schemes:
        raise NotifyError(channel.name, "the webhook URL must start with https:// or http://")
    query = [
        (k if parts.scheme.startswith("json") else f"-{k}", v) for k, v in parse_qsl(parts.query)
    ]
    query += list(timeouts.items())
    return f"{schemes[parts.scheme]}://{parts.netloc}{parts.path or '/'}?{urlencode(query)}"


# ---- sending ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryResult:
    alert_id: int
    channel: str
    ok: bool  # the channel took it entirely (every recipient it was owed to)
    attempts: int
    error: str | None = None
    delivered_to: Mapping[str, int] = field(default_factory=dict)  # email: address -> attempt


@dataclass(frozen=True)
class Attempts:
    """How sending one message to each of a channel's targets went."""

    rounds: int  # attempts made, the most that any target needed
    reached: Mapping[str | None, int]  # target -> the attempt that reached it
    errors: Mapping[str | None, str]  # target -> why it was not reached


def send_each(
    urls: Mapping[str | None, str],
    send: Callable[[str], tuple[bool, str | None]],
    *,
    max_attempts: int,
    backoff_seconds: float,
    sleep: Callable[[float], None],
) -> Attempts:
    """Send to each target's URL (one email recipient each, or None for a whole Slack or
    webhook channel) up to ``max_attempts`` times with exponential backoff. A target
    that took it is not sent to again: apprise only remembers that within one call.
    A ``MonitorError`` from ``send`` (a URL apprise refuses) is not retried."""
    pending = dict(urls)
    reached: dict[str | None, int] = {}
    errors: dict[str | None, str] = {}
    rounds = 0
    for attempt in range(1, max_attempts + 1):
        rounds = attempt
        for target, url in list(pending.items()):
            try:
                ok, error = send(url)
            except MonitorError as e:  # retrying will not help
                ok, error = False, e.message
                del pending[target]
            except Exception as e:  # a notifier bug must not stop the checks
                log.exception("delivery to %s crashed", target or "the channel")
                ok, error = False, f"{type(e).__name__}: {e}"
            if ok:
                reached[target] = attempt
                errors.pop(target, None)
                del pending[target]
            else:
                errors[target] = error or "not delivered"
        if not pending:
            break
        if attempt < max_attempts:
            sleep(backoff_seconds * 2 ** (attempt - 1))
    return Attempts(rounds, reached, errors)


def _reason(e: MonitorError, channel: ChannelConfig) -> str:
    """What went wrong, without the channel's name: the log line and the store add it."""
    if isinstance(e, NotifyError) and e.channel == channel.name:
        return e.reason
    return e.message


def describe(errors: Mapping[str | None, str]) -> str:
    """One line for the targets that were not reached, naming each email address."""
    return "; ".join(
        e if target is None or target in e else f"{target}: {e}" for target, e in errors.items()
    )


def _apprise_send(url: str, message: Message) -> tuple[bool, str | None]:
    """One attempt through apprise; returns (ok, what apprise logged on failure)."""
    import apprise

    asset = apprise.AppriseAsset(
        app_id="Escucha", app_desc="Escucha brand monitor", storage_mode="memory"
    )
    client = apprise.Apprise(asset=asset)  # a fresh client: no throttling between attempts
    if not client.add(url):
        raise NotifyError("apprise", "the channel URL was not accepted (check host and address)")
    kind = (
        apprise.NotifyType.FAILURE if message.severity == CRITICAL else apprise.NotifyType.WARNING
    )
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as logs:
        ok = client.notify(
            body=message.body,
            title=message.title,
            notify_type=kind,
            body_format=apprise.NotifyFormat.TEXT,
        )
        logged = logs.getvalue().strip()
    return bool(ok), (logged.splitlines()[-1] if logged else None)


def recipient_urls(
    channel: ChannelConfig,
    recipients: Iterable[str],
    env: Mapping[str, str] | None,
    timeout: float,
) -> dict[str | None, str]:
    """One apprise URL per email recipient of ``channel``, so that each is sent to (and
    retried) alone."""
    return {to: channel_url(replace(channel, to=(to,)), env, timeout) for to in recipients}


def _owed(channel: ChannelConfig, done: set[tuple[str, str | None]]) -> list[str | None]:
    """Who on ``channel`` has not taken the alert yet: email addresses, or [None] for a
    Slack or webhook channel; [] when it has been delivered there."""
    if (channel.name, None) in done:
        return []
    if channel.kind == "email":
        return [to for to in channel.to if (channel.name, to) not in done]
    return [None]


class Notifier:
    """Sends due alerts to every configured channel, retrying with backoff."""

    def __init__(
        self,
        settings: AlertSettings,
        *,
        replies: ReplySettings | None = None,
        categories: CategorySettings | None = None,
        dashboard_url: str | None = None,
        env: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        send: Callable[[str, Message], tuple[bool, str | None]] = _apprise_send,
    ) -> None:
        self.settings = settings
        self.replies = replies
        self.categories = categories
        self.dashboard_url = dashboard_url
        self.env = env
        self.sleep = sleep
        self._send = send

    def __repr__(self) -> str:
        return f"Notifier({', '.join(repr(c) for c in self.settings.channels) or 'no channels'})"

    def message(self, alert: Alert, channel: ChannelConfig) -> Message:
        m = render(
            alert,
            channel.language or self.settings.language,
            self.replies,
            self.categories,
            self.dashboard_url,
        )
        if channel.kind == "webhook" and channel.payload == "json":
            body = json.dumps({"alert": m.data, "text": m.body}, ensure_ascii=False)
            return Message(m.title, body, m.severity, m.data)
        return m

    def _urls(
        self, channel: ChannelConfig, recipients: Sequence[str] | None
    ) -> dict[str | None, str]:
        timeout = self.settings.delivery.timeout_seconds
        if channel.kind != "email":
            return {None: channel_url(channel, self.env, timeout)}
        to = channel.to if recipients is None else recipients
        return recipient_urls(channel, to, self.env, timeout)

    def send(
        self, channel: ChannelConfig, alert: Alert, recipients: Sequence[str] | None = None
    ) -> DeliveryResult:
        """Deliver ``alert`` to ``channel`` (an email channel: to ``recipients``, by
        default its ``to``): up to ``max_attempts`` tries each, never raising."""
        d = self.settings.delivery
        try:
            urls = self._urls(channel, recipients)
            message = self.message(alert, channel)
        except MonitorError as e:  # a missing secret or a bad URL: retrying will not help
            return DeliveryResult(alert.id, channel.name, False, 1, _reason(e, channel))
        except Exception as e:  # a message that cannot be written must not stop the checks
            log.exception("alert %s for %s could not be written", alert.id, channel.name)
            return DeliveryResult(alert.id, channel.name, False, 1, f"{type(e).__name__}: {e}")
        sent = send_each(
            urls,
            lambda url: self._send(url, message),
            max_attempts=d.max_attempts,
            backoff_seconds=d.backoff_seconds,
            sleep=self.sleep,
        )
        reached = {to: n for to, n in sent.reached.items() if to is not None}
        if not sent.errors:
            return DeliveryResult(alert.id, channel.name, True, sent.rounds, None, reached)
        error = describe(sent.errors)
        return DeliveryResult(alert.id, channel.name, False, sent.rounds, error, reached)

    def deliver(
        self, repo: AlertRepository, alerts: Iterable[Alert], now: datetime
    ) -> list[DeliveryResult]:
        """Send each due alert to the channels (and email recipients) that have not taken
        it yet; record outcomes.

        A channel that reached nobody is skipped for the rest of this run.
        """
        results: list[DeliveryResult] = []
        failing: set[str] = set()
        for alert in alerts:
            wanted = [
                c
                for c in self.settings.channels
                if SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[c.min_severity]
            ]
            try:
                done = repo.delivered(alert)
            except MonitorError as e:
                log.error("cannot read deliveries of alert %s: %s", alert.id, e)
                continue
            owed = {c.name: _owed(c, done) for c in wanted}
            todo = [c for c in wanted if owed[c.name] and c.name not in failing]
            outcomes = {c.name: True for c in wanted if not owed[c.name]}
            for c in todo:
                recipients = [to for to in owed[c.name] if to is not None] or None
                r = self.send(c, alert, recipients)
                results.append(r)
                outcomes[c.name] = r.ok
                if not r.ok:
                    if not r.delivered_to:
                        failing.add(c.name)
                    log.warning("alert %s not delivered to %s: %s", alert.id, c.name, r.error)
                complete = len(outcomes) == len(wanted) and all(outcomes.values())
                try:
                    repo.record_delivery(
                        alert.id,
                        c.name,
                        now,
                        ok=r.ok,
                        attempts=r.attempts,
                        error=r.error,
                        complete=complete,
                        delivered_to=r.delivered_to,
                    )
                except MonitorError as e:
                    log.error("cannot record delivery of alert %s: %s", alert.id, e)
            if not any(owed.values()):  # nothing (more) is owed
                try:
                    repo.mark_delivered(alert.id, now)
                except MonitorError as e:
                    log.error("cannot update alert %s: %s", alert.id, e)
        return results


__all__ = [
    "Attempts",
    "DeliveryResult",
    "Message",
    "Notifier",
    "channel_url",
    "describe",
    "recipient_urls",
    "render",
    "send_each",
]
