"""Overdue replies (issue 16): the assignee (or every agent) is told once per wait, the
administrators SLA_ESCALATE_AFTER_HOURS later; a reply ends the wait."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.models import Notification, NotificationEvent, Role, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import reminders, sla_breaches, tickets
from support_portal.settings import get_settings
from tests.unit.conftest import make_viewer

E = NotificationEvent


@pytest.fixture(autouse=True)
def two_hour_promise(monkeypatch):
    monkeypatch.setenv("BUSINESS_HOURS", "24/7")
    monkeypatch.setenv("REPLY_TARGET_HOURS", "2")
    monkeypatch.setenv("SLA_ESCALATE_AFTER_HOURS", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def sla_clock(clock, monkeypatch):
    for module in (sla_breaches, reminders):
        monkeypatch.setattr(module, "utcnow", clock.now)
    return clock


def told(db, viewer, event) -> int:
    rows = db.exec(
        select(Notification).where(
            Notification.user_id == viewer.user_id, Notification.event == event
        )
    ).all()
    return len(rows)


def ticket(db, customer) -> int:
    return tickets.create_ticket(
        db, viewer=customer, subject="Late", category="other", description="Hello?"
    ).number


def test_every_agent_is_told_once_when_an_unassigned_ticket_is_overdue(
    db, alice, agent, admin, sla_clock
):
    number = ticket(db, alice)
    sla_clock.advance(hours=1, minutes=59)
    assert sla_breaches.report_breaches(db, now=sla_clock.now()) == []
    sla_clock.advance(minutes=2)
    assert sla_breaches.report_breaches(db, now=sla_clock.now()) == [number]
    assert sla_breaches.report_breaches(db, now=sla_clock.now()) == []  # once per wait
    assert told(db, agent, E.sla_breached) == told(db, admin, E.sla_breached) == 1
    assert told(db, alice, E.sla_breached) == 0  # never the customer


def test_only_the_assignee_is_told_and_admins_an_hour_later(db, alice, agent, admin, sla_clock):
    other = make_viewer(db, name="Otto Other", email="otto@support.test", role=Role.agent)
    number = ticket(db, alice)
    agent_service.assign(db, viewer=agent, number=number, assignee_id=agent.user_id)
    sla_clock.advance(hours=2, minutes=1)
    assert reminders.run_due(db, now=sla_clock.now())["overdue"] == [number]
    assert told(db, agent, E.sla_breached) == 1
    assert told(db, other, E.sla_breached) == 0

    sla_clock.advance(minutes=58)
    assert sla_breaches.escalate(db, now=sla_clock.now()) == []
    sla_clock.advance(minutes=3)
    assert sla_breaches.escalate(db, now=sla_clock.now()) == [number]
    assert sla_breaches.escalate(db, now=sla_clock.now()) == []
    assert told(db, admin, E.sla_escalated) == 1
    assert told(db, agent, E.sla_escalated) == 0  # agents already knew


def test_a_reply_ends_the_wait_and_a_new_wait_can_be_late_again(db, alice, agent, sla_clock):
    number = ticket(db, alice)
    sla_clock.advance(hours=3)
    assert sla_breaches.report_breaches(db, now=sla_clock.now()) == [number]
    agent_service.agent_reply(db, viewer=agent, number=number, body="Here you go")
    sla_clock.advance(hours=2)
    assert sla_breaches.escalate(db, now=sla_clock.now()) == []  # answered: nothing to escalate
    tickets.add_customer_reply(db, viewer=alice, number=number, body="Still broken")
    # The new wait starts at the message's time, which the test clock does not move (a model
    # default): put it where the clock is.
    row = db.exec(select(Ticket).where(Ticket.number == number)).one()
    assert row.waiting_since is not None
    row.waiting_since = sla_clock.now()
    db.flush()
    sla_clock.advance(hours=1)
    assert sla_breaches.report_breaches(db, now=sla_clock.now()) == []
    sla_clock.advance(hours=1, minutes=1)
    assert sla_breaches.report_breaches(db, now=sla_clock.now()) == [number]
    assert told(db, agent, E.sla_breached) == 2


def test_business_hours_move_the_promise(db, alice, agent, sla_clock, monkeypatch):
    """Outside opening hours the clock stops: waiting 2 wall-clock hours is not late."""
    monkeypatch.setenv("BUSINESS_HOURS", "mon 00:00-00:01")
    get_settings.cache_clear()
    ticket(db, alice)
    sla_clock.advance(hours=3)
    assert sla_breaches.report_breaches(db, now=sla_clock.now()) == []
