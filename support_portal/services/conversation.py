"""The conversation both sides share: messages in, messages out, and what a live page re-reads.

Inserting a message (with its files), the idempotent replay of a submit, the window of messages
a page shows, the ticket's detail, "read", and the one call an open page makes on each live
wake-up. Internal notes reach agents only (A5).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from support_portal.models import Attachment as AttachmentRow
from support_portal.models import AuthorKind, Message, Ticket, User, utcnow
from support_portal.services import access, attachments, notifications, sessions
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
    )


def mark_read(db: Session, *, viewer: Viewer | None, number: int | str) -> None:
    """The customer has seen the ticket: clear its unread marker and its notifications."""
    ticket = access.ticket_for(db, viewer, number)
    assert viewer is not None
    _mark_ticket_read(db, viewer, ticket)


def _mark_ticket_read(db: Session, viewer: Viewer, ticket: Ticket) -> None:
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
    )


# What an open page re-reads on each live wake-up: one call, one transaction. It re-reads the
# session (A4: nothing after logout) and access, then returns what is new.


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
    mark_as_read: bool = True,
    limit: int = 200,
) -> ConversationUpdate | None:
    """None when the session has ended; raises NotFound when the ticket is no longer visible."""
    viewer = sessions.viewer_for_token(db, session_token=session_token)
    if viewer is None:
        return None
    return update_for(
        db, viewer=viewer, number=number, after_id=after_id, mark_as_read=mark_as_read, limit=limit
    )


def update_for(
    db: Session,
    *,
    viewer: Viewer,
    number: int | str,
    after_id: int,
    mark_as_read: bool = True,
    limit: int = 200,
) -> ConversationUpdate:
    """What is new on the ticket for this (already re-read) viewer."""
    ticket = access.ticket_for(db, viewer, number)
    new = new_messages(
        db, ticket=ticket, include_internal=viewer.is_agent, after_id=after_id, limit=limit
    )
    if mark_as_read and new:
        _mark_ticket_read(db, viewer, ticket)
    return ConversationUpdate(
        viewer=viewer,
        detail=shared_details.get(  # the same for everyone who may see the ticket
            (ticket.id, ticket.updated_at, str(ticket.status)), lambda: ticket_detail(db, ticket)
        ),  # type: ignore[arg-type]
        messages=new,
        unread_count=notifications.unread_count(db, viewer=viewer),
    )


class SharedReads:
    """Reads that many viewers of one ticket make for the same event, made once per process.

    A key names exactly what was read (the ticket's newest message id and `updated_at`, which
    every insert bumps in the same commit, the viewer's last message id, and whether internal
    notes are included), so a cached answer is what the same query would return now. Access is
    checked per viewer before the cache is consulted; customers and agents never share an entry
    (A5). Concurrent misses for one key wait for the first reader instead of querying too.
    """

    def __init__(self, *, ttl: float = 5.0, max_entries: int = 512) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.reads = 0  # how many times a read actually ran (tests, benchmarks)
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._pending: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, read: Callable[[], object]) -> object:
        while True:
            with self._lock:
                hit = self._entries.get(key)
                if hit is not None and hit[0] > time.monotonic():
                    self._entries.move_to_end(key)
                    return hit[1]
                pending = self._pending.get(key)
                if pending is None:
                    pending = self._pending[key] = threading.Lock()
                    pending.acquire()
                    break
            with pending:  # another viewer is reading this key: wait, then look again
                pass
        try:
            value = read()
            with self._lock:
                self.reads += 1
                self._entries[key] = (time.monotonic() + self.ttl, value)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            pending.release()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.reads = 0


shared_reads = SharedReads()
# Follow-ups do not touch the original ticket, so its detail is shared for a moment only.
shared_details = SharedReads(ttl=1.0)


def new_messages(
    db: Session, *, ticket: Ticket, include_internal: bool, after_id: int, limit: int = 200
) -> list[MessagePublic]:
    """Messages after `after_id` (the caller has checked access), read once for all viewers
    of the ticket with the same permissions and the same last message."""
    newest = db.exec(select(func.max(Message.id)).where(Message.ticket_id == ticket.id)).one()
    if not newest or newest <= after_id:
        return []
    key = (ticket.id, newest, ticket.updated_at, include_internal, after_id, limit)
    found = shared_reads.get(
        key,
        lambda: tuple(
            messages_of(
                db, ticket=ticket, include_internal=include_internal, after_id=after_id, limit=limit
            )
        ),
    )
    return list(found)  # type: ignore[call-overload]


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
