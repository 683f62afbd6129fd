"""The alerts table on real SQLite and PostgreSQL stores: incidents, cooldowns, people."""

from dataclasses import replace
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alertdata import NOW, candidate
from sqlalchemy import MetaData, insert, inspect
from sqlalchemy.exc import IntegrityError

from monitor.alerts.repository import AUTO, AlertRepository
from monitor.alerts.rules import AlertRules, decide
from monitor.errors import MonitorError
from monitor.store.alerts_schema import alert_deliveries, alerts

RULES = AlertRules()


@pytest.fixture
def repo(store):
    return AlertRepository(store.engine)


def test_migration_creates_what_the_schema_declares(store):
    assert {"alerts", "alert_deliveries"} <= set(inspect(store.engine).get_table_names())
    ours = MetaData()
    alerts.to_metadata(ours)
    alert_deliveries.to_metadata(ours)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), ours)
    mine = [d for d in diff if "alert" in str(d)]
    assert mine == []


def test_firing_again_updates_one_alert(repo):
    first = repo.upsert(candidate(ids=(1, 2)), NOW)
    assert (first.status, first.updated_count, first.post_ids) == ("open", 0, (1, 2))
    assert first.delivery_due and first.delivery_requested_at == NOW
    later = NOW + timedelta(minutes=15)
    again = repo.upsert(candidate(ids=(3, 2)), later)
    assert again.id == first.id and again.updated_count == 1
    assert again.post_ids == (3, 2, 1) and again.last_seen_at == later
    assert again.first_seen_at == NOW and again.delivery_requested_at == NOW  # no re-send
    assert repo.count() == 1


def test_a_replayed_check_of_a_time_already_seen_counts_once(repo):
    """`monitor alerts check --replay-since` run twice over the same period: the second pass
    evaluates times the alert has already seen, which must not count it as firing again,
    nor put its message back to an older state."""
    repo.upsert(candidate(ids=(1,)), NOW)
    later = NOW + timedelta(minutes=15)
    seen = repo.upsert(replace(candidate(ids=(2,)), title="at 15 min"), later)
    replayed = repo.upsert(replace(candidate(ids=(1, 9)), title="at 0 min"), NOW)
    again = repo.upsert(replace(candidate(ids=(2,)), title="at 15 min, again"), later)
    for a in (replayed, again):
        assert (a.updated_count, a.last_seen_at, a.title) == (1, later, "at 15 min")
    assert set(again.post_ids) == {1, 2, 9}  # what a replay found is still kept
    assert seen.updated_count == 1


def test_an_escalation_from_a_check_a_little_behind_carries_its_own_figures(repo):
    """Two checkers whose clocks are a second apart, or a replay that finds a worse hour:
    the check that escalates may come at a time the alert has already seen. Its severity
    is taken and delivered again; the message delivered must then describe that severity
    (its title and figures), not the milder reading it replaced."""
    repo.upsert(candidate(), NOW)
    worse = replace(
        candidate(severity="critical", ids=(7,)),
        title="Critical negative spike",
        details={"observed": 60, "expected": 4.1, "ratio": 14.6, "p_value": 1e-20},
    )
    a = repo.upsert(worse, NOW - timedelta(seconds=1))
    assert (a.severity, a.delivery_due) == ("critical", True)
    assert (a.title, a.details["observed"]) == ("Critical negative spike", 60)
    assert a.last_seen_at == NOW and 7 in a.post_ids


def test_escalation_asks_for_a_new_delivery_and_severity_never_drops(repo):
    a = repo.upsert(candidate(), NOW)
    repo.record_delivery(a.id, "slack", NOW, ok=True, attempts=1, complete=True)
    assert not repo.get(a.id).delivery_due
    later = NOW + timedelta(minutes=30)
    worse = repo.upsert(candidate(severity="critical"), later)
    assert worse.severity == "critical" and worse.delivery_requested_at == later
    assert worse.delivery_due and repo.delivered(worse) == set()
    calmer = repo.upsert(candidate(severity="warning"), later + timedelta(minutes=15))
    assert calmer.severity == "critical"


def test_one_active_alert_per_incident_is_enforced_by_the_database(repo, store):
    a = repo.upsert(candidate(), NOW)
    row = {
        "incident_key": a.incident_key,
        "rule": "negative_spike",
        "severity": "warning",
        "status": "open",
        "title": "t",
        "details": {},
        "post_ids": [],
        "first_seen_at": NOW,
        "last_seen_at": NOW,
        "updated_count": 0,
        "delivery_attempts": 0,
    }
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(alerts).values(**row))
    repo.resolve(a.id, "ana", NOW)
    with store.engine.begin() as conn:  # resolved ones do not count
        conn.execute(insert(alerts).values(**row))


def test_acknowledge_resolve_and_list(repo):
    a = repo.upsert(candidate(), NOW)
    b = repo.upsert(candidate("source:rss:source_health", ids=()), NOW + timedelta(minutes=1))
    assert [x.id for x in repo.list()] == [b.id, a.id]
    acked = repo.acknowledge(a.id, "ana", NOW + timedelta(minutes=5))
    assert (acked.status, acked.acknowledged_by) == ("acknowledged", "ana")
    assert repo.acknowledge(a.id, "luis", NOW + timedelta(minutes=6)).acknowledged_by == "ana"
    done = repo.resolve(a.id, "ana", NOW + timedelta(minutes=10))
    assert (done.status, done.resolved_by, done.resolved_at) == (
        "resolved",
        "ana",
        NOW + timedelta(minutes=10),
    )
    assert [x.id for x in repo.list()] == [b.id]
    assert [x.id for x in repo.list(status="resolved")] == [a.id]
    assert [x.id for x in repo.list(status=None, rule="source_health")] == [b.id]
    assert repo.list(brand="Movistela", status=None)[0].id == a.id
    with pytest.raises(MonitorError, match="already resolved"):
        repo.resolve(a.id, "ana", NOW)
    with pytest.raises(MonitorError, match="already resolved"):
        repo.acknowledge(a.id, "ana", NOW)
    with pytest.raises(MonitorError, match="no alert with id 999") as e:
        repo.get(999)
    assert "monitor alerts list" in e.value.hint
    with pytest.raises(MonitorError, match="unknown alert status"):
        repo.list(status="closed")


def test_decisions_applied_over_an_incident_lifetime(repo):
    """Open, update, acknowledge, auto-resolve, stay quiet in the cooldown, open again."""

    def run(now, firing):
        cands = [candidate()] if firing else []
        incidents = repo.incidents([c.incident_key for c in cands], now, RULES.cooldown)
        decisions = decide(cands, incidents, RULES, now)
        return [d.action for d in decisions], repo.apply(decisions, now)

    t = NOW
    assert run(t, True)[0] == ["open"]
    assert run(t + timedelta(minutes=15), True)[0] == ["update"]
    assert run(t + timedelta(minutes=60), False)[0] == []  # quiet, not yet resolved
    assert run(t + timedelta(minutes=150), False)[0] == []  # quiet, but nobody has seen it
    repo.acknowledge(repo.list()[0].id, "ana", t + timedelta(minutes=155))
    actions, touched = run(t + timedelta(minutes=160), False)
    assert actions == ["resolve"] and touched[0].resolved_by == AUTO
    assert repo.in_cooldown(touched[0].incident_key, t + timedelta(hours=3), RULES.cooldown)
    actions, touched = run(t + timedelta(hours=4), True)
    assert actions == ["suppress"] and touched == []
    first_id = repo.list(status="resolved")[0].id
    actions, touched = run(t + timedelta(hours=9), True)
    assert actions == ["open"] and touched[0].id != first_id and touched[0].status == "open"
    assert repo.count() == 2 and repo.count("resolved") == 1


def test_delivery_bookkeeping(repo):
    a = repo.upsert(candidate(), NOW)
    assert [x.id for x in repo.due_for_delivery(12)] == [a.id]
    repo.record_delivery(a.id, "mail", NOW, ok=False, attempts=3, error="HTTP 500")
    repo.record_delivery(a.id, "slack", NOW, ok=True, attempts=1)
    a = repo.get(a.id)
    assert a.delivery_attempts == 3 and a.last_delivery_error == "mail: HTTP 500"
    assert a.delivery_due and repo.delivered(a) == {("slack", None)}
    assert repo.due_for_delivery(3) == []  # gave up after max_total_attempts
    repo.record_delivery(a.id, "mail", NOW, ok=True, attempts=1, complete=True)
    assert not repo.get(a.id).delivery_due and repo.due_for_delivery(12) == []
    log = repo.deliveries(a.id)
    assert [(d["channel"], d["ok"], d["attempts"]) for d in log] == [
        ("mail", False, 3),
        ("slack", True, 1),
        ("mail", True, 1),
    ]
    assert log[0]["attempted_at"] == NOW


def test_each_email_recipient_that_took_an_alert_is_remembered(repo):
    a = repo.upsert(candidate(), NOW)
    took = {"ops@example.com": 1}
    repo.record_delivery(a.id, "mail", NOW, ok=False, attempts=3, error="550", delivered_to=took)
    assert repo.delivered(repo.get(a.id)) == {("mail", "ops@example.com")}
    log = repo.deliveries(a.id)
    assert [(d["recipient"], d["ok"], d["attempts"]) for d in log] == [
        (None, False, 3),
        ("ops@example.com", True, 1),
    ]


def test_only_failed_attempts_count_toward_giving_up(repo):
    a = repo.upsert(candidate(), NOW)
    repo.record_delivery(a.id, "slack", NOW, ok=True, attempts=1)
    repo.record_delivery(a.id, "hook", NOW, ok=True, attempts=3)  # 2 failures, then taken
    repo.record_delivery(a.id, "mail", NOW, ok=False, attempts=3, error="HTTP 500")
    assert repo.get(a.id).delivery_attempts == 5
    assert [x.id for x in repo.due_for_delivery(6)] == [a.id]


def test_an_escalation_gets_a_fresh_retry_budget(repo):
    a = repo.upsert(candidate(), NOW)
    repo.record_delivery(a.id, "hook", NOW, ok=False, attempts=12, error="HTTP 503")
    assert repo.due_for_delivery(12) == []  # the warning was given up on
    worse = repo.upsert(candidate(severity="critical"), NOW + timedelta(minutes=30))
    assert (worse.delivery_attempts, worse.last_delivery_error) == (0, None)
    assert [x.id for x in repo.due_for_delivery(12)] == [a.id]


def test_delivery_state_says_what_people_can_expect(repo):
    a = repo.upsert(candidate(), NOW)
    assert a.delivery_state(has_channels=True) == "pending"
    assert a.delivery_state(has_channels=False) == "no_channels"  # nothing would ever send it
    repo.record_delivery(a.id, "mail", NOW, ok=False, attempts=3, error="HTTP 500")
    assert repo.get(a.id).delivery_state(has_channels=True) == "failed"
    repo.record_delivery(a.id, "mail", NOW, ok=True, attempts=1, complete=True)
    assert repo.get(a.id).delivery_state(has_channels=False) == "sent"


def test_a_brands_alerts_are_listed_however_many_other_brands_raised_since(repo):
    from dataclasses import replace

    own = repo.upsert(candidate(), NOW)
    for i in range(5):  # a busier brand's alerts, all newer
        other = replace(candidate(f"Telvia:high_impact:{i}"), brand="Telvia")
        repo.upsert(other, NOW + timedelta(minutes=i + 1))
    source = repo.upsert(candidate("source:rss:source_health", ids=()), NOW)
    listed = repo.list(limit=3, brands=("Movistela",))  # and the brand-less source alert
    assert [a.id for a in listed] == [source.id, own.id]  # same time: newest id first
    assert {a.brand for a in repo.list(limit=3)} == {"Telvia"}  # without brands: the newest
