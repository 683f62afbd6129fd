"""Alert tables, on the shared :data:`monitor.store.schema.metadata` (migration 0003).

``alerts`` holds one row per incident occurrence: a rule firing for a brand (or a
source, or one post) stays one row while it keeps firing (``updated_count`` goes
up), and a partial unique index keeps a single active row per ``incident_key``
even when two checkers run at once. ``alert_deliveries`` logs every delivery
attempt sequence per channel (``recipient`` empty), and each email recipient that
took the alert (migration 0010), so that a retry skips those recipients.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from monitor.store.schema import metadata

ACTIVE = text("status <> 'resolved'")

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_key", String(300), nullable=False),
    Column("brand", String(200)),  # None for source alerts
    Column("rule", String(40), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("status", String(20), nullable=False, default="open"),  # open, acknowledged, resolved
    Column("title", Text, nullable=False),
    Column("details", JSON, nullable=False),  # the numbers behind the alert
    Column("post_ids", JSON, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("updated_count", Integer, nullable=False, default=0),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledged_by", String(200)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", String(200)),
    Column("delivery_requested_at", DateTime(timezone=True)),  # set when opened or escalated
    Column("delivered_at", DateTime(timezone=True)),
    Column("delivery_attempts", Integer, nullable=False, default=0),
    Column("last_delivery_error", Text),
    Index(
        "uq_alerts_active_incident",
        "incident_key",
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    ),
    Index("ix_alerts_incident_resolved", "incident_key", "resolved_at"),
    Index("ix_alerts_status_seen", "status", "last_seen_at"),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(200), nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("recipient", String(320)),  # an email address that took it; None: the channel
    Index("ix_alert_deliveries_alert", "alert_id", "attempted_at"),
)

__all__ = ["alert_deliveries", "alerts"]
