"""The one place that reads configuration: defaults < monitor.toml < MONITOR_* env < CLI flags.

Secrets (Reddit credentials, SMTP passwords, webhook URLs) are never read from
the file: sources and notifiers name environment variables, and those are read
through :func:`secret` at the moment of use, never logged.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from monitor.alerts.config import AlertSettings
from monitor.authors import Untracked
from monitor.categories import CategorySettings
from monitor.classify.external_config import ExternalModelConfig
from monitor.config_checks import boolean, choice, known_keys, number, table, tables, text
from monitor.errors import ConfigError
from monitor.langid import COUNTRY_CODES_FOR_LANGUAGES, is_known_language
from monitor.replies import ReplySettings
from monitor.report.config import ReportSettings, report_channel
from monitor.sources import SOURCE_KINDS, make_source

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_CONFIG_FILE = "monitor.toml"
DEMO_CONFIG = PACKAGE_DIR / "demo" / "monitor.toml"
# kinds whose every item is about the one brand the source names (reviews of its own app)
ABOUT_BRAND_KINDS = ("appstore",)
BACKENDS = ("torch", "onnx")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*")  # es, pt-br, zh_hant
LOG_LEVELS = tuple(logging.getLevelNamesMapping())
SECTIONS = {
    "monitor",
    "classifier",
    "brands",
    "sources",
    "alerts",
    "report",
    "replies",
    "categories",
}
MONITOR_KEYS = {
    "database_url",
    "cache_dir",
    "datasets_dir",
    "log_level",
    "classify_interval_minutes",
    "untracked_channels",
    "dashboard_url",
}
CLASSIFIER_KEYS = {"model_dir", "batch_size", "quantize", "backend", "threads", "external"}


def _default_cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "escucha"


@dataclass(frozen=True)
class BrandConfig:
    """A brand to watch. ``aliases`` identify it, ``include`` (if any) must also
    appear, ``exclude`` must not; quoted or multi-word terms match as phrases."""

    name: str
    aliases: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # empty: every language
    competitors: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    interval_minutes: float = 30.0
    brands: tuple[str, ...] = ()  # empty: every brand
    # every item is about the source's one brand (reviews of its app, a review-site
    # export for it), so no brand term is needed in the text
    about_brand: bool = False
    # its authors are people who may complain again (monitor.authors); false for a news
    # feed whose authors are journalists
    track_authors: bool = True

    def __repr__(self) -> str:
        return (
            f"SourceConfig({self.name!r}, kind={self.kind!r}, every {self.interval_minutes:g} min)"
        )


@dataclass(frozen=True)
class ClassifierSettings:
    model_dir: Path = REPO_DIR / "models" / "escucha-e5-small"
    batch_size: int = 32
    quantize: bool = False
    backend: str = "torch"  # or "onnx": ONNX Runtime, faster on CPU
    threads: int | None = None
    external: tuple[ExternalModelConfig, ...] = ()  # users' own models for some tasks


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///monitor.db"
    cache_dir: Path = field(default_factory=lambda: _default_cache_dir(os.environ))
    datasets_dir: Path = REPO_DIR.parent / "shared" / "datasets"
    log_level: str | None = None  # None: INFO under `monitor run`, WARNING for other commands
    classify_interval_minutes: float = 5.0
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)
    brands: tuple[BrandConfig, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    alerts: AlertSettings = field(default_factory=AlertSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    replies: ReplySettings = field(default_factory=ReplySettings)
    categories: CategorySettings = field(default_factory=CategorySettings)
    # channels of any source whose authors are not customers (an export's "news" rows)
    untracked_channels: tuple[str, ...] = ()
    # where people open the dashboard (http://escucha.example:8501): alerts and the weekly
    # report's email link to its pages; None: no links
    dashboard_url: str | None = None
    config_path: Path | None = None

    @property
    def untracked(self) -> Untracked:
        """Where authors are not followed for repeat complaints: sources with
        ``track_authors = false`` and ``[monitor] untracked_channels``."""
        return Untracked.of(
            (s.name for s in self.sources if not s.track_authors), self.untracked_channels
        )

    @property
    def watched_languages(self) -> tuple[str, ...]:
        """The language tags any brand filters on (``languages``), as configured."""
        return tuple(lang for b in self.brands for lang in b.languages)

    def brand(self, name: str) -> BrandConfig:
        for b in self.brands:
            if b.name == name:
                return b
        raise ConfigError(
            f"no brand named {name!r}",
            hint=f"known brands: {', '.join(b.name for b in self.brands)}",
        )


def secret(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """Read a secret from the environment (never from the config file)."""
    value = (env if env is not None else os.environ).get(name)
    return value or None


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where} must be a string or a list of strings")


def _brand(raw: Mapping[str, Any], i: int) -> BrandConfig:
    where = f"brands[{i}]"
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where} needs a name", hint='add name = "YourBrand"')
    unknown = set(raw) - {"name", "aliases", "include", "exclude", "languages", "competitors"}
    if unknown:
        raise ConfigError(f"{where} ({name}): unknown keys {sorted(unknown)}")
    languages = tuple(s.strip().lower() for s in _strs(raw.get("languages"), f"{where}.languages"))
    for code in languages:
        if not LANGUAGE_TAG.fullmatch(code):
            raise ConfigError(
                f"brand {name!r}: languages holds {code!r}, which is not a language code",
                hint='use ISO 639 codes such as "es", "en" or "pt-BR"',
            )
        if not is_known_language(code):  # a post would never be in it: all would be dropped
            meant = COUNTRY_CODES_FOR_LANGUAGES.get(code)
            raise ConfigError(
                f"brand {name!r}: languages holds {code!r}, which is no language code known "
                "to the Unicode CLDR or the language identifier",
                hint=f'{code!r} is a country; its language is "{meant}"'
                if meant
                else 'use ISO 639 codes such as "es", "en" or "pt-BR"',
            )
    return BrandConfig(
        name=name.strip(),
        aliases=_strs(raw.get("aliases"), f"{where}.aliases"),
        include=_strs(raw.get("include"), f"{where}.include"),
        exclude=_strs(raw.get("exclude"), f"{where}.exclude"),
        languages=languages,
        competitors=_strs(raw.get("competitors"), f"{where}.competitors"),
    )


def _source(raw: Mapping[str, Any], i: int, base: Path) -> SourceConfig:
    where = f"sources[{i}]"
    name, kind = raw.get("name"), raw.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where} needs a name")
    if kind not in SOURCE_KINDS:
        raise ConfigError(
            f"source {name!r}: unknown kind {kind!r}",
            hint=f"kind must be one of {', '.join(SOURCE_KINDS)}",
        )
    interval = number(raw.get("interval_minutes", 30), f"source {name!r}: interval_minutes")
    params = {
        k: v
        for k, v in raw.items()
        if k not in {"name", "kind", "interval_minutes", "brands", "about_brand", "track_authors"}
    }
    if kind == "file" and "path" in params:
        params["path"] = str((base / str(params["path"])).resolve())
    for key in params:
        if any(word in key.lower() for word in ("secret", "password", "token")):
            raise ConfigError(
                f"source {name!r}: {key!r} looks like a secret and must not be in the config file",
                hint="put it in an environment variable (see the README)",
            )
    make_source(name.strip(), kind, params)  # checks the kind's own parameters; opens nothing
    brands = _strs(raw.get("brands"), f"{where}.brands")
    about_brand = boolean(
        raw.get("about_brand", kind in ABOUT_BRAND_KINDS), f"source {name!r}: about_brand"
    )
    if kind in ABOUT_BRAND_KINDS and not about_brand:
        raise ConfigError(f"source {name!r}: {kind} items are always about the source's brand")
    if about_brand and len(brands) != 1:
        raise ConfigError(
            f"source {name!r} ({kind}): name the one brand its items are about",
            hint='add brands = ["YourBrand"]: reviews of a brand rarely name it',
        )
    track = boolean(raw.get("track_authors", True), f"source {name!r}: track_authors")
    return SourceConfig(name.strip(), kind, params, interval, brands, about_brand, track)


def _dashboard_url(value: Any) -> str:
    url = text(value, "monitor.dashboard_url").strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
        raise ConfigError(
            f"monitor.dashboard_url must be an http(s) address, not {value!r}",
            hint='the address people open the dashboard at, e.g. "http://escucha.example:8501"',
        )
    return url


def dashboard_link(base: str | None, page: str, lang: str) -> str | None:
    """The address of a dashboard page in a language (None without a dashboard_url)."""
    return f"{base}/{page}?lang={lang}" if base else None


def _log_level(value: Any, where: str) -> str:
    return choice(text(value, where).upper(), LOG_LEVELS, where)


def parse_config(data: Mapping[str, Any], base: Path, defaults: Settings) -> Settings:
    """Settings from an already-parsed TOML mapping; paths resolve against ``base``."""
    known_keys(data, "top level", SECTIONS)
    mon = table(data.get("monitor", {}), "monitor")
    known_keys(mon, "monitor", MONITOR_KEYS)
    clf = table(data.get("classifier", {}), "classifier")
    known_keys(clf, "classifier", CLASSIFIER_KEYS)
    s = defaults
    if "database_url" in mon:
        url = text(mon["database_url"], "monitor.database_url")
        if (
            url.startswith("sqlite:///")
            and not url.startswith("sqlite:////")
            and url != "sqlite:///:memory:"
        ):
            url = "sqlite:///" + str((base / url[len("sqlite:///") :]).resolve())
        s = replace(s, database_url=url)
    for key in ("cache_dir", "datasets_dir"):
        if key in mon:
            path = Path(text(mon[key], f"monitor.{key}")).expanduser()
            s = replace(s, **{key: (base / path).resolve()})
    if "log_level" in mon:
        s = replace(s, log_level=_log_level(mon["log_level"], "monitor.log_level"))
    if "untracked_channels" in mon:
        channels = _strs(mon["untracked_channels"], "monitor.untracked_channels")
        s = replace(s, untracked_channels=tuple(c.strip() for c in channels if c.strip()))
    if "dashboard_url" in mon:
        s = replace(s, dashboard_url=_dashboard_url(mon["dashboard_url"]))
    if "classify_interval_minutes" in mon:
        minutes = number(mon["classify_interval_minutes"], "monitor.classify_interval_minutes")
        s = replace(s, classify_interval_minutes=minutes)
    c = s.classifier
    if "model_dir" in clf:
        model_dir = Path(text(clf["model_dir"], "classifier.model_dir")).expanduser()
        c = replace(c, model_dir=(base / model_dir).resolve())
    for key in ("batch_size", "threads"):
        if key in clf:
            c = replace(c, **{key: int(number(clf[key], f"classifier.{key}", whole=True))})
    if "quantize" in clf:
        c = replace(c, quantize=boolean(clf["quantize"], "classifier.quantize"))
    if "backend" in clf:
        c = replace(c, backend=choice(clf["backend"], BACKENDS, "classifier.backend"))
    external = clf.get("external", {})
    if not isinstance(external, Mapping):
        raise ConfigError("classifier.external must be a table of tasks")
    if external:
        c = replace(
            c,
            external=tuple(
                ExternalModelConfig.from_mapping(task, raw, base) for task, raw in external.items()
            ),
        )
    brands = tuple(_brand(b, i) for i, b in enumerate(tables(data.get("brands", []), "brands")))
    names = [b.name for b in brands]
    if len(set(names)) != len(names):
        raise ConfigError("two brands share a name")
    for b in brands:
        unknown = [x for x in b.competitors if x not in names]
        if unknown:
            raise ConfigError(
                f"brand {b.name!r}: competitors names an unknown brand {unknown[0]!r}",
                hint=f"known brands: {', '.join(names)}; add a [[brands]] table for each "
                "competitor so its mentions are collected",
            )
    raw_sources = tables(data.get("sources", []), "sources")
    sources = tuple(_source(x, i, base) for i, x in enumerate(raw_sources))
    for src in sources:
        unknown = [b for b in src.brands if b not in names]
        if unknown:
            raise ConfigError(
                f"source {src.name!r}: brands names an unknown brand {unknown[0]!r}",
                hint=f"known brands: {', '.join(names) or 'none yet; add a [[brands]] table'}",
            )
    if len({x.name for x in sources}) != len(sources):
        raise ConfigError(
            "two sources share a name", hint="source names identify their posts; make them unique"
        )
    alerts = AlertSettings.from_mapping(data.get("alerts"))
    report = ReportSettings.from_mapping(data.get("report"), base)
    report_channel(report, alerts.channels)  # raises when it names no email channel
    unknown = set(report.brands) - set(names)
    if unknown:
        raise ConfigError(f"report.brands names unknown brands: {', '.join(sorted(unknown))}")
    replies = ReplySettings.from_mapping(table(data.get("replies", {}), "replies"))
    categories = CategorySettings.from_mapping(table(data.get("categories", {}), "categories"))
    return replace(
        s,
        classifier=c,
        brands=brands,
        sources=sources,
        alerts=alerts,
        report=report,
        replies=replies,
        categories=categories,
    )


def apply_env(s: Settings, env: Mapping[str, str]) -> Settings:
    if env.get("MONITOR_DATABASE_URL"):
        s = replace(s, database_url=env["MONITOR_DATABASE_URL"])
    if env.get("MONITOR_CACHE_DIR"):
        s = replace(s, cache_dir=Path(env["MONITOR_CACHE_DIR"]).expanduser())
    if env.get("MONITOR_DATASETS_DIR"):
        s = replace(s, datasets_dir=Path(env["MONITOR_DATASETS_DIR"]).expanduser())
    if env.get("MONITOR_MODEL_DIR"):
        s = replace(
            s,
            classifier=replace(s.classifier, model_dir=Path(env["MONITOR_MODEL_DIR"]).expanduser()),
        )
    if env.get("MONITOR_LOG_LEVEL"):
        s = replace(s, log_level=_log_level(env["MONITOR_LOG_LEVEL"], "MONITOR_LOG_LEVEL"))
    return s


def load_settings(
    config_path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings from defaults, the config file, MONITOR_* variables and CLI overrides."""
    env = os.environ if env is None else env
    named_by = (
        "--config" if config_path else "MONITOR_CONFIG" if env.get("MONITOR_CONFIG") else None
    )
    path = Path(config_path or env.get("MONITOR_CONFIG") or DEFAULT_CONFIG_FILE)
    s = Settings(cache_dir=_default_cache_dir(env))
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(
                f"{path}: invalid TOML: {e}", hint="check quotes and brackets on that line"
            ) from e
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read {path}: {e}") from e
        try:
            s = parse_config(data, path.resolve().parent, s)
        except ConfigError as e:
            raise ConfigError(f"{path}: {e.message}", hint=e.hint) from e
        s = replace(s, config_path=path.resolve())
    elif named_by is not None:  # only the default ./monitor.toml may be missing
        raise ConfigError(
            f"config file {path} not found (named by {named_by})",
            hint="create one with `monitor init`"
            + (", or unset MONITOR_CONFIG" if named_by == "MONITOR_CONFIG" else ""),
        )
    s = apply_env(s, env)
    for key, value in (overrides or {}).items():
        if value is not None:
            s = replace(s, **{key: value})
    return s
