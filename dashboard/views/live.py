"""Live view for community managers: volume, sentiment, emotions, sources, languages, posts."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, common
from monitor import insights

BREAKDOWN_ROWS = 10  # sources and channels charted; the rest share one bar

ctx = common.context()
t, f = ctx.tr, ctx.filters

st.title(t.t("live_title"))
counts = ctx.q("period_counts", f)
totals = insights.totals(counts)

if totals["posts"] == 0:
    st.info(t.t("no_match"), icon="🔎")
    st.stop()

unit = insights.live.bucket_unit(f)
unit_word = t.t(f"unit_{unit}")

cols = st.columns(5 if totals["pending"] else 4)
cols[0].metric(t.t("kpi_posts"), t.number(totals["posts"]), border=True)
cols[1].metric(
    t.t("kpi_net"), t.number(totals["net_sentiment"], 0, sign=True), border=True,
    help=t.t("net_formula"),
)  # fmt: skip
cols[2].metric(t.t("kpi_positive"), t.pct(totals["positive_share"]), border=True)
cols[3].metric(t.t("kpi_negative"), t.pct(totals["negative_share"]), border=True)
if totals["pending"]:
    cols[4].metric(t.t("kpi_pending"), t.number(totals["pending"]), border=True)
st.caption(t.t("net_formula"))

left, right = st.columns(2)
raised = insights.alerts_raised(common.engine_for(ctx.url), f)  # not cached: alerts change
left.altair_chart(
    charts.volume_chart(
        insights.volume(counts), t, unit, t.t("volume_title", unit=unit_word), alerts=raised
    ),
    width="stretch",
)
right.altair_chart(
    charts.net_chart(
        insights.net_sentiment_series(counts), t, unit, t.t("net_title", unit=unit_word)
    ),
    width="stretch",
)
left, right = st.columns(2)
left.altair_chart(
    charts.sentiment_chart(insights.sentiment_series(counts), t, unit, t.t("sentiment_title")),
    width="stretch",
)
emotions = insights.emotion_mix(counts)
if not emotions.empty:
    right.altair_chart(charts.emotion_chart(emotions, t, t.t("emotion_title")), width="stretch")
panels = []  # (chart, caption), laid out two to a row
by_category = ctx.q("category_breakdown", f)
by_category = by_category[by_category[["positive", "neutral", "negative"]].sum(axis=1) > 0]
if not by_category.empty:
    chart = charts.breakdown_chart(
        by_category, t, "category", t.t("by_category_title"),
        name_of=lambda c: ctx.settings.categories.name(c, t.lang),
    )  # fmt: skip
    in_any = ctx.q("categorized_posts", f)
    panels.append((chart, t.t("category_caption", n=t.number(in_any), total=t.number(totals["posts"]))))  # fmt: skip
for by, title in (("where", "by_source_title"), ("language", "by_language_title")):
    table = insights.breakdown(counts, by, top=BREAKDOWN_ROWS)
    if not table.empty:
        panels.append((charts.breakdown_chart(table, t, by, t.t(title)), None))
for i in range(0, len(panels), 2):
    for column, (chart, caption) in zip(st.columns(2), panels[i : i + 2], strict=False):
        column.altair_chart(chart, width="stretch")
        if caption:
            column.caption(caption)

head, button = st.columns([4, 1], vertical_alignment="bottom")
head.subheader(t.t("latest_title"))
button.download_button(
    t.t("export_csv"),
    data=lambda: insights.posts_csv(
        ctx.q("latest_posts", f, limit=insights.EXPORT_LIMIT),
        t,
        lambda c: ctx.settings.categories.name(c, t.lang),
    ),
    file_name=f"escucha-{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    help=t.t("export_help", n=t.number(insights.EXPORT_LIMIT)),
    key="export_posts",
)
common.posts_table(t, ctx.q("latest_posts", f, limit=100))
