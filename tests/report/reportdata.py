"""Two weeks of hand-made posts for the report tests; every figure can be worked out by hand.

Brand Acme (competitor Rival). Week W47 = Mon 16 Nov – Sun 22 Nov 2026; W46 the week before.

    W46: Acme  2 positive, 1 neutral, 1 negative (anger)         net +33   Rival 4 posts
    W47: Acme  1 positive, 1 neutral, 4 negative (3 anger, 1 sadness)
         net (1 − 4) / 5 × 100 = −60, change −93 pts; mentions 6 (+50 %)
         Rival 2 posts -> Acme share of voice 6 / 8 = 75 % (W46: 4 / 8 = 50 %)
    The W47 negatives all talk about a "doble cargo" in the "factura"; one has 900 interactions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.normalize import content_hash
from monitor.settings import BrandConfig, Settings
from monitor.store import Store
from monitor.store.schema import posts
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS, Analysis, Post, Prediction, SourceRun

W47 = datetime(2026, 11, 16, tzinfo=UTC)
W46 = W47 - timedelta(days=7)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday morning after W47

SETTINGS = Settings(brands=(BrandConfig("Acme", competitors=("Rival",)), BrandConfig("Rival")))

# key, brand, when, text, engagement, sentiment, emotion
ROWS = [
    ("a1", "Acme", W46 + timedelta(days=1, hours=9), "Acme atención excelente, gracias", 3, "positive", "joy"),
    ("a2", "Acme", W46 + timedelta(days=2, hours=9), "Great Acme coverage in the village", None, "positive", "joy"),
    ("a3", "Acme", W46 + timedelta(days=3, hours=9), "Acme abre tienda nueva en Soria", None, "neutral", "other"),
    ("a4", "Acme", W46 + timedelta(days=4, hours=9), "Acme otra vez sin cobertura en casa", 1, "negative", "anger"),
    ("r1", "Rival", W46 + timedelta(days=1, hours=10), "Rival sube precios", None, "negative", "anger"),
    ("r2", "Rival", W46 + timedelta(days=2, hours=10), "Rival nueva tarifa", None, "neutral", "other"),
    ("r3", "Rival", W46 + timedelta(days=3, hours=10), "Rival buen servicio", None, "positive", "joy"),
    ("r4", "Rival", W46 + timedelta(days=4, hours=10), "Rival anuncio", None, "neutral", "other"),
    ("b1", "Acme", W47 + timedelta(days=2, hours=8), "Acme me ha cobrado un doble cargo en la factura", 900, "negative", "anger"),
    ("b2", "Acme", W47 + timedelta(days=2, hours=9), "Doble cargo en la factura de Acme, vergüenza", 12, "negative", "anger"),
    ("b3", "Acme", W47 + timedelta(days=2, hours=10), "Acme, devolvedme el doble cargo de la factura", 4, "negative", "anger"),
    ("b4", "Acme", W47 + timedelta(days=3, hours=10), "Qué pena lo de la factura de Acme con doble cargo", None, "negative", "sadness"),
    ("b5", "Acme", W47 + timedelta(days=4, hours=10), "Acme patrocina la carrera popular", None, "neutral", "other"),
    ("b6", "Acme", W47 + timedelta(days=5, hours=10), "Me encanta la app nueva de Acme", 7, "positive", "joy"),
    ("r5", "Rival", W47 + timedelta(days=1, hours=11), "Rival cambia de logo", None, "neutral", "other"),
    ("r6", "Rival", W47 + timedelta(days=2, hours=11), "Rival abre en Cuenca", None, "neutral", "other"),
]  # fmt: skip


def _analysis(sentiment: str, emotion: str) -> Analysis:
    def probs(labels, label):
        return {x: (0.9 if x == label else 0.1 / (len(labels) - 1)) for x in labels}

    return Analysis(
        Prediction("sentiment", sentiment, probs(SENTIMENT_LABELS, sentiment)),
        Prediction("emotion", emotion, probs(EMOTION_LABELS, emotion)),
        "test-model",
    )


def fill(store: Store) -> dict[str, int]:
    collected = NOW - timedelta(hours=1)
    items = [
        Post(
            "forum",
            key,
            brand,
            text,
            content_hash(text),
            "es",
            url=f"https://example.com/{key}",
            author=f"user_{key}",
            published=when,
            engagement=engagement,
        )
        for key, brand, when, text, engagement, *_ in ROWS
    ]
    store.save_collection(SourceRun("forum", collected, collected), "rss", items, None)
    with store.engine.connect() as conn:
        ids = dict(conn.execute(select(posts.c.external_id, posts.c.id)).all())
    store.save_analyses(
        [(ids[key], _analysis(sent, emo)) for key, *_, sent, emo in ROWS], collected
    )
    return ids
