"""A small, hand-made store for the dashboard tests: every figure can be worked out by hand.

Brand Acme (competitor Rival), sources "tw" and "fb", two days before END:

    key   day  source brand lang  sentiment (conf)  emotion (anger)  engagement  text
    neg1  D-1  tw     Acme  es    negative .9       anger .8         500         cobro doble en la factura
    neg1c D-1  fb     Acme  es    negative .9       anger .8         -           (cross-post of neg1)
    neg2  D-2  tw     Acme  es    negative .6       sadness (.1)     2           otra factura mal
    pos1  D-1  tw     Acme  en    positive .8       joy              10          great support
    neu1  D-2  fb     Acme  en    neutral .7        other            -           new store opens
    riv1  D-1  tw     Rival es    positive .9       joy              -           ...
    riv2  D-2  tw     Rival es    negative .8       anger .6         -           ...
    pend  D-1  tw     Acme  es    (not classified)
    xss   D-1  tw     Acme  en    negative .95      anger .9         50          <script>...</script> **bold**
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.normalize import content_hash
from monitor.settings import BrandConfig, Settings
from monitor.store import Store
from monitor.store.schema import posts
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS, Analysis, Post, Prediction, SourceRun

END = datetime(2026, 11, 20, tzinfo=UTC)  # the day after the newest post
D1 = END - timedelta(hours=12)  # 2026-11-19 12:00
D2 = END - timedelta(hours=36)  # 2026-11-18 12:00
COLLECTED = END + timedelta(hours=1)
XSS_TEXT = "<script>alert('xss')</script> **Acme** [click](javascript:alert(1)) # no heading"

SETTINGS = Settings(
    brands=(BrandConfig("Acme", competitors=("Rival",)), BrandConfig("Rival")),
)

ROWS = [
    # key, source, brand, lang, when, text, engagement, sentiment, s_conf, emotion, e_conf, anger
    (
        "neg1",
        "tw",
        "Acme",
        "es",
        D1,
        "Acme me hizo un cobro doble en la factura",
        500,
        "negative",
        0.9,
        "anger",
        0.8,
        0.8,
    ),
    (
        "neg1c",
        "fb",
        "Acme",
        "es",
        D1 + timedelta(minutes=5),
        "Acme me hizo un cobro doble en la factura",
        None,
        "negative",
        0.9,
        "anger",
        0.8,
        0.8,
    ),
    (
        "neg2",
        "tw",
        "Acme",
        "es",
        D2,
        "Otra factura mal de Acme, qué tristeza",
        2,
        "negative",
        0.6,
        "sadness",
        0.7,
        0.1,
    ),
    (
        "pos1",
        "tw",
        "Acme",
        "en",
        D1 + timedelta(hours=1),
        "Acme support was great today",
        10,
        "positive",
        0.8,
        "joy",
        0.9,
        0.0,
    ),
    (
        "neu1",
        "fb",
        "Acme",
        "en",
        D2 + timedelta(hours=1),
        "Acme opens a new store downtown",
        None,
        "neutral",
        0.7,
        "other",
        0.6,
        0.05,
    ),
    (
        "riv1",
        "tw",
        "Rival",
        "es",
        D1,
        "Rival tiene la mejor cobertura",
        None,
        "positive",
        0.9,
        "joy",
        0.8,
        0.0,
    ),
    (
        "riv2",
        "tw",
        "Rival",
        "es",
        D2,
        "Rival me dejó sin internet",
        None,
        "negative",
        0.8,
        "anger",
        0.6,
        0.6,
    ),
    (
        "pend",
        "tw",
        "Acme",
        "es",
        D1 + timedelta(hours=2),
        "Acme sin clasificar todavía",
        None,
        None,
        0,
        None,
        0,
        0,
    ),
    (
        "xss",
        "tw",
        "Acme",
        "en",
        D1 + timedelta(hours=3),
        XSS_TEXT,
        50,
        "negative",
        0.95,
        "anger",
        0.9,
        0.9,
    ),
]


def _probs(labels, label, conf, extra=None):
    rest = [x for x in labels if x != label]
    out = {x: (1 - conf) / len(rest) for x in rest} | {label: conf}
    if extra:
        out |= extra
    return out


def analysis(sentiment, s_conf, emotion, e_conf, anger) -> Analysis:
    s = Prediction("sentiment", sentiment, _probs(SENTIMENT_LABELS, sentiment, s_conf))
    e = Prediction(
        "emotion",
        emotion,
        _probs(EMOTION_LABELS, emotion, e_conf, {"anger": anger} if emotion != "anger" else None),
    )
    return Analysis(s, e, "test-model")


@dataclass
class Filled:
    store: Store
    ids: dict[str, int]
    settings: Settings = SETTINGS


CROSS_POSTS = {"neg1c": "neg1"}  # the same person posting the same text at another source


def fill(store: Store, rows=ROWS) -> dict[str, int]:
    by_source: dict[str, list[Post]] = {}
    for key, source, brand, lang, when, text, engagement, *_ in rows:
        by_source.setdefault(source, []).append(
            Post(
                source,
                key,
                brand,
                text,
                content_hash(text),
                lang,
                url=f"https://example.com/{source}/{key}",
                author=f"user_{CROSS_POSTS.get(key, key)}",
                published=when,
                engagement=engagement,
            )
        )
    for source, items in by_source.items():
        store.save_collection(SourceRun(source, COLLECTED, COLLECTED), "rss", items, None)
    with store.engine.connect() as conn:
        ids = dict(conn.execute(select(posts.c.external_id, posts.c.id)).all())
    store.save_analyses(
        [
            (ids[key], analysis(sent, sc, emo, ec, anger))
            for key, *_, sent, sc, emo, ec, anger in rows
            if sent is not None
        ],
        COLLECTED,
    )
    return ids
