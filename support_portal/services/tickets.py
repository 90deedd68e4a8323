"""Tickets on the customer side: opening one (as a customer or a guest) and replying to it.

The message core both sides share is in `conversation`; lists of tickets in `ticket_lists`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from support_portal.models import Attachment as AttachmentRow
from support_portal.models import (
    AuthorKind,
    Message,
    NotificationEvent,
    Ticket,
    TicketStatus,
    utcnow,
)
from support_portal.services import (
    access,
    attachments,
    audit,
    categories,
    conversation,
    events,
    field_values,
    notifications,
    satisfaction,
    workflow,
)
from support_portal.services.dto import (
    MessagePublic,
    Viewer,
)
from support_portal.services.errors import NotFound, TicketClosed
from support_portal.services.inputs import clean_body, clean_key, clean_subject


@dataclass(frozen=True)
class NewTicket:
    number: int
    ticket_id: int
    created: bool  # False when an idempotent replay returned the existing ticket


def new_ticket_number(db: Session) -> int:
    """A random 8-digit number: human-friendly, and it does not reveal the ticket volume."""
    for _ in range(20):
        number = 10_000_000 + secrets.randbelow(90_000_000)
        if db.exec(select(Ticket.id).where(Ticket.number == number)).first() is None:
            return number
    raise RuntimeError("could not allocate a ticket number")


def submit_ticket(
    db: Session,
    *,
    viewer: Viewer | None,
    guest_email: str | None = None,
    ip: str | None = None,
    **fields: Any,
) -> NewTicket:
    """The new-ticket form's Submit: a guest's submission takes its slots of the per-address
    caps atomically in the same transaction as the ticket (X1), so parallel submissions never
    get past the limit. `fields` are `create_ticket`'s."""
    from support_portal.services import guest
    from support_portal.services.auth import normalize_email

    if viewer is None or viewer.is_guest:
        guest_email = normalize_email(viewer.email if viewer else guest_email or "")
        guest.check_submission_caps(db, email=guest_email, ip=ip)
    return create_ticket(db, viewer=viewer, guest_email=guest_email, **fields)


def create_ticket(
    db: Session,
    *,
    viewer: Viewer | None,
    subject: str,
    category: str,
    description: str,
    files: list[attachments.IncomingFile | attachments.StoredFile] | None = None,
    idempotency_key: str | None = None,
    guest_name: str | None = None,
    guest_email: str | None = None,
    locale: str | None = None,
    follow_up_of: int | None = None,
    fields: dict[str, str] | None = None,
) -> NewTicket:
    """Open a ticket with its first message. `viewer` None means a guest (name + email).
    `fields`: the category's custom fields the customer fills in, by key; a missing required
    or wrongly typed value refuses the ticket (FieldsInvalid), so nothing is stored."""
    subject = clean_subject(subject)
    category_row = categories.require_offered(db, category, allow_inactive=follow_up_of is not None)
    form_fields = field_values.customer_fields(db, category_row)
    typed = field_values.check(form_fields, dict(fields or {}))
    body = clean_body(description, field="description")
    key = clean_key(idempotency_key)
    files = attachments.keep(db, files)  # stored now, deleted again on rollback (R1)

    ticket = Ticket(number=0, subject=subject, category=category_row.key, locale=locale)
    if viewer is not None and not viewer.is_guest:
        ticket.requester_id = viewer.user_id
        author_name = viewer.name
        author_id = viewer.user_id
    else:
        from support_portal.services.auth import clean_name, normalize_email
        from support_portal.services.guest_links import new_nonce

        if viewer is not None:  # a verified guest opening a follow-up
            guest_email = viewer.email
        ticket.guest_email = normalize_email(guest_email or "")
        ticket.guest_name = clean_name(guest_name or "")
        ticket.guest_link_nonce = new_nonce()
        author_name = ticket.guest_name
        author_id = None

    if key is not None:
        existing = _ticket_by_creation_key(db, ticket=ticket, key=key)
        if existing is not None:
            attachments.discard(files)
            return NewTicket(number=existing.number, ticket_id=existing.id, created=False)  # type: ignore[arg-type]

    if follow_up_of is not None:
        original = access.ticket_for(db, viewer, follow_up_of)
        ticket.follow_up_of_id = original.id

    ticket.number = new_ticket_number(db)
    now = utcnow()
    ticket.created_at = ticket.updated_at = ticket.last_activity_at = now
    ticket.waiting_since = now
    ticket.customer_read_at = now
    db.add(ticket)
    db.flush()
    for item in form_fields:
        field_values.write(db, ticket_id=ticket.id, item=item, value=typed.get(item.id))  # type: ignore[arg-type]
    message = conversation.insert_message(
        db,
        ticket=ticket,
        author_kind=AuthorKind.customer,
        author_id=author_id,
        author_name=author_name,
        body=body,
        files=files,
        idempotency_key=key,
    )
    audit.record(
        db,
        action="ticket.created",
        ticket_id=ticket.id,
        actor_id=author_id,
        actor_kind="guest" if author_id is None else "customer",
        detail={"category": category_row.key, "follow_up_of": follow_up_of},
    )
    notifications.on_ticket_event(
        db, ticket=ticket, event=NotificationEvent.ticket_received, message_id=message.id
    )
    notifications.on_ticket_event(
        db, ticket=ticket, event=NotificationEvent.new_ticket, message_id=message.id
    )
    events.ticket_changed(db, ticket, kind="created", message_id=message.id)
    return NewTicket(number=ticket.number, ticket_id=ticket.id, created=True)  # type: ignore[arg-type]


def _ticket_by_creation_key(db: Session, *, ticket: Ticket, key: str) -> Ticket | None:
    query = (
        select(Ticket)
        .join(Message, Message.ticket_id == Ticket.id)
        .where(Message.idempotency_key == key, Message.author_kind == AuthorKind.customer)
    )
    if ticket.requester_id is not None:
        query = query.where(Ticket.requester_id == ticket.requester_id)
    else:
        query = query.where(Ticket.guest_email == ticket.guest_email)
    return db.exec(query).first()


def set_status(ticket: Ticket, status: TicketStatus) -> None:
    """The one place a ticket's status changes (so the satisfaction survey hooks in here)."""
    now = utcnow()
    previous = ticket.status
    ticket.status = status
    ticket.is_active = workflow.is_active(status)
    ticket.updated_at = now
    if status == TicketStatus.resolved:
        ticket.resolved_at = now
    elif status == TicketStatus.closed:
        ticket.closed_at = now
    elif status == TicketStatus.open:
        ticket.resolved_at = ticket.closed_at = None
    db = object_session(ticket)
    if db is not None:  # every caller changes a ticket loaded in its unit of work
        satisfaction.on_status_change(db, ticket=ticket, previous=previous, status=status)  # type: ignore[arg-type]


def add_customer_reply(
    db: Session,
    *,
    viewer: Viewer | None,
    number: int | str,
    body: str,
    files: list[attachments.IncomingFile | attachments.StoredFile] | None = None,
    idempotency_key: str | None = None,
) -> MessagePublic:
    """A customer's (or verified guest's) reply. Replays with the same key return the same row."""
    ticket = access.ticket_for(db, viewer, number, lock=True)
    assert viewer is not None
    if viewer.is_agent and ticket.requester_id != viewer.user_id:
        raise NotFound()  # agents answer from the dashboard
    key = clean_key(idempotency_key)
    replay = conversation.existing_message(
        db,
        ticket=ticket,
        key=key,
        author_kind=AuthorKind.customer,
        author_id=None if viewer.is_guest else viewer.user_id,
    )
    if replay is not None:
        attachments.drop(files)
        return conversation.message_public(db, replay)
    files = attachments.keep(db, files)  # stored now, deleted again on rollback (R1)
    text = clean_body(body, allow_empty=bool(files))
    if ticket.status == TicketStatus.closed:
        raise TicketClosed()
    new_status = workflow.next_status(ticket.status, workflow.Action.customer_reply)
    name = viewer.name if not viewer.is_guest else (ticket.guest_name or viewer.email)
    message = conversation.insert_message(
        db,
        ticket=ticket,
        author_kind=AuthorKind.customer,
        author_id=None if viewer.is_guest else viewer.user_id,
        author_name=name,
        body=text,
        files=files,
        idempotency_key=key,
    )
    previous = ticket.status
    if new_status != previous:
        set_status(ticket, new_status)
        audit.record(
            db,
            action="ticket.status",
            ticket_id=ticket.id,
            actor_id=viewer.user_id,
            actor_kind=viewer.kind.value,
            detail={"from": str(previous), "to": str(new_status)},
        )
    if ticket.waiting_since is None:
        ticket.waiting_since = message.created_at
    ticket.customer_read_at = message.created_at
    audit.record(
        db,
        action="message.customer",
        ticket_id=ticket.id,
        actor_id=viewer.user_id,
        actor_kind=viewer.kind.value,
        detail={"message_id": message.id},
    )
    notifications.on_ticket_event(
        db, ticket=ticket, event=NotificationEvent.customer_replied, message_id=message.id
    )
    events.ticket_changed(db, ticket, kind="message", message_id=message.id)
    return conversation.message_public(db, message)


def attachment_for_download(
    db: Session, *, viewer: Viewer | None, attachment_id: int
) -> AttachmentRow:
    """The attachment if the viewer may see its ticket and message; NotFound otherwise (A1)."""
    row = db.get(AttachmentRow, attachment_id)
    if row is None or viewer is None:
        raise NotFound()
    ticket = db.get(Ticket, row.ticket_id)
    message = db.get(Message, row.message_id)
    if ticket is None or message is None or not access.can_view(viewer, ticket):
        raise NotFound()
    if message.is_internal and not viewer.is_agent:
        raise NotFound()
    return row
