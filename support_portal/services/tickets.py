"""Tickets and conversations on the customer side (and the parts agents share)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from support_portal.models import Attachment as AttachmentRow
from support_portal.models import (
    AuthorKind,
    Category,
    Message,
    NotificationEvent,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from support_portal.services import access, attachments, audit, events, notifications, workflow
from support_portal.services.dto import (
    AttachmentPublic,
    MessagePublic,
    Page,
    TicketDetail,
    TicketSummary,
    Viewer,
)
from support_portal.services.errors import InvalidInput, NotFound, TicketClosed
from support_portal.services.pagination import after_cursor, encode_cursor, like_pattern

MAX_SUBJECT = 200
MAX_BODY = 20_000
PAGE_SIZE = 20
MESSAGE_WINDOW = 50

CATEGORY_LABELS = {
    Category.account: "Account",
    Category.deposits_withdrawals: "Deposits and withdrawals",
    Category.trading: "Trading",
    Category.security: "Security",
    Category.other: "Other",
}


@dataclass(frozen=True)
class NewTicket:
    number: int
    ticket_id: int
    created: bool  # False when an idempotent replay returned the existing ticket


def clean_subject(subject: str) -> str:
    value = " ".join((subject or "").split())
    if not value:
        raise InvalidInput("Enter a subject.", field="subject")
    if len(value) > MAX_SUBJECT:
        raise InvalidInput(
            "The subject is too long (at most {max} characters).", field="subject", max=MAX_SUBJECT
        )
    return value


def clean_body(body: str, *, allow_empty: bool = False, field: str = "body") -> str:
    value = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not value and not allow_empty:
        raise InvalidInput("Write a message.", field=field)
    if len(value) > MAX_BODY:
        raise InvalidInput(
            "The message is too long (at most {max} characters).", field=field, max=MAX_BODY
        )
    return value


def parse_category(category: str) -> Category:
    try:
        return Category(category)
    except ValueError:
        raise InvalidInput("Choose a category.", field="category") from None


def clean_key(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if len(key) > 64 or not all(c.isalnum() or c in "-_" for c in key):
        raise InvalidInput("Invalid request.")
    return key


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
    files: list[attachments.StoredFile] | None = None,
    idempotency_key: str | None = None,
    guest_name: str | None = None,
    guest_email: str | None = None,
    locale: str | None = None,
    follow_up_of: int | None = None,
) -> NewTicket:
    """Open a ticket with its first message. `viewer` None means a guest (name + email)."""
    subject = clean_subject(subject)
    parsed_category = parse_category(category)
    body = clean_body(description, field="description")
    key = clean_key(idempotency_key)
    files = files or []

    ticket = Ticket(number=0, subject=subject, category=parsed_category, locale=locale)
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
    message = _insert_message(
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
        detail={"category": str(parsed_category), "follow_up_of": follow_up_of},
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


def _insert_message(
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


def set_status(ticket: Ticket, status: TicketStatus) -> None:
    now = utcnow()
    ticket.status = status
    ticket.is_active = workflow.is_active(status)
    ticket.updated_at = now
    if status == TicketStatus.resolved:
        ticket.resolved_at = now
    elif status == TicketStatus.closed:
        ticket.closed_at = now
    elif status == TicketStatus.open:
        ticket.resolved_at = ticket.closed_at = None


def add_customer_reply(
    db: Session,
    *,
    viewer: Viewer | None,
    number: int | str,
    body: str,
    files: list[attachments.StoredFile] | None = None,
    idempotency_key: str | None = None,
) -> MessagePublic:
    """A customer's (or verified guest's) reply. Replays with the same key return the same row."""
    files = files or []
    ticket = access.ticket_for(db, viewer, number, lock=True)
    assert viewer is not None
    if viewer.is_agent and ticket.requester_id != viewer.user_id:
        raise NotFound()  # agents answer from the dashboard
    key = clean_key(idempotency_key)
    replay = existing_message(
        db,
        ticket=ticket,
        key=key,
        author_kind=AuthorKind.customer,
        author_id=None if viewer.is_guest else viewer.user_id,
    )
    if replay is not None:
        attachments.discard(files)
        return message_public(db, replay)
    text = clean_body(body, allow_empty=bool(files))
    if ticket.status == TicketStatus.closed:
        raise TicketClosed()
    new_status = workflow.next_status(ticket.status, workflow.Action.customer_reply)
    name = viewer.name if not viewer.is_guest else (ticket.guest_name or viewer.email)
    message = _insert_message(
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
    return message_public(db, message)


def list_tickets(
    db: Session,
    *,
    viewer: Viewer | None,
    tab: str = "open",
    search: str = "",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[TicketSummary]:
    """ "My tickets": the viewer's own tickets, newest activity first, keyset-paginated."""
    viewer = access.require_customer(viewer)
    query = select(Ticket).where(_owned_by(viewer), Ticket.is_active == (tab != "closed"))
    query = _search(query, search)
    keyset = after_cursor(Ticket.last_activity_at, Ticket.id, cursor)
    if keyset is not None:
        query = query.where(keyset)
    query = query.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
    rows = db.exec(query.limit(limit + 1)).all()
    items = [summary(t) for t in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last.last_activity_at, last.id) if last else None  # type: ignore[arg-type]
    return Page(items=items, next_cursor=next_cursor)


def tab_counts(db: Session, *, viewer: Viewer | None, search: str = "") -> dict[str, int]:
    viewer = access.require_customer(viewer)
    query = select(Ticket.is_active, func.count(Ticket.id)).where(_owned_by(viewer))
    query = _search(query, search).group_by(Ticket.is_active)
    counts = {bool(active): n for active, n in db.exec(query).all()}
    return {"open": counts.get(True, 0), "closed": counts.get(False, 0)}


def _owned_by(viewer: Viewer):
    if viewer.is_guest:
        return Ticket.guest_email == viewer.email
    return Ticket.requester_id == viewer.user_id


def _search(query, search: str):
    text = " ".join((search or "").split())[:100]
    if not text:
        return query
    digits = text.lstrip("#")
    subject_match = col(Ticket.subject).ilike(like_pattern(text), escape="\\")
    if digits.isdigit() and len(digits) <= 12:
        return query.where(or_(Ticket.number == int(digits), subject_match))
    return query.where(subject_match)


def summary(ticket: Ticket, **extra: object) -> TicketSummary:
    unread = ticket.last_agent_reply_at is not None and (
        ticket.customer_read_at is None or ticket.last_agent_reply_at > ticket.customer_read_at
    )
    return TicketSummary(
        id=ticket.id,  # type: ignore[arg-type]
        number=ticket.number,
        subject=ticket.subject,
        category=str(ticket.category),
        status=str(ticket.status),
        last_activity_at=ticket.last_activity_at,
        created_at=ticket.created_at,
        unread=unread,
        waiting_since=ticket.waiting_since,
        is_guest=ticket.requester_id is None,
        **extra,  # type: ignore[arg-type]
    )


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
    )


def mark_read(db: Session, *, viewer: Viewer | None, number: int | str) -> None:
    """The customer has seen the ticket: clear its unread marker and its notifications."""
    ticket = access.ticket_for(db, viewer, number)
    assert viewer is not None
    if not viewer.is_agent:
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
    return _with_attachments(db, rows)


def has_older(db: Session, *, ticket_id: int, before_id: int, include_internal: bool) -> bool:
    query = select(Message.id).where(Message.ticket_id == ticket_id, Message.id < before_id)
    if not include_internal:
        query = query.where(Message.is_internal == False)
    return db.exec(query.limit(1)).first() is not None


def _with_attachments(db: Session, rows: list[Message]) -> list[MessagePublic]:
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
    return _with_attachments(db, [message])[0]


def _public(m: Message, files: list[AttachmentPublic]) -> MessagePublic:
    return MessagePublic(
        id=m.id,  # type: ignore[arg-type]
        author_kind=str(m.author_kind),
        author_name=m.author_name,
        body=m.body,
        is_internal=m.is_internal,
        created_at=m.created_at,
        attachments=files,
    )


def open_ticket_in_category(
    db: Session, *, viewer: Viewer | None, category: str
) -> TicketSummary | None:
    """The customer's most recent active ticket in this category, to continue there instead."""
    if viewer is None:
        return None
    try:
        parsed = Category(category)
    except ValueError:
        return None
    ticket = db.exec(
        select(Ticket)
        .where(_owned_by(viewer), Ticket.is_active == True, Ticket.category == parsed)
        .order_by(col(Ticket.last_activity_at).desc())
        .limit(1)
    ).first()
    return summary(ticket) if ticket else None


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
