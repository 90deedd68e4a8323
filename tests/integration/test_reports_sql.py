"""The reports' SQL gives the same numbers on SQLite and PostgreSQL (issue 16): days and weeks
in UTC, durations in minutes, percentiles by rank."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select, update

from support_portal.db import session_scope
from support_portal.models import Role, SatisfactionSurvey, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import reports, satisfaction, tickets
from tests.integration.test_reminder_concurrency import viewer_for
from tests.integration.test_throttle_concurrency import backend  # noqa: F401

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_the_same_report_on_both_databases(backend):  # noqa: F811
    start = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # late: the UTC day, not the local one
    with session_scope() as db:
        customer = viewer_for(db, "c@example.com", Role.customer)
        helper = viewer_for(db, "a@support.test", Role.agent)
        for minutes in range(10, 110, 10):
            number = tickets.create_ticket(
                db, viewer=customer, subject="S", category="trading", description="x"
            ).number
            row = db.exec(select(Ticket).where(Ticket.number == number)).one()
            row.created_at = start
            row.first_response_at = start + timedelta(minutes=minutes)
        agent_service.change_status(db, viewer=helper, number=number, action="resolve")
        row.resolved_at = start + timedelta(days=1, hours=1)
        db.flush()  # the due times follow creation and status (in business hours) ...
        db.exec(update(Ticket).values(first_response_due_at=start + timedelta(minutes=45)))
        survey = db.exec(select(SatisfactionSurvey)).one()
        satisfaction.answer_by_token(
            db,
            token=satisfaction.token_for(survey),
            rating="good",
            now=datetime(2026, 11, 8, 23, 0, tzinfo=UTC),  # Sunday: still the week of the 2nd
        )
    with session_scope() as db:
        r = reports.build(db, viewer=helper, start="2026-11-01", end="2026-11-30", now=NOW)
    by_day = {d.day: (d.created, d.resolved) for d in r.days if d.created or d.resolved}
    assert by_day == {date(2026, 11, 2): (10, 0), date(2026, 11, 4): (0, 1)}
    assert (r.first_response.median, r.first_response.p90) == (50.0, 90.0)
    assert (r.resolution.count, r.resolution.median) == (1, 1500.0)
    assert (r.within_target, r.with_target) == (4, 10)
    assert [(w.week, w.good, w.bad) for w in r.csat] == [(date(2026, 11, 2), 1, 0)]
