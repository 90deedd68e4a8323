"""What an open conversation re-reads on a live wake-up: one call that re-reads the session
(A4: nothing after logout) and access, then what is new; a cheap fingerprint for the safety
net; and the short-lived reads that viewers of one ticket woken by the same event share (per
permission: a customer never shares an agent's read, A5)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from support_portal.models import Message, Ticket
from support_portal.services import access, notifications, sessions
from support_portal.services.conversation import mark_ticket_read, messages_of, ticket_detail
from support_portal.services.dto import MessagePublic, TicketDetail, Viewer
from support_portal.services.errors import NotFound


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


@dataclass(frozen=True)
class UpdateRequest:
    """One open page's wake-up: its session cookie, its ticket and the last message it shows.
    `session_only`: the page needs only to know its session is still alive (a presence event)."""

    session_token: str | None
    number: int | str
    after_id: int
    session_only: bool = False


Outcome = ConversationUpdate | Viewer | NotFound | None


def conversation_updates(
    db: Session, *, requests: Sequence[UpdateRequest], limit: int = 200
) -> list[Outcome]:
    """`conversation_update` for many open pages woken together, in one transaction.

    Each request is answered as `conversation_update` alone would answer it: None when its own
    session has ended (A4), NotFound when its own viewer may not see the ticket, else what is
    new for that viewer (internal notes for agents only, A5); a `session_only` request gets its
    viewer. What does not depend on the viewer is read once for all: the sessions and their
    users in one query, each ticket and its newest message id, the new messages per
    permission, the ticket's detail, and marking read and the unread count once per user.
    """
    viewers = sessions.viewers_for_tokens(db, session_tokens=[r.session_token for r in requests])
    numbers = {n for n in (_number(r.number) for r in requests if not r.session_only) if n}
    by_number: dict[int, Ticket] = {}
    newest: dict[int, int] = {}
    if numbers:
        by_number = {t.number: t for t in db.exec(select(Ticket).where(Ticket.number.in_(numbers)))}  # type: ignore[attr-defined]
        rows = db.exec(
            select(Message.ticket_id, func.max(Message.id))
            .where(Message.ticket_id.in_([t.id for t in by_number.values()]))  # type: ignore[attr-defined]
            .group_by(Message.ticket_id)  # type: ignore[arg-type]
        ).all()
        newest = {ticket_id: last for ticket_id, last in rows}
    answers: list[Outcome | tuple[Viewer, Ticket, list[MessagePublic]]] = []
    marked: set[tuple[bool, int | None, int]] = set()
    for request in requests:
        viewer = viewers.get(request.session_token or "")
        if viewer is None or request.session_only:
            answers.append(viewer)
            continue
        ticket = by_number.get(_number(request.number) or 0)
        if ticket is None or not access.can_view(viewer, ticket):
            answers.append(NotFound())
            continue
        new = new_messages(
            db,
            ticket=ticket,
            include_internal=viewer.is_agent,
            after_id=request.after_id,
            limit=limit,
            newest=newest.get(ticket.id, 0),  # type: ignore[arg-type]
        )
        reader = (viewer.is_agent, viewer.user_id, ticket.id)  # all that marking read depends on
        if new and reader not in marked:
            marked.add(reader)  # type: ignore[arg-type]
            mark_ticket_read(db, viewer, ticket)
        answers.append((viewer, ticket, new))
    unread: dict[int | None, int] = {}
    out: list[Outcome] = []
    for answer in answers:
        if not isinstance(answer, tuple):
            out.append(answer)
            continue
        viewer, ticket, new = answer
        if viewer.user_id not in unread:
            unread[viewer.user_id] = notifications.unread_count(db, viewer=viewer)
        out.append(
            ConversationUpdate(
                viewer=viewer,
                detail=_detail(db, ticket),
                messages=new,
                unread_count=unread[viewer.user_id],
            )
        )
    return out


def _number(value: int | str) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _detail(db: Session, ticket: Ticket) -> TicketDetail:
    """The same for everyone who may see the ticket (access is checked before)."""
    return shared_details.get(  # type: ignore[return-value]
        (ticket.id, ticket.updated_at, str(ticket.status)), lambda: ticket_detail(db, ticket)
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
        detail=_detail(db, ticket),
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
    db: Session,
    *,
    ticket: Ticket,
    include_internal: bool,
    after_id: int,
    limit: int = 200,
    newest: int | None = None,
) -> list[MessagePublic]:
    """Messages after `after_id` (the caller has checked access), read once for all viewers
    of the ticket with the same permissions and the same last message. `newest`: the ticket's
    newest message id when the caller has read it already."""
    if newest is None:
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


def fingerprints(db: Session, *, ticket_ids: Sequence[int]) -> list[Fingerprint | None]:
    """`fingerprint` for many open pages' tickets in one query, in the order asked."""
    wanted = sorted(set(ticket_ids))
    newest = select(func.max(Message.id)).where(Message.ticket_id == Ticket.id).scalar_subquery()
    found: dict[int, Fingerprint] = {}
    for start in range(0, len(wanted), 500):
        rows = db.exec(
            select(Ticket.id, Ticket.status, Ticket.updated_at, newest).where(
                Ticket.id.in_(wanted[start : start + 500])  # type: ignore[union-attr]
            )
        ).all()
        for ticket_id, status, updated_at, last_id in rows:
            found[ticket_id] = Fingerprint(
                last_message_id=last_id or 0, status=str(status), updated_at=updated_at
            )
    return [found.get(ticket_id) for ticket_id in ticket_ids]
