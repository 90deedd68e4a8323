"""What an open conversation re-reads on a live wake-up: one call that re-reads the session
(A4: nothing after logout) and access, then what is new; a cheap fingerprint for the safety
net; and the short-lived reads that viewers of one ticket woken by the same event share (per
permission: a customer never shares an agent's read, A5)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from support_portal.models import Message, Ticket
from support_portal.services import access, notifications, sessions
from support_portal.services.conversation import mark_ticket_read, messages_of, ticket_detail
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
        mark_ticket_read(db, viewer, ticket)
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
