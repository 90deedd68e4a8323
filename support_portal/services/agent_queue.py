"""The agents' queue: views, search, sort, keyset pages and the counts of each view.

Every function re-checks that the viewer is an agent (A2).
"""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import and_, literal, tuple_
from sqlmodel import Session, col, func, select

from support_portal.models import Ticket, TicketStatus, TicketTag, User
from support_portal.services import access, search_pages, search_text, service_levels
from support_portal.services.dto import Page, TicketSummary, Viewer
from support_portal.services.errors import InvalidInput
from support_portal.services.field_search import field_filter, split_field
from support_portal.services.pagination import (
    after_cursor,
    before,
    encode_cursor,
)
from support_portal.services.ticket_lists import PAGE_SIZE, summary

PRIORITY_NAMES = ("low", "normal", "high", "urgent")
VIEWS = ("unassigned", "mine", "open", "awaiting", "resolved", "closed", "all")
# "relevance": best match first while searching (services/search_pages.py); without a search,
# the activity order.
SORTS = ("activity", "waiting", "priority", "relevance")


COUNT_CAP = 1_000  # view_counts: "1,000+" past this


# Only open tickets wait on a reply (reply_due_at): a customer's reply reopens the ticket, and
# asking for information, resolving and closing clear it. In these views the waiting order is
# therefore the activity order; reading it that way skips a search for tickets that cannot be
# there.
NOBODY_WAITS = ("awaiting", "resolved", "closed")


S = TicketStatus


def _mine(assignee):
    """The "mine" view: the active tickets of the agent (or agents) `assignee` matches."""
    return and_(assignee, Ticket.is_active == True)


def _view_filter(view: str, viewer: Viewer):
    match view:
        case "unassigned":
            return and_(Ticket.is_active == True, Ticket.assignee_id.is_(None))  # type: ignore[union-attr]
        case "mine":
            return _mine(Ticket.assignee_id == viewer.user_id)
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


def split_tag(search: str) -> tuple[str, str]:
    """ "tag:vip refund" -> ("refund", "vip"): a `tag:` word in the search filters by tag."""
    words, tag = [], ""
    for word in (search or "").split():
        if word.lower().startswith("tag:") and len(word) > 4 and not tag:
            tag = word[4:].lower()[:40]
        else:
            words.append(word)
    return " ".join(words), tag


def _tag_filter(tag: str):
    if not tag:
        return None
    return col(Ticket.id).in_(select(TicketTag.ticket_id).where(TicketTag.tag == tag))


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
    text, tag = split_tag(search)
    text, field_key, field_value = split_field(text)
    terms = search_text.parse(text)
    where = [
        c
        for c in (
            _view_filter(view, viewer),
            _tag_filter(tag),
            field_filter(db, field_key, field_value),
        )
        if c is not None
    ]
    if terms and sort == "relevance":
        rows, next_cursor = search_pages.ranked_page(
            db, terms, notes=True, where=where, cursor=cursor, limit=limit
        )
        items = search_pages.with_snippets(db, terms, _summaries(db, rows), notes=True)
        return Page(items=items, next_cursor=next_cursor)
    query = select(Ticket).where(*where)
    if terms:  # the matches, in the order the agent chose
        query = query.where(search_pages.matching_ids(terms, notes=True, where=where, db=db))
    if sort == "waiting" and view not in NOBODY_WAITS:
        rows, next_cursor = _waiting_page(db, query, cursor, limit)
    elif sort == "priority":
        rows, next_cursor = _priority_page(db, query, cursor, limit)
    else:  # "activity", and "relevance" without words to rank by
        keyset = after_cursor(Ticket.last_activity_at, Ticket.id, cursor)
        if keyset is not None:
            query = query.where(keyset)
        query = query.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
        rows = list(db.exec(query.limit(limit + 1)).all())
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = encode_cursor(rows[-1].last_activity_at, rows[-1].id)  # type: ignore[arg-type]
    items = search_pages.with_snippets(db, terms, _summaries(db, rows), notes=True)
    return Page(items=items, next_cursor=next_cursor)


def _waiting_page(db: Session, query, cursor: str | None, limit: int):
    """The reply due soonest (or most overdue) first, then tickets where nobody waits on a
    reply (newest activity first). With one target for every ticket this is the longest-waiting
    first; with policies per category and priority, an urgent ticket comes before an older
    ticket with a looser target. Replies due at the same moment (everything that arrived while
    closed is due the same morning) come longest-waiting first.

    The cursor names its segment: "w" (reply_due_at, waiting_since, id ASC) or "a" (activity
    DESC).
    """
    segment, position = _read_waiting_cursor(cursor)
    rows: list[Ticket] = []
    if segment == "w":
        waiting = query.where(col(Ticket.reply_due_at).is_not(None))
        if position is not None:
            waiting = waiting.where(
                tuple_(Ticket.reply_due_at, Ticket.waiting_since, Ticket.id) > tuple_(*position)
            )
        waiting = waiting.order_by(
            col(Ticket.reply_due_at).asc(), col(Ticket.waiting_since).asc(), col(Ticket.id).asc()
        )
        rows = list(db.exec(waiting.limit(limit + 1)).all())
        if len(rows) > limit:
            last = rows[limit - 1]
            moments = (last.reply_due_at, last.waiting_since)
            return rows[:limit], _cursor("w", *moments, row_id=last.id)  # type: ignore[arg-type]
        position = None
    rest = query.where(col(Ticket.reply_due_at).is_(None))
    if position is not None:
        rest = rest.where(before(Ticket.last_activity_at, Ticket.id, *position))  # type: ignore[arg-type]
    rest = rest.order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
    room = limit - len(rows)
    more = list(db.exec(rest.limit(room + 1)).all())
    rows.extend(more[:room])
    if len(more) > room:
        if room == 0:  # waiting tickets filled this page: the rest starts from its top
            return rows, _cursor("a")
        last = rows[-1]
        return rows, _cursor("a", last.last_activity_at, row_id=last.id)  # type: ignore[arg-type]
    return rows, None


def _read_waiting_cursor(cursor: str | None) -> tuple[str, tuple | None]:
    """ "w|due|since|id" or "a|activity|id" ("a||": the segment from its top)."""
    if not cursor:
        return "w", None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        segment, *values = raw.split("|")
        if (segment, len(values)) not in (("w", 3), ("a", 2)):
            raise ValueError(segment)
        if not values[0]:
            return segment, None
        *moments, row_id = values
        return segment, (*(datetime.fromisoformat(m) for m in moments), int(row_id))
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("This page link is no longer valid.") from None


def _priority_page(db: Session, query, cursor: str | None, limit: int):
    """Most urgent first, then newest activity (keyset on priority, activity, id)."""
    if cursor:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            rank_text, at_text, id_text = raw.split("|")
            rank, at, row_id = int(rank_text), datetime.fromisoformat(at_text), int(id_text)
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("This page link is no longer valid.") from None
        # A row comparison, so the index on (priority, activity, id) starts at the cursor.
        query = query.where(
            tuple_(Ticket.priority, Ticket.last_activity_at, Ticket.id) < tuple_(rank, at, row_id)
        )
    query = query.order_by(
        col(Ticket.priority).desc(), col(Ticket.last_activity_at).desc(), col(Ticket.id).desc()
    )
    rows = list(db.exec(query.limit(limit + 1)).all())
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    raw = f"{last.priority}|{last.last_activity_at.isoformat()}|{last.id}".encode()
    return rows[:limit], base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(segment: str, *moments: datetime, row_id: int | None = None) -> str:
    position = "|".join([*(m.isoformat() for m in moments), str(row_id)]) if moments else "|"
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
                priority=PRIORITY_NAMES[t.priority],
                reply_due_at=service_levels.reply_due(t),
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


def mine_counts(db: Session, *, user_ids: set[int | None]) -> dict[int | None, int]:
    """The "mine" count of `view_counts` for many agents in one grouped statement (the queue
    pages one event wakes), capped the same way. The callers have checked the role."""
    rows = db.exec(
        select(Ticket.assignee_id, func.count())
        .where(_mine(col(Ticket.assignee_id).in_(user_ids)))
        .group_by(Ticket.assignee_id)  # type: ignore[arg-type]
    ).all()
    found = dict(rows)
    return {user: min(found.get(user, 0), COUNT_CAP + 1) for user in user_ids}
