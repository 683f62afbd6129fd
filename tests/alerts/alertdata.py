"""Small, real test data for the alert tests: posts, analyses and window stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.alerts.rules import (
    AlertCandidate,
    BrandWindowStats,
    PostStat,
    SpikeRule,
    WindowCount,
    spike_windows,
)
from monitor.store.schema import posts
from monitor.types import SENTIMENT_LABELS, Analysis, Post, Prediction, SourceRun

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday
BRAND = "Movistela"


def analysis(label: str, conf: float = 0.9, anger: float = 0.1) -> Analysis:
    probs = {lab: (1 - conf) / 2 for lab in SENTIMENT_LABELS} | {label: conf}
    emotions = {"anger": anger, "other": 1 - anger}
    emotion = "anger" if anger >= 0.5 else "other"
    return Analysis(
        Prediction("sentiment", label, probs), Prediction("emotion", emotion, emotions), "test"
    )


def add_posts(store, specs, *, brand=BRAND, source="feed") -> dict[str, int]:
    """Store posts and their analyses. Each spec: (external id, posted at, label or None, extras).

    extras may hold text, hash (same hash = duplicate), reach, engagement, rating, conf, anger,
    author, channel.
    Returns external id -> post id.
    """
    items, labels = [], {}
    for ext, when, label, *rest in specs:
        extra = rest[0] if rest else {}
        text = extra.get("text", f"Movistela me cobra de más otra vez ({ext})")
        items.append(
            Post(
                source,
                ext,
                brand,
                text,
                extra.get("hash", f"hash-{ext}"),
                "es",
                url=f"https://example.com/{ext}",
                author=extra.get("author"),
                published=when,
                reach=extra.get("reach"),
                engagement=extra.get("engagement"),
                rating=extra.get("rating"),
                channel=extra.get("channel"),
            )
        )
        if label:
            labels[ext] = analysis(label, extra.get("conf", 0.9), extra.get("anger", 0.1))
    run = SourceRun(source, NOW, NOW)
    store.save_collection(run, "rss", items, None)
    with store.engine.connect() as conn:
        ids = dict(
            conn.execute(
                select(posts.c.external_id, posts.c.id).where(
                    posts.c.external_id.in_([p.external_id for p in items])
                )
            ).all()
        )
    store.save_analyses([(ids[e], a) for e, a in labels.items()], NOW)
    return ids


def spike_specs(now=NOW, *, per_day: int = 3, recent: int = 12, prefix: str = "p"):
    """``per_day`` negatives (and 3x as many neutrals) at this time on each of the last
    seven days, and ``recent`` negatives in the last hour."""
    specs = [(f"{prefix}old", now - timedelta(days=8), "neutral")]  # history before the baseline
    for day in range(1, 8):
        for i in range(per_day):
            when = now - timedelta(days=day, minutes=20 + 10 * i)
            specs.append((f"{prefix}b{day}-{i}", when, "negative"))
            for j in range(3):
                specs.append((f"{prefix}n{day}-{i}-{j}", when, "neutral"))
    for i in range(recent):
        specs.append((f"{prefix}r{i}", now - timedelta(minutes=5 + 4 * i), "negative"))
    return specs


def window_stats(
    baseline_negative,
    recent_negative: int,
    *,
    rule: SpikeRule | None = None,
    now=NOW,
    baseline_total=None,
    recent_total: int | None = None,
    posts_=(),
    history_start=None,
    cutoff=None,
) -> BrandWindowStats:
    """Counts laid onto the windows that ``rule`` uses at ``now``."""
    rule = rule or SpikeRule()
    recent, baseline = spike_windows(now, rule)
    if isinstance(baseline_negative, int):
        baseline_negative = [baseline_negative] * len(baseline)
    if baseline_total is None:
        baseline_total = [5 * b for b in baseline_negative]
    elif isinstance(baseline_total, int):
        baseline_total = [baseline_total] * len(baseline)
    return BrandWindowStats(
        BRAND,
        WindowCount(recent, recent_negative, recent_total or 5 * recent_negative),
        tuple(
            WindowCount(w, n, t)
            for w, n, t in zip(baseline, baseline_negative, baseline_total, strict=True)
        ),
        history_start or now - timedelta(days=30),
        tuple(posts_),
        cutoff,
    )


def negative_post(i: int, minutes_ago: float, now=NOW, **kw) -> PostStat:
    return PostStat(
        id=i,
        brand=BRAND,
        source=kw.pop("source", "feed"),
        posted_at=now - timedelta(minutes=minutes_ago),
        text=kw.pop("text", f"Movistela me ha cobrado dos veces ({i})"),
        url=f"https://example.com/{i}",
        **kw,
    )


def candidate(key="Movistela:negative_spike", severity="warning", ids=(1, 2)) -> AlertCandidate:
    source = key.startswith("source:")
    return AlertCandidate(
        key,
        key.split(":")[2 if source else 1],
        severity,
        None if source else BRAND,
        f"Negative spike for {BRAND}",
        {"observed": 24, "expected": 4.1, "ratio": 5.85, "p_value": 2.3e-8},
        tuple(ids),
    )
