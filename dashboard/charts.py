"""Charts as functions of the query layer's DataFrames (altair). Every title, axis and
legend comes from ``Tr``, so the language switch changes all of them."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from monitor.i18n import MONTHS, Tr
from monitor.insights import REST

SENTIMENT_ORDER = ("negative", "neutral", "positive")
SENTIMENT_COLORS = ("#d1495b", "#a8adb4", "#2e9e6b")
EMOTION_ORDER = ("anger", "disgust", "fear", "sadness", "surprise", "joy", "other")
EMOTION_COLORS = ("#c0392b", "#8e6c3a", "#7d3c98", "#2e86c1", "#f39c12", "#27ae60", "#a8adb4")
FOCUS_COLOR = "#1f5fa8"
ALERT_SEVERITIES = ("warning", "critical")
ALERT_COLORS = ("#e08e0b", "#c0392b")
OTHER_BRAND_COLORS = ("#9fb4cc", "#c9c9c9", "#d9c7a7", "#b8d0b0", "#d6b3c7")
HEIGHT = 300  # the whole chart: title, legend and axes included (Streamlit fits it)


def _locale(tr: Tr) -> dict:
    if tr.lang != "es":
        return {}
    return {
        "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"]},
        "time": {
            "dateTime": "%A, %e de %B de %Y, %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
            "shortDays": ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
            "months": [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],  # fmt: skip
            "shortMonths": list(MONTHS["es"]),
        },
    }


def _finish(chart: alt.Chart, title: str, tr: Tr, height: int = HEIGHT) -> alt.Chart:
    chart = chart.properties(title=alt.TitleParams(title, anchor="start"), height=height)
    locale = _locale(tr)
    return chart.configure(locale=locale) if locale else chart


def _sentiment_scale(tr: Tr) -> alt.Scale:
    return alt.Scale(
        domain=[tr.value("sentiment", s) for s in SENTIMENT_ORDER], range=list(SENTIMENT_COLORS)
    )


def _with_sentiment_label(df: pd.DataFrame, tr: Tr) -> pd.DataFrame:
    df = df.copy()
    df["sentiment_label"] = df["sentiment"].map(lambda s: tr.value("sentiment", s))
    df["sentiment_order"] = df["sentiment"].map({s: i for i, s in enumerate(SENTIMENT_ORDER)})
    return df


def _time_axis(tr: Tr, unit: str, field: str = "period", bars: bool = False) -> alt.X:
    """Time on x, in UTC like the rest of the page, ticks on whole hours or days.
    Bars take a time unit so each one spans its whole hour or day."""
    fmt = "%d %b %H:%M" if unit == "hour" else "%d %b"
    ticks = {"interval": "hour", "step": 6} if unit == "hour" else {"interval": "day", "step": 1}
    time_unit = "utcyearmonthdatehours" if unit == "hour" else "utcyearmonthdate"
    return alt.X(
        f"{field}:T",
        timeUnit=time_unit if bars else alt.Undefined,
        title=tr.col("period"),
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(
            # an explicit expression: with a time unit Vega-Lite ignores ``format``
            labelExpr=f"utcFormat(datum.value, '{fmt}')",
            labelAngle=0,
            tickCount=ticks,
            labelOverlap=True,
        ),
    )


def _time_tooltip(tr: Tr) -> alt.Tooltip:
    return alt.Tooltip(
        "period:T", title=tr.col("period"), format="%d %b %Y %H:%M", formatType="utc"
    )


def volume_chart(
    df: pd.DataFrame, tr: Tr, unit: str, title: str, alerts: pd.DataFrame | None = None
) -> alt.Chart:
    """Bars: posts per time bucket. ``df``: period, posts. ``alerts`` (period, alert_id,
    severity, rule, brand): a dashed line where each alert was raised."""
    chart = (
        alt.Chart(df)
        .mark_bar(color=FOCUS_COLOR, opacity=0.85)
        .encode(
            x=_time_axis(tr, unit, bars=True),
            y=alt.Y("posts:Q", title=tr.col("posts")),
            tooltip=[
                _time_tooltip(tr),
                alt.Tooltip("posts:Q", title=tr.col("posts"), format=",d"),
            ],
        )
    )
    if alerts is not None and not alerts.empty:
        chart = chart + _alert_rules(alerts, tr)
    return _finish(chart, title, tr)


def _alert_rules(alerts: pd.DataFrame, tr: Tr) -> alt.Chart:
    """Dashed vertical lines at the alerts, coloured by severity, with what they were."""
    marks = alerts.copy()
    marks["what"] = [
        f"#{i} · {tr.value('rule', r)} · {b}"
        for i, r, b in zip(marks["alert_id"], marks["rule"], marks["brand"], strict=True)
    ]
    marks["severity_label"] = marks["severity"].map(lambda v: tr.value("severity", v))
    order = [tr.value("severity", v) for v in ALERT_SEVERITIES]
    return (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            x=alt.X("period:T", scale=alt.Scale(type="utc")),
            color=alt.Color(
                "severity_label:N",
                scale=alt.Scale(domain=order, range=list(ALERT_COLORS)),
                legend=alt.Legend(title=tr.t("alert_marks"), orient="top"),
            ),
            tooltip=[
                _time_tooltip(tr),
                alt.Tooltip("what:N", title=tr.t("alert_mark")),
                alt.Tooltip("severity_label:N", title=tr.t("alert_mark_severity")),
            ],
        )
    )


def sentiment_chart(df: pd.DataFrame, tr: Tr, unit: str, title: str) -> alt.Chart:
    """Stacked bars: posts per time bucket and sentiment. ``df``: period, sentiment, posts, share."""
    df = _with_sentiment_label(df, tr)
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=_time_axis(tr, unit, bars=True),
            y=alt.Y("posts:Q", title=tr.col("posts"), stack="zero"),
            color=alt.Color(
                "sentiment_label:N",
                title=tr.col("sentiment"),
                scale=_sentiment_scale(tr),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("sentiment_order:Q"),
            tooltip=[
                _time_tooltip(tr),
                alt.Tooltip("sentiment_label:N", title=tr.col("sentiment")),
                alt.Tooltip("posts:Q", title=tr.col("posts"), format=",d"),
                alt.Tooltip("share:Q", title=tr.col("share"), format=".1f"),
            ],
        )
    )
    return _finish(chart, title, tr)


def net_chart(df: pd.DataFrame, tr: Tr, unit: str, title: str) -> alt.Chart:
    """Line: net sentiment per bucket, on a fixed −100..+100 scale. ``df``: period, net_sentiment."""
    df = df.dropna(subset=["net_sentiment"])
    half = pd.Timedelta(minutes=30 if unit == "hour" else 12 * 60)
    df = df.assign(middle=df["period"] + half)  # each point in the middle of its bucket
    y = alt.Y("net_sentiment:Q", title=tr.col("net_sentiment"), scale=alt.Scale(domain=[-100, 100]))
    line = (
        alt.Chart(df)
        .mark_line(point=True, color=FOCUS_COLOR)
        .encode(
            x=_time_axis(tr, unit, "middle"),
            y=y,
            tooltip=[
                _time_tooltip(tr),
                alt.Tooltip("net_sentiment:Q", title=tr.col("net_sentiment"), format="+.1f"),
                alt.Tooltip("positive:Q", title=tr.col("positive")),
                alt.Tooltip("negative:Q", title=tr.col("negative")),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#888", strokeDash=[4, 4])
    return _finish(alt.layer(zero.encode(y="y:Q"), line), title, tr)


def emotion_chart(df: pd.DataFrame, tr: Tr, title: str) -> alt.Chart:
    """Horizontal bars: share of posts per emotion. ``df``: emotion, posts, share."""
    df = df.copy()
    df["emotion_label"] = df["emotion"].map(lambda e: tr.value("emotion", e))
    scale = alt.Scale(
        domain=[tr.value("emotion", e) for e in EMOTION_ORDER], range=list(EMOTION_COLORS)
    )
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("emotion_label:N", title=None, sort="-x"),
            x=alt.X("share:Q", title=tr.col("share")),
            color=alt.Color("emotion_label:N", scale=scale, legend=None),
            tooltip=[
                alt.Tooltip("emotion_label:N", title=tr.col("emotion")),
                alt.Tooltip("posts:Q", title=tr.col("posts"), format=",d"),
                alt.Tooltip("share:Q", title=tr.col("share"), format=".1f"),
            ],
        )
    )
    return _finish(chart, title, tr)


def breakdown_chart(
    df: pd.DataFrame, tr: Tr, by: str, title: str, name_of: Callable[[str], str] | None = None
) -> alt.Chart:
    """Horizontal 100 % bars: sentiment mix per source, language or category, biggest
    first, each labelled with its number of posts (a 100 % bar of 2 posts is not a trend).
    ``df``: <by>, positive, neutral, negative, posts, net_sentiment (from insights.breakdown
    or insights.category_breakdown); ``name_of`` names a value for people."""
    df = df.copy()
    names = df[by].map(
        lambda v: tr.t("breakdown_rest") if v == REST
        else tr.value("language", v) if by == "language"
        else name_of(v) if name_of is not None
        else v
    )  # fmt: skip
    repeated = names.duplicated(keep=False)  # two stored tags with one name ("es", "es-es")
    names = names.where(~repeated, names + " [" + df[by].fillna("?").astype(str) + "]")
    df["key_label"] = [
        f"{name} ({tr.number(n)})" for name, n in zip(names, df["posts"], strict=True)
    ]
    long = df.melt(
        id_vars=["key_label", "posts", "net_sentiment"],
        value_vars=list(SENTIMENT_ORDER),
        var_name="sentiment",
        value_name="count",
    )
    long = _with_sentiment_label(long, tr)
    order = df.sort_values("posts", ascending=False)["key_label"].tolist()
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("key_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=240)),
            x=alt.X("count:Q", stack="normalize", title=tr.col("share"), axis=alt.Axis(format="%")),
            color=alt.Color(
                "sentiment_label:N",
                title=tr.col("sentiment"),
                scale=_sentiment_scale(tr),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("sentiment_order:Q"),
            tooltip=[
                alt.Tooltip("key_label:N", title=tr.col(by)),
                alt.Tooltip("sentiment_label:N", title=tr.col("sentiment")),
                alt.Tooltip("count:Q", title=tr.col("posts"), format=",d"),
                alt.Tooltip("posts:Q", title=tr.t("kpi_posts"), format=",d"),
                alt.Tooltip("net_sentiment:Q", title=tr.col("net_sentiment"), format="+.1f"),
            ],
        )
    )
    return _finish(chart, title, tr, height=180 + 30 * len(order))


# ---- weekly ------------------------------------------------------------------


def week_label(df: pd.DataFrame, tr: Tr) -> pd.Series:
    """'9–15 nov' / 'Nov 9–15' style labels from week_start (the end is 6 days later)."""

    def one(start: pd.Timestamp) -> str:
        end = start + pd.Timedelta(days=6)
        if start.month != end.month:
            return f"{tr.date(start)} – {tr.date(end)}"
        if tr.lang == "es":
            return f"{start.day}–{tr.date(end)}"
        return f"{tr.date(start)}–{end.day}"

    return df["week_start"].map(one)


def _week_x(tr: Tr, order: list[str]) -> alt.X:
    """Weeks in time order, every week shown even when it has no posts."""
    return alt.X(
        "week_label:N",
        title=None,
        sort=order,
        scale=alt.Scale(domain=order),
        axis=alt.Axis(labelAngle=0 if len(order) <= 4 else -35, labelOverlap=False),
    )


def weekly_volume_chart(wow: pd.DataFrame, tr: Tr, title: str) -> alt.Chart:
    df = wow.assign(week_label=week_label(wow, tr))
    order = df["week_label"].tolist()
    bars = (
        alt.Chart(df)
        .mark_bar(color=FOCUS_COLOR, opacity=0.85)
        .encode(
            x=_week_x(tr, order),
            y=alt.Y("posts:Q", title=tr.col("posts")),
            tooltip=[
                alt.Tooltip("week_label:N", title=tr.col("week_start")),
                alt.Tooltip("posts:Q", title=tr.col("posts"), format=",d"),
                alt.Tooltip("posts_change:Q", title=tr.col("posts_change"), format="+.1f"),
            ],
        )
    )
    labels = bars.mark_text(dy=-6, color="#333").encode(text=alt.Text("posts:Q", format=",d"))
    return _finish(alt.layer(bars, labels), title, tr)


def weekly_net_chart(wow: pd.DataFrame, tr: Tr, title: str) -> alt.Chart:
    df = wow.assign(week_label=week_label(wow, tr)).dropna(subset=["net_sentiment"])
    order = week_label(wow, tr).tolist()
    y = alt.Y("net_sentiment:Q", title=tr.col("net_sentiment"), scale=alt.Scale(domain=[-100, 100]))
    line = (
        alt.Chart(df)
        .mark_line(point=True, color=FOCUS_COLOR)
        .encode(
            x=_week_x(tr, order),
            y=y,
            tooltip=[
                alt.Tooltip("week_label:N", title=tr.col("week_start")),
                alt.Tooltip("net_sentiment:Q", title=tr.col("net_sentiment"), format="+.1f"),
                alt.Tooltip("net_change:Q", title=tr.col("net_change"), format="+.1f"),
            ],
        )
    )
    labels = line.mark_text(dy=-10, color="#333").encode(
        text=alt.Text("net_sentiment:Q", format="+.0f")
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#888", strokeDash=[4, 4])
    return _finish(alt.layer(zero.encode(y="y:Q"), line, labels), title, tr)


def weekly_emotion_chart(
    df: pd.DataFrame, tr: Tr, title: str, weeks: pd.DataFrame | None = None
) -> alt.Chart:
    """100 % bars per week by emotion. ``df``: week_start, emotion, posts, share;
    ``weeks`` (week_start) lists every week to show."""
    df = df.assign(week_label=week_label(df, tr))
    df["emotion_label"] = df["emotion"].map(lambda e: tr.value("emotion", e))
    df["emotion_order"] = df["emotion"].map({e: i for i, e in enumerate(EMOTION_ORDER)})
    order = week_label(weeks if weeks is not None else df.sort_values("week_start"), tr)
    order = list(dict.fromkeys(order))
    scale = alt.Scale(
        domain=[tr.value("emotion", e) for e in EMOTION_ORDER], range=list(EMOTION_COLORS)
    )
    color = alt.Color("emotion_label:N", title=None, scale=scale, legend=alt.Legend(orient="right"))
    tooltip = [
        alt.Tooltip("emotion_label:N", title=tr.col("emotion")),
        alt.Tooltip("share:Q", title=tr.col("share"), format=".1f"),
    ]
    return _weekly_share_bars(df, tr, title, order, color, "emotion_order", tooltip)


def _weekly_share_bars(
    df: pd.DataFrame,
    tr: Tr,
    title: str,
    order: list[str],
    color: alt.Color,
    stack_order: str,
    tooltip: list[alt.Tooltip],
) -> alt.Chart:
    """100 % bars per week (``week_label``), split by ``color``, stacked by ``stack_order``."""
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=_week_x(tr, order),
            y=alt.Y("posts:Q", stack="normalize", title=tr.col("share"), axis=alt.Axis(format="%")),
            color=color,
            order=alt.Order(f"{stack_order}:Q"),
            tooltip=[alt.Tooltip("week_label:N", title=tr.col("week_start")), *tooltip],
        )
    )
    return _finish(chart, title, tr)


def sov_chart(df: pd.DataFrame, tr: Tr, title: str) -> alt.Chart:
    """100 % bars per week by brand; the chosen brand in the strong colour.
    ``df``: week_start, brand, posts, share, focus."""
    df = df.assign(week_label=week_label(df, tr))
    brands = df.sort_values(["focus", "brand"], ascending=[False, True])["brand"].unique().tolist()
    focus = set(df.loc[df["focus"], "brand"])
    others = iter(OTHER_BRAND_COLORS * 4)
    colors = [FOCUS_COLOR if b in focus else next(others) for b in brands]
    df["brand_order"] = df["brand"].map({b: i for i, b in enumerate(brands)})
    order = df.sort_values("week_start")["week_label"].unique().tolist()
    color = alt.Color(
        "brand:N",
        title=None,
        scale=alt.Scale(domain=brands, range=colors),
        legend=alt.Legend(orient="bottom"),
    )
    tooltip = [
        alt.Tooltip("brand:N", title=tr.col("brand")),
        alt.Tooltip("posts:Q", title=tr.col("posts"), format=",d"),
        alt.Tooltip("share:Q", title=tr.col("share"), format=".1f"),
    ]
    return _weekly_share_bars(df, tr, title, order, color, "brand_order", tooltip)


def themes_chart(df: pd.DataFrame, tr: Tr, title: str) -> alt.Chart:
    """Bars: share of this week's negative posts per theme, with a tick at the share in
    the weeks before, each labelled with its other phrases. ``df``: theme, posts, share,
    previous_share, lift, variants."""
    df = df.assign(
        label=[
            f"{theme} ({variants})" if variants else theme
            for theme, variants in zip(
                df["theme"], df["variants"] if "variants" in df else [""] * len(df), strict=True
            )
        ]
    )
    tooltip = [
        alt.Tooltip("label:N", title=tr.col("theme")),
        alt.Tooltip("posts:Q", title=tr.col("posts")),
        alt.Tooltip("share:Q", title=tr.col("theme_share"), format=".1f"),
        alt.Tooltip("previous_share:Q", title=tr.col("previous_share"), format=".1f"),
    ]
    x = alt.X("share:Q", title=tr.col("theme_share"))
    return _bars_with_before(df, tr, title, x, "previous_share", tooltip)


def _bars_with_before(
    df: pd.DataFrame, tr: Tr, title: str, x: alt.X, before: str, tooltip: list
) -> alt.Chart:
    """Horizontal red bars, one per ``label`` in ``df``'s order, with a tick at the value of
    ``before`` (the same figure in the weeks before)."""
    order = df["label"].tolist()
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    )
    bars = base.mark_bar(color=SENTIMENT_COLORS[0], opacity=0.8).encode(x=x, tooltip=tooltip)
    ticks = base.mark_tick(color="#333", thickness=2, size=18).encode(
        x=f"{before}:Q", tooltip=tooltip
    )
    return _finish(alt.layer(bars, ticks), title, tr, height=90 + 28 * len(order))


def complaints_chart(
    df: pd.DataFrame, tr: Tr, title: str, name_of: Callable[[str], str]
) -> alt.Chart:
    """Bars: this week's negative posts per category, with a tick at the week before's.
    ``df``: category, negative, previous, change, share (insights.complaint_categories)."""
    df = df.assign(
        label=[
            f"{name_of(c)} ({tr.number(n)})"
            for c, n in zip(df["category"], df["negative"], strict=True)
        ]
    )
    tooltip = [
        alt.Tooltip("label:N", title=tr.col("category")),
        alt.Tooltip("negative:Q", title=tr.t("this_week"), format=",d"),
        alt.Tooltip("previous:Q", title=tr.t("previous_week"), format=",d"),
        alt.Tooltip("change:Q", title=tr.col("change"), format="+,d"),
        alt.Tooltip("share:Q", title=tr.col("theme_share"), format=".1f"),
    ]
    x = alt.X("negative:Q", title=tr.col("negative"))
    return _bars_with_before(df, tr, title, x, "previous", tooltip)


CATEGORY_COLORS = ("#d1495b", "#1f5fa8", "#f39c12", "#7d3c98", "#2e9e6b")


def complaint_trend_chart(
    df: pd.DataFrame, tr: Tr, title: str, name_of: Callable[[str], str]
) -> alt.Chart:
    """Lines: negative posts per week for the categories with the most of them.
    ``df``: week_start, category, negative (insights.complaint_trend), oldest week first."""
    df = df.assign(week_label=week_label(df, tr), name=df["category"].map(name_of))
    order = list(dict.fromkeys(df["week_label"]))
    names = list(dict.fromkeys(df["name"]))  # most complaints first
    chart = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=_week_x(tr, order),
            y=alt.Y("negative:Q", title=tr.col("negative")),
            color=alt.Color(
                "name:N",
                title=None,
                sort=names,
                scale=alt.Scale(domain=names, range=list(CATEGORY_COLORS)),
                legend=alt.Legend(orient="right", labelLimit=220),
            ),
            tooltip=[
                alt.Tooltip("week_label:N", title=tr.col("week_start")),
                alt.Tooltip("name:N", title=tr.col("category")),
                alt.Tooltip("negative:Q", title=tr.col("negative"), format=",d"),
            ],
        )
    )
    return _finish(chart, title, tr)
