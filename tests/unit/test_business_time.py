"""Business-time arithmetic (issue 16): weekends, holidays, outside hours, Prague's
daylight-saving changes both ways, targets over several days; properties checked against a
minute-by-minute reference with Hypothesis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support_portal.services.business_time import BusinessHours, add, between

PRAGUE = ZoneInfo("Europe/Prague")
OFFICE = BusinessHours.parse(
    "mon-fri 09:00-17:00",
    "Europe/Prague",
    holidays=frozenset({date(2026, 12, 24), date(2026, 12, 25)}),
)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=PRAGUE)


def test_inside_hours_it_is_plain_addition():
    assert add(local(2026, 12, 1, 10, 0), 90, OFFICE) == local(2026, 12, 1, 11, 30)


def test_created_outside_hours_the_clock_starts_at_opening():
    assert add(local(2026, 12, 1, 20, 0), 60, OFFICE) == local(2026, 12, 2, 10, 0)
    assert add(local(2026, 12, 2, 6, 0), 60, OFFICE) == local(2026, 12, 2, 10, 0)


def test_weekends_are_skipped():
    friday_afternoon = local(2026, 12, 4, 16, 0)
    assert add(friday_afternoon, 120, OFFICE) == local(2026, 12, 7, 10, 0)  # Monday
    assert add(local(2026, 12, 5, 12, 0), 30, OFFICE) == local(2026, 12, 7, 9, 30)  # Saturday


def test_holidays_are_skipped():
    # Wednesday 23 Dec 16:00 + 2 h: Thu 24 and Fri 25 are holidays, then the weekend.
    assert add(local(2026, 12, 23, 16, 0), 120, OFFICE) == local(2026, 12, 28, 10, 0)


def test_targets_spanning_several_days():
    # 3 business days of 8 hours from Monday 9:00 end on Wednesday at 17:00.
    assert add(local(2026, 11, 30, 9, 0), 3 * 8 * 60, OFFICE) == local(2026, 12, 2, 17, 0)


def test_the_spring_change_in_prague_is_one_hour_shorter_round_the_clock():
    always = BusinessHours.always("Europe/Prague")
    before = local(2026, 3, 29, 1, 30)  # 02:00 -> 03:00 that night
    assert add(before, 60, always).astimezone(PRAGUE) == local(2026, 3, 29, 3, 30)
    assert between(local(2026, 3, 29, 0, 0), local(2026, 3, 30, 0, 0), always) == 23 * 60


def test_the_autumn_change_in_prague_is_one_hour_longer_round_the_clock():
    always = BusinessHours.always("Europe/Prague")
    assert between(local(2026, 10, 25, 0, 0), local(2026, 10, 26, 0, 0), always) == 25 * 60


def test_office_hours_keep_their_wall_clock_across_the_changes():
    # Friday before each change, 16:00 + 2 business hours: Monday 10:00 local, either way.
    assert add(local(2026, 3, 27, 16, 0), 120, OFFICE).astimezone(PRAGUE) == local(
        2026, 3, 30, 10, 0
    )
    assert add(local(2026, 10, 23, 16, 0), 120, OFFICE).astimezone(PRAGUE) == local(
        2026, 10, 26, 10, 0
    )


def test_parse_refuses_nonsense_and_accepts_several_intervals():
    with pytest.raises(ValueError):
        BusinessHours.parse("mon-fri 17:00-09:00")
    with pytest.raises(ValueError):
        BusinessHours.parse("someday 09:00-17:00")
    split = BusinessHours.parse("mon 08:00-12:00; mon 13:00-17:00", "Europe/Prague")
    assert add(local(2026, 11, 30, 11, 0), 120, split) == local(2026, 11, 30, 14, 0)
    never = BusinessHours(timezone="UTC")
    with pytest.raises(ValueError):
        add(datetime(2026, 1, 1, tzinfo=UTC), 1, never)


# --- properties -----------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))
targets = st.integers(min_value=0, max_value=1500)


def reference_add(start: datetime, minutes: int, hours: BusinessHours) -> datetime:
    """Minute by minute: each minute [t, t+1) counts when t is inside opening hours."""
    t, left = start, minutes
    while left:
        if hours.is_open(t):
            left -= 1
        t += timedelta(minutes=1)
    return t


@settings(max_examples=40, deadline=None)
@given(starts, targets)
def test_add_agrees_with_the_minute_by_minute_reference(start, minutes):
    got = add(start, minutes, OFFICE)
    expected = reference_add(start, minutes, OFFICE)
    if minutes:
        assert got == expected
    assert between(start, got, OFFICE) == minutes


@settings(max_examples=60, deadline=None)
@given(starts, targets, targets, st.integers(min_value=0, max_value=20000))
def test_add_is_monotonic(start, a, b, shift):
    low, high = sorted((a, b))
    assert add(start, low, OFFICE) <= add(start, high, OFFICE)
    later = start + timedelta(minutes=shift)
    assert add(start, low, OFFICE) <= add(later, low, OFFICE)
