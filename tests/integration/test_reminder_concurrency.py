"""The reminder job run by 20 workers at once sends each reminder once (issue 16), on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.models import AuditEvent, Notification, NotificationEvent, OutboxEmail, Role
from support_portal.services import agent, auth, reminders, sessions, tickets
from tests.integration.test_throttle_concurrency import at_once, backend  # noqa: F401

pytestmark = pytest.mark.integration


def viewer_for(db, email: str, role: Role):
    user = auth.create_user(db, name=email, email=email, password="correct horse", role=role)
    token, _, _ = sessions.exchange_login_ticket(
        db, token=sessions.create_login_ticket(db, user_id=user.id)
    )
    return sessions.viewer_for_token(db, session_token=token)


def test_twenty_runs_at_once_remind_each_waiting_customer_once(backend):  # noqa: F811
    with session_scope() as db:
        customer = viewer_for(db, "cust@example.com", Role.customer)
        helper = viewer_for(db, "agent@support.test", Role.agent)
        numbers = []
        for i in range(3):
            numbers.append(
                tickets.create_ticket(
                    db, viewer=customer, subject=f"T{i}", category="other", description="x"
                ).number
            )
            agent.agent_reply(db, viewer=helper, number=numbers[-1], body="?", request_info=True)
    later = utcnow() + timedelta(days=4)

    def run(_i: int) -> None:
        with session_scope() as db:
            reminders.run_due(db, now=later)

    outcomes = at_once(run, clients=20)
    assert outcomes == {"ok": 20}
    with session_scope() as db:
        reminded = db.exec(select(AuditEvent).where(AuditEvent.action == "ticket.reminded")).all()
        mails = db.exec(select(OutboxEmail).where(OutboxEmail.template == "reminder")).all()
    assert len(reminded) == 3 and len(mails) == 3


def test_twenty_runs_at_once_report_each_overdue_reply_once(backend, settings, monkeypatch):  # noqa: F811
    """Overdue replies: each reported once to the agents and escalated once to the admins."""
    monkeypatch.setattr(settings, "business_hours", "24/7")
    monkeypatch.setattr(settings, "reply_target_hours", 2.0)
    monkeypatch.setattr(settings, "sla_escalate_after_hours", 1.0)
    with session_scope() as db:
        customer = viewer_for(db, "late@example.com", Role.customer)
        viewer_for(db, "agent@support.test", Role.agent)
        viewer_for(db, "admin@support.test", Role.admin)
        for i in range(3):
            tickets.create_ticket(
                db, viewer=customer, subject=f"Late {i}", category="other", description="x"
            )
    breach, escalation = utcnow() + timedelta(hours=3), utcnow() + timedelta(hours=4, minutes=5)

    for now in (breach, escalation):
        outcomes = at_once(
            lambda _i, now=now: _run_due(now),
            clients=20,
        )
        assert outcomes == {"ok": 20}
    with session_scope() as db:
        actions = db.exec(select(AuditEvent.action)).all()
        told = db.exec(select(Notification.event)).all()
    assert actions.count("ticket.sla_breached") == 3
    assert actions.count("ticket.sla_escalated") == 3
    # Unassigned: the agent and the admin are told of each breach; the admin of each escalation.
    assert told.count(NotificationEvent.sla_breached) == 6
    assert told.count(NotificationEvent.sla_escalated) == 3


def _run_due(now) -> None:
    with session_scope() as db:
        reminders.run_due(db, now=now)
