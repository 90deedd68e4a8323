"""Pages of search results, best match first, for the agent queue and "My tickets".

A relevance order has no stored column a keyset could start from: the score exists only
while the query runs, and every page has to find and score the matches again anyway. So
these pages are numbered (OFFSET): the deeper page costs the same search plus skipping rows
it already scored. The score looks at no more than `search.MAX_CANDIDATES` hits per source,
so there are never more than a few thousand rows to skip, and past `MAX_OFFSET` the list
stops (a search with thousands of results needs more words, not more pages).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Sequence

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from support_portal.models import Ticket
from support_portal.services import search
from support_portal.services.dto import TicketSummary
from support_portal.services.errors import InvalidInput
from support_portal.services.search_text import Terms

MAX_OFFSET = 1_000


def matching_ids(terms: Terms, *, notes: bool, where: Sequence[ColumnElement], db: Session):
    """SELECT ticket_id of the matches: a filter for lists kept in their own order."""
    found = search.scores(db, terms, notes=notes, where=where).subquery("matches")
    return col(Ticket.id).in_(select(found.c.ticket_id))


def ranked_page(
    db: Session,
    terms: Terms,
    *,
    notes: bool,
    where: Sequence[ColumnElement],
    cursor: str | None,
    limit: int,
) -> tuple[list[Ticket], str | None]:
    """Best match first, then newest activity; the cursor holds the number of rows before."""
    offset = _decode(cursor)
    found = search.scores(db, terms, notes=notes, where=where).subquery("ranked")
    query = (
        select(Ticket)
        .join(found, found.c.ticket_id == Ticket.id)
        .order_by(found.c.score.desc(), col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
        .offset(offset)
        .limit(limit + 1)
    )
    rows = list(db.exec(query).all())
    if len(rows) <= limit or offset + limit >= MAX_OFFSET:
        return rows[:limit], None
    return rows[:limit], _encode(offset + limit)


def with_snippets(
    db: Session, terms: Terms, items: list[TicketSummary], *, notes: bool
) -> list[TicketSummary]:
    """Each summary with the excerpt of its best matching message, when one matched."""
    if not terms or not items:
        return items
    found = search.snippets(db, terms, notes=notes, ticket_ids=[t.id for t in items])
    return [dataclasses.replace(t, snippet=found.get(t.id)) for t in items]


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"rank|{offset}".encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, offset_text = raw.split("|")
        offset = int(offset_text)
        if kind != "rank" or not 0 <= offset <= MAX_OFFSET:
            raise ValueError(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("This page link is no longer valid.") from None
    return offset
