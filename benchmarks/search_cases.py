"""Issue 19: the agents' full-text search beside the search it replaces, in one run.

"Today" is the queue search before issue 19 (agent_queue._search_filter then): ILIKE
'%...%' on the subject, the guest's and the requester's name and email, or the number,
newest activity first; it never read message bodies, so it finds nothing for a payment
reference or a phrase someone wrote. "Search" is `agent_queue.queue(sort="relevance")`: the
first page best match first, with the snippets (services/search.py).
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from sqlalchemy import or_
from sqlmodel import Session, col, select

from benchmarks.dataset import customer_name, reference
from support_portal.models import Ticket, User
from support_portal.services import agent_queue, ticket_lists
from support_portal.services.dto import Viewer
from support_portal.services.pagination import like_pattern


def ilike_today(viewer: Viewer, text: str, view: str = "all"):
    """The queue's search before issue 19, as it was written, on the schema before it: on
    PostgreSQL the pg_trgm indexes of migration 0010 would serve its ILIKEs, so each run drops
    them inside its transaction first (rolled back after; the DROPs cost about a millisecond,
    counted in the time)."""

    def run(db: Session):
        if db.get_bind().dialect.name == "postgresql":
            db.exec(sa.text("DROP INDEX search_tickets_trgm, search_users_trgm"))  # type: ignore[call-overload]
        pattern = like_pattern(text)

        def like(column):
            return col(column).ilike(pattern, escape="\\")

        users = select(User.id).where(or_(like(User.email), like(User.name)))
        conditions = [
            col(Ticket.subject).ilike(pattern, escape="\\"),
            col(Ticket.guest_email).ilike(pattern, escape="\\"),
            col(Ticket.guest_name).ilike(pattern, escape="\\"),
            col(Ticket.requester_id).in_(users),
        ]
        digits = text.lstrip("#")
        if digits.isdigit() and len(digits) <= 12:
            conditions.append(Ticket.number == int(digits))
        query = select(Ticket).where(or_(*conditions))
        condition = agent_queue._view_filter(view, viewer)
        if condition is not None:
            query = query.where(condition)
        query = query.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
        return agent_queue._summaries(db, list(db.exec(query.limit(ticket_lists.PAGE_SIZE + 1))))

    return run


def queries() -> list[tuple[str, str]]:
    """(what it is, the text typed): from rare to common."""
    exact = reference(3_000_000)
    partial = reference(4_000_005)
    assert exact and partial
    return [
        ("payment reference", exact),
        ("part of a reference", partial.split("-")[2]),
        ("customer email", "customer12345@example.com"),
        ("part of an email", "customer12345@"),
        ("customer name", customer_name(12345)),
        ("subject word (1 in 15)", "declined"),
        ("phrase in 1 of 16 sentences", "payments team"),
        ("word in every 4th message", "thank"),
    ]


VIEWS = tuple(os.environ.get("SEARCH_VIEWS", "all").split(","))  # e.g. "all,open"


def search_cases(heavy: Viewer, staff: Viewer) -> list:
    from benchmarks.queries import Case

    cases = []
    for what, text in queries():
        for view in VIEWS:

            def search(db, text=text, view=view):
                return agent_queue.queue(db, viewer=staff, view=view, search=text, sort="relevance")

            cases.append(Case(f'Search, queue {view}, {what}: "{text}" (today: ILIKE)', 1,
                              search, ilike_today(staff, text, view), explain=view == "all",
                              same_rows=False))  # fmt: skip
    for what, text in (("subject word", "declined"), ("phrase", "payments team")):
        cases.append(Case(f'Search, My tickets (5,000 tickets), {what}: "{text}"', 1,
                          lambda db, t=text: ticket_lists.list_tickets(db, viewer=heavy, search=t),
                          explain=True))  # fmt: skip
    return cases
