"""Flags a therapist or supervisor must not miss. Pure rules, no requests."""

from datetime import date, datetime, timedelta

# IPT is weekly: an active course with no session for more than ten days has lost its rhythm.
OVERDUE_AFTER_DAYS = 10


def is_overdue(last_session: datetime | date | None, started: date, today: date) -> bool:
    """True when an active course has had no session for more than OVERDUE_AFTER_DAYS days.

    A course with no session yet counts from its start date.
    """
    if isinstance(last_session, datetime):
        last_session = last_session.date()
    since = last_session or started
    return today - since > timedelta(days=OVERDUE_AFTER_DAYS)
