"""Business-time arithmetic: when a number of working minutes after a moment falls (issue 16).

Opening hours are wall-clock times in one time zone, a list of intervals per weekday, plus
holidays. Every moment in and out is timezone-aware; the walk converts each day's opening
intervals to UTC and does its arithmetic there, so the daylight-saving changes (a 23- or
25-hour day in Europe/Prague) need no special case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[int, int]  # minutes after local midnight: [open, close), close up to 1440
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_DAYS = 3660  # ten years of calendar without one opening hour: a schedule with none


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "UTC"
    week: tuple[tuple[Interval, ...], ...] = ((), (), (), (), (), (), ())  # Monday first
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessHours:
        return cls(timezone=timezone, week=tuple(((0, 1440),) for _ in DAYS))

    @classmethod
    def parse(
        cls, spec: str, timezone: str = "UTC", holidays: frozenset[date] = frozenset()
    ) -> BusinessHours:
        """ "mon-fri 09:00-17:00; sat 10:00-12:00", or "24/7"."""
        if spec.strip().lower() in ("24/7", "always"):
            return cls.always(timezone)
        week: list[list[Interval]] = [[] for _ in DAYS]
        for part in filter(None, (p.strip().lower() for p in spec.split(";"))):
            found = re.fullmatch(r"([a-z]{3})(?:-([a-z]{3}))?\s+(\d\d):(\d\d)-(\d\d):(\d\d)", part)
            if not found or found.group(1) not in DAYS or (found.group(2) or "mon") not in DAYS:
                raise ValueError(f"not opening hours: {part!r}")
            first = DAYS.index(found.group(1))
            last = DAYS.index(found.group(2) or found.group(1))
            h1, m1, h2, m2 = (int(found.group(i)) for i in range(3, 7))
            opens, closes = h1 * 60 + m1, h2 * 60 + m2
            if not 0 <= opens < closes <= 1440:
                raise ValueError(f"opening hours end before they start: {part!r}")
            for day in range(first, last + 1):
                week[day].append((opens, closes))
        return cls(timezone=timezone, week=tuple(tuple(sorted(d)) for d in week), holidays=holidays)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(opens <= minute < closes for opens, closes in self.week[local.weekday()])


def _open_spans(hours: BusinessHours, day: date) -> list[tuple[datetime, datetime]]:
    """That local day's opening intervals, in UTC."""
    if day in hours.holidays:
        return []
    zone = ZoneInfo(hours.timezone)
    spans = []
    for opens, closes in hours.week[day.weekday()]:
        spans.append((_at(day, opens, zone), _at(day, closes, zone)))
    return spans


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute >= 1440:
        return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return datetime.combine(day, time(minute // 60, minute % 60), zone).astimezone(UTC)


def add(start: datetime, minutes: int, hours: BusinessHours) -> datetime:
    """The moment `minutes` business minutes after `start` (aware; returned in UTC)."""
    cursor = start.astimezone(UTC)
    left = timedelta(minutes=max(0, minutes))
    if not left:
        return cursor
    day = cursor.astimezone(ZoneInfo(hours.timezone)).date() - timedelta(days=1)
    for _ in range(_MAX_DAYS):
        for opens, closes in _open_spans(hours, day):
            begin = max(opens, cursor)
            if begin >= closes:
                continue
            if closes - begin >= left:
                return begin + left
            left -= closes - begin
            cursor = closes
        day += timedelta(days=1)
    raise ValueError("these opening hours never open")


def between(start: datetime, end: datetime, hours: BusinessHours) -> int:
    """Whole business minutes from `start` to `end` (0 when `end` is not after `start`)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0
    total = timedelta()
    day = start.astimezone(ZoneInfo(hours.timezone)).date() - timedelta(days=1)
    last = end.astimezone(ZoneInfo(hours.timezone)).date() + timedelta(days=1)
    while day <= last:
        for opens, closes in _open_spans(hours, day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)
