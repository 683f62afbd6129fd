"""Weekly trends for executives: week over week, emotions, share of voice, themes, top posts."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, common
from monitor import insights

ctx = common.context()
t, f, settings = ctx.tr, ctx.filters, ctx.settings

st.title(t.t("weekly_title"))
left, right = st.columns([1, 2])
weeks = left.segmented_control(
    t.t("weeks_shown"), (4, 8, 12), default=4, required=True, key="w_weeks"
)
kind = right.segmented_control(
    t.t("week_kind"),
    ("rolling", "calendar"),
    format_func=lambda k: t.t(f"week_kind_{k}"),
    default="rolling",
    required=True,
    key="w_kind",
)
if kind == "calendar":  # Monday to Sunday, the last complete week last: the PDF report's weeks
    f = insights.calendar_weeks(f)
windows = insights.week_windows(f, weeks)
last_day = windows["week_end"].iloc[-1] - timedelta(days=1)
st.caption(t.t(f"week_caption_{kind}", end=t.date(last_day)))

counts = ctx.q("weekly_counts", f, settings, weeks)
brands = list(f.brands)
wow = insights.week_over_week(counts, windows, brands)
if wow["posts"].sum() == 0:
    st.info(t.t("no_match"), icon="🔎")
    st.stop()
sov = insights.share_of_voice(counts, windows, settings, brands)
this, prev = wow.iloc[-1], wow.iloc[-2] if len(wow) > 1 else None


def _signed(text: str) -> str:
    # st.metric picks the arrow from a leading ASCII sign; the typographic minus hides it.
    return "-" + text[1:] if text.startswith("−") else text


def _delta_pct(now: float, before: float | None) -> str | None:
    if before is None or pd.isna(before) or not before:
        return None
    return _signed(f"{t.pct((now - before) / before * 100, 0, sign=True)} {t.t('vs_last_week')}")


def _delta_pts(now: float, before: float | None) -> str | None:
    if before is None or pd.isna(before) or pd.isna(now):
        return None
    return _signed(f"{t.t('points', v=t.number(now - before, 0, sign=True))} {t.t('vs_last_week')}")


cols = st.columns(4)
cols[0].metric(
    t.t("kpi_week_posts"),
    t.number(this["posts"]),
    _delta_pct(this["posts"], prev["posts"] if prev is not None else None),
    delta_color="off",
    border=True,
)
cols[1].metric(
    t.t("kpi_week_net"),
    t.number(this["net_sentiment"], 0, sign=True),
    _delta_pts(this["net_sentiment"], prev["net_sentiment"] if prev is not None else None),
    border=True,
    help=t.t("net_formula"),
)
cols[2].metric(
    t.t("kpi_week_negative"),
    t.pct(this["negative_share"]),
    _delta_pts(this["negative_share"], prev["negative_share"] if prev is not None else None),
    delta_color="inverse",
    border=True,
)
focus = sov[sov["focus"]]
if not focus.empty:
    name = focus["brand"].iloc[0]
    mine = focus[focus["brand"] == name].set_index("week")["share"]
    cols[3].metric(
        t.t("kpi_sov", brand=name),
        t.pct(mine.get(0)),
        _delta_pts(mine.get(0), mine.get(1)),
        border=True,
    )

ratings = ctx.q("weekly_ratings", f, weeks).set_index("week")
if ratings["reviews"].get(0, 0):  # reviews this week: the reviewers' own verdict, in stars
    before = ratings["mean_rating"].get(1)
    st.caption(
        t.t(
            "week_reviews",
            n=t.number(ratings.at[0, "reviews"]),
            mean=t.number(ratings.at[0, "mean_rating"], 1),
            before=t.t("week_reviews_before", mean=t.number(before, 1))
            if not pd.isna(before)
            else t.t("week_reviews_none_before"),
        )
    )

left, right = st.columns(2)
left.altair_chart(charts.weekly_volume_chart(wow, t, t.t("weekly_volume_title")), width="stretch")
right.altair_chart(charts.weekly_net_chart(wow, t, t.t("weekly_net_title")), width="stretch")
left, right = st.columns(2)
emotions = insights.weekly_emotions(counts, windows, brands)
if not emotions.empty:
    left.altair_chart(
        charts.weekly_emotion_chart(emotions, t, t.t("weekly_emotion_title"), windows),
        width="stretch",
    )
if sov.empty:
    right.info(t.t("sov_missing"), icon="ℹ️")
else:
    right.altair_chart(charts.sov_chart(sov, t, t.t("sov_title")), width="stretch")

names = [*ctx.options.brands, *(term for b in settings.brands for term in b.terms)]
themes = ctx.q("negative_themes", f, tuple(names))
by_category = ctx.q("weekly_categories", f, weeks)  # the weeks shown; complaints read two


def category_name(category: str) -> str:
    return settings.categories.name(category, t.lang)


complaints = insights.complaint_categories(by_category, int(this["negative"]))
left, right = st.columns(2)
with left:
    if complaints.empty:
        st.markdown(f"##### {t.t('complaints_title')}")
        st.info(t.t("complaints_empty"))
    else:
        st.altair_chart(
            charts.complaints_chart(complaints, t, t.t("complaints_title"), category_name),
            width="stretch",
        )
        st.caption(t.t("complaints_caption"))
with right:
    if themes.empty:
        st.markdown(f"##### {t.t('themes_title')}")
        st.info(t.t("themes_empty"))
    else:
        st.altair_chart(charts.themes_chart(themes, t, t.t("themes_title")), width="stretch")
        st.caption(t.t("themes_caption"))
trend = insights.complaint_trend(by_category, windows)
if not trend.empty and len(windows) > 1:
    st.altair_chart(
        charts.complaint_trend_chart(trend, t, t.t("complaint_trend_title"), category_name),
        width="stretch",
    )
st.markdown(f"##### {t.t('most_read_title')}")
top = ctx.q("most_read_negative", f)
if top.empty:
    st.info(t.t("most_read_empty"))
else:
    common.posts_table(t, top, extra={"audience": t.col("audience")})

st.subheader(t.t("wow_table_title"))
table = pd.DataFrame(
    {
        t.col("week_start"): charts.week_label(wow, t),
        t.col("posts"): wow["posts"].map(t.number),
        t.col("posts_change"): wow["posts_change"].map(lambda v: t.pct(v, 1, sign=True)),
        t.col("net_sentiment"): wow["net_sentiment"].map(lambda v: t.number(v, 1, sign=True)),
        t.col("net_change"): wow["net_change"].map(lambda v: t.number(v, 1, sign=True)),
        t.col("positive"): wow["positive"].map(t.number),
        t.col("neutral"): wow["neutral"].map(t.number),
        t.col("negative"): wow["negative"].map(t.number),
    }
).iloc[::-1]
st.dataframe(table, hide_index=True, width="stretch")
