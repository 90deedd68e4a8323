"""Who is told what, in-app and by email, when something happens on a ticket.

Everything here runs inside the transaction of the event that causes it (R1, R2): the reply,
its notification rows and its outbox emails commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from support_portal.models import (
    AGENT_EVENTS,
    CUSTOMER_EVENTS,
    Notification,
    NotificationEvent,
    NotificationPreference,
    Role,
    Ticket,
    User,
    utcnow,
)
from support_portal.services import events, outbox
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotAuthenticated

E = NotificationEvent
EMAIL_TEMPLATES = {  # customer events that send an email
    E.ticket_received: "ticket_received",
    E.agent_replied: "agent_replied",
    E.info_requested: "info_requested",
    E.resolved: "resolved",
    E.closed: "closed",
    E.reminder: "reminder",
    E.merged: "merged",
}


@dataclass(frozen=True)
class NotificationPublic:
    id: int
    event: str
    ticket_number: int
    ticket_subject: str
    created_at: datetime
    read: bool
    for_agent: bool
    detail: str = ""  # what a notification without a ticket is about (a webhook's URL)


def on_ticket_event(
    db: Session, *, ticket: Ticket, event: NotificationEvent, message_id: int | None = None
) -> None:
    """Create the in-app notifications and outbox emails for one event."""
    assert ticket.id is not None
    if event in CUSTOMER_EVENTS:
        _notify_customer(db, ticket=ticket, event=event, message_id=message_id)
    elif event in AGENT_EVENTS:
        _notify_agents(db, ticket=ticket, event=event, message_id=message_id)


def _notify_customer(
    db: Session, *, ticket: Ticket, event: NotificationEvent, message_id: int | None
) -> None:
    template = EMAIL_TEMPLATES[event]
    if ticket.requester_id is not None:
        user = db.get(User, ticket.requester_id)
        if user is None or not user.is_active:
            return
        db.add(
            Notification(user_id=user.id, ticket_id=ticket.id, event=event, message_id=message_id)
        )
        events.user_notified(db, user.id)  # type: ignore[arg-type]
        if email_enabled(db, user_id=user.id, event=event):  # type: ignore[arg-type]
            outbox.enqueue(
                db,
                to_email=user.email,
                to_name=user.name,
                template=template,
                ticket_id=ticket.id,
                user_id=user.id,
                locale=user.locale,
                params={"event": str(event), "guest": False},
            )
    elif ticket.guest_email:
        # The address was never verified: the email carries only the fixed template, not the
        # name the guest typed, so the form cannot put someone's text into another's inbox.
        outbox.enqueue(
            db,
            to_email=ticket.guest_email,
            to_name=None,
            template=template,
            ticket_id=ticket.id,
            locale=ticket.locale,
            params={"event": str(event), "guest": True},
        )


def _notify_agents(
    db: Session, *, ticket: Ticket, event: NotificationEvent, message_id: int | None
) -> None:
    if ticket.assignee_id is not None:
        recipients = [ticket.assignee_id]
    else:
        recipients = list(
            db.exec(
                select(User.id).where(
                    col(User.role).in_([Role.agent, Role.admin]),
                    User.is_active == True,
                )
            ).all()
        )
    # One INSERT for all the rows (executemany) rather than an ORM object per agent: a new
    # ticket notifies every agent, and in a burst of tickets that was the largest cost of
    # opening one.
    if recipients:
        now = utcnow()
        rows = [
            {
                "user_id": user_id,
                "ticket_id": ticket.id,
                "event": event,
                "message_id": message_id,
                "created_at": now,
            }
            for user_id in recipients
        ]
        db.exec(insert(Notification.__table__), params=rows)  # type: ignore[call-overload,attr-defined]
    for user_id in recipients:
        events.user_notified(db, user_id)  # type: ignore[arg-type]


def webhook_disabled(db: Session, *, url: str) -> None:
    """Tell every active administrator that a webhook was disabled after its failures."""
    admins = db.exec(select(User.id).where(User.role == Role.admin, User.is_active == True)).all()
    for user_id in admins:
        db.add(
            Notification(
                user_id=user_id, ticket_id=None, event=E.webhook_disabled, detail=url[:2000]
            )
        )
        events.user_notified(db, user_id)


def email_enabled(db: Session, *, user_id: int, event: NotificationEvent) -> bool:
    pref = db.exec(
        select(NotificationPreference.email_enabled).where(
            NotificationPreference.user_id == user_id, NotificationPreference.event == event
        )
    ).first()
    return True if pref is None else bool(pref)


def preferences(db: Session, *, viewer: Viewer | None) -> dict[str, bool]:
    user_id = _user_id(viewer)
    rows = db.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    ).all()
    stored = {str(row.event): row.email_enabled for row in rows}
    return {str(event): stored.get(str(event), True) for event in CUSTOMER_EVENTS}


def set_preference(db: Session, *, viewer: Viewer | None, event: str, email: bool) -> None:
    user_id = _user_id(viewer)
    try:
        parsed = NotificationEvent(event)
    except ValueError:
        raise InvalidInput("Unknown notification type.") from None
    if parsed not in CUSTOMER_EVENTS:
        raise InvalidInput("Unknown notification type.")
    row = db.exec(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.event == parsed
        )
    ).first()
    if row is None:
        db.add(NotificationPreference(user_id=user_id, event=parsed, email_enabled=bool(email)))
    else:
        row.email_enabled = bool(email)


def unread_count(db: Session, *, viewer: Viewer | None) -> int:
    if viewer is None or viewer.user_id is None:
        return 0
    return db.exec(
        select(func.count(Notification.id)).where(
            Notification.user_id == viewer.user_id,
            Notification.read_at.is_(None),  # type: ignore[union-attr]
        )
    ).one()


def list_for(
    db: Session, *, viewer: Viewer | None, limit: int = 50, before_id: int | None = None
) -> list[NotificationPublic]:
    user_id = _user_id(viewer)
    query = (
        select(Notification, Ticket.number, Ticket.subject)
        .join(Ticket, Ticket.id == Notification.ticket_id, isouter=True)
        .where(Notification.user_id == user_id)
        .order_by(col(Notification.id).desc())
        .limit(min(max(limit, 1), 200))
    )
    if before_id:
        query = query.where(Notification.id < before_id)
    return [
        NotificationPublic(
            id=n.id,  # type: ignore[arg-type]
            event=str(n.event),
            ticket_number=number or 0,
            ticket_subject=subject or "",
            created_at=n.created_at,
            read=n.read_at is not None,
            for_agent=n.event in AGENT_EVENTS or n.ticket_id is None,
            detail=n.detail or "",
        )
        for n, number, subject in db.exec(query).all()
    ]


def mark_ticket_read(db: Session, *, viewer: Viewer | None, ticket_id: int) -> int:
    if viewer is None or viewer.user_id is None:
        return 0
    unread = (
        Notification.user_id == viewer.user_id,
        Notification.ticket_id == ticket_id,
        Notification.read_at.is_(None),  # type: ignore[union-attr]
    )
    if db.exec(select(Notification.id).where(*unread).limit(1)).first() is None:
        return 0  # a read, not a write: many open tabs of one ticket each come by here
    result = db.exec(update(Notification).where(*unread).values(read_at=utcnow()))
    if result.rowcount:
        events.user_notified(db, viewer.user_id)
    return result.rowcount or 0


def mark_one_read(db: Session, *, viewer: Viewer | None, notification_id: int) -> int:
    """Mark one of the viewer's own notifications read (those without a ticket to open)."""
    user_id = _user_id(viewer)
    result = db.exec(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.user_id == user_id,
            Notification.read_at.is_(None),  # type: ignore[union-attr]
        )
        .values(read_at=utcnow())
    )
    if result.rowcount:
        events.user_notified(db, user_id)
    return result.rowcount or 0


def mark_all_read(db: Session, *, viewer: Viewer | None) -> int:
    user_id = _user_id(viewer)
    result = db.exec(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))  # type: ignore[union-attr]
        .values(read_at=utcnow())
    )
    if result.rowcount:
        events.user_notified(db, user_id)
    return result.rowcount or 0


def _user_id(viewer: Viewer | None) -> int:
    if viewer is None or viewer.user_id is None:
        raise NotAuthenticated()
    return viewer.user_id
