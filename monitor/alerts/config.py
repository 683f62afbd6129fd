"""The ``[alerts]`` table of monitor.toml, read into small value objects.

    [alerts]
    language = "es"                  # "es" or "en": the language of the messages
    check_interval_minutes = 15
    cooldown_minutes = 360           # a resolved incident stays quiet this long
    resolve_after_minutes = 120      # an acknowledged incident not seen this long resolves

    [alerts.spike]                   # any SpikeRule field
    window_minutes = 60
    seasonality = "daily"            # "none", "daily" or "weekly"

    [alerts.high_impact]             # any HighImpactRule field
    min_reach = 20000

    [alerts.sources]                 # any SourceRule field
    max_failures = 3

    [alerts.delivery]
    max_attempts = 3                 # per channel and run, with exponential backoff
    backoff_seconds = 2.0

    [[alerts.channels]]
    name = "ops-mail"
    kind = "email"                   # "email", "slack" or "webhook"
    host = "smtp.example.com"
    port = 587
    tls = "starttls"                 # "starttls", "ssl" or "none"
    user = "escucha@example.com"
    password_env = "ESCUCHA_SMTP_PASSWORD"
    from = "escucha@example.com"
    to = ["ops@example.com"]

    [[alerts.channels]]
    name = "slack"
    kind = "slack"
    url_env = "ESCUCHA_SLACK_WEBHOOK"   # https://hooks.slack.com/services/...

Secrets never live in the file: a channel names the environment variable that holds
its password or URL, and the notifier reads it at the moment of sending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from monitor.alerts.rules import (
    SEASONALITY,
    SEVERITY_RANK,
    WARNING,
    AlertRules,
    HighImpactRule,
    SourceRule,
    SpikeRule,
)
from monitor.config_checks import boolean as _bool
from monitor.config_checks import choice as _choice
from monitor.config_checks import known_keys as _known
from monitor.config_checks import number as _number
from monitor.errors import ConfigError

LANGUAGES = ("es", "en")
CHANNEL_KINDS = ("email", "slack", "webhook")
TLS_MODES = ("starttls", "ssl", "none")
# `= false` turns them off
_SWITCHABLE = {"anger_threshold", "audience_percentile", "repeat_complaints"}


@dataclass(frozen=True)
class ChannelConfig:
    """Where alerts go. Secrets are named by ``password_env`` / ``url_env``, never stored."""

    name: str
    kind: str
    min_severity: str = WARNING
    language: str | None = None  # default: AlertSettings.language
    # email
    host: str | None = None
    port: int | None = None
    tls: str = "starttls"
    verify_tls: bool = True
    user: str | None = None
    password_env: str | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()
    # slack and webhook
    url_env: str | None = None
    payload: str = "text"  # webhook: "text" (message is prose) or "json" (message is JSON)

    def __repr__(self) -> str:
        where = f"{self.host}:{self.port}" if self.kind == "email" else f"${self.url_env}"
        return f"ChannelConfig({self.name!r}, {self.kind} via {where}, >= {self.min_severity})"


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int = 3  # per channel and run
    backoff_seconds: float = 2.0  # 2 s, 4 s, ... between attempts
    timeout_seconds: float = 10.0
    max_total_attempts: int = 12  # failed ones per alert, across runs, before giving up


@dataclass(frozen=True)
class AlertSettings:
    enabled: bool = True
    check_interval_minutes: float = 15.0
    language: str = "es"
    rules: AlertRules = field(default_factory=AlertRules)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    channels: tuple[ChannelConfig, ...] = ()

    def __repr__(self) -> str:
        state = "on" if self.enabled else "off"
        names = ", ".join(c.name for c in self.channels) or "no channels"
        return f"AlertSettings({state}, every {self.check_interval_minutes:g} min, {self.language}, {names})"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> AlertSettings:
        """Settings from the parsed ``[alerts]`` table (an empty one gives the defaults)."""
        data = dict(data or {})
        _known(
            data,
            "alerts",
            {
                "enabled",
                "check_interval_minutes",
                "language",
                "cooldown_minutes",
                "resolve_after_minutes",
                "spike",
                "high_impact",
                "sources",
                "delivery",
                "channels",
            },
        )
        s = cls()
        if "enabled" in data:
            s = replace(s, enabled=_bool(data["enabled"], "alerts.enabled"))
        if "check_interval_minutes" in data:
            minutes = _number(data["check_interval_minutes"], "alerts.check_interval_minutes")
            s = replace(s, check_interval_minutes=minutes)
        if "language" in data:
            s = replace(s, language=_choice(data["language"], LANGUAGES, "alerts.language"))
        rules = AlertRules(
            spike=_dataclass(SpikeRule, data.get("spike"), "alerts.spike"),
            high_impact=_dataclass(HighImpactRule, data.get("high_impact"), "alerts.high_impact"),
            sources=_dataclass(SourceRule, data.get("sources"), "alerts.sources"),
        )
        for key in ("cooldown_minutes", "resolve_after_minutes"):
            if key in data:
                rules = replace(rules, **{key: _number(data[key], f"alerts.{key}", zero=True)})
        _check_rules(rules)
        delivery = _dataclass(DeliverySettings, data.get("delivery"), "alerts.delivery")
        _check_delivery(data.get("delivery") or {})
        raw_channels = data.get("channels", [])
        if not isinstance(raw_channels, list):
            raise ConfigError("alerts.channels must be an array of tables ([[alerts.channels]])")
        channels = tuple(_channel(c, i) for i, c in enumerate(raw_channels))
        if len({c.name for c in channels}) != len(channels):
            raise ConfigError("two alert channels share a name")
        return replace(s, rules=rules, delivery=delivery, channels=channels)


# ---- validation helpers ----------------------------------------------------------


def _dataclass(cls, data: Any, where: str):
    """An instance of ``cls`` whose fields are overridden by ``data`` (type-checked)."""
    if data is None:
        return cls()
    if not isinstance(data, Mapping):
        raise ConfigError(f"[{where}] must be a table")
    defaults = cls()
    allowed = {f.name for f in fields(cls)}
    _known(data, where, allowed)
    values = {}
    for key, value in data.items():
        current = getattr(defaults, key)
        name = f"{where}.{key}"
        if isinstance(current, bool):
            values[key] = _bool(value, name)
        elif isinstance(current, str):
            if not isinstance(value, str):
                raise ConfigError(f"{name} must be a string")
            values[key] = value
        elif isinstance(current, int | float):
            if value is False and key in _SWITCHABLE:
                values[key] = None  # e.g. `anger_threshold = false` turns that trigger off
                continue
            number = _number(value, name, zero=True)
            values[key] = int(number) if isinstance(current, int) else number
        else:  # pragma: no cover - every rule field is a bool, str or number
            raise ConfigError(f"{name} cannot be set from the config file")
    return cls(**values)


def _check_rules(rules: AlertRules) -> None:
    spike = rules.spike
    _choice(spike.seasonality, SEASONALITY, "alerts.spike.seasonality")
    _choice(spike.test, ("conditional", "poisson"), "alerts.spike.test")
    for name in ("alpha", "critical_p"):
        if not 0 < getattr(spike, name) < 1:
            raise ConfigError(f"alerts.spike.{name} must be between 0 and 1")
    if spike.window_minutes < 1:
        raise ConfigError("alerts.spike.window_minutes must be at least 1")
    hi = rules.high_impact
    if hi.anger_threshold is not None and not 0 < hi.anger_threshold <= 1:
        raise ConfigError("alerts.high_impact.anger_threshold must be in (0, 1], or false")
    if hi.audience_percentile is not None and not 0 < hi.audience_percentile < 100:
        raise ConfigError("alerts.high_impact.audience_percentile must be in (0, 100), or false")
    if hi.repeat_complaints is not None and hi.repeat_complaints < 2:
        raise ConfigError(
            "alerts.high_impact.repeat_complaints must be 2 or more (the author's Nth "
            "complaint in 90 days), or false"
        )


def _check_delivery(raw: Mapping[str, Any]) -> None:
    """Attempt counts are positive whole numbers and the timeout is positive: zero
    attempts (or a zero timeout) would send nothing, and 2.5 attempts means nothing."""
    for key, whole in (
        ("max_attempts", True),
        ("max_total_attempts", True),
        ("timeout_seconds", False),
    ):
        if key in raw:
            _number(raw[key], f"alerts.delivery.{key}", whole=whole)


_SECRET_WORDS = ("password", "secret", "token", "webhook", "url")


def _channel(raw: Any, i: int) -> ChannelConfig:
    where = f"alerts.channels[{i}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table")
    name, kind = raw.get("name"), raw.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where} needs a name")
    where = f"alert channel {name!r}"
    _choice(kind, CHANNEL_KINDS, f"{where}: kind")
    for key, value in raw.items():
        if key.endswith("_env"):
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: {key} must name an environment variable")
        elif any(word in key.lower() for word in _SECRET_WORDS):
            raise ConfigError(
                f"{where}: {key!r} looks like a secret and must not be in the config file",
                hint=f"put it in an environment variable and set {key}_env to its name",
            )
    common = {"name", "kind", "min_severity", "language"}
    per_kind = {
        "email": {"host", "port", "tls", "verify_tls", "user", "password_env", "from", "to"},
        "slack": {"url_env"},
        "webhook": {"url_env", "payload"},
    }
    _known(raw, where, common | per_kind[kind])
    c = ChannelConfig(name=name.strip(), kind=kind)
    if "min_severity" in raw:
        c = replace(
            c,
            min_severity=_choice(
                raw["min_severity"], tuple(SEVERITY_RANK), f"{where}: min_severity"
            ),
        )
    if "language" in raw:
        c = replace(c, language=_choice(raw["language"], LANGUAGES, f"{where}: language"))
    if kind == "email":
        host, to = raw.get("host"), raw.get("to")
        if not isinstance(host, str) or not host:
            raise ConfigError(f"{where}: email needs host", hint='e.g. host = "smtp.example.com"')
        if isinstance(to, str):
            to = [to]
        if (
            not isinstance(to, list)
            or not to
            or not all(isinstance(t, str) and "@" in t for t in to)
        ):
            raise ConfigError(f"{where}: email needs to = [addresses]")
        sender = raw.get("from", raw.get("user"))
        if not isinstance(sender, str) or "@" not in sender:
            raise ConfigError(f"{where}: email needs from = an address (or user = an address)")
        if raw.get("password_env") and not raw.get("user"):
            raise ConfigError(
                f"{where}: password_env is set but user is not, so the password would never "
                "be sent",
                hint='set user = "..." to the SMTP login (often the from address), '
                "or remove password_env for a server without login",
            )
        port = raw.get("port")
        if port is not None and (isinstance(port, bool) or not isinstance(port, int)):
            raise ConfigError(f"{where}: port must be an integer")
        c = replace(
            c,
            host=host,
            port=port,
            tls=_choice(raw.get("tls", "starttls"), TLS_MODES, f"{where}: tls"),
            verify_tls=_bool(raw.get("verify_tls", True), f"{where}: verify_tls"),
            user=raw.get("user"),
            password_env=raw.get("password_env"),
            sender=sender,
            to=tuple(to),
        )
    else:
        if "url_env" not in raw:
            raise ConfigError(
                f"{where}: {kind} needs url_env",
                hint='name the environment variable holding the URL, e.g. url_env = "ESCUCHA_SLACK_WEBHOOK"',
            )
        c = replace(c, url_env=raw["url_env"])
        if "payload" in raw:
            c = replace(c, payload=_choice(raw["payload"], ("text", "json"), f"{where}: payload"))
    return c


__all__ = ["AlertSettings", "ChannelConfig", "DeliverySettings"]
