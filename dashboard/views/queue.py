"""Response queue for PR teams: open negative posts, most urgent story first, with actions."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import common
from monitor.authors import repeat_factor
from monitor.replies import draft_reply
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS

ctx = common.context()
t, f = ctx.tr, ctx.filters

st.title(t.t("queue_title"))
flash = st.session_state.pop("_flash", None)
if flash:
    st.success(flash, icon="✅")

times = ctx.q("response_times", f).iloc[0]
cols = st.columns(4)
cols[0].metric(t.t("kpi_open"), t.number(times["open_posts"]), border=True)
cols[1].metric(t.t("kpi_awaiting"), t.number(times["awaiting"]), border=True)
cols[2].metric(
    t.t("kpi_median"),
    t.duration(times["median_minutes"]),
    border=True,
    help=t.t("kpi_responded", n=t.number(times["responded"])),
)
cols[3].metric(t.t("kpi_p90"), t.duration(times["p90_minutes"]), border=True)
st.caption(t.t("urgency_formula"))

untracked = ctx.settings.untracked  # news: their authors are journalists
queue = ctx.q("response_queue", f, untracked=untracked)
if queue.empty:
    narrowed = any((f.sources, f.channels, f.languages, f.emotions, f.categories))  # not sentiment
    # "nothing pending 🎉" only when it is true of the whole brand, not of a narrow filter
    if narrowed:
        st.info(t.t("no_match"), icon="🔎")
    else:
        st.info(t.t("queue_empty"))
    st.stop()

lead = queue.drop_duplicates("story").set_index("story")
sources = queue.groupby("story")["where"].agg(lambda s: ", ".join(sorted(set(s))))
newest = queue.groupby("story")["posted_at"].max()
earlier = queue.groupby("story")["earlier_complaints"].max()  # a customer let down again
about = queue.groupby("story")["categories"].agg(  # what any post of the story is about
    lambda cats: tuple(dict.fromkeys(c for ids in cats for c in ids))
)

st.subheader(t.t("stories_title"))
table = pd.DataFrame(
    {
        t.col("story_rank"): lead["story_rank"],
        t.col("urgency"): lead["story_urgency"].round(0).astype(int),
        t.col("story_posts"): lead["story_posts"],
        t.col("earlier_complaints"): earlier.reindex(lead.index).map(
            lambda n: t.number(n) if n else ""
        ),
        t.col("brand"): lead["brand"],
        t.col("sources"): sources.reindex(lead.index),
        t.col("newest"): newest.reindex(lead.index).dt.tz_convert(None),
        t.col("text"): common.post_text(lead),
        t.col("categories"): about.reindex(lead.index).map(
            lambda ids: common.category_names(t, ids)
        ),
        t.col("sentiment_label"): [
            common.label_with_conf(t, "sentiment", s, c, k)
            for s, c, k in zip(
                lead["sentiment"], lead["sentiment_conf"], lead["corrected"], strict=True
            )
        ],
        t.col("emotion_label"): [
            common.label_with_conf(t, "emotion", e, c)
            for e, c in zip(lead["emotion"], lead["emotion_conf"], strict=True)
        ],
        t.col("status"): lead["status"].map(lambda s: t.value("status", s)),
        t.col("assignee"): lead["assignee"],
        t.col("url"): lead["url"].map(common.safe_url),
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=min(420, 38 + 35 * len(table)),
    column_config={
        t.col("urgency"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d"),
        t.col("newest"): st.column_config.DatetimeColumn(format="DD/MM HH:mm"),
        t.col("text"): st.column_config.TextColumn(width="large"),
        t.col("url"): st.column_config.LinkColumn(display_text=t.t("open_original")),
    },
)


def _story_label(story: int) -> str:
    row = lead.loc[story]
    return t.t(
        "story_label",
        rank=int(row["story_rank"]),
        urgency=t.number(row["story_urgency"]),
        n=int(row["story_posts"]),
        posts=t.t("posts_one" if int(row["story_posts"]) == 1 else "posts_many"),
        brand=row["brand"],
        sources=sources[story],
    )


story = st.selectbox(
    t.t("pick_story"), lead.index.tolist(), format_func=_story_label, key="q_story"
)
posts = queue[queue["story"] == story]

st.markdown(f"#### {t.t('story_posts_title')}")
for _, post in posts.iterrows():
    with st.container(border=True):
        when = f"{t.date(post['posted_at'], with_time=True)} UTC"
        st.text(" · ".join(x for x in (post["brand"], post["where"], post["author"], when) if x))
        if isinstance(post["title"], str) and post["title"]:
            st.text(post["title"])
        st.text(post["text"])
        if post["categories"]:
            st.caption(f"{t.col('categories')}: {common.category_names(t, post['categories'])}")
        if post["earlier_complaints"]:
            n = int(post["earlier_complaints"])
            st.caption(
                t.t(
                    "repeat_note",
                    author=common.plain(post["author"]),
                    brand=common.plain(post["brand"]),
                    n=n,
                    times=t.t("times_one" if n == 1 else "times_many"),
                    factor=t.number(repeat_factor(n), 1),
                )
            )
        badges = st.columns([1, 1, 1, 3])
        with badges[0]:
            st.badge(common.label_with_conf(t, "sentiment", post["sentiment"], post["sentiment_conf"], post["corrected"]), color="red")  # fmt: skip
        with badges[1]:
            st.badge(common.label_with_conf(t, "emotion", post["emotion"], post["emotion_conf"]), color="orange")  # fmt: skip
        with badges[2]:
            urgency = f"{t.col('urgency')} {t.number(post['urgency'])}"
            rating = common.stars(post.get("rating"), post.get("previous_rating"))
            st.badge(f"{urgency} · {rating}" if rating else urgency, color="gray")
        url = common.safe_url(post["url"])
        if url:
            badges[3].link_button(t.t("open_original"), url, icon=":material/open_in_new:")

lead_post = posts.iloc[0]
press = not bool(lead_post.get("author_tracked", True))  # news: no customer to answer
draft = (
    None
    if press
    else draft_reply(
        ctx.settings.replies,
        emotion=lead_post["emotion"],
        lang=lead_post["language"],
        fallback_lang=t.lang,
        author=lead_post["author"],
        brand=lead_post["brand"],
    )
)
if draft:
    st.markdown(f"#### {t.t('reply_title')}")
    st.caption(t.t("reply_caption", emotion=t.value("emotion", draft.emotion), language=t.value("language", draft.lang)))  # fmt: skip
    st.code(draft.text, language=None, wrap_lines=True)
elif press:
    st.markdown(f"#### {t.t('reply_title')}")
    st.info(t.t("reply_press"), icon=":material/newspaper:")

st.markdown(f"#### {t.t('actions_title')}")
ids = [int(i) for i in posts["post_id"]]
whole = True
if len(ids) > 1:
    whole = st.checkbox(t.t("whole_story", n=len(ids)), value=True, key=f"q_whole_{story}")
targets = ids if whole else ids[:1]
who = st.text_input(t.t("your_name"), key="q_user").strip() or None


def _act(message: str, **changes) -> None:
    store = common.store_for(ctx.url)
    now = datetime.now(UTC)
    for post_id in targets:
        store.update_action(post_id, now, **changes)
    st.session_state["_flash"] = message
    st.rerun()


owner = ctx.settings.categories.owner_for(about[story])
a, b, c = st.columns(3)
with a.container(border=True):
    suggested = owner[0] if owner else who or ""
    assignee = st.text_input(t.t("assign_to"), value=suggested, key=f"q_assignee_{story}").strip()
    if owner:
        st.caption(t.t("owner_hint", category=ctx.settings.categories.name(owner[1], t.lang)))
    if st.button(t.t("assign"), key=f"q_assign_{story}", type="primary"):
        if not assignee:
            st.warning(t.t("need_name"))
        else:
            _act(
                t.t("done_assign", who=common.plain(assignee)), status="assigned", assignee=assignee
            )
with b.container(border=True):
    note = st.text_area(t.t("note"), key=f"q_note_{story}", height=68).strip()
    if st.button(t.t("handle"), key=f"q_handle_{story}", type="primary"):
        _act(t.t("done_handle"), status="handled", note=note or None, **({"assignee": who} if who else {}))  # fmt: skip
with c.container(border=True):
    st.markdown(f"**{t.t('correct_title')}**")
    s = st.selectbox(
        t.t("sentiment"),
        SENTIMENT_LABELS,
        # a 1-2★ review is queued whatever the model read, or before it read it at all
        index=SENTIMENT_LABELS.index(
            lead_post["sentiment"] if lead_post["sentiment"] in SENTIMENT_LABELS else "negative"
        ),
        format_func=lambda v: t.value("sentiment", v),
        key=f"q_fix_sentiment_{story}",
    )
    e = st.selectbox(
        t.t("emotion"),
        EMOTION_LABELS,
        index=EMOTION_LABELS.index(
            lead_post["emotion"] if lead_post["emotion"] in EMOTION_LABELS else "other"
        ),
        format_func=lambda v: t.value("emotion", v),
        key=f"q_fix_emotion_{story}",
    )
    if st.button(t.t("save_correction"), key=f"q_correct_{story}"):
        _act(t.t("done_correct"), corrected_sentiment=s, corrected_emotion=e, corrected_by=who)

st.divider()
st.subheader(t.t("repeat_title"))
repeat = ctx.q("repeat_complainers", f, untracked=untracked)
if repeat.empty:
    st.caption(t.t("repeat_none"))
else:
    st.caption(t.t("repeat_caption"))
    last = ctx.q("posts_by_id", repeat["last_post_id"].tolist()).set_index("post_id")
    last = last.reindex(repeat["last_post_id"])
    st.dataframe(
        pd.DataFrame(
            {
                t.col("author"): repeat["author"],
                t.col("brand"): repeat["brand"],
                t.col("where"): last["where"].to_numpy(),
                t.col("occasions"): repeat["occasions"],
                t.col("complaints"): repeat["complaints"],
                t.col("open_complaints"): repeat["open"],
                t.col("first_at"): repeat["first_at"].dt.tz_convert(None),
                t.col("last_at"): repeat["last_at"].dt.tz_convert(None),
                t.col("last_complaint"): common.post_text(last).to_numpy(),
                t.col("url"): last["url"].map(common.safe_url).to_numpy(),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t.col("first_at"): st.column_config.DatetimeColumn(format="DD/MM HH:mm"),
            t.col("last_at"): st.column_config.DatetimeColumn(format="DD/MM HH:mm"),
            t.col("last_complaint"): st.column_config.TextColumn(width="large"),
            t.col("url"): st.column_config.LinkColumn(display_text=t.t("open_original")),
        },
    )
