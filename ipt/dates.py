"""Date arithmetic held within the calendar: a stored 9999-12-31 has no day after it, nor
0001-01-01 one before, and no page may fail because of one."""

import datetime


def shift(day: datetime.date, days: float = 0, weeks: float = 0) -> datetime.date:
    """`day` moved by `days` and `weeks`, held within the calendar."""
    delta = datetime.timedelta(days=days, weeks=weeks)
    try:
        return day + delta
    except OverflowError:
        return datetime.date.max if delta > datetime.timedelta(0) else datetime.date.min
