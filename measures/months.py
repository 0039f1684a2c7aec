"""Months as the portal stores them: the first day of the month."""

from __future__ import annotations

import datetime
import re

from collaboratives.validators import DATE_MAX, DATE_MIN

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)

FIRST_MONTH = DATE_MIN.replace(day=1)
LAST_MONTH = DATE_MAX.replace(day=1)


class MonthOutOfRange(ValueError):
    """A well-written month outside the years the portal accepts (2000-01 … 2100-12)."""


def parse_month(text: str) -> datetime.date:
    """``2026-03`` → March 1, 2026. Raises ValueError with a plain message; a month outside
    FIRST_MONTH … LAST_MONTH raises MonthOutOfRange (year 1 or 9999 would break the month
    arithmetic of every page that shows one)."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-03.")
    year = int(match.group(1))
    if not FIRST_MONTH.year <= year <= LAST_MONTH.year:
        raise MonthOutOfRange(
            f"{text!r} is out of range; months run from {FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m}.")
    return datetime.date(year, int(match.group(2)), 1)


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
