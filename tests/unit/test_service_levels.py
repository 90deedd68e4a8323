"""What a waiting customer is promised (issue 16): a reply REPLY_TARGET_HOURS business hours
after they started waiting; nothing while the ticket waits on them or is resolved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from support_portal import i18n
from support_portal.models import Role, Ticket
from support_portal.services import agent, conversation, service_levels, tickets
from support_portal.settings import get_settings
from tests.unit.conftest import make_viewer


@pytest.fixture
def office(monkeypatch):
    monkeypatch.setenv("BUSINESS_HOURS", "mon-fri 09:00-17:00")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Prague")
    monkeypatch.setenv("REPLY_TARGET_HOURS", "4")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def agent_v(db):
    return make_viewer(db, name="Agnes", email="agnes@support.test", role=Role.agent)


def waiting_ticket(db, viewer, since: datetime) -> int:
    number = tickets.create_ticket(
        db, viewer=viewer, subject="Help", category="other", description="Please"
    ).number
    row = db.exec(select(Ticket).where(Ticket.number == number)).one()
    row.waiting_since = since
    db.flush()
    return number


def test_a_waiting_customer_is_promised_a_reply_in_business_hours(db, alice, office):
    friday_3pm = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)  # 15:00 in Prague
    number = waiting_ticket(db, alice, friday_3pm)
    detail = conversation.detail(db, viewer=alice, number=number)
    # 2 hours on Friday, 2 on Monday from 9:00 (Prague) = 11:00 Prague = 10:00 UTC.
    assert detail.reply_due_at == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_no_promise_once_we_replied_asked_or_resolved(db, alice, agent_v, office):
    number = waiting_ticket(db, alice, datetime(2026, 12, 4, 14, 0, tzinfo=UTC))
    agent.agent_reply(db, viewer=agent_v, number=number, body="Which account?", request_info=True)
    assert conversation.detail(db, viewer=alice, number=number).reply_due_at is None
    tickets.add_customer_reply(db, viewer=alice, number=number, body="The main one.")
    assert conversation.detail(db, viewer=alice, number=number).reply_due_at is not None
    agent.change_status(db, viewer=agent_v, number=number, action="resolve")
    assert conversation.detail(db, viewer=alice, number=number).reply_due_at is None


def test_round_the_clock_hours(db, alice, monkeypatch):
    monkeypatch.setenv("BUSINESS_HOURS", "24/7")
    monkeypatch.setenv("REPLY_TARGET_HOURS", "2")
    get_settings.cache_clear()
    try:
        since = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)  # a Saturday night
        row = db.exec(select(Ticket).where(Ticket.number == waiting_ticket(db, alice, since))).one()
        assert service_levels.reply_due(row) == datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    finally:
        get_settings.cache_clear()


def test_the_deadline_reads_as_a_weekday_within_the_week():
    now = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
    due = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert i18n.format_deadline("en", due, now, "Europe/Prague") == "Monday 11:00"
    assert i18n.format_deadline("cs", due, now, "Europe/Prague") == "pondělí 11:00"
    far = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
    assert "2026" in i18n.format_deadline("en", far, now, "Europe/Prague")


def test_the_queue_shows_agents_when_each_reply_is_due(db, alice, agent_v, office):
    from support_portal.services import agent_queue
    from support_portal.states.agent_views import queue_row

    number = waiting_ticket(db, alice, datetime(2026, 12, 4, 14, 0, tzinfo=UTC))
    row = agent_queue.queue(db, viewer=agent_v, view="all").items[0]
    assert row.number == number
    assert row.reply_due_at == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    before = queue_row(row, "en", "Europe/Prague", datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    assert (before.due, before.overdue) == ("due in 2 hours", False)
    late = queue_row(row, "en", "Europe/Prague", datetime(2026, 12, 7, 10, 35, tzinfo=UTC))
    assert (late.due, late.overdue) == ("overdue 35 minutes", True)
