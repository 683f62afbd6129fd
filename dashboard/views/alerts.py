"""Alerts for PR teams: what fired and why, the posts behind it, acknowledge and resolve."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import common
from monitor import insights
from monitor.alerts.notify import render
from monitor.alerts.repository import AUTO, AlertRepository
from monitor.errors import MonitorError

ctx = common.context()
t = ctx.tr
repo = AlertRepository(common.engine_for(ctx.url))

st.title(t.t("alerts_title"))
flash = st.session_state.pop("_alert_flash", None)
if flash:
    st.success(flash, icon="✅")


def _linked() -> int | None:
    """The alert a link opened the page on (``?alert=12``, as alert messages link), once
    per session: afterwards the person's own choices stand."""
    if st.session_state.get("_alert_link_done"):
        return None
    st.session_state["_alert_link_done"] = True
    wanted = str(st.query_params.get("alert") or "")
    if not wanted.isdigit():
        return None
    try:
        linked = repo.get(int(wanted))
    except MonitorError:  # deleted since, or a mistyped link: the page as usual
        return None
    if not linked.active:
        st.session_state["a_show"] = "all"  # a resolved alert is listed under "all"
    return linked.id


linked = _linked()
show = st.segmented_control(
    t.t("alerts_show"),
    ("active", "all"),
    default=None if "a_show" in st.session_state else "active",
    required=True,
    format_func=lambda v: t.t(f"alerts_{v}"),
    key="a_show",
)


def _listed(status: str | None) -> list:
    """Alerts of the chosen brands (and brand-less source alerts), newest first."""
    return repo.list(status=status, limit=200, brands=ctx.filters.brands)


alerts = _listed("active" if show == "active" else None)

cols = st.columns(4)
cols[0].metric(t.t("kpi_alerts_open"), t.number(sum(a.status == "open" for a in alerts)), border=True)  # fmt: skip
cols[1].metric(t.t("kpi_alerts_ack"), t.number(sum(a.status == "acknowledged" for a in alerts)), border=True)  # fmt: skip
cols[2].metric(
    t.t("kpi_alerts_critical"),
    t.number(sum(a.active and a.severity == "critical" for a in alerts)),
    border=True,
)
cols[3].metric(
    t.t("kpi_alerts_failed"),
    t.number(sum(bool(a.last_delivery_error) and a.delivery_due for a in alerts)),
    border=True,
)
if not alerts:
    resolved = len(_listed("resolved")) if show == "active" else 0
    st.info(t.t("alerts_none_active", n=resolved) if resolved else t.t("alerts_none"))
    st.stop()


def _title(alert) -> str:
    try:
        return render(alert, t.lang, categories=ctx.settings.categories).title.split(": ", 1)[-1]
    except (KeyError, TypeError, ValueError):
        return alert.title


_DELIVERY_TEXT = {
    "sent": "alert_sent",
    "pending": "alert_pending_delivery",
    "no_channels": "alert_no_channels",
}


def _delivery(alert) -> str:
    state = alert.delivery_state(bool(ctx.settings.alerts.channels))
    if state == "failed":
        return t.t("alert_failed", error=alert.last_delivery_error)
    return t.t(_DELIVERY_TEXT[state]) if state in _DELIVERY_TEXT else "–"


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(tzinfo=None)


table = pd.DataFrame(
    {
        "#": [a.id for a in alerts],
        t.t("report_severity"): [t.value("severity", a.severity) for a in alerts],
        t.t("report_rule"): [t.value("rule", a.rule) for a in alerts],
        t.col("brand"): [a.brand or "–" for a in alerts],
        t.t("report_alert"): [_title(a) for a in alerts],
        t.t("alert_first_seen"): [_utc(a.first_seen_at) for a in alerts],
        t.t("alert_last_seen"): [_utc(a.last_seen_at) for a in alerts],
        t.col("status"): [t.value("status", a.status) for a in alerts],
        t.t("alert_delivery"): [_delivery(a) for a in alerts],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=min(380, 38 + 35 * len(table)),
    column_config={
        t.t("alert_first_seen"): st.column_config.DatetimeColumn(format="DD/MM HH:mm"),
        t.t("alert_last_seen"): st.column_config.DatetimeColumn(format="DD/MM HH:mm"),
        t.t("report_alert"): st.column_config.TextColumn(width="large"),
    },
)

by_id = {a.id: a for a in alerts}
if linked in by_id:
    st.session_state["a_pick"] = linked
chosen = st.selectbox(
    t.t("alert_pick"),
    list(by_id),
    format_func=lambda i: f"#{i} · {t.value('severity', by_id[i].severity)} · {_title(by_id[i])}",
    key="a_pick",
)
alert = by_id[chosen]

with st.container(border=True):
    st.markdown(f"**{t.t('alert_why')}**")
    try:
        why = render(alert, t.lang, ctx.settings.replies, ctx.settings.categories).body
    except (KeyError, TypeError, ValueError):
        why = alert.title
    st.text(why)  # plain text: post excerpts inside must never become markup
    for status, who, when in (
        ("acknowledged", alert.acknowledged_by, alert.acknowledged_at),
        ("resolved", alert.resolved_by, alert.resolved_at),
    ):
        if when is not None and who == AUTO:
            st.caption(t.t("alert_by_auto", when=t.date(when, with_time=True)))
        elif when is not None:
            st.caption(
                t.t(
                    "alert_by",
                    status=t.value("status", status),
                    who=common.plain(who) if who else "–",
                    when=t.date(when, with_time=True),
                )
            )

if alert.post_ids:
    st.markdown(f"#### {t.t('alert_posts')}")
    behind = insights.posts_by_id(common.engine_for(ctx.url), alert.post_ids)
    if not behind.empty:
        common.posts_table(t, behind, extra={"audience": t.col("audience")})
    gone = len(set(alert.post_ids)) - len(behind)  # deleted since (by hand, on request)
    if gone:
        total = t.number(len(set(alert.post_ids)))
        st.caption(t.t("alert_posts_gone", n=t.number(gone), total=total))

if alert.active:
    who = st.text_input(t.t("your_name"), key="a_user").strip()
    left, right = st.columns(2)
    ack = left.button(
        t.t("alert_acknowledge"),
        key=f"a_ack_{alert.id}",
        disabled=alert.status != "open",
        type="primary",
    )
    resolve = right.button(t.t("alert_resolve"), key=f"a_resolve_{alert.id}")
    if ack or resolve:
        if not who:
            st.warning(t.t("alert_need_name"))
        else:
            now = datetime.now(UTC)
            if ack:
                repo.acknowledge(alert.id, who, now)
                st.session_state["_alert_flash"] = t.t("alert_done_ack", id=alert.id)
            else:
                repo.resolve(alert.id, who, now)
                st.session_state["_alert_flash"] = t.t("alert_done_resolve", id=alert.id)
            st.rerun()
