"""Tickets that wait for the customer's answer (issue 16): a reminder after REMIND_AFTER_DAYS,
and AUTO_RESOLVE_AFTER_DAYS after that reminder, with still no answer, resolved with a notice.

The cleanup job runs both with auto-close. Each is idempotent: a reminder is recorded as an
audit event after the ticket started waiting, and a ticket that got one is not reminded again
in the same wait; running the job twice, or in several workers at once (one lock serialises
the runs), sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists
from sqlmodel import Session, col, select

from support_portal.models import AuditEvent, NotificationEvent, Ticket, TicketStatus, utcnow
from support_portal.services import audit, events, notifications, throttle, workflow
from support_portal.services.tickets import set_status
from support_portal.settings import get_settings

BATCH = 500


def _reminded_since_waiting():
    return exists().where(
        and_(
            AuditEvent.ticket_id == Ticket.id,
            AuditEvent.action == "ticket.reminded",
            AuditEvent.created_at >= Ticket.last_agent_reply_at,
        )
    )


def send_reminders(db: Session, *, now: datetime | None = None) -> list[int]:
    """Remind the customers whose answer we have waited for REMIND_AFTER_DAYS. Returns the
    ticket numbers."""
    now = now or utcnow()
    throttle.lock(db, scope="housekeeping", key="reminders")  # one runner at a time
    cutoff = now - timedelta(days=get_settings().remind_after_days)
    due = db.exec(
        select(Ticket)
        .where(
            Ticket.status == TicketStatus.awaiting_customer,
            col(Ticket.last_agent_reply_at) < cutoff,
            ~_reminded_since_waiting(),
        )
        .with_for_update(skip_locked=True)
        .limit(BATCH)
    ).all()
    for ticket in due:
        audit.record(db, action="ticket.reminded", ticket_id=ticket.id, actor_kind="system", at=now)
        notifications.on_ticket_event(db, ticket=ticket, event=NotificationEvent.reminder)
    return [t.number for t in due]


def auto_resolve(db: Session, *, now: datetime | None = None) -> list[int]:
    """Resolve the tickets whose reminder went out AUTO_RESOLVE_AFTER_DAYS ago without an
    answer. Returns the ticket numbers."""
    now = now or utcnow()
    throttle.lock(db, scope="housekeeping", key="reminders")
    cutoff = now - timedelta(days=get_settings().auto_resolve_after_days)
    reminded_long_ago = exists().where(
        and_(
            AuditEvent.ticket_id == Ticket.id,
            AuditEvent.action == "ticket.reminded",
            AuditEvent.created_at >= Ticket.last_agent_reply_at,
            AuditEvent.created_at < cutoff,
        )
    )
    due = db.exec(
        select(Ticket)
        .where(Ticket.status == TicketStatus.awaiting_customer, reminded_long_ago)
        .with_for_update(skip_locked=True)
        .limit(BATCH)
    ).all()
    for ticket in due:
        set_status(ticket, workflow.next_status(ticket.status, workflow.Action.resolve))
        ticket.waiting_since = None
        ticket.last_activity_at = now
        audit.record(
            db,
            action="ticket.status",
            ticket_id=ticket.id,
            actor_kind="system",
            detail={"from": "awaiting_customer", "to": "resolved", "auto": True},
            at=now,
        )
        notifications.on_ticket_event(db, ticket=ticket, event=NotificationEvent.resolved)
        events.ticket_changed(db, ticket, kind="status")
    return [t.number for t in due]


def run_due(db: Session, *, now: datetime | None = None) -> dict[str, list[int]]:
    """The cleanup job's ticket work: resolve, remind, auto-close (in that order, so a ticket
    resolved now is not also reminded)."""
    from support_portal.services import sla_breaches
    from support_portal.services.agent import auto_close

    now = now or utcnow()
    return {
        "resolved": auto_resolve(db, now=now),
        "reminded": send_reminders(db, now=now),
        "closed": auto_close(db, now=now),
        "overdue": sla_breaches.report_breaches(db, now=now),
        "escalated": sla_breaches.escalate(db, now=now),
    }
