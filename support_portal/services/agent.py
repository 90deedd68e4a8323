"""The agent side: queue views, replies, internal notes, status changes and assignment.

Every function re-checks that the viewer is an agent (A2) and writes an audit event.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from support_portal.models import (
    AuditEvent,
    AuthorKind,
    NotificationEvent,
    Role,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from support_portal.services import access, attachments, audit, events, notifications, workflow
from support_portal.services.dto import MessagePublic, Page, TicketSummary, Viewer
from support_portal.services.errors import InvalidInput, NotFound
from support_portal.services.pagination import (
    after,
    after_cursor,
    before,
    encode_cursor,
    like_pattern,
)
from support_portal.services.tickets import (
    PAGE_SIZE,
    clean_body,
    clean_key,
    existing_message,
    message_public,
    set_status,
    summary,
)

VIEWS = ("unassigned", "mine", "open", "awaiting", "resolved", "closed", "all")
COUNT_CAP = 1_000  # view_counts: "1,000+" past this
# Only open tickets wait: a customer's reply reopens the ticket, and asking for information,
# resolving and closing clear waiting_since. In these views the waiting order is therefore the
# activity order; reading it that way skips a search for waiting tickets that cannot be there.
NOBODY_WAITS = ("awaiting", "resolved", "closed")
S = TicketStatus


@dataclass(frozen=True)
class HistoryEntry:
    action: str
    actor_name: str
    created_at: datetime
    detail: dict


@dataclass(frozen=True)
class CustomerInfo:
    name: str
    email: str
    has_account: bool
    email_verified: bool
    other_tickets: list[TicketSummary]
    has_guest_link: bool = False  # emails to the guest carry a link an agent can revoke


@dataclass(frozen=True)
class AgentPublic:
    id: int
    name: str
    email: str
    role: str
    is_active: bool


def _view_filter(view: str, viewer: Viewer):
    match view:
        case "unassigned":
            return and_(Ticket.is_active == True, Ticket.assignee_id.is_(None))  # type: ignore[union-attr]
        case "mine":
            return and_(Ticket.assignee_id == viewer.user_id, Ticket.is_active == True)
        case "open":
            return Ticket.status == S.open
        case "awaiting":
            return Ticket.status == S.awaiting_customer
        case "resolved":
            return Ticket.status == S.resolved
        case "closed":
            return Ticket.status == S.closed
        case "all":
            return None
    raise InvalidInput("Unknown view.")


def _search_filter(db: Session, text: str):
    text = " ".join((text or "").split())[:100]
    if not text:
        return None
    pattern = like_pattern(text)
    users = select(User.id).where(
        or_(col(User.email).ilike(pattern, escape="\\"), col(User.name).ilike(pattern, escape="\\"))
    )
    conditions = [
        col(Ticket.subject).ilike(pattern, escape="\\"),
        col(Ticket.guest_email).ilike(pattern, escape="\\"),
        col(Ticket.guest_name).ilike(pattern, escape="\\"),
        col(Ticket.requester_id).in_(users),
    ]
    digits = text.lstrip("#")
    if digits.isdigit() and len(digits) <= 12:
        conditions.append(Ticket.number == int(digits))
    return or_(*conditions)


def queue(
    db: Session,
    *,
    viewer: Viewer | None,
    view: str = "unassigned",
    search: str = "",
    sort: str = "activity",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[TicketSummary]:
    viewer = access.require_agent(db, viewer, action="queue")
    query = select(Ticket)
    for condition in (_view_filter(view, viewer), _search_filter(db, search)):
        if condition is not None:
            query = query.where(condition)
    if sort == "waiting" and view not in NOBODY_WAITS:
        rows, next_cursor = _waiting_page(db, query, cursor, limit)
    else:
        keyset = after_cursor(Ticket.last_activity_at, Ticket.id, cursor)
        if keyset is not None:
            query = query.where(keyset)
        query = query.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
        rows = list(db.exec(query.limit(limit + 1)).all())
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = encode_cursor(rows[-1].last_activity_at, rows[-1].id)  # type: ignore[arg-type]
    return Page(items=_summaries(db, rows), next_cursor=next_cursor)


def _waiting_page(db: Session, query, cursor: str | None, limit: int):
    """Longest-waiting first, then tickets where nobody waits (newest activity first).

    The cursor names its segment: "w" (waiting_since ASC, id ASC) or "a" (activity DESC).
    """
    segment, at, row_id = "w", None, None
    if cursor:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            segment, at_text, id_text = raw.split("|")
            if segment not in ("w", "a"):
                raise ValueError(segment)
            if at_text:  # empty: the segment starts from its beginning
                at, row_id = datetime.fromisoformat(at_text), int(id_text)
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("This page link is no longer valid.") from None
    rows: list[Ticket] = []
    if segment == "w":
        waiting = query.where(Ticket.waiting_since.is_not(None))  # type: ignore[union-attr]
        if at is not None:
            waiting = waiting.where(after(Ticket.waiting_since, Ticket.id, at, row_id))  # type: ignore[arg-type]
        waiting = waiting.order_by(col(Ticket.waiting_since).asc(), col(Ticket.id).asc())
        rows = list(db.exec(waiting.limit(limit + 1)).all())
        if len(rows) > limit:
            last = rows[limit - 1]
            return rows[:limit], _cursor("w", last.waiting_since, last.id)  # type: ignore[arg-type]
        at = row_id = None
    rest = query.where(Ticket.waiting_since.is_(None))  # type: ignore[union-attr]
    if at is not None:
        rest = rest.where(before(Ticket.last_activity_at, Ticket.id, at, row_id))  # type: ignore[arg-type]
    rest = rest.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
    room = limit - len(rows)
    more = list(db.exec(rest.limit(room + 1)).all())
    rows.extend(more[:room])
    if len(more) > room:
        if room == 0:  # waiting tickets filled this page: the rest starts from its top
            return rows, _cursor("a", None, None)
        last = rows[-1]
        return rows, _cursor("a", last.last_activity_at, last.id)  # type: ignore[arg-type]
    return rows, None


def _cursor(segment: str, at: datetime | None, row_id: int | None) -> str:
    position = f"{at.isoformat()}|{row_id}" if at is not None else "|"
    raw = f"{segment}|{position}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _summaries(db: Session, rows: list[Ticket]) -> list[TicketSummary]:
    user_ids = {t.requester_id for t in rows if t.requester_id} | {
        t.assignee_id for t in rows if t.assignee_id
    }
    users = {}
    if user_ids:
        users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all()}
    result = []
    for t in rows:
        requester = users.get(t.requester_id) if t.requester_id else None
        assignee = users.get(t.assignee_id) if t.assignee_id else None
        result.append(
            summary(
                t,
                requester_name=requester.name if requester else (t.guest_name or ""),
                requester_email=requester.email if requester else (t.guest_email or ""),
                assignee_name=assignee.name if assignee else None,
            )
        )
    return result


def view_counts(db: Session, *, viewer: Viewer | None) -> dict[str, int]:
    """Tickets in each view, exact up to COUNT_CAP; COUNT_CAP + 1 means "more than COUNT_CAP".

    Each count stops after COUNT_CAP + 1 index entries, so its cost stays flat however long
    the history grows: exact COUNTs of "closed" and "all" read the whole table (0.15-0.5 s
    at a million tickets), and past a thousand the number tells an agent nothing more. The seven
    counts cost ~2.5 ms with this cap and 7-10 ms with a cap of 10,000 (docs/benchmarks.md),
    more once frequently updated rows make index-only scans visit the table. One statement,
    one round trip; the filters are the views' own, so the counts match them.
    """
    viewer = access.require_agent(db, viewer, action="queue")
    counts = []
    for view in VIEWS:
        rows = select(literal(1)).select_from(Ticket)
        condition = _view_filter(view, viewer)
        if condition is not None:
            rows = rows.where(condition)
        capped = rows.limit(COUNT_CAP + 1).subquery()
        counts.append(select(func.count()).select_from(capped).scalar_subquery().label(view))
    return dict(zip(VIEWS, db.exec(select(*counts)).one(), strict=True))


def _ticket(
    db: Session, viewer: Viewer | None, number: int | str, action: str
) -> tuple[Viewer, Ticket]:
    viewer = access.require_agent(db, viewer, action=action)
    return viewer, access.ticket_for(db, viewer, number, lock=True)


def agent_reply(
    db: Session,
    *,
    viewer: Viewer | None,
    number: int | str,
    body: str,
    internal: bool = False,
    request_info: bool = False,
    files: list[attachments.StoredFile] | None = None,
    idempotency_key: str | None = None,
) -> MessagePublic:
    """A public reply (optionally asking for more information) or an internal note."""
    files = files or []
    action = "internal_note" if internal else ("request_info" if request_info else "reply")
    viewer, ticket = _ticket(db, viewer, number, action)
    key = clean_key(idempotency_key)
    replay = existing_message(
        db, ticket=ticket, key=key, author_kind=AuthorKind.agent, author_id=viewer.user_id
    )
    if replay is not None:
        attachments.discard(files)
        return message_public(db, replay)
    text = clean_body(body, allow_empty=bool(files))
    flow_action = (
        workflow.Action.internal_note
        if internal
        else workflow.Action.request_info
        if request_info
        else workflow.Action.agent_reply
    )
    new_status = workflow.next_status(ticket.status, flow_action)
    from support_portal.services.tickets import _insert_message

    message = _insert_message(
        db,
        ticket=ticket,
        author_kind=AuthorKind.agent,
        author_id=viewer.user_id,
        author_name=viewer.name,
        body=text,
        files=files,
        idempotency_key=key,
        is_internal=internal,
    )
    audit.record(
        db,
        action=f"message.{action}",
        ticket_id=ticket.id,
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"message_id": message.id},
    )
    if not internal:
        ticket.last_agent_reply_at = message.created_at
        ticket.waiting_since = None
        if ticket.assignee_id is None:
            ticket.assignee_id = viewer.user_id
            audit.record(
                db,
                action="ticket.assigned",
                ticket_id=ticket.id,
                actor_id=viewer.user_id,
                actor_kind="agent",
                detail={"assignee_id": viewer.user_id, "auto": True},
            )
        _change_status(db, viewer, ticket, new_status)
        event = (
            NotificationEvent.info_requested if request_info else NotificationEvent.agent_replied
        )
        notifications.on_ticket_event(db, ticket=ticket, event=event, message_id=message.id)
    events.ticket_changed(db, ticket, kind="message", message_id=message.id)
    return message_public(db, message)


def _change_status(db: Session, viewer: Viewer, ticket: Ticket, new_status: TicketStatus) -> bool:
    previous = ticket.status
    if previous == new_status:
        return False
    set_status(ticket, new_status)
    audit.record(
        db,
        action="ticket.status",
        ticket_id=ticket.id,
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"from": str(previous), "to": str(new_status)},
    )
    return True


_STATUS_EVENTS = {
    workflow.Action.resolve: NotificationEvent.resolved,
    workflow.Action.close: NotificationEvent.closed,
}


def change_status(db: Session, *, viewer: Viewer | None, number: int | str, action: str) -> str:
    """Resolve, close or reopen. Returns the new status."""
    try:
        parsed = workflow.Action(action)
    except ValueError:
        raise InvalidInput("Unknown action.") from None
    if parsed not in (workflow.Action.resolve, workflow.Action.close, workflow.Action.reopen):
        raise InvalidInput("Unknown action.")
    viewer, ticket = _ticket(db, viewer, number, str(parsed))
    new_status = workflow.next_status(ticket.status, parsed)
    _change_status(db, viewer, ticket, new_status)
    if parsed == workflow.Action.reopen:
        ticket.waiting_since = ticket.waiting_since or utcnow()
    else:
        ticket.waiting_since = None
    ticket.last_activity_at = utcnow()
    if parsed in _STATUS_EVENTS:
        notifications.on_ticket_event(db, ticket=ticket, event=_STATUS_EVENTS[parsed])
    events.ticket_changed(db, ticket, kind="status")
    return str(new_status)


def assign(
    db: Session, *, viewer: Viewer | None, number: int | str, assignee_id: int | None
) -> None:
    viewer, ticket = _ticket(db, viewer, number, "assign")
    if assignee_id is not None:
        agent = db.get(User, assignee_id)
        if agent is None or not agent.is_active or agent.role not in (Role.agent, Role.admin):
            raise InvalidInput("Choose an active agent.")
    if ticket.assignee_id == assignee_id:
        return
    previous = ticket.assignee_id
    ticket.assignee_id = assignee_id
    ticket.updated_at = utcnow()
    audit.record(
        db,
        action="ticket.assigned",
        ticket_id=ticket.id,
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"from": previous, "assignee_id": assignee_id},
    )
    events.ticket_changed(db, ticket, kind="assigned")


def ticket_assignee(db: Session, *, viewer: Viewer | None, number: int | str) -> int | None:
    """The id of the agent the ticket is assigned to (None: unassigned)."""
    _viewer, ticket = _ticket(db, viewer, number, "ticket_assignee")
    return ticket.assignee_id


def auto_close(db: Session, *, now: datetime | None = None, days: int | None = None) -> list[int]:
    """Close tickets resolved more than AUTO_CLOSE_DAYS ago. Returns their numbers."""
    from support_portal.settings import get_settings

    now = now or utcnow()
    cutoff = now - timedelta(days=days if days is not None else get_settings().auto_close_days)
    due = db.exec(
        select(Ticket)
        .where(Ticket.status == S.resolved, Ticket.resolved_at < cutoff)
        .with_for_update(skip_locked=True)
        .limit(500)
    ).all()
    closed = []
    for ticket in due:
        set_status(ticket, workflow.next_status(ticket.status, workflow.Action.auto_close))
        audit.record(
            db,
            action="ticket.status",
            ticket_id=ticket.id,
            actor_kind="system",
            detail={"from": "resolved", "to": "closed", "auto": True},
        )
        notifications.on_ticket_event(db, ticket=ticket, event=NotificationEvent.closed)
        events.ticket_changed(db, ticket, kind="status")
        closed.append(ticket.number)
    return closed


def history(db: Session, *, viewer: Viewer | None, number: int | str) -> list[HistoryEntry]:
    viewer, ticket = _ticket(db, viewer, number, "history")
    actor = aliased(User)
    rows = db.exec(
        select(AuditEvent, actor.name)
        .join(actor, actor.id == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.ticket_id == ticket.id, ~col(AuditEvent.action).startswith("message."))
        .order_by(col(AuditEvent.id).asc())
    ).all()
    names = _agent_names(db)
    entries = []
    for event, actor_name in rows:
        detail = dict(event.detail or {})
        if "assignee_id" in detail:
            detail["assignee_name"] = names.get(detail["assignee_id"], "")
        entries.append(
            HistoryEntry(
                action=event.action,
                actor_name=actor_name or _unnamed_actor(event.actor_kind, ticket),
                created_at=event.created_at,
                detail=detail,
            )
        )
    return entries


def _unnamed_actor(kind: str | None, ticket: Ticket) -> str:
    """Who did it when no user row names them; the state translates "System" and "Customer"."""
    if kind == "system":
        return "System"
    if kind == "guest" and ticket.guest_name:
        return ticket.guest_name
    return "Customer"


def customer_info(db: Session, *, viewer: Viewer | None, number: int | str) -> CustomerInfo:
    viewer, ticket = _ticket(db, viewer, number, "customer_info")
    if ticket.requester_id is not None:
        user = db.get(User, ticket.requester_id)
        assert user is not None
        name, email, verified = user.name, user.email, user.email_verified
        others = select(Ticket).where(Ticket.requester_id == user.id)
    else:
        name, email = ticket.guest_name or "", ticket.guest_email or ""
        others = select(Ticket).where(Ticket.guest_email == ticket.guest_email)
        # A guest proves the address with a one-time code from the ticket's link.
        verified = (
            db.exec(
                select(AuditEvent.id)
                .join(Ticket, col(Ticket.id) == AuditEvent.ticket_id)
                .where(AuditEvent.action == "guest.verified", Ticket.guest_email == email)
                .limit(1)
            ).first()
            is not None
        )
    rows = db.exec(
        others.where(Ticket.id != ticket.id).order_by(col(Ticket.last_activity_at).desc()).limit(10)
    ).all()
    return CustomerInfo(
        name=name,
        email=email,
        has_account=ticket.requester_id is not None,
        email_verified=verified,
        other_tickets=[summary(t) for t in rows],
        has_guest_link=bool(ticket.guest_email and ticket.guest_link_nonce),
    )


def _agent_names(db: Session) -> dict[int, str]:
    return dict(
        db.exec(
            select(User.id, User.name).where(col(User.role).in_([Role.agent, Role.admin]))
        ).all()
    )


def list_agents(
    db: Session, *, viewer: Viewer | None, include_inactive: bool = False
) -> list[AgentPublic]:
    access.require_agent(db, viewer, action="list_agents")
    query = select(User).where(col(User.role).in_([Role.agent, Role.admin])).order_by(User.name)
    if not include_inactive:
        query = query.where(User.is_active == True)
    return [
        AgentPublic(id=u.id, name=u.name, email=u.email, role=str(u.role), is_active=u.is_active)  # type: ignore[arg-type]
        for u in db.exec(query).all()
    ]


def add_agent(
    db: Session, *, viewer: Viewer | None, name: str, email: str, password: str, admin: bool = False
) -> AgentPublic:
    from support_portal.services.auth import create_user

    viewer = access.require_admin(db, viewer, action="add_agent")
    user = create_user(
        db,
        name=name,
        email=email,
        password=password,
        role=Role.admin if admin else Role.agent,
        email_verified=True,
    )
    audit.record(
        db,
        action="agent.added",
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"agent_id": user.id},
    )
    return AgentPublic(id=user.id, name=user.name, email=user.email, role=user.role, is_active=True)


def set_agent_active(db: Session, *, viewer: Viewer | None, agent_id: int, active: bool) -> None:
    from support_portal.services.auth import revoke_all_sessions

    viewer = access.require_admin(db, viewer, action="set_agent_active")
    agent = db.get(User, agent_id)
    if agent is None or agent.role not in (Role.agent, Role.admin):
        raise NotFound("No such agent.")
    if agent.id == viewer.user_id and not active:
        raise InvalidInput("You cannot deactivate yourself.")
    agent.is_active = bool(active)
    if not active:
        revoke_all_sessions(db, user_id=agent_id)
    audit.record(
        db,
        action="agent.activated" if active else "agent.deactivated",
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"agent_id": agent_id},
    )
