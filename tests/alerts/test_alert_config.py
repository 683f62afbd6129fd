"""The [alerts] table: defaults, overrides, channels, and secrets kept out of the file."""

import textwrap
import tomllib

import pytest

import monitor.alerts
import monitor.alerts.config as config_module
from monitor.alerts.config import AlertSettings
from monitor.alerts.rules import AlertRules
from monitor.errors import ConfigError


def test_empty_table_gives_the_defaults():
    s = AlertSettings.from_mapping({})
    assert s == AlertSettings.from_mapping(None) == AlertSettings()
    assert s.rules == AlertRules() and s.channels == () and s.language == "es"
    assert repr(s) == "AlertSettings(on, every 15 min, es, no channels)"


def test_the_documented_example_parses():
    doc = config_module.__doc__
    example = textwrap.dedent(doc[doc.index("    [alerts]") : doc.index("\nSecrets")])
    s = AlertSettings.from_mapping(tomllib.loads(example)["alerts"])
    assert s.rules.cooldown_minutes == 360 and s.rules.spike.window_minutes == 60
    assert s.rules.high_impact.min_reach == 20000 and s.delivery.max_attempts == 3
    mail, slack = s.channels
    assert (mail.kind, mail.host, mail.port, mail.tls) == (
        "email",
        "smtp.example.com",
        587,
        "starttls",
    )
    assert mail.sender == "escucha@example.com" and mail.to == ("ops@example.com",)
    assert mail.password_env == "ESCUCHA_SMTP_PASSWORD"
    assert (slack.kind, slack.url_env) == ("slack", "ESCUCHA_SLACK_WEBHOOK")
    assert "ESCUCHA_SLACK_WEBHOOK" in repr(slack)


def test_overrides_are_typed():
    s = AlertSettings.from_mapping(
        {
            "language": "en",
            "enabled": False,
            "spike": {"alpha": 0.0001, "min_negative": 8, "seasonality": "weekly"},
            "high_impact": {"anger_threshold": False, "min_reach": 5000, "repeat_complaints": 4},
            "sources": {"silent_minutes": 60},
            "channels": [
                {"name": "hook", "kind": "webhook", "url_env": "HOOK", "payload": "json"},
                {"name": "crit", "kind": "slack", "url_env": "SLACK", "min_severity": "critical"},
            ],
        }
    )
    assert s.language == "en" and not s.enabled
    assert (s.rules.spike.alpha, s.rules.spike.min_negative) == (0.0001, 8)
    assert isinstance(s.rules.spike.min_negative, int) and s.rules.spike.seasonality == "weekly"
    assert s.rules.high_impact.anger_threshold is None and s.rules.high_impact.min_reach == 5000
    assert s.rules.high_impact.repeat_complaints == 4
    off = AlertSettings.from_mapping({"high_impact": {"repeat_complaints": False}})
    assert off.rules.high_impact.repeat_complaints is None
    assert s.rules.sources.silent_minutes == 60.0
    assert s.channels[0].payload == "json" and s.channels[1].min_severity == "critical"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"windows": 3}, "unknown keys ['windows']"),
        ({"spike": {"window": 30}}, "alerts.spike: unknown keys ['window']"),
        ({"spike": {"alpha": 2}}, "alpha must be between 0 and 1"),
        ({"spike": {"seasonality": "hourly"}}, "seasonality must be one of"),
        ({"spike": {"min_negative": "five"}}, "min_negative must be a number"),
        ({"language": "fr"}, "language must be one of es, en"),
        ({"high_impact": {"repeat_complaints": 1}}, "repeat_complaints must be 2 or more"),
        ({"delivery": {"max_attempts": 0}}, "max_attempts must be a positive whole number"),
        ({"delivery": {"max_attempts": 2.5}}, "max_attempts must be a positive whole number"),
        (
            {"delivery": {"max_total_attempts": 0}},
            "max_total_attempts must be a positive whole number",
        ),
        ({"delivery": {"timeout_seconds": 0}}, "timeout_seconds must be a positive number"),
        ({"channels": [{"name": "x", "kind": "sms"}]}, "kind must be one of"),
        ({"channels": [{"name": "x", "kind": "slack"}]}, "slack needs url_env"),
        ({"channels": [{"name": "x", "kind": "email", "host": "h"}]}, "email needs to ="),
        (
            {"channels": [{"name": "x", "kind": "slack", "url_env": "A"}] * 2},
            "two alert channels share a name",
        ),
    ],
)
def test_mistakes_are_config_errors(data, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        AlertSettings.from_mapping(data)


def test_an_smtp_password_without_a_user_is_refused_rather_than_dropped():
    mail = {
        "name": "m",
        "kind": "email",
        "host": "smtp.example.com",
        "from": "escucha@example.com",
        "to": ["ops@example.com"],
        "password_env": "ESCUCHA_SMTP_PASSWORD",
    }
    with pytest.raises(ConfigError, match="password_env is set but user is not") as e:
        AlertSettings.from_mapping({"channels": [mail]})
    assert 'user = "..."' in e.value.hint


def test_a_zero_backoff_is_allowed():
    s = AlertSettings.from_mapping({"delivery": {"backoff_seconds": 0, "max_attempts": 1}})
    assert (s.delivery.backoff_seconds, s.delivery.max_attempts) == (0, 1)


@pytest.mark.parametrize(
    "channel",
    [
        {"name": "m", "kind": "email", "host": "h", "to": "a@b.c", "password": "hunter2"},
        {"name": "s", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/X"},
        {"name": "w", "kind": "webhook", "url_env": "W", "token": "abc"},
    ],
)
def test_secrets_must_come_from_the_environment(channel):
    with pytest.raises(ConfigError, match="looks like a secret") as e:
        AlertSettings.from_mapping({"channels": [channel]})
    assert "environment variable" in e.value.hint


def test_public_names():
    for name in monitor.alerts.__all__:
        assert hasattr(monitor.alerts, name)
    assert sorted(monitor.alerts.__all__) == monitor.alerts.__all__
