"""Check alerts once: stats -> rules -> repository -> notify. Orchestration only.

The scheduler calls :func:`check_alerts` every ``check_interval_minutes``; the CLI
calls it from ``monitor alerts check``. What fires is decided in
:mod:`monitor.alerts.rules`; this module only passes things along.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.alerts import rules as alert_rules
from monitor.alerts import stats
from monitor.alerts.config import AlertSettings
from monitor.alerts.notify import Notifier
from monitor.alerts.repository import Alert, AlertRepository


def alert_settings(settings: Any) -> AlertSettings:
    """``settings.alerts`` when the settings have it, else the defaults."""
    found = getattr(settings, "alerts", None)
    return found if isinstance(found, AlertSettings) else AlertSettings()


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
    cfg = alerts or alert_settings(settings)
    if not cfg.enabled:
        return []
    now = (now or datetime.now(UTC)).astimezone(UTC)
    brands = [b.name for b in getattr(settings, "brands", ())]
    if not brands:
        since = now - timedelta(days=cfg.rules.spike.baseline_days)
        brands = stats.recent_brands(store.engine, since)
    configured = getattr(settings, "sources", ())
    intervals = {s.name: s.interval_minutes for s in configured} if configured else None
    inputs = stats.gather(store.engine, brands, cfg.rules, now, source_intervals=intervals)
    candidates = alert_rules.evaluate(inputs, cfg.rules, now)
    repo = AlertRepository(store.engine)
    keys = {c.incident_key for c in candidates}
    incidents = repo.incidents(keys, now, cfg.rules.cooldown)
    decisions = alert_rules.decide(candidates, incidents, cfg.rules, now)
    touched = repo.apply(decisions, now)
    if deliver and cfg.channels:
        due = repo.due_for_delivery(cfg.delivery.max_total_attempts)
        Notifier(cfg, env=env, sleep=sleep).deliver(repo, due, now)
        touched = [repo.get(a.id) for a in touched]
    return touched


__all__ = ["alert_settings", "check_alerts"]
