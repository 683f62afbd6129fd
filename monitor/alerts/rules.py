"""Alert rules: pure decisions over numbers that the store has already counted.

Each rule turns counts into :class:`AlertCandidate` objects that say why, with numbers:

``negative_spike``  the brand's negative posts in the last ``window_minutes`` are far
                    above what the same window usually holds (exact test for two
                    Poisson rates, widened by the baseline's overdispersion), or
                    their share of all posts is (binomial test); the two tests
                    split ``alpha`` between them
``high_impact``     one negative post with a large audience, a very angry one, or the
                    author's third complaint about the brand in 90 days
``source_health``   a source keeps failing, or has not succeeded for too long

:func:`decide` then turns candidates into actions on incidents: open an alert, update
the open one with the same ``incident_key`` (never a duplicate), stay quiet during
the cooldown after a resolution, and resolve incidents that stopped firing.

Standard library only, so the tests and ``benchmarks/alert_detection.py`` run these
functions on simulated streams without a database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from monitor.authors import REPEAT_DAYS, day_of, incident_tag
from monitor.types import source_and_channel

NEGATIVE_SPIKE = "negative_spike"
HIGH_IMPACT = "high_impact"
SOURCE_HEALTH = "source_health"
CATEGORY_SPIKE = "category_spike"
RULES = (NEGATIVE_SPIKE, CATEGORY_SPIKE, HIGH_IMPACT, SOURCE_HEALTH)
WARNING, CRITICAL = "warning", "critical"
SEVERITY_RANK = {WARNING: 1, CRITICAL: 2}
OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
SEASONALITY = ("none", "daily", "weekly")
MAX_POST_IDS = 200  # post ids kept on one alert (the count is kept in full)
MAX_EXAMPLES = 5


# ---- configuration -----------------------------------------------------------


@dataclass(frozen=True)
class SpikeRule:
    """When negative word of mouth counts as a spike.

    The baseline is the same window length, taken on each of the previous
    ``baseline_days`` days at the same time of day (``seasonality="daily"``), the same
    hour of the week on the previous ``baseline_weeks`` weeks (``"weekly"``), or all of
    the previous ``baseline_days`` days (``"none"``). Seasonal windows are widened by
    ``seasonal_slack_minutes`` on each side to average over more posts.
    """

    enabled: bool = True
    window_minutes: int = 60
    seasonality: str = "daily"
    baseline_days: int = 7
    baseline_weeks: int = 3
    seasonal_slack_minutes: int = 60
    lag_minutes: int = 0  # evaluate the window ending this long before now (late arrivals)
    alpha: float = 0.001
    min_negative: int = 5
    min_ratio: float = 2.0
    min_expected: float = 0.5  # floor on the expected count when computing the ratio
    min_history_windows: float = 3.0  # baseline exposure needed, in windows
    test: str = "conditional"  # "conditional" (baseline counts are noisy too) or "poisson"
    dispersion: bool = True  # widen the count test by the baseline's overdispersion
    share_min_total: int = 30  # posts in the window before the share test runs
    share_min_ratio: float = 1.5
    critical_p: float = 1e-6
    critical_ratio: float = 4.0
    # the same test on each category's negatives (monitor.categories), with alpha divided
    # among the categories that have posts in the windows, when the brand as a whole
    # shows no spike; such alerts are warnings, never critical
    by_category: bool = True

    def __repr__(self) -> str:
        return (
            f"SpikeRule({self.window_minutes} min vs {self.seasonality} baseline, "
            f"p<{self.alpha:g}, >={self.min_negative} posts, >={self.min_ratio:g}x)"
        )


@dataclass(frozen=True)
class HighImpactRule:
    """One negative post worth a look on its own."""

    enabled: bool = True
    lookback_minutes: int = 180
    min_confidence: float = 0.7  # probability of "negative" (1.0 once a person set it)
    min_reach: int = 20_000
    min_engagement: int = 500
    audience_percentile: float | None = 99.0  # above the brand's p99 audience
    min_posts_for_percentile: int = 200
    anger_threshold: float | None = 0.8
    # the author's Nth complaint about the brand within monitor.authors.REPEAT_DAYS days,
    # on separate days (a customer let down again and again: the closest to leaving)
    repeat_complaints: int | None = 3
    max_per_brand: int = 3  # new candidates per brand per evaluation, largest audience first

    def __repr__(self) -> str:
        return (
            f"HighImpactRule(reach>={self.min_reach}, engagement>={self.min_engagement}, "
            f"p{self.audience_percentile}, anger>={self.anger_threshold}, "
            f"complaint #{self.repeat_complaints})"
        )


@dataclass(frozen=True)
class SourceRule:
    """When a source counts as failing or silent."""

    enabled: bool = True
    max_failures: int = 3
    silent_minutes: float = 180.0
    silent_intervals: float = 4.0  # ...or this many of the source's own intervals, if longer
    critical_minutes: float = 1440.0

    def __repr__(self) -> str:
        return f"SourceRule(failures>={self.max_failures}, silent>={self.silent_minutes:g} min)"


@dataclass(frozen=True)
class AlertRules:
    spike: SpikeRule = field(default_factory=SpikeRule)
    high_impact: HighImpactRule = field(default_factory=HighImpactRule)
    sources: SourceRule = field(default_factory=SourceRule)
    cooldown_minutes: float = 360.0  # after a resolution, same incident stays quiet
    resolve_after_minutes: float = 120.0  # acknowledged incidents not seen this long resolve

    @property
    def cooldown(self) -> timedelta:
        return timedelta(minutes=self.cooldown_minutes)

    @property
    def resolve_after(self) -> timedelta:
        return timedelta(minutes=self.resolve_after_minutes)


# ---- what the rules read -----------------------------------------------------


class Window(NamedTuple):
    start: datetime  # inclusive
    end: datetime  # exclusive


@dataclass(frozen=True)
class WindowCount:
    """Posts of one brand in one window: negatives, and all classified posts."""

    window: Window
    negative: int
    total: int


@dataclass(frozen=True)
class PostStat:
    """A recent negative post, with what the high-impact rule and the messages need."""

    id: int
    brand: str
    source: str
    posted_at: datetime
    text: str
    url: str | None = None
    reach: int | None = None
    engagement: int | None = None
    confidence: float = 1.0  # probability of "negative"
    anger: float = 0.0
    emotion: str | None = None  # the effective emotion, for the suggested reply
    lang: str | None = None
    author: str | None = None
    channel: str | None = None  # where within the source: "r/spain"
    categories: tuple[str, ...] = ()  # what it is about (monitor.categories ids)
    earlier_complaints: int = 0  # by the same author about the brand (monitor.authors)
    tracked: bool = True  # False: an untracked source or channel (news): no customer

    @property
    def where(self) -> str:
        """The source, with its channel when it has one: "reddit · r/spain"."""
        return source_and_channel(self.source, self.channel)

    @property
    def audience(self) -> int:
        """Readers where the source reports reach, else 10 reads per interaction."""
        return max(self.reach or 0, 10 * (self.engagement or 0))

    @property
    def audience_known(self) -> bool:
        """False when the source reports neither reach nor engagement (feeds, imports)."""
        return self.reach is not None or self.engagement is not None


class CategoryCounts(NamedTuple):
    """One category's posts of a brand: in the recent window, in each baseline window, and
    the first of them in those windows (its baseline starts there)."""

    recent: WindowCount
    baseline: tuple[WindowCount, ...]
    first_post: datetime | None = None


@dataclass(frozen=True)
class BrandWindowStats:
    """Everything the brand rules need, counted by ``monitor.alerts.stats``."""

    brand: str
    recent: WindowCount
    baseline: tuple[WindowCount, ...]
    history_start: datetime | None  # the brand's first post: no baseline before it
    negative_posts: tuple[PostStat, ...] = ()  # newest first, within the lookbacks
    audience_cutoff: float | None = None  # the brand's audience percentile, if known
    # per category: its posts in the recent window and in each baseline window
    categories: Mapping[str, CategoryCounts] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceStatus:
    name: str
    kind: str
    last_run_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    last_error: str | None = None
    interval_minutes: float | None = None


# ---- what the rules say ------------------------------------------------------


@dataclass(frozen=True)
class AlertCandidate:
    """One rule firing for one incident, with its reasons in ``details``."""

    incident_key: str
    rule: str
    severity: str
    brand: str | None
    title: str
    details: Mapping[str, Any]
    post_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Incident:
    """What the store knows about an incident key: its active alert or last resolved one."""

    alert_id: int
    incident_key: str
    status: str
    severity: str
    last_seen_at: datetime
    resolved_at: datetime | None = None
    rule: str | None = None  # NEGATIVE_SPIKE, CATEGORY_SPIKE, HIGH_IMPACT or SOURCE_HEALTH


@dataclass(frozen=True)
class Decision:
    action: str  # "open", "update", "resolve" or "suppress"
    incident_key: str
    candidate: AlertCandidate | None = None
    alert_id: int | None = None
    escalated: bool = False
    reason: str = ""


# ---- tail probabilities ------------------------------------------------------

_TINY = 1e-300


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _beta_reg(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def binom_sf(k: float, n: float, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p); real ``k`` and ``n`` interpolate (quasi-likelihood)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return min(1.0, max(0.0, _beta_reg(k, n - k + 1, p)))


def poisson_sf(k: float, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu): the regularized lower incomplete gamma P(k, mu)."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    log_front = -mu + k * math.log(mu) - math.lgamma(k)
    if mu < k + 1.0:  # series
        term = total = 1.0 / k
        a = float(k)
        for _ in range(10_000):
            a += 1.0
            term *= mu / a
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return min(1.0, math.exp(log_front) * total)
    b = mu + 1.0 - k  # continued fraction for the upper tail Q
    c, d = 1.0 / _TINY, 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - k)
        b += 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = b + an / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


# ---- windows -----------------------------------------------------------------


def spike_windows(now: datetime, rule: SpikeRule) -> tuple[Window, tuple[Window, ...]]:
    """The recent window and the baseline windows that ``rule`` compares at ``now``."""
    if rule.seasonality not in SEASONALITY:
        raise ValueError(f"unknown seasonality {rule.seasonality!r}")
    end = now - timedelta(minutes=rule.lag_minutes)
    start = end - timedelta(minutes=rule.window_minutes)
    if rule.seasonality == "none":  # whole days, so their spread measures dispersion
        day = timedelta(days=1)
        return Window(start, end), tuple(
            Window(start - k * day, start - (k - 1) * day) for k in range(1, rule.baseline_days + 1)
        )
    period, count = (
        (timedelta(days=1), rule.baseline_days)
        if rule.seasonality == "daily"
        else (timedelta(days=7), rule.baseline_weeks)
    )
    slack = timedelta(minutes=rule.seasonal_slack_minutes)
    return Window(start, end), tuple(
        Window(start - k * period - slack, end - k * period + slack) for k in range(1, count + 1)
    )


def exposure(windows: Iterable[Window], width: timedelta, since: datetime | None) -> float:
    """How many recent-window lengths the baseline covers after ``since``."""
    total = timedelta(0)
    for w in windows:
        start = max(w.start, since) if since is not None else w.start
        total += max(timedelta(0), w.end - start)
    return total / width


def dispersion(counts: Iterable[WindowCount], width: timedelta, since: datetime | None) -> float:
    """Pearson estimate of var/mean of the negative counts across baseline windows (>= 1).

    Real word of mouth is burstier than Poisson; dividing both counts by this factor
    (quasi-Poisson) keeps the count test honest. Fewer than three windows: 1.0.
    """
    pairs = [(w.negative, exposure([w.window], width, since)) for w in counts]
    pairs = [(c, e) for c, e in pairs if e > 0]
    if len(pairs) < 3:
        return 1.0
    mean = sum(c for c, _ in pairs) / sum(e for _, e in pairs)
    if mean <= 0:
        return 1.0
    chi2 = sum((c - e * mean) ** 2 / (e * mean) for c, e in pairs)
    return max(1.0, chi2 / (len(pairs) - 1))


# ---- the rules -------------------------------------------------------------------


def _example(p: PostStat) -> dict[str, Any]:
    text = " ".join(p.text.split())
    return {
        "id": p.id,
        "source": p.where,
        "posted_at": p.posted_at.isoformat(),
        "text": text if len(text) <= 280 else text[:279] + "…",
        "url": p.url,
        "audience": p.audience,
        "emotion": p.emotion,
        "lang": p.lang,
        "author": p.author,
        "tracked": p.tracked,
    }


SAME_POSTS = 0.5  # two category spikes sharing this share of posts are one incident
MAX_CATEGORIES = 3  # named in a message: what most of an alert's posts are about


def _categories(items: Iterable[PostStat]) -> list[dict[str, Any]]:
    """The categories most of ``items`` are about: [{"category", "posts"}], most first."""
    counts: dict[str, int] = {}
    for p in items:
        for c in p.categories:
            counts[c] = counts.get(c, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CATEGORIES]
    return [{"category": c, "posts": n} for c, n in ranked]


def _examples(items: Iterable[PostStat]) -> list[dict[str, Any]]:
    ranked = sorted(items, key=lambda p: (-p.audience, -p.posted_at.timestamp()))
    return [_example(p) for p in ranked[:MAX_EXAMPLES]]


def negative_spike(s: BrandWindowStats, rule: SpikeRule) -> AlertCandidate | None:
    """A spike in the count (or the share) of negative posts, or None."""
    recent = s.recent.window
    width = recent.end - recent.start
    n = s.recent.negative
    if not rule.enabled or n < rule.min_negative or s.history_start is None:
        return None
    covered = exposure((w.window for w in s.baseline), width, s.history_start)
    if covered < rule.min_history_windows:
        return None
    base_neg = sum(w.negative for w in s.baseline)
    base_total = sum(w.total for w in s.baseline)
    expected = base_neg / covered
    floor = max(expected, rule.min_expected)
    ratio = n / floor
    phi = dispersion(s.baseline, width, s.history_start) if rule.dispersion else 1.0
    if rule.test == "poisson":
        p = poisson_sf(n / phi, floor / phi)
    else:  # n | n + base_neg ~ Binomial(n + base_neg, 1 / (1 + exposure)) under "no change"
        p = binom_sf(n / phi, (n + base_neg) / phi, 1.0 / (1.0 + covered))
    alpha = rule.alpha / 2  # two tests (count and share) share the false-alarm budget
    triggers = ["count"] if p < alpha and ratio >= rule.min_ratio else []
    share = None
    if s.recent.total >= rule.share_min_total and base_total >= rule.share_min_total:
        base_share = (base_neg + 0.5) / (base_total + 1.0)
        observed_share = n / s.recent.total
        p_share = binom_sf(n, s.recent.total, base_share)
        share = {
            "observed": round(observed_share, 4),
            "baseline": round(base_share, 4),
            "ratio": round(observed_share / base_share, 2),
            "p_value": p_share,
            "total": s.recent.total,
        }
        if p_share < alpha and observed_share / base_share >= rule.share_min_ratio:
            triggers.append("share")
    if not triggers:
        return None
    critical = "count" in triggers and p <= rule.critical_p and ratio >= rule.critical_ratio
    in_window = [x for x in s.negative_posts if recent.start <= x.posted_at < recent.end]
    minutes = round(width.total_seconds() / 60)
    details = {
        "window_minutes": minutes,
        "window_start": recent.start.isoformat(),
        "window_end": recent.end.isoformat(),
        "observed": n,
        "total": s.recent.total,
        "expected": round(expected, 2),
        "ratio": round(ratio, 2),
        "p_value": p,
        "alpha": alpha,
        "test": rule.test,
        "triggers": triggers,
        "baseline": {
            "seasonality": rule.seasonality,
            "windows": len(s.baseline),
            "exposure_windows": round(covered, 2),
            "dispersion": round(phi, 2),
            "negative": base_neg,
            "total": base_total,
        },
        "share": share,
        "post_count": n,
        "categories": _categories(in_window),
        "examples": _examples(in_window),
    }
    title = (
        f"Negative spike for {s.brand}: {n} negative posts in {minutes} min, "
        f"{expected:.1f} expected ({ratio:.1f}x, p={p:.1e})"
    )
    return AlertCandidate(
        f"{s.brand}:{NEGATIVE_SPIKE}",
        NEGATIVE_SPIKE,
        CRITICAL if critical else WARNING,
        s.brand,
        title,
        details,
        tuple(x.id for x in in_window[:MAX_POST_IDS]),
    )


def high_impact(s: BrandWindowStats, rule: HighImpactRule, now: datetime) -> list[AlertCandidate]:
    """Single negative posts with a large audience or strong anger."""
    if not rule.enabled:
        return []
    since = now - timedelta(minutes=rule.lookback_minutes)
    found: list[tuple[PostStat, list[str]]] = []
    for p in s.negative_posts:
        if not since <= p.posted_at <= now or p.confidence < rule.min_confidence:
            continue
        reasons = []
        if (p.reach or 0) >= rule.min_reach:
            reasons.append("reach")
        if (p.engagement or 0) >= rule.min_engagement:
            reasons.append("engagement")
        cutoff = s.audience_cutoff
        if rule.audience_percentile is not None and cutoff and p.audience > cutoff:
            reasons.append("percentile")
        if rule.anger_threshold is not None and p.anger >= rule.anger_threshold:
            reasons.append("anger")
        repeat = rule.repeat_complaints
        if repeat is not None and p.earlier_complaints + 1 >= repeat:
            reasons.append("repeat")
        if reasons:
            found.append((p, reasons))
    found.sort(key=lambda pr: (-pr[0].audience, -pr[0].anger, -pr[0].id))
    # one candidate per incident (a repeat author's day), before the cap: its most severe
    # post (then the largest audience), carrying the ids of all of them
    by_key: dict[str, list[tuple[PostStat, list[str]]]] = {}
    for p, reasons in found:
        by_key.setdefault(_impact_key(s.brand, p, reasons), []).append((p, reasons))
    out = []
    for key, group in list(by_key.items())[: rule.max_per_brand]:
        p, reasons = max(group, key=lambda pr: SEVERITY_RANK[_impact_severity(pr[1])])
        ids = (p.id, *(q.id for q, _ in group if q.id != p.id))[:MAX_POST_IDS]
        details = {
            "triggers": reasons,
            "audience": p.audience,
            "reach": p.reach,
            "engagement": p.engagement,
            "anger": round(p.anger, 3),
            "confidence": round(p.confidence, 3),
            "earlier_complaints": p.earlier_complaints,
            "thresholds": {
                "reach": rule.min_reach,
                "engagement": rule.min_engagement,
                "audience_percentile": rule.audience_percentile,
                "audience_cutoff": s.audience_cutoff,
                "anger": rule.anger_threshold,
                "repeat_complaints": rule.repeat_complaints,
            },
            "post_count": len(group),
            "categories": _categories(q for q, _ in group),
            "examples": [_example(p)],
        }
        audience = f"audience {p.audience:,}" if p.audience_known else "audience not reported"
        title = (
            f"High-impact negative post about {s.brand} on {p.where}: "
            f"{audience}, anger {p.anger:.0%}"
        )
        if "repeat" in reasons:
            title += (
                f", complaint #{p.earlier_complaints + 1} from {p.author} in {REPEAT_DAYS} days"
                " (on separate days)"
            )
        out.append(
            AlertCandidate(
                key,
                HIGH_IMPACT,
                _impact_severity(reasons),
                s.brand,
                title,
                details,
                ids,
            )
        )
    return out


def _impact_severity(reasons: list[str]) -> str:
    """Critical for a loud and angry post, else a warning."""
    loud = bool({"reach", "engagement", "percentile"} & set(reasons))
    return CRITICAL if loud and "anger" in reasons else WARNING


def _impact_key(brand: str, p: PostStat, reasons: list[str]) -> str:
    """One incident per post; for a repeat complaint, one per author and UTC day, so that
    the day's thread updates one alert and the next day's complaint opens another. The
    author is hashed: names can be long."""
    if "repeat" in reasons:
        tag = incident_tag(p.source, p.author or "")
        return f"{brand}:{HIGH_IMPACT}:author:{tag}:{day_of(p.posted_at).isoformat()}"
    return f"{brand}:{HIGH_IMPACT}:{p.id}"


def category_spikes(s: BrandWindowStats, rule: SpikeRule) -> list[AlertCandidate]:
    """A spike in one category's negative posts (billing complaints five-fold while the
    brand's negatives as a whole rise by half): the spike test on that category's counts,
    with ``alpha`` divided among the categories with posts in the windows (Bonferroni).

    A category's baseline starts at its first post in the windows, so a topic that has
    just appeared needs ``min_history_windows`` of history like a new brand. Category
    spikes are warnings: critical is kept for the brand as a whole."""
    if not rule.enabled or not rule.by_category or not s.categories:
        return []
    tested = [c for c, k in s.categories.items() if k.recent.negative >= rule.min_negative]
    if not tested:
        return []
    share = replace(rule, alpha=rule.alpha / len(s.categories))
    out = []
    for category in sorted(tested):
        counts = s.categories[category]
        about = tuple(p for p in s.negative_posts if category in p.categories)
        start = max(filter(None, (s.history_start, counts.first_post)), default=None)
        sub = replace(
            s,
            recent=counts.recent,
            baseline=counts.baseline,
            history_start=start,
            negative_posts=about,
            categories={},
        )
        found = negative_spike(sub, share)
        if found is None:
            continue
        details = {**found.details, "category": category}
        title = found.title.replace("Negative spike for", f"Spike in {category} complaints for")
        out.append(
            replace(
                found,
                incident_key=f"{s.brand}:{category}:{CATEGORY_SPIKE}",
                rule=CATEGORY_SPIKE,
                severity=WARNING,
                title=title,
                details=details,
            )
        )
    return out


def brand_spike_keys(candidates: Iterable[AlertCandidate]) -> set[str]:
    """The brand-spike incident keys of the brands that have category-spike candidates."""
    return {f"{c.brand}:{NEGATIVE_SPIKE}" for c in candidates if c.rule == CATEGORY_SPIKE}


def without_repeats(
    candidates: Iterable[AlertCandidate], incidents: Iterable[Incident]
) -> list[AlertCandidate]:
    """One incident, one alert: ``candidates`` less

    - the category spikes of brands whose brand-wide spike alert is still active, and
    - a category spike whose posts are mostly (:data:`SAME_POSTS`) those of another
      category spike of the brand ("charged twice, I want a refund" is billing and
      refunds): the one with an active alert is kept, else the one with the smaller
      p-value; the message of the one kept names the other's category among what its
      posts are about."""
    candidates = list(candidates)
    active = {i.incident_key for i in incidents if i.status in (OPEN, ACKNOWLEDGED)}
    kept: list[AlertCandidate] = []
    by_category = sorted(
        (c for c in candidates if c.rule == CATEGORY_SPIKE),
        key=lambda c: (c.incident_key not in active, c.details.get("p_value", 1.0), c.incident_key),
    )
    for c in by_category:
        if f"{c.brand}:{NEGATIVE_SPIKE}" in active:
            continue
        mine = set(c.post_ids)
        if mine and any(
            k.brand == c.brand and len(mine & set(k.post_ids)) >= SAME_POSTS * len(mine)
            for k in kept
        ):
            continue
        kept.append(c)
    keys = {k.incident_key for k in kept}
    return [c for c in candidates if c.rule != CATEGORY_SPIKE or c.incident_key in keys]


def source_health(src: SourceStatus, rule: SourceRule, now: datetime) -> AlertCandidate | None:
    """A source that keeps failing or has not succeeded for too long."""
    if not rule.enabled or src.last_run_at is None:
        return None  # never run yet: nothing to say
    limit = rule.silent_minutes
    if src.interval_minutes:
        limit = max(limit, rule.silent_intervals * src.interval_minutes)
    silent_for = (now - src.last_success_at).total_seconds() / 60 if src.last_success_at else None
    triggers = []
    if src.consecutive_failures >= rule.max_failures:
        triggers.append("failing")
    if silent_for is not None and silent_for >= limit:
        triggers.append("silent")
    if not triggers:
        return None
    critical = (silent_for is not None and silent_for >= rule.critical_minutes) or (
        src.consecutive_failures >= 3 * rule.max_failures
    )
    details = {
        "triggers": triggers,
        "source": src.name,
        "kind": src.kind,
        "consecutive_failures": src.consecutive_failures,
        "minutes_since_success": None if silent_for is None else round(silent_for),
        "silent_limit_minutes": round(limit),
        "last_success_at": src.last_success_at.isoformat() if src.last_success_at else None,
        "last_run_at": src.last_run_at.isoformat(),
        "last_error": src.last_error,
        "post_count": 0,
        "examples": [],
    }
    since = "never" if silent_for is None else f"{silent_for / 60:.1f} h ago"
    if "failing" in triggers:
        title = (
            f"Source {src.name} is failing: {src.consecutive_failures} failures in a row, "
            f"last success {since}"
        )
    else:
        title = f"Source {src.name} is silent: last successful run {since}"
    return AlertCandidate(
        f"source:{src.name}:{SOURCE_HEALTH}",
        SOURCE_HEALTH,
        CRITICAL if critical else WARNING,
        None,
        title,
        details,
    )


def evaluate(
    stats: BrandWindowStats | SourceStatus | Iterable[BrandWindowStats | SourceStatus],
    rules: AlertRules,
    now: datetime,
) -> list[AlertCandidate]:
    """Every candidate that ``rules`` raise for ``stats`` at ``now``."""
    items = [stats] if isinstance(stats, BrandWindowStats | SourceStatus) else list(stats)
    out: list[AlertCandidate] = []
    for item in items:
        if isinstance(item, SourceStatus):
            found = source_health(item, rules.sources, now)
            out += [found] if found else []
            continue
        found = negative_spike(item, rules.spike)
        out += [found] if found else category_spikes(item, rules.spike)
        out += high_impact(item, rules.high_impact, now)
    return out


def decide(
    candidates: Iterable[AlertCandidate],
    incidents: Iterable[Incident],
    rules: AlertRules,
    now: datetime,
) -> list[Decision]:
    """Turn candidates into actions, given the active and recently resolved incidents.

    One active alert per incident key: a candidate for it updates that alert (and
    says whether its severity went up). A resolved incident stays quiet for the
    cooldown unless it comes back more severe. Active incidents that no candidate
    renewed for ``resolve_after_minutes`` are resolved if someone acknowledged them: an
    alert nobody has seen stays open for a person to read, however quiet its incident
    has become (a source that recovered is the exception: nothing is left to do).
    """
    active: dict[str, Incident] = {}
    resolved: dict[str, Incident] = {}
    for inc in incidents:
        if inc.status != RESOLVED:
            active[inc.incident_key] = inc
        elif inc.resolved_at is not None:
            prev = resolved.get(inc.incident_key)
            if prev is None or (prev.resolved_at or inc.resolved_at) < inc.resolved_at:
                resolved[inc.incident_key] = inc
    best: dict[str, AlertCandidate] = {}
    for c in candidates:
        prev = best.get(c.incident_key)
        if prev is None or SEVERITY_RANK[c.severity] > SEVERITY_RANK[prev.severity]:
            best[c.incident_key] = c
    out = []
    for key, c in best.items():
        rank = SEVERITY_RANK[c.severity]
        if key in active:
            inc = active[key]
            up = rank > SEVERITY_RANK[inc.severity]
            out.append(Decision("update", key, c, inc.alert_id, up, "still firing"))
            continue
        last = resolved.get(key)
        if (
            last is not None
            and last.resolved_at is not None
            and now - last.resolved_at < rules.cooldown
            and rank <= SEVERITY_RANK[last.severity]
        ):
            left = rules.cooldown - (now - last.resolved_at)
            why = f"cooldown: resolved {last.resolved_at.isoformat()}, {left} left"
            out.append(Decision("suppress", key, c, last.alert_id, False, why))
            continue
        out.append(Decision("open", key, c, None, False, "new incident"))
    for key, inc in active.items():
        if key in best or now - inc.last_seen_at < rules.resolve_after:
            continue
        if inc.status == OPEN and inc.rule != SOURCE_HEALTH:
            continue  # not acknowledged yet: it waits for a person
        why = f"not seen since {inc.last_seen_at.isoformat()}"
        out.append(Decision("resolve", key, None, inc.alert_id, False, why))
    return out


__all__ = [
    "ACKNOWLEDGED",
    "CRITICAL",
    "HIGH_IMPACT",
    "CATEGORY_SPIKE",
    "CategoryCounts",
    "NEGATIVE_SPIKE",
    "OPEN",
    "RESOLVED",
    "RULES",
    "SEVERITY_RANK",
    "SOURCE_HEALTH",
    "WARNING",
    "AlertCandidate",
    "AlertRules",
    "BrandWindowStats",
    "Decision",
    "HighImpactRule",
    "Incident",
    "PostStat",
    "SourceRule",
    "SourceStatus",
    "SpikeRule",
    "Window",
    "WindowCount",
    "binom_sf",
    "brand_spike_keys",
    "category_spikes",
    "decide",
    "dispersion",
    "evaluate",
    "without_repeats",
    "exposure",
    "high_impact",
    "negative_spike",
    "poisson_sf",
    "source_health",
    "spike_windows",
]
