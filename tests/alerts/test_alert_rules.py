"""The pure rules: spikes, high-impact posts, source health, and incident decisions."""

import math
import random
from dataclasses import replace
from datetime import timedelta

import pytest
from alertdata import BRAND, NOW, candidate, negative_post, window_stats

from monitor.alerts.rules import (
    ACKNOWLEDGED,
    CRITICAL,
    RESOLVED,
    SOURCE_HEALTH,
    WARNING,
    AlertRules,
    HighImpactRule,
    Incident,
    SourceRule,
    SourceStatus,
    SpikeRule,
    Window,
    binom_sf,
    decide,
    dispersion,
    evaluate,
    exposure,
    high_impact,
    negative_spike,
    poisson_sf,
    source_health,
    spike_windows,
)

RULES = AlertRules()


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's sampler (small lambda)."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# ---- tail probabilities and windows ------------------------------------------------


def test_tail_probabilities_match_closed_forms():
    assert binom_sf(5, 5, 1 / 8) == pytest.approx((1 / 8) ** 5, rel=1e-12)
    assert binom_sf(0, 10, 0.3) == 1.0 and binom_sf(11, 10, 0.3) == 0.0
    assert poisson_sf(1, 2.5) == pytest.approx(1 - math.exp(-2.5), rel=1e-12)
    assert poisson_sf(3, 0.0) == 0.0


def test_tail_probabilities_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    for k, n, p in [(12, 96, 1 / 22), (30, 100, 0.1), (500, 1000, 0.45), (40, 50, 0.2)]:
        assert binom_sf(k, n, p) == pytest.approx(stats.binom.sf(k - 1, n, p), rel=1e-9)
    for k, mu in [(5, 0.5), (20, 10), (50, 3), (1000, 900), (10, 12)]:
        assert poisson_sf(k, mu) == pytest.approx(stats.poisson.sf(k - 1, mu), rel=1e-9)


def test_windows_for_each_seasonality():
    recent, daily = spike_windows(NOW, SpikeRule())
    assert recent == Window(NOW - timedelta(hours=1), NOW)
    assert len(daily) == 7
    assert daily[0] == Window(NOW - timedelta(days=1, hours=2), NOW - timedelta(days=1, hours=-1))
    _, weekly = spike_windows(NOW, SpikeRule(seasonality="weekly", baseline_weeks=3))
    assert [w.end for w in weekly] == [NOW - timedelta(weeks=k, hours=-1) for k in (1, 2, 3)]
    _, flat = spike_windows(NOW, SpikeRule(seasonality="none"))
    assert flat[-1].start == recent.start - timedelta(days=7) and flat[0].end == recent.start
    lagged, _ = spike_windows(NOW, SpikeRule(lag_minutes=20, window_minutes=30))
    assert lagged == Window(NOW - timedelta(minutes=50), NOW - timedelta(minutes=20))
    # Only the part after the brand's first post counts as baseline.
    assert exposure(daily, timedelta(hours=1), None) == pytest.approx(21)
    # yesterday's 3 hours, and the last hour of the window two days ago
    assert exposure(daily, timedelta(hours=1), NOW - timedelta(days=2)) == pytest.approx(4)


# ---- negative spike ----------------------------------------------------------------


def test_spike_is_detected_with_its_numbers():
    posts = [negative_post(i, 5 * i, reach=100 * i) for i in range(1, 16)]
    posts.append(negative_post(99, 90))  # before the window: not behind this alert
    stats = window_stats(3, 15, posts_=posts)
    (c,) = evaluate(stats, RULES, NOW)
    d = c.details
    assert (c.rule, c.incident_key, c.brand) == ("negative_spike", f"{BRAND}:negative_spike", BRAND)
    assert d["observed"] == 15 and d["expected"] == 1.0 and d["ratio"] == 15.0
    assert d["p_value"] < 1e-9 and d["triggers"] == ["count"]
    assert d["window_minutes"] == 60 and d["window_end"] == NOW.isoformat()
    assert d["baseline"] == {
        "seasonality": "daily",
        "windows": 7,
        "exposure_windows": 21.0,
        "dispersion": 1.0,
        "negative": 21,
        "total": 105,
    }
    assert c.severity == CRITICAL  # p <= 1e-6 and ratio >= 4
    assert 99 not in c.post_ids and c.post_ids == tuple(range(1, 13))  # the last hour's
    assert [e["id"] for e in d["examples"]] == [12, 11, 10, 9, 8]  # largest audience first
    assert "15 negative posts in 60 min, 1.0 expected" in c.title


def test_a_spike_says_what_its_posts_are_about():
    about = [("billing",), ("billing", "support"), (), ("billing",), ("delivery",)] * 3
    posts = [negative_post(i, 3 * i, categories=c) for i, c in enumerate(about, 1)]
    (c,) = evaluate(window_stats(3, 15, posts_=posts), RULES, NOW)
    assert c.details["categories"] == [
        {"category": "billing", "posts": 9},
        {"category": "delivery", "posts": 3},  # ties by name
        {"category": "support", "posts": 3},
    ]


def _with_categories(stats, **categories):
    """``stats`` with per-category counts: name=(baseline negatives per window, recent)."""
    from dataclasses import replace as with_

    from monitor.alerts.rules import CategoryCounts

    out = {}
    for name, (base, recent) in categories.items():
        out[name] = CategoryCounts(
            with_(stats.recent, negative=recent, total=5 * recent),
            tuple(with_(w, negative=base, total=5 * base) for w in stats.baseline),
            stats.history_start,
        )
    return with_(stats, categories=out)


def test_a_spike_inside_one_category_is_found_when_the_brand_shows_none():
    # the brand: 3 negatives per baseline window, 6 now: 2x, but p is not small enough
    posts = [negative_post(i, 5 * i, categories=("billing",)) for i in range(1, 7)]
    stats = window_stats(3, 6, posts_=posts)
    assert evaluate(stats, RULES, NOW) == []
    # all six are billing, usually 0.3 per window: far beyond chance for that category
    stats = _with_categories(stats, billing=(0.3, 6), network=(2, 0), support=(1, 0))
    (c,) = evaluate(stats, RULES, NOW)
    assert (c.rule, c.incident_key) == ("category_spike", f"{BRAND}:billing:category_spike")
    assert c.details["category"] == "billing" and c.details["observed"] == 6
    assert c.details["alpha"] == pytest.approx(RULES.spike.alpha / 2 / 3)  # 3 categories
    assert c.post_ids == tuple(range(1, 7))
    assert "Spike in billing complaints for Movistela" in c.title
    off = replace(RULES, spike=replace(RULES.spike, by_category=False))
    assert evaluate(stats, off, NOW) == []


def test_a_category_that_just_appeared_needs_history_and_category_spikes_are_warnings():
    from dataclasses import replace as with_

    posts = [negative_post(i, 5 * i, categories=("delivery",)) for i in range(1, 9)]
    stats = _with_categories(window_stats(5, 8, posts_=posts), delivery=(0, 8))  # brand: 1.6x
    (c,) = evaluate(stats, RULES, NOW)
    assert (
        c.rule == "category_spike" and c.severity == "warning"
    )  # p and ratio would make a brand spike critical
    assert c.details["p_value"] <= RULES.spike.critical_p and c.details["ratio"] >= 4
    # the same burst in a category whose first post is an hour old: no baseline yet
    new = {"delivery": stats.categories["delivery"]._replace(first_post=NOW - timedelta(hours=1))}
    assert evaluate(with_(stats, categories=new), RULES, NOW) == []


def test_an_active_brand_spike_alert_absorbs_the_category_spikes_of_its_brand():
    from monitor.alerts.rules import Incident, brand_spike_keys, without_repeats

    posts = [negative_post(i, 5 * i, categories=("billing",)) for i in range(1, 7)]
    stats = _with_categories(window_stats(3, 6, posts_=posts), billing=(0.3, 6))
    candidates = evaluate(stats, RULES, NOW)
    assert brand_spike_keys(candidates) == {f"{BRAND}:negative_spike"}
    brand = Incident(1, f"{BRAND}:negative_spike", "acknowledged", "warning", NOW)
    assert without_repeats(candidates, [brand]) == []
    resolved = brand.__class__(1, brand.incident_key, "resolved", "warning", NOW, NOW)
    assert without_repeats(candidates, [resolved]) == candidates


def test_category_spikes_over_the_same_posts_are_one_alert():
    from monitor.alerts.rules import Incident, without_repeats

    # six posts about being charged twice and wanting the money back, two about the app
    about = [("billing", "refunds")] * 6 + [("digital",)] * 2
    posts = [negative_post(i, 5 * i, categories=c) for i, c in enumerate(about, 1)]
    stats = _with_categories(
        window_stats(24, 8, posts_=posts), billing=(0.3, 6), refunds=(0.2, 6), digital=(0.1, 2)
    )
    found = evaluate(stats, RULES, NOW)
    assert sorted(c.details["category"] for c in found) == ["billing", "refunds"]
    (one,) = without_repeats(found, [])
    assert one.details["category"] == "refunds"  # the rarer one: the smaller p-value
    assert [c["category"] for c in one.details["categories"]] == ["billing", "refunds"]
    # an alert already open for billing keeps receiving the incident
    open_ = Incident(1, f"{BRAND}:billing:category_spike", "open", "warning", NOW)
    (kept,) = without_repeats(found, [open_])
    assert kept.details["category"] == "billing"
    # spikes over different posts stay apart
    apart = [negative_post(i, 5 * i, categories=("billing",)) for i in range(1, 7)]
    apart += [negative_post(i, 5 * i, categories=("refunds",)) for i in range(7, 13)]
    stats = _with_categories(window_stats(36, 12, posts_=apart), billing=(0.3, 6), refunds=(0.2, 6))
    assert len(without_repeats(evaluate(stats, RULES, NOW), [])) == 2


def test_a_brand_spike_is_not_repeated_per_category():
    posts = [negative_post(i, 4 * i, categories=("billing",)) for i in range(1, 16)]
    stats = _with_categories(window_stats(3, 15, posts_=posts), billing=(0.3, 15))
    assert [c.rule for c in evaluate(stats, RULES, NOW)] == ["negative_spike"]


def test_moderate_spike_is_a_warning():
    (c,) = evaluate(window_stats(6, 16), RULES, NOW)  # 2 expected, 8x, but p ~ 1e-6 > critical
    assert c.severity in {WARNING, CRITICAL}
    (c,) = evaluate(window_stats(9, 12), RULES, NOW)  # 3 expected, 4x, p ~ 1e-4
    assert c.severity == WARNING and c.details["p_value"] > RULES.spike.critical_p


def test_steady_stream_raises_next_to_nothing():
    # 1000 independent hours of a steady Poisson stream (6 negatives an hour): the
    # count test runs at alpha/2 = 5e-4 and needs 2x, so about 0.4 alerts are expected.
    rng = random.Random(5)
    fired = 0
    for _ in range(1000):
        base = [sum(_poisson(rng, 6.0) for _ in range(3)) for _ in range(7)]
        fired += len(evaluate(window_stats(base, _poisson(rng, 6.0)), RULES, NOW))
    assert fired <= 3
    assert negative_spike(window_stats(18, 7), RULES.spike) is None  # a little above usual


def test_low_volume_raises_nothing():
    assert negative_spike(window_stats(0, 4), RULES.spike) is None  # below min_negative
    # Five where there were none, but the brand has only 2 hours of history.
    young = window_stats(0, 5, history_start=NOW - timedelta(hours=2))
    assert negative_spike(young, RULES.spike) is None
    assert negative_spike(window_stats(0, 5), RULES.spike) is not None  # a week of silence


def test_big_brand_needs_a_big_ratio_not_just_a_small_p():
    # 100 per window usually, 150 now: p is tiny but it is only 1.5x.
    stats = window_stats(300, 150, baseline_total=1500, recent_total=750)
    assert negative_spike(stats, RULES.spike) is None


def test_share_shift_is_detected_by_the_binomial_test():
    rule = replace(RULES.spike, min_ratio=10)  # the count test alone would stay quiet
    stats = window_stats(60, 45, baseline_total=300, recent_total=100)
    c = negative_spike(stats, rule)
    assert c is not None and c.details["triggers"] == ["share"]
    share = c.details["share"]
    assert share["observed"] == 0.45 and share["baseline"] == pytest.approx(0.2, abs=0.01)
    assert share["p_value"] < 1e-6 and share["total"] == 100
    few = window_stats(60, 12, baseline_total=300, recent_total=20)  # share 60%, 20 posts
    assert negative_spike(few, rule) is None  # below share_min_total


def test_bursty_baseline_widens_the_count_test():
    bursty = window_stats([0, 12, 0, 12, 0, 12, 0], 9)  # 36 in 21 windows, very uneven
    assert dispersion(bursty.baseline, timedelta(hours=1), None) > 3
    assert negative_spike(bursty, RULES.spike) is None
    assert negative_spike(bursty, replace(RULES.spike, dispersion=False)) is not None


def test_plain_poisson_test_is_available():
    c = negative_spike(window_stats(3, 15), replace(RULES.spike, test="poisson"))
    assert c is not None and c.details["test"] == "poisson"
    assert c.details["p_value"] == pytest.approx(poisson_sf(15, 1.0))


# ---- high impact ---------------------------------------------------------------------


def test_high_impact_posts():
    rule = HighImpactRule(min_reach=10_000, min_engagement=500, max_per_brand=3)
    posts = [
        negative_post(1, 10, reach=50_000),  # reach
        negative_post(2, 20, engagement=800),  # engagement (audience 8 000)
        negative_post(3, 30, anger=0.95),  # anger
        negative_post(4, 40, reach=90_000, confidence=0.5),  # not sure it is negative
        negative_post(5, 400, reach=90_000),  # outside the 3-hour lookback
        negative_post(6, 50, reach=10),  # nothing special
        negative_post(7, 60, reach=3_000),  # above the brand's p99 (2 000)
    ]
    found = high_impact(window_stats(1, 1, posts_=posts, cutoff=2_000.0), rule, NOW)
    assert [c.post_ids for c in found] == [(1,), (2,), (7,)]  # largest audience, capped at 3
    assert found[0].incident_key == f"{BRAND}:high_impact:1"
    assert found[0].details["triggers"] == ["reach", "percentile"]
    assert found[0].details["examples"][0]["url"] == "https://example.com/1"
    uncapped = replace(rule, max_per_brand=9)
    everything = high_impact(window_stats(1, 1, posts_=posts, cutoff=2_000.0), uncapped, NOW)
    assert {c.post_ids[0] for c in everything} == {1, 2, 3, 7}
    assert high_impact(window_stats(1, 1, posts_=posts), uncapped, NOW)[-1].post_ids == (3,)
    angry_and_loud = negative_post(8, 5, reach=20_000, anger=0.9)
    (c,) = high_impact(window_stats(1, 1, posts_=[angry_and_loud]), rule, NOW)
    assert c.severity == CRITICAL and c.details["triggers"] == ["reach", "anger"]
    off = replace(rule, anger_threshold=None)
    assert high_impact(window_stats(1, 1, posts_=[posts[2]]), off, NOW) == []


def test_a_customers_third_complaint_is_high_impact():
    from monitor.authors import incident_tag

    rule = HighImpactRule()
    third = negative_post(1, 10, author="pepe", earlier_complaints=2)
    (c,) = high_impact(window_stats(1, 1, posts_=[third]), rule, NOW)
    assert c.details["triggers"] == ["repeat"] and c.severity == WARNING
    assert c.details["earlier_complaints"] == 2
    assert c.title.endswith("complaint #3 from pepe in 90 days (on separate days)")
    # one incident per author and UTC day: the rest of the day's thread updates it, whatever
    # else the posts trigger; the next day's complaint is another
    key = f"{BRAND}:high_impact:author:{incident_tag('feed', 'pepe')}:2026-11-18"
    assert c.incident_key == key and len(key) < 300
    angry = negative_post(3, 10, author="pepe", earlier_complaints=2, anger=0.9)
    (c,) = high_impact(window_stats(1, 1, posts_=[angry]), rule, NOW)
    assert c.details["triggers"] == ["anger", "repeat"] and c.incident_key == key
    tomorrow = negative_post(8, -24 * 60, author="pepe", earlier_complaints=3)
    (c,) = high_impact(window_stats(1, 1, posts_=[tomorrow]), rule, NOW + timedelta(days=1))
    assert c.incident_key.endswith(":2026-11-19")
    thread = [
        negative_post(i, 10 + i, author="pepe", earlier_complaints=2, categories=("billing",))
        for i in (4, 5, 6)
    ]
    other = negative_post(7, 30, author="ana", anger=0.95)
    found = high_impact(window_stats(1, 1, posts_=[*thread, other]), rule, NOW)
    assert [c.post_ids for c in found] == [(7,), (6, 5, 4)]  # the thread takes one place
    assert found[1].details["post_count"] == 3
    assert found[1].details["categories"] == [{"category": "billing", "posts": 3}]  # all 3
    # merged, the day's most severe post speaks for it: loud and angry is critical
    loud = negative_post(9, 5, author="pepe", earlier_complaints=2, reach=10_000_000, anger=0.3)
    loud_angry = negative_post(10, 6, author="pepe", earlier_complaints=2, reach=10**6, anger=0.95)
    (c,) = high_impact(window_stats(1, 1, posts_=[loud, loud_angry]), rule, NOW)
    assert c.severity == CRITICAL and c.post_ids == (10, 9)
    second = negative_post(2, 10, author="pepe", earlier_complaints=1)
    assert high_impact(window_stats(1, 1, posts_=[second]), rule, NOW) == []
    sooner = replace(rule, repeat_complaints=2)
    assert high_impact(window_stats(1, 1, posts_=[second]), sooner, NOW)[0].post_ids == (2,)
    off = replace(rule, repeat_complaints=None)
    assert high_impact(window_stats(1, 1, posts_=[third]), off, NOW) == []


# ---- source health ---------------------------------------------------------------------


def _source(failures=0, success_minutes_ago=10.0, interval=None, ran=True):
    return SourceStatus(
        "reddit-es",
        "reddit",
        NOW - timedelta(minutes=5) if ran else None,
        None if success_minutes_ago is None else NOW - timedelta(minutes=success_minutes_ago),
        failures,
        "HTTP 503" if failures else None,
        interval,
    )


def test_source_health():
    rule = SourceRule(max_failures=3, silent_minutes=180)
    assert source_health(_source(), rule, NOW) is None
    assert source_health(_source(ran=False, success_minutes_ago=None), rule, NOW) is None
    failing = source_health(_source(failures=3), rule, NOW)
    assert failing.details["triggers"] == ["failing"] and failing.severity == WARNING
    assert failing.incident_key == "source:reddit-es:source_health" and failing.brand is None
    silent = source_health(_source(success_minutes_ago=200), rule, NOW)
    assert (
        silent.details["triggers"] == ["silent"] and silent.details["minutes_since_success"] == 200
    )
    assert silent.title == "Source reddit-es is silent: last successful run 3.3 h ago"
    # A source polled every 2 hours is not silent after 200 minutes (4 intervals = 480).
    assert source_health(_source(success_minutes_ago=200, interval=120), rule, NOW) is None
    down = source_health(_source(failures=40, success_minutes_ago=2000), rule, NOW)
    assert down.severity == CRITICAL and down.details["triggers"] == ["failing", "silent"]
    never = source_health(_source(failures=5, success_minutes_ago=None), rule, NOW)
    assert never.details["minutes_since_success"] is None and "never" in never.title


# ---- decisions on incidents ------------------------------------------------------------


def _incident(status="open", severity=WARNING, seen=NOW, resolved=None, alert_id=7):
    return Incident(alert_id, f"{BRAND}:negative_spike", status, severity, seen, resolved)


def test_new_incident_opens():
    (d,) = decide([candidate()], [], RULES, NOW)
    assert (d.action, d.alert_id) == ("open", None)


def test_firing_again_updates_the_open_incident_instead_of_repeating():
    ds = decide(
        [candidate(), candidate()], [_incident(seen=NOW - timedelta(minutes=15))], RULES, NOW
    )
    assert [(d.action, d.alert_id, d.escalated) for d in ds] == [("update", 7, False)]
    (d,) = decide([candidate(severity=CRITICAL)], [_incident(status="acknowledged")], RULES, NOW)
    assert (d.action, d.escalated) == ("update", True)


def test_cooldown_after_resolution():
    just_resolved = _incident(RESOLVED, resolved=NOW - timedelta(hours=1))
    (d,) = decide([candidate()], [just_resolved], RULES, NOW)
    assert d.action == "suppress" and "cooldown" in d.reason
    (d,) = decide([candidate(severity=CRITICAL)], [just_resolved], RULES, NOW)
    assert d.action == "open"  # worse than what was resolved: speak up
    long_ago = _incident(RESOLVED, resolved=NOW - timedelta(hours=7))
    (d,) = decide([candidate()], [long_ago], RULES, NOW)
    assert d.action == "open"  # cooldown (6 h) is over


def test_acknowledged_incidents_that_stop_firing_resolve_after_a_while():
    quiet = _incident(ACKNOWLEDGED, seen=NOW - timedelta(minutes=150))
    (d,) = decide([], [quiet], RULES, NOW)
    assert (d.action, d.alert_id) == ("resolve", 7)
    recent = _incident(ACKNOWLEDGED, seen=NOW - timedelta(minutes=60))
    assert decide([], [recent], RULES, NOW) == []


def test_an_alert_nobody_acknowledged_stays_open_however_quiet():
    unseen = _incident(seen=NOW - timedelta(days=3))
    assert decide([], [unseen], RULES, NOW) == []
    # a source that recovered needs nobody: its alert resolves on its own
    source = Incident(
        9,
        f"source:forum:{SOURCE_HEALTH}",
        "open",
        WARNING,
        NOW - timedelta(hours=3),
        None,
        SOURCE_HEALTH,
    )
    (d,) = decide([], [source], RULES, NOW)
    assert (d.action, d.alert_id) == ("resolve", 9)


def test_evaluate_accepts_one_or_many_inputs():
    stats = window_stats(3, 15)
    src = _source(failures=3)
    assert len(evaluate([stats, src], RULES, NOW)) == 2
    assert len(evaluate(src, RULES, NOW)) == 1
    off = AlertRules(spike=SpikeRule(enabled=False), sources=SourceRule(enabled=False))
    assert evaluate([stats, src], off, NOW) == []
