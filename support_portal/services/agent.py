"""The agent's ticket actions: replies, internal notes, status changes, assignment, history.

Every function re-checks that the viewer is an agent (A2) and writes an audit event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from support_portal.models import (
    AuthorKind,
    NotificationEvent,
    Role,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from support_portal.services import (
    access,
    attachments,
    audit,
    events,
    notifications,
    workflow,
)
from support_portal.services.conversation import existing_message, insert_message, message_public
from support_portal.services.dto import MessagePublic, Viewer
from support_portal.services.errors import InvalidInput
from support_portal.services.inputs import clean_body, clean_key
from support_portal.services.tickets import set_status


def ticket_for_agent(
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
    files: list[attachments.IncomingFile | attachments.StoredFile] | None = None,
    idempotency_key: str | None = None,
) -> MessagePublic:
    """A public reply (optionally asking for more information) or an internal note."""
    action = "internal_note" if internal else ("request_info" if request_info else "reply")
    viewer, ticket = ticket_for_agent(db, viewer, number, action)
    key = clean_key(idempotency_key)
    replay = existing_message(
        db, ticket=ticket, key=key, author_kind=AuthorKind.agent, author_id=viewer.user_id
    )
    if replay is not None:
        attachments.drop(files)
        return message_public(db, replay)
    files = attachments.keep(db, files)  # stored now, deleted again on rollback (R1)
    text = clean_body(body, allow_empty=bool(files))
    flow_action = (
        workflow.Action.internal_note
        if internal
        else workflow.Action.request_info
        if request_info
        else workflow.Action.agent_reply
    )
    new_status = workflow.next_status(ticket.status, flow_action)
    message = insert_message(
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
    viewer, ticket = ticket_for_agent(db, viewer, number, str(parsed))
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
    viewer, ticket = ticket_for_agent(db, viewer, number, "assign")
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
    _viewer, ticket = ticket_for_agent(db, viewer, number, "ticket_assignee")
    return ticket.assignee_id


def auto_close(db: Session, *, now: datetime | None = None, days: int | None = None) -> list[int]:
    """Close tickets resolved more than AUTO_CLOSE_DAYS ago. Returns their numbers."""
    from support_portal.settings import get_settings

    now = now or utcnow()
    cutoff = now - timedelta(days=days if days is not None else get_settings().auto_close_days)
    due = db.exec(
        select(Ticket)
        .where(Ticket.status == TicketStatus.resolved, Ticket.resolved_at < cutoff)
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


# What an agent's open ticket page re-reads on a live wake-up: one call, one transaction.
