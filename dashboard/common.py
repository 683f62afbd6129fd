"""What every page shares: settings, the engine, cached queries, the sidebar filters,
and the safe rendering of posts (their text is data, never markup)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from monitor import insights
from monitor.errors import MonitorError
from monitor.i18n import DEFAULT_LANG, LANGS, Tr, tr
from monitor.insights import Filters, Options
from monitor.links import safe_url
from monitor.settings import Settings, load_settings
from monitor.store import Store
from monitor.store.db import make_engine

REFRESH_SECONDS = 30  # how often the page checks for new posts
CACHE_TTL = 600  # cached figures are keyed by the data version; this only frees memory
PERIODS = (1, 7, 30, 90, 0)  # days; 0 = custom dates


@st.cache_resource(show_spinner=False)
def engine_for(url: str):
    return make_engine(url)


def store_for(url: str) -> Store:
    """The store for people's actions (assign, handle, correct); no migration here."""
    return Store(engine_for(url))


@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def query(name: str, url: str, version: tuple, *args, **kwargs):
    """``insights.<name>(engine, *args)``, cached until the data changes."""
    return getattr(insights, name)(engine_for(url), *args, **kwargs)


@dataclass
class Context:
    """Everything a page needs, built once per run by app.py."""

    tr: Tr
    settings: Settings
    url: str
    version: tuple
    filters: Filters
    options: Options

    def q(self, name: str, *args, **kwargs):
        return query(name, self.url, self.version, *args, **kwargs)


def context() -> Context:
    return st.session_state["_ctx"]


def language() -> Tr:
    return tr(st.session_state.get("lang") or DEFAULT_LANG)


def language_switch() -> Tr:
    """The sidebar's language switch, kept in the address as ``?lang=en``: a shared or
    bookmarked link, or a reload, opens the page in the language it was read in."""
    if "lang" not in st.session_state and st.query_params.get("lang") in LANGS:
        st.session_state["lang"] = st.query_params["lang"]
    st.sidebar.segmented_control(
        "Idioma · Language",
        list(LANGS),
        format_func=LANGS.get,
        default=None if "lang" in st.session_state else DEFAULT_LANG,
        required=True,
        key="lang",
    )
    chosen = language()
    st.query_params["lang"] = chosen.lang
    return chosen


def load() -> tuple[Settings, str]:
    """Settings from MONITOR_CONFIG / MONITOR_DATABASE_URL (what `monitor dashboard` sets)."""
    settings = load_settings()
    return settings, settings.database_url


def own_brands(settings: Settings, available: tuple[str, ...]) -> list[str]:
    """Default brand filter: the configured brands that name competitors (your own)."""
    own = [b.name for b in settings.brands if b.competitors and b.name in available]
    return own


def _period_label(t: Tr, days: int) -> str:
    if days == 0:
        return t.t("custom")
    return t.t("last_day") if days == 1 else t.t("last_n_days", n=days)


def sidebar_filters(t: Tr, settings: Settings, options: Options, newest: datetime) -> Filters:
    sb = st.sidebar
    sb.header(t.t("filters"))
    brands = tuple(dict.fromkeys([*options.brands, *(b.name for b in settings.brands)]))
    chosen_brands = sb.multiselect(
        t.t("brand"),
        brands,
        default=own_brands(settings, brands),
        placeholder=t.t("all"),
        key="f_brands",
    )
    days = sb.selectbox(
        t.t("period"),
        PERIODS,
        index=PERIODS.index(insights.live.DEFAULT_DAYS),
        format_func=lambda d: _period_label(t, d),
        key="f_period",
    )
    end = datetime.combine(newest.date(), time(), UTC) + timedelta(days=1)
    start = end - timedelta(days=days or insights.live.DEFAULT_DAYS)
    if days == 0:
        picked = sb.date_input(
            t.t("dates"),
            value=(start.date(), (end - timedelta(days=1)).date()),
            max_value=newest.date(),
            format="DD/MM/YYYY" if t.lang == "es" else "YYYY/MM/DD",
            key="f_dates",
        )
        chosen = [d for d in (picked if isinstance(picked, tuple | list) else [picked]) if d]
        if chosen:  # a range, or a single day while the second click is pending
            start = datetime.combine(chosen[0], time(), UTC)
            end = datetime.combine(chosen[-1], time(), UTC) + timedelta(days=1)
    sources = sb.multiselect(
        t.t("source"), options.sources, placeholder=t.t("all"), key="f_sources"
    )
    channels = []
    if options.channels:  # only sources that say where within them a post appeared
        channels = sb.multiselect(
            t.t("channel"), options.channels, placeholder=t.t("all"), key="f_channels"
        )
    categories = []
    if options.categories:  # once posts have been put into categories
        categories = sb.multiselect(
            t.t("category"),
            options.categories,
            format_func=lambda v: settings.categories.name(v, t.lang),
            placeholder=t.t("all"),
            key="f_categories",
        )
    langs = sb.multiselect(
        t.t("language"),
        options.languages,
        format_func=lambda v: t.value("language", v),
        placeholder=t.t("all"),
        key="f_languages",
    )
    sentiments = sb.multiselect(
        t.t("sentiment"),
        options.sentiments,
        format_func=lambda v: t.value("sentiment", v),
        placeholder=t.t("all"),
        key="f_sentiments",
    )
    emotions = sb.multiselect(
        t.t("emotion"),
        options.emotions,
        format_func=lambda v: t.value("emotion", v),
        placeholder=t.t("all"),
        key="f_emotions",
    )
    return Filters(
        brands=tuple(chosen_brands),
        start=start,
        end=end,
        sources=tuple(sources),
        languages=tuple(langs),
        sentiments=tuple(sentiments),
        emotions=tuple(emotions),
        channels=tuple(channels),
        categories=tuple(categories),
    )


def show_error(t: Tr, error: MonitorError) -> None:
    st.error(f"{t.t('store_error')}: {error.message}", icon="⚠️")
    if error.hint:
        st.caption(error.hint)


# ---- posts, safely -----------------------------------------------------------

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation: what markdown reads


def plain(text) -> str:
    """``text`` (an author's name, a name someone typed) to put inside a markdown line
    (``st.caption``, ``st.success``): one line, every ASCII punctuation mark
    backslash-escaped, so that ``**``, ``<b>``, ``$$`` (LaTeX), ``[x](javascript:…)``,
    Streamlit's ``:red[…]`` or a leading ``- `` or ``#`` read as the characters they are."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def stars(rating, previous=None) -> str:
    """A review's rating as stars ('★★☆☆☆'), with the stars it had before an edit that
    changed them ('★☆☆☆☆ → ★★★★★'); empty for posts that are not reviews."""
    if rating is None or pd.isna(rating):
        return ""
    n = int(rating)
    now = "★" * n + "☆" * (5 - n)
    if previous is None or pd.isna(previous) or int(previous) == n:
        return now
    return f"{stars(previous)} → {now}"


def label_with_conf(t: Tr, kind: str, value, conf, corrected: bool = False) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return t.value(kind, "pending")
    text = f"{t.value(kind, value)} · {t.pct(float(conf) * 100)}"
    return f"{text} ✎" if corrected else text


def category_names(t: Tr, ids) -> str:
    """A post's categories for people ("Facturación y cobros, Atención al cliente")."""
    names = context().settings.categories
    return ", ".join(names.name(c, t.lang) for c in ids or ())


def post_text(df: pd.DataFrame) -> pd.Series:
    """Each post's title (when it has one) and text, as one cell."""
    if "title" not in df:
        return df["text"]
    return (df["title"].fillna("") + " " + df["text"]).str.strip()


def posts_table(t: Tr, df: pd.DataFrame, extra: dict[str, str] | None = None) -> None:
    """Posts as a read-only grid: the text is plain data in a cell, links are http(s) only."""
    out = pd.DataFrame(
        {
            t.col("posted_at"): df["posted_at"].dt.tz_convert(None),
            t.col("brand"): df["brand"],
            t.col("source"): df["where"],
            t.col("language"): df["language"].map(lambda v: t.value("language", v)),
            t.col("author"): df["author"],
            t.col("text"): post_text(df),
            t.col("sentiment_label"): [
                label_with_conf(t, "sentiment", s, c, k)
                for s, c, k in zip(
                    df["sentiment"], df["sentiment_conf"], df["corrected"], strict=True
                )
            ],
            t.col("emotion_label"): [
                label_with_conf(t, "emotion", e, c)
                for e, c in zip(df["emotion"], df["emotion_conf"], strict=True)
            ],
        }
    )
    if "categories" in df and df["categories"].map(bool).any():
        out[t.col("categories")] = df["categories"].map(lambda ids: category_names(t, ids))
    if "rating" in df and df["rating"].notna().any():  # reviews among the posts
        before = df["previous_rating"] if "previous_rating" in df else [None] * len(df)
        out[t.col("rating")] = [stars(r, b) for r, b in zip(df["rating"], before, strict=True)]
    for column, header in (extra or {}).items():
        out[header] = df[column].to_numpy()
    out[t.col("url")] = df["url"].map(safe_url)
    st.dataframe(
        out,
        hide_index=True,
        width="stretch",
        column_config={
            t.col("posted_at"): st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
            t.col("text"): st.column_config.TextColumn(width="large"),
            t.col("url"): st.column_config.LinkColumn(display_text=t.t("open_original")),
        },
    )


def data_caption(t: Tr, newest: datetime) -> str:
    return t.t("updated", when=t.date(newest, with_time=True))


def source_problems(t: Tr, health) -> list[str]:
    """One sentence per source whose last runs failed, or that works but has never found a
    post (``Store.source_health`` rows): whoever watches the page must know that its
    figures may be missing posts."""
    out = []
    for h in health:
        if h.empty_reason:
            out.append(t.t(f"source_{h.empty_reason}", name=h.name, n=h.successful_runs))
        if not h.consecutive_failures:
            continue
        when = (
            t.date(h.last_success_at, with_time=True) + " UTC"
            if h.last_success_at
            else t.t("never")
        )
        error = (h.last_error or "").splitlines()[0][:160] if h.last_error else "?"
        # a server's words, drawn as they are: a code span shows markup as its characters
        error = "`" + error.replace("`", "'") + "`"
        out.append(
            t.t("source_failing", name=h.name, n=h.consecutive_failures, when=when, error=error)
        )
    return out


def source_health_sidebar(t: Tr, url: str, settings: Settings) -> None:
    """A warning in the sidebar for every failing or empty configured source; a quiet caption
    otherwise. Sources no longer in the config, and one-off imports, are left out."""
    configured = {c.name for c in settings.sources}
    try:
        health = [h for h in store_for(url).source_health() if h.name in configured]
    except MonitorError:
        return  # the page's own queries report database trouble
    problems = source_problems(t, health)
    for line in problems:
        st.sidebar.warning(line, icon=":material/sync_problem:")
    if health and not problems:
        st.sidebar.caption(t.t("sources_ok", n=len(health)))
