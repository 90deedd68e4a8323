"""The conversation both sides share: messages in, messages out, and what a live page re-reads.

Inserting a message (with its files), the idempotent replay of a submit, the window of messages
a page shows, the ticket's detail, "read", and the one call an open page makes on each live
wake-up. Internal notes reach agents only (A5).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from support_portal.models import Attachment as AttachmentRow
from support_portal.models import AuthorKind, Message, Ticket, User, utcnow
from support_portal.services import (
    access,
    attachments,
    categories,
    field_values,
    notifications,
    service_levels,
)
from support_portal.services.dto import AttachmentPublic, MessagePublic, TicketDetail, Viewer
from support_portal.services.errors import InvalidInput

MESSAGE_WINDOW = 50


def insert_message(
    db: Session,
    *,
    ticket: Ticket,
    author_kind: AuthorKind,
    author_id: int | None,
    author_name: str,
    body: str,
    files: list[attachments.StoredFile],
    idempotency_key: str | None,
    is_internal: bool = False,
) -> Message:
    message = Message(
        ticket_id=ticket.id,  # type: ignore[arg-type]
        author_kind=author_kind,
        author_id=author_id,
        author_name=author_name,
        body=body,
        is_internal=is_internal,
        idempotency_key=idempotency_key,
    )
    db.add(message)
    db.flush()
    for stored in files:
        db.add(
            AttachmentRow(
                ticket_id=ticket.id,  # type: ignore[arg-type]
                message_id=message.id,  # type: ignore[arg-type]
                storage_name=stored.storage_name,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
            )
        )
    ticket.message_count += 1
    if not is_internal:
        ticket.last_activity_at = message.created_at
        if author_kind == AuthorKind.agent and ticket.first_response_at is None:
            ticket.first_response_at = message.created_at  # reports: first-response time
    ticket.updated_at = message.created_at
    return message


def existing_message(
    db: Session,
    *,
    ticket: Ticket,
    key: str | None,
    author_kind: AuthorKind,
    author_id: int | None,
) -> Message | None:
    """The message an earlier submit with this key stored, if that author wrote it.

    The key comes from the client (A3): a key that names someone else's message (an agent's
    internal note, say) is refused instead of echoing that message back (A5).
    """
    if key is None:
        return None
    message = db.exec(
        select(Message).where(Message.ticket_id == ticket.id, Message.idempotency_key == key)
    ).first()
    if message is not None and (
        message.author_kind != author_kind or message.author_id != author_id
    ):
        raise InvalidInput("Invalid request.")
    return message


def detail(db: Session, *, viewer: Viewer | None, number: int | str) -> TicketDetail:
    ticket = access.ticket_for(db, viewer, number)
    return ticket_detail(db, ticket)


def ticket_detail(db: Session, ticket: Ticket) -> TicketDetail:
    original = db.get(Ticket, ticket.follow_up_of_id) if ticket.follow_up_of_id else None
    follow_ups = db.exec(
        select(Ticket.number).where(Ticket.follow_up_of_id == ticket.id).order_by(Ticket.id)
    ).all()
    if ticket.requester_id is not None:
        user = db.get(User, ticket.requester_id)
        requester_name = user.name if user else ""
    else:
        requester_name = ticket.guest_name or ""
    return TicketDetail(
        id=ticket.id,  # type: ignore[arg-type]
        number=ticket.number,
        subject=ticket.subject,
        category=str(ticket.category),
        status=str(ticket.status),
        created_at=ticket.created_at,
        last_activity_at=ticket.last_activity_at,
        is_guest=ticket.requester_id is None,
        requester_name=requester_name,
        follow_up_of_number=original.number if original else None,
        follow_up_numbers=list(follow_ups),
        reply_due_at=service_levels.reply_due(ticket),
        merged_into_number=_number_of(db, ticket.merged_into_id),
        category_names=categories.names_by_key(db).get(ticket.category, {}),
        fields=field_values.customer_values(db, ticket),
    )


def _number_of(db: Session, ticket_id: int | None) -> int | None:
    target = db.get(Ticket, ticket_id) if ticket_id else None
    return target.number if target else None


def mark_read(db: Session, *, viewer: Viewer | None, number: int | str) -> None:
    """The customer has seen the ticket: clear its unread marker and its notifications."""
    ticket = access.ticket_for(db, viewer, number)
    assert viewer is not None
    mark_ticket_read(db, viewer, ticket)


def mark_ticket_read(db: Session, viewer: Viewer, ticket: Ticket) -> None:
    if not viewer.is_agent and (
        ticket.customer_read_at is None
        or (ticket.last_agent_reply_at and ticket.last_agent_reply_at > ticket.customer_read_at)
    ):  # written only when it changes "unread": many open tabs of one customer write once
        ticket.customer_read_at = utcnow()
    notifications.mark_ticket_read(db, viewer=viewer, ticket_id=ticket.id)  # type: ignore[arg-type]


def list_messages(
    db: Session,
    *,
    viewer: Viewer | None,
    number: int | str,
    after_id: int | None = None,
    before_id: int | None = None,
    limit: int = MESSAGE_WINDOW,
) -> list[MessagePublic]:
    """Messages oldest first. Without bounds: the latest window. Internal notes: agents only."""
    ticket = access.ticket_for(db, viewer, number)
    assert viewer is not None
    return messages_of(
        db,
        ticket=ticket,
        include_internal=viewer.is_agent,
        after_id=after_id,
        before_id=before_id,
        limit=limit,
    )


def messages_of(
    db: Session,
    *,
    ticket: Ticket,
    include_internal: bool,
    after_id: int | None = None,
    before_id: int | None = None,
    limit: int = MESSAGE_WINDOW,
) -> list[MessagePublic]:
    query = select(Message).where(Message.ticket_id == ticket.id)
    if not include_internal:
        query = query.where(Message.is_internal == False)
    if after_id is not None:
        query = query.where(Message.id > after_id).order_by(col(Message.id).asc())
        rows = list(db.exec(query.limit(limit)).all())
    else:
        if before_id is not None:
            query = query.where(Message.id < before_id)
        rows = list(db.exec(query.order_by(col(Message.id).desc()).limit(limit)).all())
        rows.reverse()
    return with_attachments(db, rows)


def has_older(db: Session, *, ticket_id: int, before_id: int, include_internal: bool) -> bool:
    query = select(Message.id).where(Message.ticket_id == ticket_id, Message.id < before_id)
    if not include_internal:
        query = query.where(Message.is_internal == False)
    return db.exec(query.limit(1)).first() is not None


def with_attachments(db: Session, rows: list[Message]) -> list[MessagePublic]:
    ids = [m.id for m in rows]
    by_message: dict[int, list[AttachmentPublic]] = {}
    if ids:
        for a in db.exec(
            select(AttachmentRow)
            .where(col(AttachmentRow.message_id).in_(ids))
            .order_by(col(AttachmentRow.id))
        ).all():
            by_message.setdefault(a.message_id, []).append(
                AttachmentPublic(
                    id=a.id,
                    filename=a.filename,
                    size=a.size,  # type: ignore[arg-type]
                    content_type=a.content_type,
                )
            )
    return [_public(m, by_message.get(m.id, [])) for m in rows]  # type: ignore[arg-type]


def message_public(db: Session, message: Message) -> MessagePublic:
    return with_attachments(db, [message])[0]


def _public(m: Message, files: list[AttachmentPublic]) -> MessagePublic:
    return MessagePublic(
        id=m.id,  # type: ignore[arg-type]
        author_kind=str(m.author_kind),
        author_name=m.author_name,
        body=m.body,
        is_internal=m.is_internal,
        created_at=m.created_at,
        attachments=files,
        merged_from=m.merged_from,
    )


# What an open page re-reads on each live wake-up: one call, one transaction. It re-reads the
# session (A4: nothing after logout) and access, then returns what is new.
