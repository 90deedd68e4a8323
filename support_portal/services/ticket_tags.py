"""Priority and tags: how agents sort and label tickets (issue 15). Agents only (A2); a
customer never sees either (A5). Each change is audited and wakes the ticket's open pages."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from support_portal.db import savepoint
from support_portal.i18n import _
from support_portal.models import Ticket, TicketTag, utcnow
from support_portal.services import access, audit, events
from support_portal.services.agent import ticket_for_agent
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput

PRIORITIES = ("low", "normal", "high", "urgent")  # stored as the index: 0..3
MAX_TAG = 40
MAX_TAGS_PER_TICKET = 20
_SPACES = re.compile(r"\s+")


def clean_tag(raw: str) -> str:
    """Lowercase, trimmed, inner spaces as one; 1 to 40 characters."""
    tag = _SPACES.sub(" ", str(raw)).strip().lower()
    if not tag:
        raise InvalidInput(_("Type a tag."), field="tag")
    if len(tag) > MAX_TAG:
        raise InvalidInput(_("A tag has at most {n} characters."), field="tag", n=MAX_TAG)
    return tag


def priority_rank(name: str) -> int:
    try:
        return PRIORITIES.index(str(name))
    except ValueError:
        raise InvalidInput(_("Choose a priority.")) from None


def set_priority(db: Session, *, viewer: Viewer | None, number: int | str, priority: str) -> None:
    viewer, ticket = ticket_for_agent(db, viewer, number, "set_priority")
    rank = priority_rank(priority)
    if ticket.priority == rank:
        return
    previous = ticket.priority
    ticket.priority, ticket.updated_at = rank, utcnow()
    audit.record(
        db,
        action="ticket.priority",
        ticket_id=ticket.id,
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"from": PRIORITIES[previous], "to": PRIORITIES[rank]},
    )
    events.ticket_changed(db, ticket, kind="priority")


def add_tag(db: Session, *, viewer: Viewer | None, number: int | str, tag: str) -> None:
    tag = clean_tag(tag)
    viewer, ticket = ticket_for_agent(db, viewer, number, "add_tag")
    have = tags_of(db, ticket)
    if tag in have:
        return
    if len(have) >= MAX_TAGS_PER_TICKET:
        raise InvalidInput(_("A ticket has at most {n} tags."), field="tag", n=MAX_TAGS_PER_TICKET)
    ticket.updated_at = utcnow()
    db.flush()  # opens the transaction the savepoint nests in
    try:
        with savepoint(db):
            db.add(TicketTag(ticket_id=ticket.id, tag=tag))
    except IntegrityError:
        return  # tagged meanwhile: by another agent, or a merge into this tag
    _changed(db, viewer, ticket, "ticket.tagged", tag)


def remove_tag(db: Session, *, viewer: Viewer | None, number: int | str, tag: str) -> None:
    viewer, ticket = ticket_for_agent(db, viewer, number, "remove_tag")
    tag = str(tag).strip().lower()[:MAX_TAG]
    gone = db.exec(
        delete(TicketTag).where(col(TicketTag.ticket_id) == ticket.id, col(TicketTag.tag) == tag)
    )
    if gone.rowcount:
        _changed(db, viewer, ticket, "ticket.untagged", tag)


def tags_of(db: Session, ticket: Ticket) -> list[str]:
    return list(
        db.exec(
            select(TicketTag.tag).where(TicketTag.ticket_id == ticket.id).order_by(TicketTag.tag)
        )
    )


def suggest(db: Session, *, viewer: Viewer | None, prefix: str = "", limit: int = 20) -> list[str]:
    """Tags in use that start with `prefix`, most used first (for autocomplete)."""
    access.require_agent(db, viewer, action="suggest_tags")
    query = select(TicketTag.tag, func.count()).group_by(TicketTag.tag)
    prefix = str(prefix).strip().lower()[:MAX_TAG]
    if prefix:
        query = query.where(col(TicketTag.tag).startswith(prefix, autoescape=True))
    rows = db.exec(query.order_by(func.count().desc(), TicketTag.tag).limit(limit)).all()
    return [tag for tag, _count in rows]


def _changed(db: Session, viewer: Viewer, ticket: Ticket, action: str, tag: str) -> None:
    ticket.updated_at = utcnow()
    audit.record(
        db,
        action=action,
        ticket_id=ticket.id,
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"tag": tag},
    )
    events.ticket_changed(db, ticket, kind="tags")
