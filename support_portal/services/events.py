"""Live events that services raise; they are published only after the transaction commits."""

from __future__ import annotations

from sqlmodel import Session

from support_portal.db import after_commit
from support_portal.live.hub import (
    AGENTS_TOPIC,
    LiveEvent,
    guest_topic,
    hub,
    ticket_topic,
    user_topic,
)
from support_portal.models import Ticket


def ticket_changed(
    db: Session, ticket: Ticket, *, kind: str, message_id: int | None = None
) -> None:
    assert ticket.id is not None
    from support_portal.services import webhooks

    webhooks.on_ticket_changed(db, ticket, kind=kind, message_id=message_id)  # same transaction
    topics = [ticket_topic(ticket.id), AGENTS_TOPIC]
    if ticket.requester_id is not None:
        topics.append(user_topic(ticket.requester_id))
    if ticket.guest_email:
        topics.append(guest_topic(ticket.guest_email))
    events = [
        LiveEvent(topic=topic, kind=kind, ticket_id=ticket.id, message_id=message_id)
        for topic in topics
    ]
    after_commit(db, lambda: [hub.publish(event) for event in events])


def user_notified(db: Session, user_id: int) -> None:
    event = LiveEvent(topic=user_topic(user_id), kind="notification", user_id=user_id)
    after_commit(db, lambda: hub.publish(event))


def presence_changed(ticket_id: int) -> None:
    hub.publish(LiveEvent(topic=ticket_topic(ticket_id), kind="presence", ticket_id=ticket_id))
