"""The report's charts as PNG images (matplotlib, no display needed).

Each function takes figures from :class:`monitor.report.data.WeeklyReportData` and a
:class:`monitor.i18n.Tr`, and returns PNG bytes sized for an A4 page at 2× density.
Colours match the dashboard: red negative, grey neutral, green positive.
"""

from __future__ import annotations

import io

import pandas as pd

from monitor.i18n import Tr
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS

SENTIMENT_COLORS = {"negative": "#d1495b", "neutral": "#a5a5a5", "positive": "#2e9e6a"}
EMOTION_COLORS = {
    "anger": "#c0392b",
    "disgust": "#8e6c3a",
    "fear": "#7d3c98",
    "joy": "#f4b400",
    "sadness": "#2f6fb0",
    "surprise": "#16a3a3",
    "other": "#9aa0a6",
}
FOCUS, RIVAL, INK, GRID = "#1f4e79", "#b7c4d6", "#333333", "#e6e6e6"
WIDTH, HEIGHT, DPI = 7.2, 2.7, 160


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 8.5,
            "axes.edgecolor": GRID,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlesize": 10,
            "axes.titlelocation": "left",
        }
    )
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    fig.clf()
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def _week_labels(starts: pd.Series, t: Tr) -> list[str]:
    return [t.date(pd.Timestamp(s).to_pydatetime()) for s in starts]


def weekly_sentiment(trend: pd.DataFrame, t: Tr) -> bytes:
    """Mentions per week stacked by sentiment, with net sentiment on a second axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    labels = _week_labels(trend["week_start"], t)
    x = range(len(trend))
    bottom = pd.Series(0, index=trend.index)
    for s in SENTIMENT_LABELS:
        ax.bar(
            x,
            trend[s],
            bottom=bottom,
            color=SENTIMENT_COLORS[s],
            label=t.value("sentiment", s),
            width=0.62,
        )
        bottom = bottom + trend[s]
    ax.set_xticks(list(x), labels)
    ax.set_ylabel(t.col("posts"))
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    net = ax.twinx()
    net.plot(list(x), trend["net_sentiment"], color=INK, marker="o", linewidth=1.6)
    net.axhline(0, color=INK, linewidth=0.5, linestyle=":")
    net.set_ylim(-100, 100)
    net.set_ylabel(t.t("report_net_axis"))
    net.spines["right"].set_visible(True)
    for i, v in zip(x, trend["net_sentiment"], strict=True):
        if pd.notna(v):
            net.annotate(
                t.number(v, 0, sign=True),
                (i, v),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=7.5,
                color=INK,
            )
    ax.set_title(t.t("report_chart_weekly"))
    handles, names = ax.get_legend_handles_labels()
    line = plt.Line2D([], [], color=INK, marker="o", linewidth=1.6)
    ax.legend(
        [*handles, line],
        [*names, t.t("report_net_axis")],
        loc="upper left",
        ncols=4,
        frameon=False,
        fontsize=7.5,
        bbox_to_anchor=(0, -0.12),
    )
    return _png(fig)


def daily_sentiment(daily: pd.DataFrame, week_start, t: Tr) -> bytes:
    """The reported week day by day, stacked by sentiment."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT * 0.85))
    days = pd.date_range(pd.Timestamp(week_start), periods=7, freq="D")
    wide = (
        daily.assign(day=pd.to_datetime(daily["day"], utc=True))
        .pivot_table(index="day", columns="sentiment", values="posts", aggfunc="sum")
        .reindex(days, fill_value=0)
        .fillna(0)
    )
    bottom = pd.Series(0.0, index=wide.index)
    for s in SENTIMENT_LABELS:
        values = wide[s] if s in wide else pd.Series(0.0, index=wide.index)
        ax.bar(
            range(7),
            values,
            bottom=bottom,
            color=SENTIMENT_COLORS[s],
            label=t.value("sentiment", s),
            width=0.62,
        )
        bottom = bottom + values
    names = t.t("report_weekdays").split()
    ax.set_xticks(range(7), [f"{names[d.weekday()]} {d.day}" for d in days])
    ax.set_ylabel(t.col("posts"))
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(t.t("report_chart_daily"))
    ax.legend(loc="upper right", frameon=False, fontsize=7.5)
    return _png(fig)


def emotion_mix(emotions: pd.DataFrame, t: Tr) -> bytes:
    """This week's share of each emotion, with last week's as a thin marker."""
    plt = _pyplot()
    order = [e for e in EMOTION_LABELS if e in set(emotions["emotion"])]
    df = emotions.set_index("emotion").reindex(order).sort_values("share")
    fig, ax = plt.subplots(figsize=(WIDTH / 2, HEIGHT))
    y = range(len(df))
    ax.barh(list(y), df["share"], color=[EMOTION_COLORS[e] for e in df.index], height=0.62)
    ax.scatter(
        df["previous_share"],
        list(y),
        marker="|",
        s=160,
        color=INK,
        linewidths=1.6,
        zorder=3,
        label=t.t("report_last_week"),
    )
    for i, v, before in zip(y, df["share"], df["previous_share"].fillna(0), strict=True):
        ax.text(max(v, before) + 1.2, i, t.pct(v), va="center", fontsize=7.5, color=INK)
    ax.set_yticks(list(y), [t.value("emotion", e) for e in df.index])
    ax.set_xlabel(t.t("report_share_axis"))
    top = max(float(df["share"].max()), float(df["previous_share"].fillna(0).max()))
    ax.set_xlim(0, top * 1.25)
    ax.set_title(t.t("report_chart_emotions"))
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.22), frameon=False, fontsize=7.5)
    return _png(fig)


def share_of_voice(sov: pd.DataFrame, t: Tr) -> bytes:
    """Each compared brand's share of mentions this week (own brand dark)."""
    plt = _pyplot()
    df = sov.sort_values("share")
    fig, ax = plt.subplots(figsize=(WIDTH / 2, HEIGHT))
    y = range(len(df))
    ax.barh(
        list(y),
        df["share"],
        color=[FOCUS if f else RIVAL for f in df["focus"]],
        height=0.62,
    )
    for i, (v, before) in enumerate(zip(df["share"], df["previous_share"], strict=True)):
        change = ""
        if pd.notna(before):
            change = f"  ({t.t('points', v=t.number(v - before, 0, sign=True))})"
        ax.text(v + 1, i, t.pct(v) + change, va="center", fontsize=7.5, color=INK)
    ax.set_yticks(list(y), list(df["brand"]))
    ax.set_xlim(0, 130)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(t.t("report_share_axis"))
    ax.set_title(t.t("report_chart_sov"))
    return _png(fig)
