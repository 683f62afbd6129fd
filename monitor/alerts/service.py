"""Check alerts once: stats -> rules -> repository -> notify. Orchestration only.

The scheduler calls :func:`check_alerts` every ``check_interval_minutes``; the CLI
calls :func:`run_check` (the same, saying which deliveries failed) from
``monitor alerts check``. What fires is decided in
:mod:`monitor.alerts.rules`; this module only passes things along.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.alerts import rules as alert_rules
from monitor.alerts import stats
from monitor.alerts.config import AlertSettings
from monitor.alerts.notify import DeliveryResult, Notifier
from monitor.alerts.repository import Alert, AlertRepository
from monitor.authors import TRACK_ALL


def alert_settings(settings: Any) -> AlertSettings:
    """``settings.alerts`` when the settings have it, else the defaults."""
    found = getattr(settings, "alerts", None)
    return found if isinstance(found, AlertSettings) else AlertSettings()


@dataclass(frozen=True)
class AlertCheck:
    """What one check did: the alerts it opened, updated or resolved, and the deliveries
    it tried (of those alerts, or of older ones still due)."""

    alerts: list[Alert]
    deliveries: list[DeliveryResult]

    @property
    def failed(self) -> list[DeliveryResult]:
        return [r for r in self.deliveries if not r.ok]


def check_alerts(
    store,
    settings: Any,
    now: datetime | None = None,
    *,
    alerts: AlertSettings | None = None,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    deliver: bool = True,
) -> list[Alert]:
    """Evaluate every rule at ``now`` and return the alerts opened, updated or resolved.

    ``settings`` needs ``brands`` (objects with ``.name``) and ``sources`` (with
    ``.name`` and ``.interval_minutes``), as :class:`monitor.settings.Settings` has.
    Due alerts (new or escalated, or not yet delivered) are then sent; a failed
    delivery is recorded on the alert and retried on the next check, never raised.
    """
    return run_check(
        store, settings, now, alerts=alerts, env=env, sleep=sleep, deliver=deliver
    ).alerts


def run_check(
    store,
    settings: Any,
    now: datetime | None = None,
    *,
    alerts: AlertSettings | None = None,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    deliver: bool = True,
) -> AlertCheck:
    """:func:`check_alerts`, also saying which deliveries it tried and how they went."""
    cfg = alerts or alert_settings(settings)
    if not cfg.enabled:
        return AlertCheck([], [])
    now = (now or datetime.now(UTC)).astimezone(UTC)
    brands = [b.name for b in getattr(settings, "brands", ())]
    if not brands:
        since = now - timedelta(days=cfg.rules.spike.baseline_days)
        brands = stats.recent_brands(store.engine, since)
    configured = getattr(settings, "sources", ())
    intervals = {s.name: s.interval_minutes for s in configured} if configured else None
    categories = getattr(settings, "categories", None)
    inputs = stats.gather(
        store.engine,
        brands,
        cfg.rules,
        now,
        source_intervals=intervals,
        categories_version=categories.fingerprint if categories else None,
        untracked=getattr(settings, "untracked", TRACK_ALL),
    )
    candidates = alert_rules.evaluate(inputs, cfg.rules, now)
    repo = AlertRepository(store.engine)
    keys = {c.incident_key for c in candidates} | alert_rules.brand_spike_keys(candidates)
    incidents = repo.incidents(keys, now, cfg.rules.cooldown)
    candidates = alert_rules.without_repeats(candidates, incidents)
    decisions = alert_rules.decide(candidates, incidents, cfg.rules, now)
    touched = repo.apply(decisions, now)
    results: list[DeliveryResult] = []
    if deliver and cfg.channels:
        due = repo.due_for_delivery(cfg.delivery.max_total_attempts)
        replies = getattr(settings, "replies", None)
        notifier = Notifier(
            cfg,
            replies=replies,
            categories=categories,
            dashboard_url=getattr(settings, "dashboard_url", None),
            env=env,
            sleep=sleep,
        )
        results = notifier.deliver(repo, due, now)
        touched = [repo.get(a.id) for a in touched]
    return AlertCheck(touched, results)


def replay_alerts(
    store,
    settings: Any,
    start: datetime,
    end: datetime,
    *,
    every: timedelta | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Alert]:
    """Evaluate the rules as the scheduler would have, every ``every`` (default: the
    check interval) from ``start`` to ``end``, without delivering anything.

    For history imported after the fact (and the demo): the alerts table then shows
    what would have fired, and when. Returns the alerts as they stand at the end.
    """
    cfg = alert_settings(settings)
    # source health is not replayed: the sources table holds how the collectors stand
    # now, which says nothing of then (a source failing today is no alert last week)
    no_sources = replace(cfg.rules.sources, enabled=False)
    cfg = replace(cfg, rules=replace(cfg.rules, sources=no_sources))
    step = every or timedelta(minutes=cfg.check_interval_minutes)
    total = max(int((end - start) / step), 0) + 1
    touched: dict[int, Alert] = {}
    for i in range(total):
        for alert in check_alerts(store, settings, start + i * step, alerts=cfg, deliver=False):
            touched[alert.id] = alert
        if progress:
            progress(i + 1, total)
    return sorted(touched.values(), key=lambda a: a.first_seen_at)


__all__ = ["AlertCheck", "alert_settings", "check_alerts", "replay_alerts", "run_check"]
