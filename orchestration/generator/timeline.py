"""The calendar a generated landing folder covers, and time conversions.

Internally every timestamp is an integer count of seconds since 1970-01-01 UTC
and every date an integer count of days, so the vectorised deal generation only
does integer arithmetic on them.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from functools import cached_property

DAY_SECONDS = 86_400
EPOCH = dt.date(1970, 1, 1)
DEFAULT_START = dt.date(2025, 1, 1)
# Deals are created from this many days before ``start``, so the first quarter
# already has deals that were opened in the previous one.
LEAD_IN_DAYS = 90
HISTORY_YEARS = 2


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def date_of(day: int) -> dt.date:
    """The date ``day`` days after 1970-01-01."""
    return EPOCH + dt.timedelta(days=day)


def timestamp_text(seconds: int) -> str:
    """ISO 8601 UTC text with a ``Z``, as every ``*_at`` landing column uses."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_start(day: dt.date) -> dt.date:
    """First day of the calendar quarter containing ``day``."""
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter (the fiscal year starts in January)."""

    first_day: dt.date

    @property
    def label(self) -> str:
        return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"

    @property
    def last_day(self) -> dt.date:
        return add_months(self.first_day, 3) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Timeline:
    """What a landing folder covers.

    ``start`` is the first day programs and quotas apply; deals are created from
    ``history_start`` (a lead-in before ``start``); the source systems were
    exported at ``end`` (exclusive, midnight UTC), so every timestamp is before
    it and deals still open then form the pipeline.
    """

    start: dt.date

    @classmethod
    def from_start(cls, start: dt.date | None) -> Timeline:
        return cls(start or DEFAULT_START)

    @cached_property
    def end(self) -> dt.date:
        year = self.start.year + HISTORY_YEARS
        day = min(self.start.day, 28) if self.start.month == 2 else self.start.day
        return dt.date(year, self.start.month, day)

    @property
    def history_start(self) -> dt.date:
        return self.start - dt.timedelta(days=LEAD_IN_DAYS)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def start_seconds(self) -> int:
        return day_number(self.start) * DAY_SECONDS

    @property
    def history_start_seconds(self) -> int:
        return day_number(self.history_start) * DAY_SECONDS

    @property
    def end_seconds(self) -> int:
        return day_number(self.end) * DAY_SECONDS

    @cached_property
    def quarters(self) -> tuple[Quarter, ...]:
        """Quarters from the one containing ``start`` to the one containing the last day."""
        quarters: list[Quarter] = []
        first = quarter_start(self.start)
        while first <= self.last_day:
            quarters.append(Quarter(first))
            first = add_months(first, 3)
        return tuple(quarters)
