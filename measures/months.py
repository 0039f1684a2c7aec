"""Months as the portal stores them: the first day of the month."""

from __future__ import annotations

import datetime
import re

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str) -> datetime.date:
    """``2026-03`` → March 1, 2026. Raises ValueError with a plain message."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-03.")
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first`` to ``last``, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months
