"""Reports (issue 16): counts per day, duration percentiles, the share within target and CSAT
by week, filtered by date range, category and agent; the CSV holds the same numbers."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from support_portal.models import SatisfactionSurvey, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import report_csv, reports, satisfaction, tickets
from support_portal.services.errors import InvalidInput, PermissionDenied

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday


def ticket(db, customer, *, created: datetime, category="other", **times) -> Ticket:
    number = tickets.create_ticket(
        db, viewer=customer, subject="Help", category=category, description="Please"
    ).number
    row = db.exec(select(Ticket).where(Ticket.number == number)).one()
    row.created_at = created
    for name, value in times.items():
        setattr(row, name, value)
    db.flush()  # the due times follow the new creation time (in business hours) ...
    row.first_response_due_at = created + timedelta(hours=8)  # ... this report reads wall-clock
    db.flush()
    return row


def report(db, viewer, **kw) -> reports.Report:
    kw.setdefault("start", "2026-11-01")
    kw.setdefault("end", "2026-11-30")
    return reports.build(db, viewer=viewer, now=NOW, **kw)


def test_created_and_resolved_per_day_with_empty_days(db, alice, agent):
    day = datetime(2026, 11, 10, 9, tzinfo=UTC)
    ticket(db, alice, created=day)
    ticket(db, alice, created=day + timedelta(hours=5), resolved_at=day + timedelta(days=2))
    ticket(db, alice, created=day - timedelta(days=40))  # before the range
    r = report(db, agent, start="2026-11-09", end="2026-11-13")
    assert [(d.day.day, d.created, d.resolved) for d in r.days] == [
        (9, 0, 0),
        (10, 2, 0),
        (11, 0, 0),
        (12, 0, 1),
        (13, 0, 0),
    ]


def test_median_and_90th_percentile_by_nearest_rank(db, alice, agent):
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    for minutes in range(10, 110, 10):  # first replies after 10, 20, ... 100 minutes
        ticket(db, alice, created=start, first_response_at=start + timedelta(minutes=minutes))
    r = report(db, agent)
    assert (r.first_response.count, r.first_response.median, r.first_response.p90) == (
        10,
        50.0,
        90.0,
    )
    assert r.resolution == reports.Durations(count=0, median=None, p90=None)


def test_share_within_target_counts_only_known_outcomes(db, alice, agent):
    start = datetime(2026, 11, 3, 8, tzinfo=UTC)
    ticket(db, alice, created=start, first_response_at=start + timedelta(hours=1))  # in time
    ticket(db, alice, created=start, first_response_at=start + timedelta(hours=9))  # late
    ticket(db, alice, created=start)  # unanswered, past its target: late
    ticket(db, alice, created=NOW - timedelta(hours=1))  # unanswered, not due yet: unknown
    r = report(db, agent)
    assert (r.within_target, r.with_target, r.within_target_share) == (1, 3, 33.3)


def test_csat_by_week_and_the_filters(db, alice, agent, admin):
    a = ticket(db, alice, created=datetime(2026, 11, 2, tzinfo=UTC), category="trading")
    b = ticket(db, alice, created=datetime(2026, 11, 2, tzinfo=UTC), category="security")
    for row, rating, day, who in ((a, "good", 4, agent), (b, "bad", 5, admin)):
        row.assignee_id = who.user_id
        agent_service.change_status(db, viewer=agent, number=row.number, action="resolve")
        survey = db.exec(
            select(SatisfactionSurvey).where(SatisfactionSurvey.ticket_id == row.id)
        ).one()
        when = datetime(2026, 11, day, 10, tzinfo=UTC)  # Wednesday / Thursday of one week
        satisfaction.answer_by_token(
            db, token=satisfaction.token_for(survey), rating=rating, now=when
        )
    [week] = report(db, agent).csat
    assert (week.week, week.good, week.bad, week.score) == (date(2026, 11, 2), 1, 1, 50.0)
    [only_trading] = report(db, agent, category="trading").csat
    assert (only_trading.good, only_trading.bad) == (1, 0)
    [only_admins] = report(db, agent, agent_id=admin.user_id).csat
    assert (only_admins.good, only_admins.bad) == (0, 1)
    assert sum(d.created for d in report(db, agent, category="security").days) == 1


def test_only_agents_and_only_sane_ranges(db, alice, agent):
    with pytest.raises(PermissionDenied):
        reports.build(db, viewer=alice)
    for start, end in (
        ("2026-11-30", "2026-11-01"),
        ("yesterday", ""),
        ("2024-01-01", NOW.date().isoformat()),
    ):
        with pytest.raises(InvalidInput):
            reports.build(db, viewer=agent, start=start, end=end, now=NOW)
    with pytest.raises(InvalidInput):
        reports.build(db, viewer=agent, category="<script>", now=NOW)
    default = reports.build(db, viewer=agent, now=NOW)
    assert (default.start, default.end, len(default.days)) == (date(2026, 11, 1), NOW.date(), 30)


def test_the_csv_holds_the_charts_numbers(db, alice, agent):
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    ticket(db, alice, created=start, first_response_at=start + timedelta(minutes=30))
    rows = list(csv.reader(io.StringIO(report_csv.to_csv(report(db, agent)))))
    assert rows[0] == list(report_csv.CSV_HEADER)
    assert ["tickets", "2026-11-02", "created", "1"] in rows
    assert ["first_response", "2026-11-01/2026-11-30", "median_minutes", "30.0"] in rows
    assert ["resolution", "2026-11-01/2026-11-30", "median_minutes", ""] in rows
    assert len([r for r in rows if r[0] == "tickets"]) == 60


def test_new_tickets_get_a_first_reply_target_and_record_the_first_reply(db, alice, agent):
    number = tickets.create_ticket(
        db, viewer=alice, subject="Help", category="other", description="Please"
    ).number
    agent_service.agent_reply(db, viewer=agent, number=number, body="note", internal=True)
    row = db.exec(select(Ticket).where(Ticket.number == number)).one()
    assert row.first_response_due_at is not None and row.first_response_at is None
    agent_service.agent_reply(db, viewer=agent, number=number, body="Hello")
    first = row.first_response_at
    agent_service.agent_reply(db, viewer=agent, number=number, body="Again")
    assert first is not None and row.first_response_at == first


def test_the_first_load_brings_the_agent_choices_with_the_report(db, alice, agent, admin):
    choices, names, first = reports.page(db, viewer=agent, now=NOW)
    assert {name for _, name in choices} == {"Agnes Agent", "Ada Admin"}
    assert names["trading"]["cs"] and "deposits_withdrawals" in names
    assert len(first.days) == 30
    with pytest.raises(PermissionDenied):
        reports.page(db, viewer=alice, now=NOW)


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=300))
def test_percentiles_from_counts_per_minute_match_a_sorted_list(values):
    ordered = sorted(values)
    counts = sorted(Counter(values).items())

    def rank(percent: int) -> float:  # nearest rank: smallest value reaching p % of the count
        return float(ordered[math.ceil(len(ordered) * percent / 100) - 1])

    assert reports.nearest_rank(counts) == reports.Durations(len(values), rank(50), rank(90))
    assert reports.nearest_rank([]) == reports.Durations(count=0, median=None, p90=None)


def test_share_resolved_within_their_target(db, alice, agent, admin):
    from support_portal.services import service_level_admin

    service_level_admin.save_policy(db, viewer=admin, resolution_hours="24")
    start = datetime(2026, 11, 3, 8, tzinfo=UTC)
    ticket(db, alice, created=start, resolved_at=start + timedelta(hours=2))  # in time
    ticket(db, alice, created=start, resolved_at=start + timedelta(days=9))  # late
    ticket(db, alice, created=start)  # unresolved, past its target: late
    ticket(db, alice, created=NOW - timedelta(hours=1))  # unresolved, not due yet: unknown
    r = report(db, agent)
    assert (r.resolved_within_target, r.resolution_with_target) == (1, 3)
    assert r.resolved_within_share == 33.3
    rows = list(csv.reader(io.StringIO(report_csv.to_csv(r))))
    assert ["resolution_target", "2026-11-01/2026-11-30", "share_percent", "33.3"] in rows
