"""Lists of tickets: the customer's "My tickets" (tabs, search, keyset pages) and the row that
every list shows, the agents' queue included."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from support_portal.models import Ticket, TicketStatus
from support_portal.services import access, categories, search_pages, search_text
from support_portal.services.dto import Page, TicketSummary, Viewer
from support_portal.services.pagination import after_cursor, encode_cursor

PAGE_SIZE = 20
# My tickets' tabs. Open holds every unfinished ticket, and Awaiting your reply those of them
# where it is the customer's turn; a resolved ticket can still be answered (a reply reopens it),
# so it has its own tab rather than hiding under Closed.
TABS: dict[str, tuple[TicketStatus, ...]] = {
    "open": (TicketStatus.open, TicketStatus.awaiting_customer),
    "awaiting": (TicketStatus.awaiting_customer,),
    "resolved": (TicketStatus.resolved,),
    "closed": (TicketStatus.closed,),
}


def list_tickets(
    db: Session,
    *,
    viewer: Viewer | None,
    tab: str = "open",
    search: str = "",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[TicketSummary]:
    """ "My tickets": the viewer's own tickets, newest activity first, keyset-paginated.

    A search looks in all of them, whatever the tab (each row carries its status): a customer
    looking up a number does not know which tab it is in. It finds the number, words of the
    subject and of the messages (never internal notes), best match first."""
    viewer = access.require_customer(viewer)
    terms = search_text.parse(search)
    if terms:  # best match first; the customer's own tickets, never an internal note
        rows, next_cursor = search_pages.ranked_page(
            db, terms, notes=False, where=[_owned_by(viewer)], cursor=cursor, limit=limit
        )
        names = categories.names_by_key(db)
        items = [summary(t, category_names=names.get(t.category, {})) for t in rows]
        items = search_pages.with_snippets(db, terms, items, notes=False)
        return Page(items=items, next_cursor=next_cursor)
    statuses = TABS.get(tab, TABS["open"])
    query = select(Ticket).where(_owned_by(viewer), col(Ticket.status).in_(statuses))
    keyset = after_cursor(Ticket.last_activity_at, Ticket.id, cursor)
    if keyset is not None:
        query = query.where(keyset)
    query = query.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
    rows = db.exec(query.limit(limit + 1)).all()
    names = categories.names_by_key(db)
    items = [summary(t, category_names=names.get(t.category, {})) for t in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last.last_activity_at, last.id) if last else None  # type: ignore[arg-type]
    return Page(items=items, next_cursor=next_cursor)


def tab_counts(db: Session, *, viewer: Viewer | None, search: str = "") -> dict[str, int]:
    viewer = access.require_customer(viewer)
    query = select(Ticket.status, func.count(Ticket.id)).where(_owned_by(viewer))
    terms = search_text.parse(search)
    if terms:
        where = [_owned_by(viewer)]
        query = query.where(search_pages.matching_ids(terms, notes=False, where=where, db=db))
    by_status = {str(status): n for status, n in db.exec(query.group_by(Ticket.status)).all()}
    return {tab: sum(by_status.get(str(s), 0) for s in statuses) for tab, statuses in TABS.items()}


def _owned_by(viewer: Viewer):
    if viewer.is_guest:
        return Ticket.guest_email == viewer.email
    return Ticket.requester_id == viewer.user_id


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


def open_ticket_in_category(
    db: Session, *, viewer: Viewer | None, category: str
) -> TicketSummary | None:
    """The customer's most recent active ticket in this category, to continue there instead."""
    if viewer is None:
        return None
    ticket = db.exec(
        select(Ticket)
        .where(_owned_by(viewer), Ticket.is_active == True, Ticket.category == str(category)[:32])
        .order_by(col(Ticket.last_activity_at).desc())
        .limit(1)
    ).first()
    return summary(ticket) if ticket else None
