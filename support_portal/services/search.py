"""Full-text search over tickets: subjects, customers' names and emails, and message bodies.

`scores` gives the matching tickets with a relevance score, `snippets` the best matching
message of some tickets as an excerpt. The index is in models/search_index.py.

How a ticket scores (the best of its hits, to one decimal; higher is better):
  its number typed exactly           100
  its subject                        10 + text rank
  its customer's name or email       5
  one of its messages                text rank (0..1)
The text rank is PostgreSQL's ts_rank or SQLite's bm25, both mapped onto 0..1.

Matching. PostgreSQL, first: every word of the query as a whole word (the tsvector GIN
indexes), the number, the exact email, or (without digits or punctuation) the query inside
customers' names. Only when that finds nothing: the whole query inside subjects, names,
emails and messages through the pg_trgm indexes ('refun' finds 'refund', '8842ab' finds
'TX-558842ABX', 'novak@ex' an email). SQLite: every space-separated piece as a substring
(FTS5 trigram; pieces of one or two characters through LIKE).

A customer's search (`notes=False`, `where` = their own tickets) never reads internal notes,
and every source is filtered by `where` before anything is ranked, so no other ticket counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Numeric, cast, func, literal, or_, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from support_portal.models import Message, Ticket, User
from support_portal.services.dto import Snippet
from support_portal.services.search_sql import (
    FTS_MESSAGES,
    FTS_TICKETS,
    FTS_USERS,
    SIMPLE,
    fts5,
    fts5_filter,
    fts5_hits,
    ilike,
    is_postgres,
    like,
    score,
    unit,
)
from support_portal.services.search_text import Terms, excerpt, tsquery

NUMBER_SCORE = 100.0
SUBJECT_SCORE = 10.0
CUSTOMER_SCORE = 5.0
# The most hits one source ranks: a word found in a hundred thousand messages is no search,
# and ranking all of them would take seconds (docs/benchmarks.md, "Search").
MAX_CANDIDATES = 2_000
# Messages: this many of the matches (whichever the index gives first). A word in every fourth
# message (a "thank you") has a million; ranking them means parsing each (about 0.1 ms
# apiece), so a few hundred stand for them (docs/benchmarks.md, "Search").
MAX_MESSAGES = 300


def scores(db: Session, terms: Terms, *, notes: bool, where: Sequence[ColumnElement]):
    """SELECT ticket_id, score: the tickets matching `terms` among those `where` allows.

    PostgreSQL looks for parts of words (pg_trgm) only when whole words, the number and the
    exact email found nothing: a trigram search of a long id over five million messages costs
    ~100 ms even when it finds one row (its frequent trigrams such as "tx-"), the word search
    of the same id 0.1 ms."""
    sources = _union(_sources(db, terms, notes=notes, where=where, substring=False))
    if is_postgres(db) and terms.substring and not _any(db, sources):
        sources = _union(_substring_sources(db, terms, notes=notes, where=where))
    if not sources:
        sources = [select(Ticket.id.label("ticket_id"), score(0)).where(literal(False))]  # type: ignore[union-attr]
    hits = union_all(*sources).subquery("hits")
    # To one decimal: which field matched decides, then roughly how well; among matches that
    # close, the newest activity comes first (the caller's tie-break), not noise in the rank.
    best = func.round(cast(func.max(hits.c.score), Numeric), 1)
    return select(hits.c.ticket_id, best.label("score")).group_by(hits.c.ticket_id)


def _any(db: Session, sources: list) -> bool:
    if not sources:
        return False
    return (
        db.exec(select(literal(1)).select_from(union_all(*sources).subquery()).limit(1)).first()
        is not None
    )


def _union(sources) -> list:
    """The sources that can match, each as a subquery (SQLite takes no LIMIT inside a UNION)."""
    selects = []
    for source in sources:
        if source is not None:
            found = source.subquery()
            selects.append(select(found.c.ticket_id, found.c.score))
    return selects


def snippets(
    db: Session, terms: Terms, *, notes: bool, ticket_ids: Sequence[int]
) -> dict[int, Snippet]:
    """The best matching message of each of these tickets, as an excerpt around the match."""
    if not terms or not ticket_ids:
        return {}
    hits = _messages(db, terms, notes=notes, tickets=ticket_ids, cap=None, substring=None)
    if hits is None:
        return {}
    found = hits.subquery("found")
    rows = db.exec(
        select(found.c.ticket_id, Message.body, Message.is_internal)
        .join(Message, col(Message.id) == found.c.message_id)
        .order_by(found.c.score.desc(), col(Message.id).desc())
    ).all()
    result: dict[int, Snippet] = {}
    for ticket_id, body, internal in rows:
        if ticket_id not in result:
            part = excerpt(body, terms)
            result[ticket_id] = Snippet(part.before, part.match, part.after, bool(internal))
    return result


def _sources(
    db: Session, terms: Terms, *, notes: bool, where: Sequence[ColumnElement], substring: bool
):
    if terms.number is not None:
        yield select(Ticket.id.label("ticket_id"), score(NUMBER_SCORE)).where(  # type: ignore[union-attr]
            Ticket.number == terms.number, *where
        )
    yield _subjects(db, terms, where, substring=substring)
    if notes:  # agents: the customer's name and email (a customer knows their own)
        yield from _customers(db, terms, where, substring=substring)
    yield _messages(db, terms, notes=notes, where=where, cap=MAX_MESSAGES, substring=substring)


def _substring_sources(db: Session, terms: Terms, *, notes: bool, where: Sequence[ColumnElement]):
    """PostgreSQL's second try: the whole query inside subjects, names, emails and messages."""
    yield _subjects(db, terms, where, substring=True)
    if notes:
        yield from _customers(db, terms, where, substring=True)
    yield _messages(db, terms, notes=notes, where=where, cap=MAX_MESSAGES, substring=True)


# Subjects ------------------------------------------------------------------------------------


def _subjects(db: Session, terms: Terms, where: Sequence[ColumnElement], *, substring: bool):
    if is_postgres(db):
        conditions, rank = [], literal(0.0)
        if terms.words and not substring:
            query = func.to_tsquery(SIMPLE, tsquery(terms))
            document = func.to_tsvector(SIMPLE, Ticket.subject)
            conditions.append(document.op("@@")(query))
            rank = func.ts_rank(document, query)
        if substring and terms.substring:
            conditions.append(ilike(Ticket.subject, terms.text))
        if not conditions:
            return None
        found = select(Ticket.id, Ticket.subject).where(or_(*conditions), *where)
        found = found.limit(MAX_CANDIDATES).subquery()
        if terms.words and not substring:
            document = func.to_tsvector(SIMPLE, found.c.subject)
            rank = func.ts_rank(document, func.to_tsquery(SIMPLE, tsquery(terms)))
        return select(found.c.id.label("ticket_id"), score(SUBJECT_SCORE + unit(rank)))
    match, short = fts5(terms, "subject")
    query = select(Ticket.id.label("ticket_id"))  # type: ignore[union-attr]
    rank: ColumnElement = literal(0.0)
    if match:
        hits = fts5_hits(FTS_TICKETS, match, "subject_hits")
        query = query.join(hits, hits.c.rowid == Ticket.id)
        rank = hits.c.rank
    elif not short:
        return None
    likes = [like(Ticket.subject, piece) for piece in short]
    query = query.add_columns(score(SUBJECT_SCORE + unit(rank)))
    return query.where(*likes, *where).limit(MAX_CANDIDATES)


# Customers -----------------------------------------------------------------------------------


def _customers(db: Session, terms: Terms, where: Sequence[ColumnElement], *, substring: bool):
    """Tickets of guests, and of accounts, whose name or email holds the query.

    PostgreSQL: first the exact email (unique and btree indexes) or, for a query without
    digits or punctuation, the name inside names; the rest (parts of emails) in the second
    try: trigrams of a common domain ("example.com") are in every email (~70 ms)."""
    if is_postgres(db):
        if not terms.substring:  # the trigram indexes need three characters
            return
        text = terms.text.lower()
        if substring:
            users = select(User.id).where(or_(ilike(User.email, text), ilike(User.name, text)))
            guests = or_(ilike(Ticket.guest_email, text), ilike(Ticket.guest_name, text))
        elif terms.idlike:
            users = select(User.id).where(User.email == text)
            guests = Ticket.guest_email == text
        else:
            users = select(User.id).where(ilike(User.name, text))
            guests = ilike(Ticket.guest_name, text)
        # Two sources, not one OR: each then has its index (an OR with the accounts' subquery
        # read all the tickets).
        conditions = [guests, col(Ticket.requester_id).in_(users)]
    else:
        guests = fts5_filter(terms, "{guest_name guest_email}", FTS_TICKETS, Ticket, "guest")
        users = fts5_filter(terms, "", FTS_USERS, User, "user")
        if guests is None:
            return
        conditions = [or_(col(Ticket.id).in_(guests), col(Ticket.requester_id).in_(users))]  # type: ignore[arg-type]
    for condition in conditions:
        yield (
            select(Ticket.id.label("ticket_id"), score(CUSTOMER_SCORE))  # type: ignore[union-attr]
            .where(condition, *where)
            .limit(MAX_CANDIDATES)
        )


# Messages ------------------------------------------------------------------------------------


def _messages(
    db: Session,
    terms: Terms,
    *,
    notes: bool,
    where: Sequence[ColumnElement] = (),
    cap: int | None,
    tickets: Sequence[int] = (),
    substring: bool | None,
):
    """SELECT ticket_id, message_id, score of the matching messages (None: nothing can):
    in the tickets `where` allows, or in these `tickets` (read through their messages).
    PostgreSQL: by words, by the whole query inside the text (`substring`), or either (None)."""
    visible = [] if notes else [Message.is_internal == False]
    scope = [*visible, *where]
    if tickets:
        scope.append(col(Message.ticket_id).in_(tickets))

    def scoped(query):
        if where:
            query = query.join(Ticket, col(Ticket.id) == Message.ticket_id)
        return query.where(*scope)

    if is_postgres(db):
        conditions = []
        if terms.words and not substring:
            document = func.to_tsvector(SIMPLE, Message.body)
            conditions.append(document.op("@@")(func.to_tsquery(SIMPLE, tsquery(terms))))
        if terms.substring and substring is not False:
            conditions.append(ilike(Message.body, terms.text))
        if not conditions:
            return None
        found = scoped(select(Message.id, Message.ticket_id, Message.body).where(or_(*conditions)))
        # No ORDER BY: "the newest that match" lets the planner walk the messages backwards
        # parsing each until it has `cap`, which for a word in no message is all of them.
        found = (found.limit(cap) if cap else found).subquery()
        rank: ColumnElement = literal(0.0)
        if terms.words and not substring:
            document = func.to_tsvector(SIMPLE, found.c.body)
            rank = func.ts_rank(document, func.to_tsquery(SIMPLE, tsquery(terms)))
        return select(found.c.ticket_id, found.c.id.label("message_id"), score(unit(rank) + 0.001))
    match, short = fts5(terms, "")
    query = select(Message.ticket_id, col(Message.id).label("message_id"))
    rank = literal(0.0)
    if match:
        hits = fts5_hits(FTS_MESSAGES, match, "message_hits")
        query = query.join(hits, hits.c.rowid == Message.id)
        rank = hits.c.rank
    elif not short:
        return None
    query = query.add_columns(score(unit(rank) + 0.001))
    query = scoped(query.where(*(like(Message.body, piece) for piece in short)))
    return query.limit(cap) if cap else query


# Query pieces --------------------------------------------------------------------------------
