"""Spike detection on simulated streams: precision, recall, false alarms, delay.

    python benchmarks/alert_detection.py [--days 21] [--every 15] [--seed 7]

Simulates minute-resolution post streams for one brand over ``--days`` days:

  steady        Poisson, 30 posts/h, 20 % negative
  seasonal      daily cycle (night 0.25x, afternoon 1.75x) and quiet weekends (0.5x)
  overdispersed seasonal, with an hourly rate that wanders (gamma, CV 0.5): bursty like real data
  drift         seasonal, negative share drifting 15 % -> 35 % over the period (no spike)
  low_volume    seasonal, 3 posts/h, 20 % negative, and one burst of 4 negatives
  spikes        seasonal plus five negative spikes, 2x to 12x the usual rate at their peak
                (30-minute ramp, 90-minute half-life, 4 hours long)
  share_shift   seasonal volume; for 3 hours the negative share goes 20 % -> 50 %
  slow_burn     seasonal plus three slow incidents: for 10 hours, 1.5x to 2x the usual
                negatives, flat (no single hour stands out)
  category      seasonal plus four incidents inside one category (billing: a quarter of
                the negatives; app: a tenth), 2x to 5x that category's usual negatives at
                their peak, so the brand's negatives as a whole rise by 25 % to 100 %
                (same 4-hour shape as the spikes)

Every post is in one category (billing 25 %, network 25 %, support 20 %, price, delivery
and app 10 % each), drawn independently, so the category test's false alarms count too.

then runs the pure rules (``monitor.alerts.rules.evaluate`` and ``decide``) on a
clock that ticks every ``--every`` minutes after a 7-day warm-up, for the default
rules and a few variants. Every alert is acknowledged as it opens (an unacknowledged
one never resolves, so later incidents would only update it). An alert is a hit if it
opens while a labelled spike is running (or within 2 hours of its end); any other alert
is a false alarm.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from monitor.alerts.rules import (
    ACKNOWLEDGED,
    RESOLVED,
    AlertRules,
    BrandWindowStats,
    CategoryCounts,
    HighImpactRule,
    Incident,
    SourceRule,
    Window,
    WindowCount,
    decide,
    evaluate,
    spike_windows,
    without_repeats,
)

T0 = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
WARMUP_DAYS = 7
GRACE = 120  # minutes after a spike's end during which an alert still counts as a hit


CATEGORY_SHARES = {
    "billing": 0.25,
    "network": 0.25,
    "support": 0.2,
    "price": 0.1,
    "delivery": 0.1,
    "digital": 0.1,
}


@dataclass
class Stream:
    name: str
    negative: np.ndarray  # per minute
    total: np.ndarray  # per minute (negative included)
    spikes: list[tuple[int, int, str]]  # (start minute, end minute, label)
    # per category: (negative, total) per minute; filled by split_categories
    categories: dict[str, tuple[np.ndarray, np.ndarray]] | None = None


def split_categories(rng, neg: np.ndarray, tot: np.ndarray) -> dict:
    """Each minute's posts shared among the categories at random (CATEGORY_SHARES)."""
    out, neg_left, other_left, left = {}, neg.copy(), tot - neg, 1.0
    for i, (name, share) in enumerate(CATEGORY_SHARES.items()):
        if i == len(CATEGORY_SHARES) - 1:
            n, o = neg_left, other_left
        else:
            n = rng.binomial(neg_left, share / left)
            o = rng.binomial(other_left, share / left)
        out[name] = (n, n + o)
        neg_left, other_left, left = neg_left - n, other_left - o, left - share
    return out


def _profile(minutes: int, weekly: bool = True) -> np.ndarray:
    t = np.arange(minutes)
    hour = (t % 1440) / 60
    daily = 1 + 0.75 * np.sin((hour - 9) / 24 * 2 * np.pi)  # low ~03:00, high ~15:00
    if not weekly:
        return daily
    weekday = (t // 1440) % 7  # T0 is a Monday
    return daily * np.where(weekday >= 5, 0.5, 1.0)


def _draw(rng, rate_total: np.ndarray, share: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    neg = rng.poisson(rate_total * share)
    other = rng.poisson(rate_total * (1 - share))
    return neg, neg + other


def _spike_shape(length: int) -> np.ndarray:
    t = np.arange(length)
    ramp = np.minimum(t / 30, 1.0)
    decay = np.where(t < 30, 1.0, 0.5 ** ((t - 30) / 90))
    return ramp * decay


def make_streams(days: int, seed: int) -> list[Stream]:
    rng = np.random.default_rng(seed)
    m = days * 1440
    per_min = 30 / 60
    seasonal = per_min * _profile(m)
    out = []
    neg, tot = _draw(rng, np.full(m, per_min), 0.2)
    out.append(Stream("steady", neg, tot, []))
    neg, tot = _draw(rng, seasonal, 0.2)
    out.append(Stream("seasonal", neg, tot, []))
    wander = np.repeat(rng.gamma(4.0, 0.25, size=m // 60 + 1), 60)[:m]
    neg, tot = _draw(rng, seasonal * wander, 0.2)
    out.append(Stream("overdispersed", neg, tot, []))
    neg, tot = _draw(rng, seasonal, np.linspace(0.15, 0.35, m))
    out.append(Stream("drift", neg, tot, []))
    neg, tot = _draw(rng, seasonal / 10, 0.2)
    burst = 10 * 1440 + 14 * 60
    neg[burst : burst + 20 : 5] += 1  # four negatives in 20 minutes: below min_negative
    tot[burst : burst + 20 : 5] += 1
    out.append(Stream("low_volume", neg, tot, []))

    neg, tot = _draw(rng, seasonal, 0.2)
    spikes = []
    length = 240
    for day, hour, peak in (
        (8, 11, 2.0),
        (10, 16, 3.0),
        (12, 2, 5.0),
        (15, 20, 8.0),
        (18, 9, 12.0),
    ):
        start = day * 1440 + hour * 60
        usual = seasonal[start : start + length].mean() * 0.2
        extra = rng.poisson((peak - 1) * usual * _spike_shape(length))
        neg[start : start + length] += extra
        tot[start : start + length] += extra
        spikes.append((start, start + length, f"{peak:g}x"))
    out.append(Stream("spikes", neg, tot, spikes))

    share = np.full(m, 0.2)
    shifts = []
    for day, hour in ((9, 13), (16, 10)):
        start = day * 1440 + hour * 60
        share[start : start + 180] = 0.5
        shifts.append((start, start + 180, "share 50%"))
    neg, tot = _draw(rng, seasonal, share)
    out.append(Stream("share_shift", neg, tot, shifts))

    neg, tot = _draw(rng, seasonal, 0.2)
    burns = []
    length = 600
    for day, hour, level in ((9, 8, 1.5), (13, 10, 1.75), (17, 7, 2.0)):
        start = day * 1440 + hour * 60
        extra = rng.poisson((level - 1) * seasonal[start : start + length] * 0.2)
        neg[start : start + length] += extra
        tot[start : start + length] += extra
        burns.append((start, start + length, f"{level:g}x for 10 h"))
    out.append(Stream("slow_burn", neg, tot, burns))
    for s in out:
        s.categories = split_categories(rng, s.negative, s.total)

    neg, tot = _draw(rng, seasonal, 0.2)
    cats = split_categories(rng, neg, tot)
    incidents = []
    length = 240
    for day, hour, category, peak in (
        (8, 12, "billing", 2.0),
        (11, 10, "billing", 3.0),
        (14, 17, "billing", 5.0),
        (18, 11, "digital", 4.0),
    ):
        start = day * 1440 + hour * 60
        usual = seasonal[start : start + length].mean() * 0.2 * CATEGORY_SHARES[category]
        extra = rng.poisson((peak - 1) * usual * _spike_shape(length))
        for arrays in (cats[category], (neg, tot)):
            arrays[0][start : start + length] += extra
            arrays[1][start : start + length] += extra
        incidents.append((start, start + length, f"{category} {peak:g}x"))
    out.append(Stream("category", neg, tot, incidents, cats))
    return out


class Counter:
    """Window counts from prefix sums, as ``monitor.alerts.stats`` would count them."""

    def __init__(self, negative: np.ndarray, total: np.ndarray) -> None:
        self.neg = np.concatenate([[0], np.cumsum(negative)])
        self.tot = np.concatenate([[0], np.cumsum(total)])
        self.m = len(negative)

    def count(self, w: Window) -> WindowCount:
        i0 = min(max(int((w.start - T0) / timedelta(minutes=1)), 0), self.m)
        i1 = min(max(int((w.end - T0) / timedelta(minutes=1)), 0), self.m)
        return WindowCount(w, int(self.neg[i1] - self.neg[i0]), int(self.tot[i1] - self.tot[i0]))


def run(stream: Stream, rules: AlertRules, every: int) -> list[tuple[int, str]]:
    """Minutes at which alerts opened (and their severity) on ``stream``."""
    counter = Counter(stream.negative, stream.total)
    by_category = {c: Counter(n, t) for c, (n, t) in (stream.categories or {}).items()}
    incidents: dict[str, Incident] = {}
    opened: list[tuple[int, str]] = []
    for minute in range(WARMUP_DAYS * 1440, counter.m + 1, every):
        now = T0 + timedelta(minutes=minute)
        recent, baseline = spike_windows(now, rules.spike)
        categories = {
            c: CategoryCounts(k.count(recent), tuple(k.count(w) for w in baseline), T0)
            for c, k in by_category.items()
        }
        stats = BrandWindowStats(
            "Marca",
            counter.count(recent),
            tuple(counter.count(w) for w in baseline),
            T0,
            categories=categories if rules.spike.by_category else {},
        )
        candidates = without_repeats(evaluate(stats, rules, now), incidents.values())
        for d in decide(candidates, incidents.values(), rules, now):
            if d.action == "open":
                # the team acknowledges at once, so the incident may resolve when it ends
                incidents[d.incident_key] = Incident(
                    len(opened), d.incident_key, ACKNOWLEDGED, d.candidate.severity, now
                )
                opened.append((minute, d.candidate.severity))
            elif d.action == "update":
                incidents[d.incident_key] = replace(incidents[d.incident_key], last_seen_at=now)
            elif d.action == "resolve":
                incidents[d.incident_key] = replace(
                    incidents[d.incident_key], status=RESOLVED, resolved_at=now
                )
    return opened


def score(stream: Stream, opened: list[tuple[int, str]]) -> dict:
    hits, false_alarms, delays = 0, 0, []
    found = set()
    for minute, _severity in opened:
        match = [i for i, (s, e, _) in enumerate(stream.spikes) if s <= minute < e + GRACE]
        if match:
            hits += 1
            if match[0] not in found:
                found.add(match[0])
                delays.append(minute - stream.spikes[match[0]][0])
        else:
            false_alarms += 1
    return {
        "alerts": len(opened),
        "false_alarms": false_alarms,
        "precision": hits / len(opened) if opened else None,
        "recall": len(found) / len(stream.spikes) if stream.spikes else None,
        "delays": delays,
        "missed": [label for i, (_, _, label) in enumerate(stream.spikes) if i not in found],
    }


def variants() -> dict[str, AlertRules]:
    base = AlertRules(high_impact=HighImpactRule(enabled=False), sources=SourceRule(enabled=False))
    spike = base.spike
    return {
        "default (daily, conditional, brand and categories)": base,
        "brand only (no category test)": replace(base, spike=replace(spike, by_category=False)),
        "flat baseline": replace(base, spike=replace(spike, seasonality="none")),
        "weekly baseline": replace(base, spike=replace(spike, seasonality="weekly")),
        "daily, plain Poisson": replace(base, spike=replace(spike, test="poisson")),
        "daily, 30-min window": replace(base, spike=replace(spike, window_minutes=30)),
        "daily, no dispersion correction": replace(base, spike=replace(spike, dispersion=False)),
        "daily, alpha 1e-4": replace(base, spike=replace(spike, alpha=1e-4)),
    }


def _fmt(value, pattern="{:.2f}") -> str:
    return "-" if value is None else pattern.format(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--every", type=int, default=15, help="minutes between evaluations")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    streams = make_streams(args.days, args.seed)
    evals = (args.days - WARMUP_DAYS) * 1440 // args.every
    print(
        f"{len(streams)} streams x {args.days} days at minute resolution; "
        f"{evals} evaluations per stream (every {args.every} min after a {WARMUP_DAYS}-day warm-up)"
    )
    for label, rules in variants().items():
        print(f"\n== {label}: {rules.spike!r}")
        print(
            f"{'stream':<14}{'alerts':>7}{'false':>7}{'precision':>10}{'recall':>8}"
            f"  delay to alert (min)  missed"
        )
        total_false = 0
        for s in streams:
            r = score(s, run(s, rules, args.every))
            total_false += r["false_alarms"]
            delays = ", ".join(str(d) for d in r["delays"]) or "-"
            print(
                f"{s.name:<14}{r['alerts']:>7}{r['false_alarms']:>7}"
                f"{_fmt(r['precision']):>10}{_fmt(r['recall']):>8}  {delays:<20}  "
                f"{', '.join(r['missed']) or '-'}"
            )
        print(f"{'':<14}false alarms in all streams: {total_false}")
    print(f"\nran in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
