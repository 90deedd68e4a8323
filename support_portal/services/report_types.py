"""What a report is made of (services/reports.py builds it): the days, the durations, the
targets and CSAT by week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DayCount:
    day: date
    created: int
    resolved: int


@dataclass(frozen=True)
class Durations:
    """Minutes; None when no ticket counts."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class WeekCsat:
    week: date  # the Monday
    good: int
    bad: int

    @property
    def score(self) -> float | None:
        """Share of good answers, in percent."""
        total = self.good + self.bad
        return round(100 * self.good / total, 1) if total else None


@dataclass(frozen=True)
class Report:
    start: date
    end: date  # inclusive
    days: list[DayCount]
    first_response: Durations
    resolution: Durations
    within_target: int  # first replies in time...
    with_target: int  # ...of the tickets whose first reply is due or given
    csat: list[WeekCsat]
    resolved_within_target: int = 0  # resolutions in time...
    resolution_with_target: int = 0  # ...of the tickets whose resolution is due or done

    @property
    def within_target_share(self) -> float | None:
        return _share(self.within_target, self.with_target)

    @property
    def resolved_within_share(self) -> float | None:
        return _share(self.resolved_within_target, self.resolution_with_target)


def _share(part: int, total: int) -> float | None:
    return round(100 * part / total, 1) if total else None
