"""A reply promise that was not kept (issue 16): the assignee is told in-app when a waiting
customer's reply is overdue (every agent when nobody has the ticket), and the administrators
SLA_ESCALATE_AFTER_HOURS later if the customer still waits.

The cleanup job runs this with the reminders. Each step is recorded as an audit event after
the customer started waiting, so a ticket is reported once per wait: running the job twice, or
in several workers at once (one lock serialises the runs), tells nobody twice; a reply ends the
wait and the next wait can be reported again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists
from sqlmodel import Session, col, select

from support_portal.models import (
    AuditEvent,
    Notification,
    NotificationEvent,
    Role,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from support_portal.services import audit, events, notifications, throttle
from support_portal.settings import get_settings

BATCH = 500
BREACHED = "ticket.sla_breached"
ESCALATED = "ticket.sla_escalated"


def _recorded_in_this_wait(action: str, before: datetime | None = None):
    conditions = [
        AuditEvent.ticket_id == Ticket.id,
        AuditEvent.action == action,
        AuditEvent.created_at >= Ticket.waiting_since,
    ]
    if before is not None:
        conditions.append(AuditEvent.created_at < before)
    return exists().where(and_(*conditions))


def _waiting(now: datetime, *extra):
    """Open tickets whose waiting customer's promised reply is overdue (ix_tickets_reply_due)."""
    return (
        select(Ticket)
        .where(
            Ticket.status == TicketStatus.open,
            col(Ticket.reply_due_at).is_not(None),
            col(Ticket.reply_due_at) <= now,
            *extra,
        )
        .order_by(col(Ticket.reply_due_at))
        .with_for_update(skip_locked=True)
        .limit(BATCH)
    )


def report_breaches(db: Session, *, now: datetime | None = None) -> list[int]:
    """Tell the assignee (or every agent) about the tickets whose reply is overdue. Returns
    the ticket numbers."""
    now = now or utcnow()
    throttle.lock(db, scope="housekeeping", key="sla")  # one runner at a time
    reported = []
    for ticket in db.exec(_waiting(now, ~_recorded_in_this_wait(BREACHED))).all():
        audit.record(db, action=BREACHED, ticket_id=ticket.id, actor_kind="system", at=now)
        notifications.on_ticket_event(db, ticket=ticket, event=NotificationEvent.sla_breached)
        events.ticket_changed(db, ticket, kind="sla")
        reported.append(ticket.number)
    return reported


def escalate(db: Session, *, now: datetime | None = None) -> list[int]:
    """Tell the administrators about the tickets still waiting SLA_ESCALATE_AFTER_HOURS after
    their breach was reported. Returns the ticket numbers."""
    now = now or utcnow()
    throttle.lock(db, scope="housekeeping", key="sla")
    cutoff = now - timedelta(hours=get_settings().sla_escalate_after_hours)
    tickets = db.exec(
        _waiting(
            now,
            _recorded_in_this_wait(BREACHED, before=cutoff),
            ~_recorded_in_this_wait(ESCALATED),
        )
    ).all()
    if not tickets:
        return []
    admins = db.exec(select(User.id).where(User.role == Role.admin, User.is_active == True)).all()
    for ticket in tickets:
        audit.record(db, action=ESCALATED, ticket_id=ticket.id, actor_kind="system", at=now)
        for user_id in admins:
            db.add(
                Notification(
                    user_id=user_id, ticket_id=ticket.id, event=NotificationEvent.sla_escalated
                )
            )
            events.user_notified(db, user_id)  # type: ignore[arg-type]
    return [t.number for t in tickets]
