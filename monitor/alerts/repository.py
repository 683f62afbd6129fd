"""Alerts in the store: open or update by incident, cooldowns, acknowledge, resolve, list.

Decisions come from :func:`monitor.alerts.rules.decide`; this module only applies
them. A partial unique index (``uq_alerts_active_incident``) keeps one active alert
per incident key, so two checkers racing on the same incident end up updating one
row instead of opening two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from monitor.alerts.rules import (
    ACKNOWLEDGED,
    MAX_POST_IDS,
    OPEN,
    RESOLVED,
    SEVERITY_RANK,
    AlertCandidate,
    Decision,
    Incident,
)
from monitor.errors import MonitorError, StoreError
from monitor.store.alerts_schema import alert_deliveries, alerts
from monitor.store.db import utc

STATUSES = (OPEN, ACKNOWLEDGED, RESOLVED)
AUTO = "auto"  # resolved_by when an incident stopped firing


@dataclass(frozen=True)
class Alert:
    """One incident occurrence as stored: what fired, why, and what people did about it."""

    id: int
    incident_key: str
    brand: str | None
    rule: str
    severity: str
    status: str
    title: str
    details: Mapping[str, Any]
    post_ids: tuple[int, ...]
    first_seen_at: datetime
    last_seen_at: datetime
    updated_count: int = 0
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    delivery_requested_at: datetime | None = None
    delivered_at: datetime | None = None
    delivery_attempts: int = 0  # failed attempts since delivery was last requested
    last_delivery_error: str | None = None

    @property
    def active(self) -> bool:
        return self.status != RESOLVED

    @property
    def delivery_due(self) -> bool:
        """Opened or escalated since the last complete delivery."""
        requested = self.delivery_requested_at
        return requested is not None and (
            self.delivered_at is None or self.delivered_at < requested
        )

    def delivery_state(self, has_channels: bool) -> str:
        """Where this alert's delivery stands, for people reading a list of alerts.

        ``sent``, ``failed`` (the last attempt's error is kept), ``pending`` (due and a
        channel is configured to send it), ``no_channels`` (nothing could send it: it
        is not "pending") or ``none`` (no delivery was ever asked for).
        """
        if self.delivered_at and not self.delivery_due:
            return "sent"
        if self.last_delivery_error:
            return "failed"
        if not has_channels:
            return "no_channels"
        return "pending" if self.delivery_due else "none"

    def __repr__(self) -> str:
        return (
            f"Alert(#{self.id} {self.severity} {self.rule} {self.brand or self.incident_key!r} "
            f"{self.status}, updated {self.updated_count}x)"
        )


def _alert(row: Mapping[str, Any]) -> Alert:
    return Alert(
        id=row["id"],
        incident_key=row["incident_key"],
        brand=row["brand"],
        rule=row["rule"],
        severity=row["severity"],
        status=row["status"],
        title=row["title"],
        details=row["details"] or {},
        post_ids=tuple(row["post_ids"] or ()),
        first_seen_at=utc(row["first_seen_at"]),
        last_seen_at=utc(row["last_seen_at"]),
        updated_count=row["updated_count"],
        acknowledged_at=utc(row["acknowledged_at"]),
        acknowledged_by=row["acknowledged_by"],
        resolved_at=utc(row["resolved_at"]),
        resolved_by=row["resolved_by"],
        delivery_requested_at=utc(row["delivery_requested_at"]),
        delivered_at=utc(row["delivered_at"]),
        delivery_attempts=row["delivery_attempts"],
        last_delivery_error=row["last_delivery_error"],
    )


def _merge_ids(old: Iterable[int], new: Iterable[int]) -> list[int]:
    """New ids first, then older ones, without repeats, at most MAX_POST_IDS."""
    out = list(dict.fromkeys([*new, *old]))
    return out[:MAX_POST_IDS]


class AlertRepository:
    """Reads and writes the ``alerts`` and ``alert_deliveries`` tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _fail(self, doing: str, e: SQLAlchemyError) -> StoreError:
        return StoreError(
            f"could not {doing}: {str(e).splitlines()[0]}",
            hint="run `monitor status` to migrate the database to the latest schema",
        )

    # ---- reading ---------------------------------------------------------------

    def get(self, alert_id: int) -> Alert:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
        except SQLAlchemyError as e:
            raise self._fail("read alerts", e) from e
        if row is None:
            raise MonitorError(f"no alert with id {alert_id}", hint="see `monitor alerts list`")
        return _alert(row)

    def list(
        self,
        *,
        status: str | None = "active",
        brand: str | None = None,
        rule: str | None = None,
        limit: int = 50,
        brands: Iterable[str] = (),
    ) -> list[Alert]:
        """Newest first. ``status`` is one of STATUSES, "active" (open or acknowledged) or None.
        ``brands``: those brands' alerts and the brand-less ones (source health)."""
        q = select(alerts).order_by(alerts.c.last_seen_at.desc(), alerts.c.id.desc()).limit(limit)
        if status == "active":
            q = q.where(alerts.c.status != RESOLVED)
        elif status is not None:
            if status not in STATUSES:
                raise MonitorError(f"unknown alert status {status!r}", hint=f"one of {STATUSES}")
            q = q.where(alerts.c.status == status)
        if brand is not None:
            q = q.where(alerts.c.brand == brand)
        if rule is not None:
            q = q.where(alerts.c.rule == rule)
        if brands:
            q = q.where(or_(alerts.c.brand.in_(list(brands)), alerts.c.brand.is_(None)))
        try:
            with self.engine.connect() as conn:
                return [_alert(r) for r in conn.execute(q).mappings()]
        except SQLAlchemyError as e:
            raise self._fail("list alerts", e) from e

    def raised_between(
        self, start: datetime, end: datetime, brands: Iterable[str] = ()
    ) -> list[Alert]:
        """Alerts first seen in [start, end), oldest first; with ``brands``, those brands'
        alerts plus the brand-less ones (source health)."""
        q = select(alerts).where(alerts.c.first_seen_at >= start, alerts.c.first_seen_at < end)
        names = list(brands)
        if names:
            q = q.where(alerts.c.brand.in_(names) | alerts.c.brand.is_(None))
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(q.order_by(alerts.c.first_seen_at, alerts.c.id)).mappings()
                return [_alert(r) for r in rows]
        except SQLAlchemyError as e:
            raise self._fail("list alerts", e) from e

    def incidents(self, keys: Iterable[str], now: datetime, cooldown: timedelta) -> list[Incident]:
        """Every active incident, plus the last resolution of ``keys`` within ``cooldown``."""
        keys = sorted(set(keys))
        cols = (
            alerts.c.id,
            alerts.c.incident_key,
            alerts.c.status,
            alerts.c.severity,
            alerts.c.last_seen_at,
            alerts.c.resolved_at,
            alerts.c.rule,
        )
        out: list[Incident] = []
        try:
            with self.engine.connect() as conn:
                rows = list(conn.execute(select(*cols).where(alerts.c.status != RESOLVED)))
                for start in range(0, len(keys), 500):
                    rows += conn.execute(
                        select(*cols).where(
                            alerts.c.incident_key.in_(keys[start : start + 500]),
                            alerts.c.status == RESOLVED,
                            alerts.c.resolved_at >= now - cooldown,
                        )
                    )
        except SQLAlchemyError as e:
            raise self._fail("read alerts", e) from e
        for i, key, status, severity, seen, resolved, rule in rows:
            out.append(Incident(i, key, status, severity, utc(seen), utc(resolved), rule))
        return out

    def in_cooldown(self, incident_key: str, now: datetime, cooldown: timedelta) -> bool:
        """Whether ``incident_key`` was resolved less than ``cooldown`` ago."""
        return any(
            i.status == RESOLVED and i.incident_key == incident_key
            for i in self.incidents([incident_key], now, cooldown)
        )

    # ---- writing ---------------------------------------------------------------

    def apply(self, decisions: Iterable[Decision], now: datetime) -> list[Alert]:
        """Carry out ``decisions``; returns the alerts opened, updated or resolved."""
        touched = []
        for d in decisions:
            if d.action in {"open", "update"} and d.candidate is not None:
                touched.append(self.upsert(d.candidate, now))
            elif d.action == "resolve" and d.alert_id is not None:
                alert = self._resolve(d.alert_id, AUTO, now)
                if alert is not None:
                    touched.append(alert)
        return touched

    def upsert(self, candidate: AlertCandidate, now: datetime) -> Alert:
        """Open an alert for ``candidate``, or update the active one with its incident key.

        Severity only goes up while an alert is active; going up asks for a new delivery,
        with a fresh retry budget (the warning may have used its own up).
        """
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    row = (
                        conn.execute(
                            select(alerts)
                            .where(
                                alerts.c.incident_key == candidate.incident_key,
                                alerts.c.status != RESOLVED,
                            )
                            .with_for_update()
                        )
                        .mappings()
                        .first()
                    )
                    if row is None:
                        new_id = conn.execute(
                            insert(alerts).values(
                                incident_key=candidate.incident_key,
                                brand=candidate.brand,
                                rule=candidate.rule,
                                severity=candidate.severity,
                                status=OPEN,
                                title=candidate.title,
                                details=dict(candidate.details),
                                post_ids=list(candidate.post_ids[:MAX_POST_IDS]),
                                first_seen_at=now,
                                last_seen_at=now,
                                updated_count=0,
                                delivery_requested_at=now,
                                delivery_attempts=0,
                            )
                        ).inserted_primary_key[0]
                    else:
                        new_id = row["id"]
                        up = SEVERITY_RANK[candidate.severity] > SEVERITY_RANK[row["severity"]]
                        merged = _merge_ids(row["post_ids"] or (), candidate.post_ids)
                        values: dict[str, Any] = {
                            "title": candidate.title,
                            "details": dict(candidate.details),
                            "post_ids": merged,
                            "last_seen_at": now,
                            "updated_count": alerts.c.updated_count + 1,
                        }
                        if now <= utc(row["last_seen_at"]):  # a replay of a time already seen
                            values = {"post_ids": merged}
                        if up:  # what is delivered again must describe the new severity
                            values |= {
                                "title": candidate.title,
                                "details": dict(candidate.details),
                                "severity": candidate.severity,
                                "delivery_requested_at": now,
                                "delivery_attempts": 0,
                                "last_delivery_error": None,
                            }
                        conn.execute(update(alerts).where(alerts.c.id == new_id).values(**values))
                return self.get(new_id)
            except IntegrityError as e:  # another checker opened it first: update that one
                if attempt == 2:
                    raise self._fail(f"save alert {candidate.incident_key}", e) from e
            except SQLAlchemyError as e:
                raise self._fail(f"save alert {candidate.incident_key}", e) from e
        raise AssertionError("unreachable")  # pragma: no cover

    def acknowledge(self, alert_id: int, by: str, now: datetime) -> Alert:
        """Someone is on it. Acknowledging twice keeps the first acknowledgement."""
        alert = self.get(alert_id)
        if alert.status == RESOLVED:
            raise MonitorError(f"alert {alert_id} is already resolved")
        if alert.status == ACKNOWLEDGED:
            return alert
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    update(alerts)
                    .where(alerts.c.id == alert_id, alerts.c.status == OPEN)
                    .values(status=ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=by)
                )
        except SQLAlchemyError as e:
            raise self._fail(f"acknowledge alert {alert_id}", e) from e
        return self.get(alert_id)

    def resolve(self, alert_id: int, by: str, now: datetime) -> Alert:
        """Close an alert; the same incident then stays quiet for the cooldown."""
        alert = self._resolve(alert_id, by, now)
        if alert is None:
            raise MonitorError(f"alert {alert_id} is already resolved")
        return alert

    def _resolve(self, alert_id: int, by: str, now: datetime) -> Alert | None:
        self.get(alert_id)  # raises if missing
        try:
            with self.engine.begin() as conn:
                changed = conn.execute(
                    update(alerts)
                    .where(alerts.c.id == alert_id, alerts.c.status != RESOLVED)
                    .values(status=RESOLVED, resolved_at=now, resolved_by=by)
                ).rowcount
        except SQLAlchemyError as e:
            raise self._fail(f"resolve alert {alert_id}", e) from e
        return self.get(alert_id) if changed else None

    # ---- delivery bookkeeping ----------------------------------------------------

    def due_for_delivery(self, max_total_attempts: int) -> list[Alert]:
        """Active alerts opened or escalated since their last complete delivery, unless
        their failed attempts since then reached ``max_total_attempts``."""
        q = (
            select(alerts)
            .where(
                alerts.c.status != RESOLVED,
                alerts.c.delivery_requested_at.is_not(None),
                or_(
                    alerts.c.delivered_at.is_(None),
                    alerts.c.delivered_at < alerts.c.delivery_requested_at,
                ),
                alerts.c.delivery_attempts < max_total_attempts,
            )
            .order_by(alerts.c.id)
        )
        try:
            with self.engine.connect() as conn:
                return [_alert(r) for r in conn.execute(q).mappings()]
        except SQLAlchemyError as e:
            raise self._fail("read alerts", e) from e

    def delivered(self, alert: Alert) -> set[tuple[str, str | None]]:
        """Who already took the current notification of ``alert``: ``(channel, None)``
        for a channel that took it entirely, ``(channel, address)`` for each email
        recipient that took it (the others may still be owed it)."""
        if alert.delivery_requested_at is None:
            return set()
        q = select(alert_deliveries.c.channel, alert_deliveries.c.recipient).where(
            and_(
                alert_deliveries.c.alert_id == alert.id,
                alert_deliveries.c.ok.is_(True),
                alert_deliveries.c.attempted_at >= alert.delivery_requested_at,
            )
        )
        try:
            with self.engine.connect() as conn:
                return {(channel, recipient) for channel, recipient in conn.execute(q)}
        except SQLAlchemyError as e:
            raise self._fail("read deliveries", e) from e

    def record_delivery(
        self,
        alert_id: int,
        channel: str,
        now: datetime,
        *,
        ok: bool,
        attempts: int,
        error: str | None = None,
        complete: bool = False,
        delivered_to: Mapping[str, int] | None = None,
    ) -> None:
        """Log one channel's delivery; ``complete`` marks the alert delivered everywhere.

        ``ok``: the channel took it entirely. ``delivered_to``: the email recipients that
        took it in this delivery (address -> the attempt that reached it), logged one by
        one so that a retry skips them. Only failed attempts count toward giving up: a
        success took ``attempts - 1`` failures first, so a channel that works does not
        spend another one's retries.
        """
        failed = attempts - 1 if ok else attempts
        values: dict[str, Any] = {"delivery_attempts": alerts.c.delivery_attempts + failed}
        if not ok:
            error = error or "failed"
            values["last_delivery_error"] = f"{channel}: {error}"[:2000]
        if complete:
            values["delivered_at"] = now
        rows = [
            {"channel": channel, "ok": ok, "attempts": attempts, "error": error, "recipient": None}
        ]
        rows += [
            {"channel": channel, "ok": True, "attempts": n, "error": None, "recipient": address}
            for address, n in (delivered_to or {}).items()
        ]
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(alert_deliveries),
                    [dict(row, alert_id=alert_id, attempted_at=now) for row in rows],
                )
                conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))
        except SQLAlchemyError as e:
            raise self._fail(f"record delivery of alert {alert_id}", e) from e

    def mark_delivered(self, alert_id: int, now: datetime) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(update(alerts).where(alerts.c.id == alert_id).values(delivered_at=now))
        except SQLAlchemyError as e:
            raise self._fail(f"update alert {alert_id}", e) from e

    def deliveries(self, alert_id: int) -> list[dict[str, Any]]:
        q = (
            select(alert_deliveries)
            .where(alert_deliveries.c.alert_id == alert_id)
            .order_by(alert_deliveries.c.id)
        )
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(q).mappings().all()
        except SQLAlchemyError as e:
            raise self._fail("read deliveries", e) from e
        return [dict(r, attempted_at=utc(r["attempted_at"])) for r in rows]

    def count(self, status: str | None = None) -> int:
        q = select(func.count()).select_from(alerts)
        if status is not None:
            q = q.where(alerts.c.status == status)
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(q).scalar_one())
        except SQLAlchemyError as e:
            raise self._fail("count alerts", e) from e


__all__ = ["AUTO", "STATUSES", "Alert", "AlertRepository"]
