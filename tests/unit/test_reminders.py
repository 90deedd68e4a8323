"""Tickets waiting for the customer (issue 16): a reminder after REMIND_AFTER_DAYS, resolved
AUTO_RESOLVE_AFTER_DAYS after it; running the job twice sends nothing twice."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from support_portal.models import Notification, NotificationEvent, OutboxEmail, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import notifications, reminders, tickets


def asked(db, customer, agent_viewer) -> int:
    number = tickets.create_ticket(
        db, viewer=customer, subject="Help", category="other", description="Please"
    ).number
    agent_service.agent_reply(
        db, viewer=agent_viewer, number=number, body="Which card?", request_info=True
    )
    return number


def reminder_mails(db) -> list[OutboxEmail]:
    return list(db.exec(select(OutboxEmail).where(OutboxEmail.template == "reminder")))


def status(db, number) -> str:
    return str(db.exec(select(Ticket.status).where(Ticket.number == number)).one())


def test_a_reminder_after_three_days_once(db, alice, agent, clock):
    number = asked(db, alice, agent)
    clock.advance(days=2, hours=23)
    assert reminders.send_reminders(db, now=clock.now()) == []
    clock.advance(hours=2)
    assert reminders.send_reminders(db, now=clock.now()) == [number]
    assert reminders.send_reminders(db, now=clock.now()) == []  # idempotent
    assert reminders.run_due(db, now=clock.now())["reminded"] == []
    assert len(reminder_mails(db)) == 1
    events = db.exec(select(Notification.event).where(Notification.user_id == alice.user_id))
    assert list(events).count(NotificationEvent.reminder) == 1


def test_resolved_seven_days_after_the_reminder_without_an_answer(db, alice, agent, clock):
    number = asked(db, alice, agent)
    clock.advance(days=3, hours=1)
    reminders.run_due(db, now=clock.now())
    clock.advance(days=6)
    assert reminders.run_due(db, now=clock.now())["resolved"] == []
    clock.advance(days=1, hours=1)
    assert reminders.run_due(db, now=clock.now())["resolved"] == [number]
    assert status(db, number) == "resolved"
    assert not any(reminders.run_due(db, now=clock.now()).values())
    resolved_mails = db.exec(select(OutboxEmail).where(OutboxEmail.template == "resolved")).all()
    assert len(resolved_mails) == 1


def test_an_answer_stops_the_clock_and_a_new_question_starts_it_again(db, alice, agent, clock):
    number = asked(db, alice, agent)
    clock.advance(days=3, hours=1)
    reminders.run_due(db, now=clock.now())
    tickets.add_customer_reply(db, viewer=alice, number=number, body="The blue one.")
    clock.advance(days=8)
    assert reminders.run_due(db, now=clock.now())["resolved"] == []
    assert status(db, number) == "open"
    agent_service.agent_reply(
        db, viewer=agent, number=number, body="And the date?", request_info=True
    )
    # Messages take their time from the database model, which the test clock does not move.
    row = db.exec(select(Ticket).where(Ticket.number == number)).one()
    row.last_agent_reply_at = clock.now()
    clock.advance(days=3, hours=1)
    assert reminders.run_due(db, now=clock.now())["reminded"] == [number]  # a new wait
    assert len(reminder_mails(db)) == 2


def test_the_reminder_email_has_its_own_switch(db, alice, agent, clock):
    notifications.set_preference(db, viewer=alice, event="reminder", email=False)
    number = asked(db, alice, agent)
    clock.advance(days=3, hours=1)
    assert reminders.send_reminders(db, now=clock.now()) == [number]
    assert reminder_mails(db) == []  # the in-app notification still comes


def test_a_guest_gets_the_reminder_by_email(db, agent, clock):
    number = tickets.create_ticket(
        db,
        viewer=None,
        guest_name="Gus",
        guest_email="gus@example.net",
        subject="Help",
        category="other",
        description="Please",
    ).number
    agent_service.agent_reply(
        db, viewer=agent, number=number, body="Which card?", request_info=True
    )
    clock.advance(days=3, hours=1)
    reminders.send_reminders(db, now=clock.now())
    assert [m.to_email for m in reminder_mails(db)] == ["gus@example.net"]


def test_not_yet_three_days_of_the_default(db, alice, agent, clock):
    asked(db, alice, agent)
    clock.advance(days=2)
    assert reminders.run_due(db, now=clock.now() + timedelta(hours=1))["reminded"] == []
