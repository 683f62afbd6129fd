"""The weekly report as HTML (Jinja2) and PDF (WeasyPrint).

:func:`context` turns the figures into the words and numbers the template shows
(pure); :func:`to_html` fills ``templates/weekly.html.j2`` with charts embedded as
PNG data URIs, so the HTML file stands alone; :func:`to_pdf` prints that HTML to A4.
"""

from __future__ import annotations

import base64
import logging
import math
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from monitor.alerts.notify import render as render_alert
from monitor.errors import MonitorError
from monitor.i18n import Tr
from monitor.links import safe_url
from monitor.report.data import REPEAT_LIMIT, WeeklyReportData, median_minutes

TEMPLATES = Path(__file__).resolve().parent / "templates"
QUOTE_CHARS = 280


def week_code(data: WeeklyReportData) -> str:
    year, week, _ = data.week_start.isocalendar()
    return f"{year}-W{week:02d}"


def _clip(text: str, n: int = QUOTE_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _text(value) -> str | None:
    """``value`` when it is a non-empty string; None for a missing one (None, or NaN where
    pandas reads a text column with gaps)."""
    return value if isinstance(value, str) and value else None


def _link(url) -> dict[str, str | None]:
    """The template's link to a post: http(s) only (:func:`monitor.links.safe_url`), none
    for a missing or unsafe URL (a ``javascript:`` link in an emailed report)."""
    url = safe_url(url)
    return {"url": url, "host": urlsplit(url).netloc if url else ""}


def _post_meta(t: Tr, source: str, posted_at, author: str | None = None) -> str:
    when = t.date(pd.Timestamp(posted_at).to_pydatetime(), with_time=True)
    return " · ".join(x for x in (_text(source), _text(author), f"{when} UTC") if x)


def _change(t: Tr, now: float, before: float | None, unit: str) -> tuple[str, float | None]:
    if before is None or pd.isna(before) or pd.isna(now) or (unit == "pct" and not before):
        return t.t("report_no_previous"), None
    if unit == "pct":
        value = (now - before) / before * 100
        return t.t("report_vs_last", v=t.pct(value, 0, sign=True)), value
    value = now - before
    if unit == "stars":
        return t.t("report_vs_last", v=f"{t.number(value, 1, sign=True)} ★"), value
    return t.t("report_vs_last", v=t.t("points", v=t.number(value, 0, sign=True))), value


def _tone(moved: float | None, small: float, up_is_good: bool = True) -> str:
    """'good', 'bad' or '' (no comparison, or a move smaller than ``small``)."""
    if moved is None or abs(moved) < small:
        return ""
    return "good" if (moved > 0) == up_is_good else "bad"


def kpis(data: WeeklyReportData, t: Tr) -> list[dict[str, str]]:
    now, before = data.this_week, data.previous_week
    out = []
    delta, _ = _change(t, now["posts"], None if before is None else before["posts"], "pct")
    out.append({"label": t.t("report_kpi_posts"), "value": t.number(now["posts"]), "delta": delta})
    delta, moved = _change(
        t, now["net_sentiment"], None if before is None else before["net_sentiment"], "pts"
    )
    out.append(
        {
            "label": t.t("report_kpi_net"),
            "value": t.number(now["net_sentiment"], 0, sign=True),
            "delta": delta,
            "tone": _tone(moved, 1),
        }
    )
    share_now = now["negative_share"]
    delta, moved = _change(
        t, share_now, None if before is None else before["negative_share"], "pts"
    )
    out.append(
        {
            "label": t.t("report_kpi_negative"),
            "value": t.pct(share_now),
            "delta": delta,
            "tone": _tone(moved, 1, up_is_good=False),
        }
    )
    stars = _rating_kpi(data, t)
    if stars:
        out.append(stars)
    focus = data.share_of_voice[data.share_of_voice["focus"].astype(bool)]
    if not focus.empty:
        row = focus.iloc[0]
        delta, _ = _change(t, row["share"], row["previous_share"], "pts")
        out.append(
            {
                "label": t.t("report_kpi_sov", brand=row["brand"]),
                "value": t.pct(row["share"]),
                "delta": delta,
            }
        )
    a = data.alerts
    open_count = int((a["status"] != "resolved").sum()) if len(a) else 0
    out.append(
        {
            "label": t.t("report_kpi_alerts"),
            "value": t.number(len(a)),
            "delta": _alerts_detail(t, a, open_count) if len(a) else "",
        }
    )
    return out


def _rating_kpi(data: WeeklyReportData, t: Tr) -> dict[str, str] | None:
    """The reviewers' own verdict: the week's average stars, when it had reviews."""
    r = data.ratings
    if r is None or r.empty or not r["reviews"].iloc[-1]:
        return None
    now = r["mean_rating"].iloc[-1]
    delta, moved = _change(t, now, r["mean_rating"].iloc[-2] if len(r) > 1 else None, "stars")
    return {
        "label": t.t("report_kpi_rating", n=t.number(r["reviews"].iloc[-1])),
        "value": f"{t.number(now, 1)} ★",
        "delta": delta,
        "tone": _tone(moved, 0.1),
    }


def headlines(data: WeeklyReportData, t: Tr) -> list[str]:
    """Three to four sentences an executive reads first."""
    now, before = data.this_week, data.previous_week
    lines = []
    net = t.number(now["net_sentiment"], 0, sign=True)
    if before is not None and pd.notna(before["net_sentiment"]) and pd.notna(now["net_sentiment"]):
        moved = now["net_sentiment"] - before["net_sentiment"]
        key = (
            "report_headline_flat"
            if abs(moved) < 1
            else ("report_headline_up" if moved > 0 else "report_headline_down")
        )
        lines.append(t.t(key, v=t.number(abs(moved), 0), net=net))
    else:
        lines.append(t.t("report_headline_flat", net=net))
    if before is not None and before["posts"]:
        change = (now["posts"] - before["posts"]) / before["posts"] * 100
        lines.append(
            t.t(
                "report_headline_volume",
                direction=t.t("report_up" if change >= 0 else "report_down"),
                v=t.pct(abs(change)),
                posts=t.number(now["posts"]),
            )
        )
    complaints = _complaints(data, t)
    if complaints:
        top = complaints[0]
        lines.append(t.t("report_headline_category", category=top["name"], n=top["negative"]))
    if not data.themes.empty:
        lines.append(t.t("report_headline_theme", theme=data.themes["theme"].iloc[0]))
    e = data.emotions.dropna(subset=["previous_share"])
    if not e.empty:
        grew = e.assign(d=e["share"] - e["previous_share"]).sort_values("d").iloc[-1]
        if grew["d"] >= 1:
            lines.append(
                t.t(
                    "report_headline_emotion",
                    emotion=t.value("emotion", grew["emotion"]).lower(),
                    v=t.t("points", v=t.number(grew["d"], 0, sign=True)),
                )
            )
    return lines


COMPLAINT_ROWS = 8


def _complaints(data: WeeklyReportData, t: Tr) -> list[dict[str, Any]]:
    """Why customers complain: this week's negative posts per category, against last week."""
    df = data.complaints
    if df is None or df.empty:
        return []
    rows = []
    for c in df.head(COMPLAINT_ROWS).itertuples(index=False):  # a drop to 0 is news too
        rows.append(
            {
                "name": data.categories.name(c.category, t.lang),
                "negative": t.number(c.negative),
                "share": t.pct(c.share),
                "change": t.t(
                    "report_category_change",
                    v=t.number(c.change, sign=True),
                    before=t.number(c.previous),
                ),
            }
        )
    return rows


def _themes(data: WeeklyReportData, t: Tr) -> list[dict[str, Any]]:
    rows = []
    for th in data.themes.itertuples(index=False):
        ex = th.example
        example = None
        if ex:
            example = {
                "text": _clip(ex["text"]),
                "meta": _post_meta(t, ex["source"], ex["posted_at"]),
                **_link(ex.get("url")),
            }
        rows.append(
            {
                "theme": th.theme,
                "variants": th.variants,
                "share": t.t(
                    "report_theme_share", v=t.pct(th.share), before=t.pct(th.previous_share)
                ),
                "example": example,
            }
        )
    return rows


def _most_read(data: WeeklyReportData, t: Tr) -> list[dict[str, Any]]:
    return [
        {
            "text": _clip(p.text),
            "meta": _post_meta(t, p.where, p.posted_at, p.author),
            **_link(p.url),
            "emotion": t.value("emotion", p.emotion),
            "audience": t.number(p.audience),
        }
        for p in data.negative_posts.itertuples(index=False)
    ]


def _alerts(data: WeeklyReportData, t: Tr) -> list[dict[str, Any]]:
    rows = []
    for a in data.alerts.itertuples(index=False):
        if pd.notna(a.resolve_minutes):
            resolved = t.duration(a.resolve_minutes)
            if a.resolved_by == "auto":
                resolved += f" ({t.t('report_auto_resolved')})"
        else:
            resolved = t.t("report_pending")
        try:
            message = render_alert(a.alert, t.lang, categories=data.categories)
            title, why = message.title.split(": ", 1)[-1], message.body.splitlines()[0]
        except (KeyError, TypeError, ValueError):  # details from an older version
            title, why = a.alert.title, ""
        rows.append(
            {
                "id": a.id,
                "title": title,
                "why": _clip(why, 220),
                "rule": t.value("rule", a.rule),
                "severity": t.value("severity", a.severity),
                "severity_key": a.severity,
                "raised": t.date(pd.Timestamp(a.first_seen_at).to_pydatetime(), with_time=True),
                "ack": t.duration(a.acknowledge_minutes)
                if pd.notna(a.acknowledge_minutes)
                else t.t("report_pending"),
                "resolved": resolved,
            }
        )
    return rows


def _queue_line(data: WeeklyReportData, t: Tr) -> str:
    r = data.response
    return t.t(
        "report_queue",
        responded=t.number(r.get("responded", 0)),
        median=t.duration(r.get("median_minutes", math.nan)),
        p90=t.duration(r.get("p90_minutes", math.nan)),
        awaiting=t.number(r.get("awaiting", 0)),
        open=t.number(r.get("open_posts", 0)),
    )


REPEAT_NAMED = 3


def _repeat_line(data: WeeklyReportData, t: Tr) -> str:
    """How many customers complained this week and had complained before, the first named."""
    repeat = data.repeat
    if repeat is None or repeat.empty:
        return t.t("report_repeat_none")
    named = ", ".join(
        f"{r.author} ({t.number(r.occasions)})" for r in repeat.head(REPEAT_NAMED).itertuples()
    )
    n = t.number(len(repeat)) + ("+" if len(repeat) >= REPEAT_LIMIT else "")
    return t.t("report_repeat", n=n, named=named)


def context(
    data: WeeklyReportData, t: Tr, charts: Mapping[str, bytes | None], model: str
) -> dict[str, Any]:
    """Everything the template shows, as ready-made strings (pure)."""
    last_day = data.week_end - pd.Timedelta(days=1)
    brands = ", ".join(data.brands) or t.t("report_all_brands")
    code = week_code(data)
    return {
        "lang": t.lang,
        "t": t,
        "title": t.t("report_title"),
        "subtitle": t.t(
            "report_subtitle",
            brands=brands,
            start=t.date(data.week_start),
            end=f"{t.date(last_day)} {last_day.year}",
            week=code,
        ),
        "week_code": code,
        "empty": data.empty,
        "kpis": [] if data.empty else kpis(data, t),
        "headlines": [] if data.empty else headlines(data, t),
        "charts": {
            k: "data:image/png;base64," + base64.b64encode(v).decode("ascii") if v else None
            for k, v in charts.items()
        },
        "complaints": _complaints(data, t),
        "themes": _themes(data, t),
        "most_read": _most_read(data, t),
        "alerts": _alerts(data, t),
        "queue_line": _queue_line(data, t),
        "repeat_line": _repeat_line(data, t),
        "footer": t.t("report_footer", model=model),
        "generated": t.t(
            "report_generated",
            when=t.date(data.generated_at, with_time=True) + f" {data.generated_at.year}",
            posts=t.number(data.this_week["posts"]),
        ),
    }


def to_html(ctx: Mapping[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("weekly.html.j2").render(**ctx)


def to_pdf(html: str) -> bytes:
    """A4 PDF of ``html``; a clear error when WeasyPrint's system libraries are missing."""
    try:
        with warnings.catch_warnings():  # "HarfBuzz-Subset will be required by future versions"
            warnings.simplefilter("ignore", DeprecationWarning)
            import weasyprint
    except (ImportError, OSError) as e:
        raise MonitorError(
            f"cannot make the PDF: WeasyPrint is not usable ({str(e).splitlines()[0]})",
            hint="install Pango (apt install libpango-1.0-0 libpangoft2-1.0-0); "
            "the HTML report was still written",
        ) from e
    logging.getLogger("weasyprint").addFilter(_quiet_font_notice)
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def _quiet_font_notice(record: logging.LogRecord) -> bool:
    # Without the optional libharfbuzz-subset0, WeasyPrint subsets fonts with fontTools
    # (same PDF, a little slower) and says so on every run.
    return "HarfBuzz-Subset" not in record.getMessage()


def _alerts_detail(t: Tr, alerts: pd.DataFrame, open_count: int) -> str:
    """How many alerts are still open, and how fast the team first answered them."""
    median = median_minutes(alerts["acknowledge_minutes"])  # NaN when none was acknowledged
    if math.isnan(median):
        return t.t("report_alerts_kpi_unanswered", open=t.number(open_count))
    return t.t("report_alerts_kpi_detail", open=t.number(open_count), ack=t.duration(median))
