"""Issue 15: the agent queue's tag filter (`tag:vip` in the search) on the large history.

seed_large.py tags 1 % of the tickets "vip", 5 % "refund" and 20 % "billing" (by ticket id).
Each case times `agent_queue.queue` with the tag in the search on the views all, open and
unassigned, first page; the common tags also on a deep page reached through the cursors,
beside the same rows fetched with OFFSET (and checked to be the same). The baseline is the
same view without a filter.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from support_portal.models import Ticket, TicketTag
from support_portal.services import agent_queue, ticket_lists
from support_portal.services.dto import Viewer

VIEWS = ("all", "open", "unassigned")
TEXT = "declined"  # a subject word in one ticket out of fifteen (the seed's texts have no "refund")
SEARCHES = ("tag:vip", "tag:billing", "tag:none-such", f"{TEXT} tag:vip")
DEEP = 100  # pages walked through the cursors (or the last page)


def offset_tagged(viewer: Viewer, view: str, tag: str, page: int):
    """The same page written directly: the view, `id IN (tagged ids)`, OFFSET."""
    size = ticket_lists.PAGE_SIZE

    def run(db: Session):
        tagged = select(TicketTag.ticket_id).where(TicketTag.tag == tag)
        query = select(Ticket).where(col(Ticket.id).in_(tagged))
        condition = agent_queue._view_filter(view, viewer)
        if condition is not None:
            query = query.where(condition)
        query = query.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
        rows = list(db.exec(query.offset((page - 1) * size).limit(size + 1)).all())
        return agent_queue._summaries(db, rows[:size])

    return run


def tag_cases(engine: sa.Engine, staff: Viewer) -> list:
    from benchmarks.queries import Case, walk

    cases = []
    for view in VIEWS:

        def plain(db, view=view):
            return agent_queue.queue(db, viewer=staff, view=view)

        def text(db, view=view):
            return agent_queue.queue(db, viewer=staff, view=view, search=TEXT)

        cases.append(Case(f"Queue {view}, no tag (baseline)", 1, plain))
        cases.append(Case(f"Queue {view}, {TEXT} (no tag: the text search alone)", 1, text))
        for search in SEARCHES:

            def fetch(db, cursor, view=view, search=search):
                return agent_queue.queue(db, viewer=staff, view=view, search=search, cursor=cursor)

            name = f"Queue {view}, {search}"
            cases.append(Case(name, 1, lambda db, f=fetch: f(db, None), explain=True))
            if search in ("tag:vip", "tag:billing"):
                cursor, deep = walk(engine, fetch, DEEP)
                if deep == 1:  # one page only: the case above
                    continue
                tag = search.removeprefix("tag:")
                cases.append(Case(name, deep, lambda db, f=fetch, c=cursor: f(db, c),
                                  offset_tagged(staff, view, tag, deep),
                                  explain=True))  # fmt: skip
    return cases
