"""The ``[report]`` table of monitor.toml: who gets the weekly report, when, in which language.

```toml
[report]
language = "es"              # "es" or "en"
brands = ["Movistela"]       # default: brands that name competitors, else every brand
weekday = "mon"              # the scheduled run (UTC): day of week and hour
hour = 7
out_dir = "reports"          # HTML and PDF files are kept here
channel = "pr-email"         # an email channel of [[alerts.channels]] (its SMTP server)
to = ["direccion@example.com"]   # recipients (default: the channel's own `to`)
```

With no ``channel`` the report is only written to ``out_dir``; ``enabled = false``
removes the weekly job from ``monitor run`` (``monitor report`` still works).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from monitor.alerts.config import ChannelConfig
from monitor.config_checks import boolean, choice, known_keys, number
from monitor.errors import ConfigError

LANGUAGES = ("es", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ReportSettings:
    enabled: bool = True
    language: str = "es"
    brands: tuple[str, ...] = ()
    weekday: str = "mon"
    hour: int = 7
    out_dir: Path = Path("reports")
    channel: str | None = None
    to: tuple[str, ...] = ()
    pdf: bool = True

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, base: Path) -> ReportSettings:
        data = dict(data or {})
        known_keys(
            data,
            "report",
            {"enabled", "language", "brands", "weekday", "hour", "out_dir", "channel", "to", "pdf"},
        )
        s = cls()
        for key in ("enabled", "pdf"):
            if key in data:
                s = replace(s, **{key: boolean(data[key], f"report.{key}")})
        if "language" in data:
            s = replace(s, language=choice(data["language"], LANGUAGES, "report.language"))
        if "weekday" in data:
            day = str(data["weekday"]).lower()[:3]
            s = replace(s, weekday=choice(day, WEEKDAYS, "report.weekday"))
        if "hour" in data:
            hour = int(number(data["hour"], "report.hour", zero=True, whole=True))
            if hour > 23:
                raise ConfigError("report.hour must be between 0 and 23 (UTC)")
            s = replace(s, hour=hour)
        if "out_dir" in data:
            s = replace(s, out_dir=(base / Path(str(data["out_dir"])).expanduser()).resolve())
        if "channel" in data:
            s = replace(s, channel=str(data["channel"]))
        for key in ("brands", "to"):
            if key in data:
                value = data[key]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"report.{key} must be a list of strings")
                s = replace(s, **{key: tuple(value)})
        return s


def report_channel(report: ReportSettings, channels: tuple[ChannelConfig, ...]):
    """The email channel the report goes through, with the report's recipients (None when
    ``report.channel`` is not set); ConfigError when it names no email channel."""
    if report.channel is None:
        return None
    channel = next((c for c in channels if c.name == report.channel), None)
    if channel is None or channel.kind != "email":
        raise ConfigError(
            f"report.channel {report.channel!r} is not an email channel",
            hint='name one of the [[alerts.channels]] with kind = "email"',
        )
    return replace(channel, to=report.to or channel.to)
