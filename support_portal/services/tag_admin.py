"""Tag administration (issue 15): administrators see every tag with how many tickets carry
it, rename a tag, merge one into another and delete one.

Renaming into a tag that already exists is a merge: a ticket that carried both keeps one row
(the unique (ticket, tag) holds). Each change is two set-based statements, whatever the number
of tickets, and one audit event. Changes queue on one lock until their transaction ends, so
two administrators acting at once see each other's result, never a half of it; an agent who
tags a ticket with the new name in the middle of a merge keeps one row of it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete, select

from support_portal.i18n import _
from support_portal.models import Ticket, TicketTag
from support_portal.services import access, audit, throttle
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, NotFound
from support_portal.services.pagination import like_pattern
from support_portal.services.ticket_tags import MAX_TAG, clean_tag

MAX_LISTED = 200


@dataclass(frozen=True)
class TagCount:
    tag: str
    tickets: int


@dataclass(frozen=True)
class TagList:
    items: tuple[TagCount, ...]
    more: bool  # more tags match than are listed: search to narrow


@dataclass(frozen=True)
class TagChange:
    old: str
    new: str
    tickets: int  # the tickets that carried `old`
    merged: bool  # `new` already existed


class MergeNeeded(DomainError):
    """Renaming into a tag that exists merges the two: the caller asks first, then calls again
    with merge=True. `params`: old, new, tickets."""

    message = _("The tag “{new}” already exists.")


def list_tags(
    db: Session, *, viewer: Viewer | None, query: str = "", limit: int = MAX_LISTED
) -> TagList:
    """Every tag in use with its number of tickets, by name; `query` keeps the tags that
    contain it. At most `limit` (MAX_LISTED) of them."""
    access.require_admin(db, viewer, action="tags.list")
    limit = max(1, min(int(limit), MAX_LISTED))
    found = select(TicketTag.tag, func.count()).group_by(TicketTag.tag)
    words = " ".join(str(query).split()).lower()[:MAX_TAG]
    if words:
        found = found.where(col(TicketTag.tag).like(like_pattern(words), escape="\\"))
    rows = db.exec(found.order_by(TicketTag.tag).limit(limit + 1)).all()
    items = tuple(TagCount(tag, count) for tag, count in rows[:limit])
    return TagList(items=items, more=len(rows) > limit)


def rename_tag(
    db: Session, *, viewer: Viewer | None, old: str, new: str, merge: bool = False
) -> TagChange:
    """Rename `old` to `new` (cleaned) on every ticket. When `new` exists it is a merge, done
    only with `merge=True` (else MergeNeeded says how many tickets it would touch)."""
    viewer = access.require_admin(db, viewer, action="tags.rename")
    old, new = _existing_name(old), clean_tag(new)
    admin_lock(db)
    tickets = _count(db, old)
    if not tickets:
        raise NotFound(_("The tag “{tag}” is no longer in use."), tag=old)
    if old == new:
        return TagChange(old=old, new=new, tickets=tickets, merged=False)
    merged = _count(db, new) > 0
    if merged and not merge:
        raise MergeNeeded(old=old, new=new, tickets=tickets)
    moved = _move(db, old, new)
    audit.record(
        db,
        action="tag.merged" if merged else "tag.renamed",
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"from": old, "to": new, "count": moved},
    )
    return TagChange(old=old, new=new, tickets=moved, merged=merged)


def merge_tags(db: Session, *, viewer: Viewer | None, source: str, target: str) -> TagChange:
    """Merge `source` into `target`: every ticket with `source` ends with one `target`."""
    return rename_tag(db, viewer=viewer, old=source, new=target, merge=True)


def delete_tag(db: Session, *, viewer: Viewer | None, tag: str) -> int:
    """Take `tag` off every ticket. Returns how many tickets carried it."""
    viewer = access.require_admin(db, viewer, action="tags.delete")
    tag = _existing_name(tag)
    admin_lock(db)
    gone = db.exec(delete(TicketTag).where(col(TicketTag.tag) == tag)).rowcount  # type: ignore[call-overload]
    if not gone:
        raise NotFound(_("The tag “{tag}” is no longer in use."), tag=tag)
    audit.record(
        db,
        action="tag.deleted",
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"tag": tag, "count": gone},
    )
    return gone


def admin_lock(db: Session) -> None:
    """Renames, merges and deletions of tags queue on one lock until their transaction ends."""
    throttle.lock(db, scope="tags", key="admin")


# --- helpers --------------------------------------------------------------------------------


def _existing_name(raw: str) -> str:
    """A tag as stored: lowercase, spaces as one (a name too long matches nothing)."""
    return " ".join(str(raw).split()).lower()[: MAX_TAG + 1]


def _count(db: Session, tag: str) -> int:
    return db.exec(select(func.count()).select_from(TicketTag).where(TicketTag.tag == tag)).one()


def _move(db: Session, old: str, new: str) -> int:
    """Every ticket with `old` gets `new` unless it has it (ON CONFLICT DO NOTHING, also against
    an agent's `new` not yet committed), then `old` goes. Returns how many tickets had `old`."""
    dialect = db.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    carrying = select(TicketTag.ticket_id, literal(new)).where(TicketTag.tag == old)
    if dialect == "postgresql":  # wait for agents tagging these tickets (they lock the ticket)
        _lock_tickets(db, select(TicketTag.ticket_id).where(TicketTag.tag == old))
    db.exec(  # type: ignore[call-overload]
        insert(TicketTag)
        .from_select(["ticket_id", "tag"], carrying)
        .on_conflict_do_nothing(index_elements=["ticket_id", "tag"])
    )
    return db.exec(delete(TicketTag).where(col(TicketTag.tag) == old)).rowcount  # type: ignore[call-overload]


def _lock_tickets(db: Session, ids) -> None:
    """Lock the tickets, in one order, before inserting their tags: the insert's foreign
    key check would otherwise wait for an agent who holds a ticket while the agent's insert
    waits for ours (a deadlock)."""
    locked = (
        select(Ticket.id)
        .where(col(Ticket.id).in_(ids))
        .order_by(col(Ticket.id))
        .with_for_update(key_share=True)
        .subquery()
    )
    db.exec(select(func.count()).select_from(locked)).one()
