"""What an open conversation needs on each live wake-up, in one transaction.

One call re-reads the session (A4: nothing after logout), re-checks access, and returns the
ticket, the messages after the last one the page has, and the bell count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from support_portal.models import Message, Ticket
from support_portal.services import access, auth, notifications, tickets
from support_portal.services.dto import MessagePublic, TicketDetail, Viewer


@dataclass(frozen=True)
class ConversationUpdate:
    viewer: Viewer
    detail: TicketDetail
    messages: list[MessagePublic]
    unread_count: int


@dataclass(frozen=True)
class Fingerprint:
    last_message_id: int
    status: str
    updated_at: datetime


def conversation_update(
    db: Session,
    *,
    session_token: str | None,
    number: int | str,
    after_id: int,
    mark_read: bool = True,
    limit: int = 200,
) -> ConversationUpdate | None:
    """None when the session has ended; raises NotFound when the ticket is no longer visible."""
    viewer = auth.viewer_for_token(db, session_token=session_token)
    if viewer is None:
        return None
    ticket = access.ticket_for(db, viewer, number)
    new = tickets.messages_of(
        db, ticket=ticket, include_internal=viewer.is_agent, after_id=after_id, limit=limit
    )
    if mark_read and new:
        tickets.mark_read(db, viewer=viewer, number=ticket.number)
    return ConversationUpdate(
        viewer=viewer,
        detail=tickets.ticket_detail(db, ticket),
        messages=new,
        unread_count=notifications.unread_count(db, viewer=viewer),
    )


def fingerprint(db: Session, *, ticket_id: int) -> Fingerprint | None:
    """A cheap "did anything change?" for the safety-net check (one indexed query)."""
    row = db.exec(
        select(
            Ticket.status,
            Ticket.updated_at,
            select(func.max(Message.id)).where(Message.ticket_id == ticket_id).scalar_subquery(),
        ).where(Ticket.id == ticket_id)
    ).first()
    if row is None:
        return None
    status, updated_at, last_id = row
    return Fingerprint(last_message_id=last_id or 0, status=str(status), updated_at=updated_at)
