"""When the weekly report is due, and when a failed one is tried again. Pure: the clock is
passed in.

The scheduled run at ``weekday``/``hour`` UTC reports the last complete calendar week as
of that run. A process that was down (or restarted) at that time makes the report of its
*last* scheduled run when it starts, unless that report was already made; older missed
runs are not replayed (``monitor report --week`` makes any week by hand).

Neither the scheduled run nor that catch-up makes the report of a week that ended before
the store's history begins (:func:`skip_reason`): a new install would otherwise email an
empty "last week" report half a minute after its first start.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# After a failed weekly report (the SMTP server or the database down), try again after
# these delays; the files already written stay in report.out_dir meanwhile.
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
# while posts of the week still await classification (a first start, a backlog after an
# outage), the report waits this long at a time, this many times at most, then goes ahead
CLASSIFY_WAIT = timedelta(minutes=5)
CLASSIFY_WAITS = 12


def last_scheduled_run(now: datetime, weekday: str, hour: int) -> datetime:
    """The latest ``weekday`` at ``hour``:00 UTC that is not after ``now``."""
    now = now.astimezone(UTC)
    days_back = (now.weekday() - WEEKDAYS.index(weekday)) % 7
    run = now.replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=days_back)
    return run - timedelta(days=7) if run > now else run


def week_due(now: datetime, weekday: str, hour: int) -> str:
    """The ISO week (``2026-W47``) that the last scheduled run by ``now`` reports: the last
    calendar week (Monday to Sunday, UTC) complete at that run."""
    run = last_scheduled_run(now, weekday, hour)
    year, week, _ = (run.date() - timedelta(days=run.weekday() + 7)).isocalendar()
    return f"{year}-W{week:02d}"


def week_end(week: str) -> datetime:
    """Monday 00:00 UTC after the ISO week ``week`` (``2026-W47``) as :func:`week_due`
    writes it: the moment the week ends."""
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC) + timedelta(days=7)


def skip_reason(week: str, first_post: datetime | None) -> str | None:
    """Why the scheduled report of ``week`` is not made, or None to make it.

    ``first_post`` is when the store's oldest post was posted (None: the store is empty).
    A week that ended before it is skipped: the store was not watching then, so its
    report could only say "no mentions" (a new install, or a database started afresh).
    A week with no posts in a store that holds older ones is still reported: a brand
    that went quiet for a week is news to the people who read the report."""
    if first_post is None:
        return "the store holds no posts yet"
    if first_post >= week_end(week):
        return f"the store's first post is from {first_post:%Y-%m-%d}, after that week ended"
    return None


def classification_wait(unclassified: int, waited: int) -> timedelta | None:
    """How long the report waits for ``unclassified`` posts of its week to be classified,
    having waited ``waited`` times already; None to make it now. A report made from posts
    without sentiment would show a quieter week than there was."""
    return CLASSIFY_WAIT if unclassified and waited < CLASSIFY_WAITS else None


def retry_delay(attempt: int) -> timedelta | None:
    """How long to wait after failed try number ``attempt`` (1 = the scheduled run); None
    when it was the last."""
    return RETRY_DELAYS[attempt - 1] if attempt <= len(RETRY_DELAYS) else None
