"""Merging a duplicate into another open ticket of the same customer (issue 15).

The duplicate's messages and attachments move to the target and keep their order (message ids
are the conversation's order), each marked with the number it was written under; the duplicate
closes as merged, and its page, the links in earlier emails and its guest link lead to the
target. The customer is told once, in their language. Both histories record it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, update

from support_portal.i18n import _
from support_portal.models import (
    Attachment,
    Message,
    NotificationEvent,
    Ticket,
    TicketStatus,
    utcnow,
)
from support_portal.services import audit, events, notifications
from support_portal.services.agent import ticket_for_agent
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, InvalidInput
from support_portal.services.tickets import set_status


class OtherCustomer(DomainError):
    message = _(
        "The two tickets belong to different customers. Confirm to merge them anyway: the "
        "duplicate's customer then loses access to the conversation."
    )


@dataclass(frozen=True)
class Merged:
    source_number: int
    target_number: int
    moved_messages: int


def merge(
    db: Session,
    *,
    viewer: Viewer | None,
    number: int | str,
    into: int | str,
    other_customer_confirmed: bool = False,
) -> Merged:
    viewer, source = ticket_for_agent(db, viewer, number, "merge")
    try:
        viewer, target = ticket_for_agent(db, viewer, into, "merge")
    except DomainError:
        raise InvalidInput(
            _(
                "There is no ticket {number}.",
            ),
            field="into",
            number=str(into)[:12],
        ) from None
    if source.id == target.id:
        raise InvalidInput(_("A ticket cannot be merged into itself."), field="into")
    if TicketStatus.closed in (source.status, target.status):
        raise InvalidInput(_("Closed tickets cannot be merged."), field="into")
    if not _same_customer(source, target) and not other_customer_confirmed:
        raise OtherCustomer()

    moved = db.exec(
        update(Message)
        .where(col(Message.ticket_id) == source.id)
        .values(ticket_id=target.id, merged_from=source.number, idempotency_key=None)
    ).rowcount
    db.exec(
        update(Attachment).where(col(Attachment.ticket_id) == source.id).values(ticket_id=target.id)
    )
    now = utcnow()
    target.message_count += source.message_count
    source.message_count = 0
    target.last_activity_at = source.last_activity_at = now
    if source.waiting_since and (
        not target.waiting_since or source.waiting_since < target.waiting_since
    ):
        target.waiting_since = source.waiting_since  # the customer has waited since then
    source.merged_into_id = target.id
    source.waiting_since = None
    set_status(source, TicketStatus.closed)
    for ticket, detail in (
        (source, {"into": target.number, "messages": moved}),
        (target, {"from": source.number, "messages": moved}),
    ):
        audit.record(
            db,
            action="ticket.merged",
            ticket_id=ticket.id,
            actor_id=viewer.user_id,
            actor_kind="agent",
            detail=detail,
        )
    notifications.on_ticket_event(db, ticket=target, event=NotificationEvent.merged)
    events.ticket_changed(db, source, kind="merged")
    events.ticket_changed(db, target, kind="merged")
    return Merged(source_number=source.number, target_number=target.number, moved_messages=moved)


def _same_customer(a: Ticket, b: Ticket) -> bool:
    if a.requester_id is not None or b.requester_id is not None:
        return a.requester_id == b.requester_id
    return (a.guest_email or "").lower() == (b.guest_email or "").lower()


def merged_into(db: Session, ticket: Ticket) -> Ticket | None:
    """Where a merged ticket's conversation went (following a chain of merges)."""
    seen = {ticket.id}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        found = db.get(Ticket, ticket.merged_into_id)
        if found is None:
            break
        ticket = found
    return ticket if len(seen) > 1 else None


__all__ = ["Merged", "OtherCustomer", "merge", "merged_into"]
