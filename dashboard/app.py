"""Escucha dashboard: `monitor dashboard` (or `streamlit run dashboard/app.py`).

Reads the store named by MONITOR_DATABASE_URL / MONITOR_CONFIG (through
monitor.settings) and shows four pages: the live view for community managers,
the response queue and the alerts for PR teams, and weekly trends for executives.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import common  # noqa: E402
from monitor import insights  # noqa: E402
from monitor.errors import MonitorError  # noqa: E402
from monitor.store.db import sqlite_file_missing  # noqa: E402

st.set_page_config(page_title="Escucha", page_icon="👂", layout="wide")


def _watch_for_new_data(url: str, version: tuple) -> None:
    """Rerun the whole app when posts, labels or actions changed (checked every few seconds)."""
    try:
        current = insights.data_version(common.engine_for(url))
    except MonitorError:
        return
    if current != version:
        st.rerun(scope="app")


def main() -> None:
    # Pages live in views/, not pages/: a pages/ folder would switch Streamlit to its
    # older file-based navigation in some code paths (AppTest among them).
    t = common.language_switch()
    pages = [
        st.Page(
            "views/live.py",
            title=t.t("page_live"),
            icon=":material/monitoring:",
            url_path="live",
            default=True,
        ),
        st.Page(
            "views/queue.py", title=t.t("page_queue"), icon=":material/campaign:", url_path="queue"
        ),
        st.Page(
            "views/alerts.py",
            title=t.t("page_alerts"),
            icon=":material/notifications_active:",
            url_path="alerts",
        ),
        st.Page(
            "views/weekly.py",
            title=t.t("page_weekly"),
            icon=":material/calendar_month:",
            url_path="weekly",
        ),
    ]
    page = st.navigation(pages, position="top")
    try:
        settings, url = common.load()
    except MonitorError as e:
        common.show_error(t, e)
        return
    if sqlite_file_missing(url):
        _empty(t)
        return
    engine = common.engine_for(url)
    try:
        version = insights.data_version(engine)
        _, newest = common.query("data_range", url, version)
        if newest is None:
            _empty(t)
            return
        options = common.query("filter_options", url, version)
    except MonitorError as e:
        common.show_error(t, e)
        return
    filters = common.sidebar_filters(t, settings, options, newest)
    auto = st.sidebar.toggle(
        t.t("auto_refresh"),
        value=True,
        help=t.t("auto_refresh_help", s=common.REFRESH_SECONDS),
        key="auto_refresh",
    )
    st.sidebar.caption(common.data_caption(t, newest))
    common.source_health_sidebar(t, url, settings)
    if auto:
        with st.sidebar:
            st.fragment(_watch_for_new_data, run_every=common.REFRESH_SECONDS)(url, version)
    st.session_state["_ctx"] = common.Context(
        tr=t,
        settings=settings,
        url=url,
        version=version,
        filters=filters,
        options=options,
    )
    try:
        page.run()
    except MonitorError as e:
        common.show_error(t, e)


def _empty(t) -> None:
    st.title(t.t("app_title"))
    st.info(f"**{t.t('empty_title')}**\n\n{t.t('empty_body')}", icon="👂")


main()
