"""Alerts on negative word of mouth: pure rules apart from the parts that act.

    rules       pure: evaluate(stats, rules, now) -> candidates; decide(...) -> actions
    config      pure: the [alerts] table of monitor.toml (AlertSettings)
    stats       counts from the store that the rules read
    repository  the alerts table: open/update by incident, acknowledge, resolve, list
    notify      delivery through apprise (email, Slack, JSON webhooks)
    service     check_alerts(store, settings, now): the four above, in order

Importing this package loads only the pure modules; the store and apprise parts are
imported from their modules (``monitor.alerts.service`` and so on).
"""

from monitor.alerts.config import AlertSettings, ChannelConfig, DeliverySettings
from monitor.alerts.rules import (
    AlertCandidate,
    AlertRules,
    BrandWindowStats,
    HighImpactRule,
    SourceRule,
    SourceStatus,
    SpikeRule,
    decide,
    evaluate,
)

__all__ = [
    "AlertCandidate",
    "AlertRules",
    "AlertSettings",
    "BrandWindowStats",
    "ChannelConfig",
    "DeliverySettings",
    "HighImpactRule",
    "SourceRule",
    "SourceStatus",
    "SpikeRule",
    "decide",
    "evaluate",
]
