"""The SQL pieces the search is made of: the FTS5 tables and matches on SQLite, the text
configuration on PostgreSQL, LIKE patterns and the score arithmetic (services/search.py puts
them together)."""

from __future__ import annotations

from sqlalchemy import Float, cast, func, literal, literal_column, or_
from sqlalchemy.sql import column, table
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from support_portal.models import Ticket
from support_portal.services.pagination import like_pattern
from support_portal.services.search_text import Terms, fts5_string

SIMPLE = literal_column("'simple'")  # a literal, so the planner sees the indexed expression
FTS_MESSAGES = table("search_messages", column("rowid"))
FTS_TICKETS = table("search_tickets", column("rowid"))
FTS_USERS = table("search_users", column("rowid"))


def is_postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def score(value: float | ColumnElement) -> ColumnElement:
    return cast(value if isinstance(value, ColumnElement) else literal(value), Float).label("score")


def unit(rank: ColumnElement) -> ColumnElement:
    """A rank of 0..infinity onto 0..1."""
    return rank / (literal(1.0) + rank)


def fts5_filter(terms: Terms, columns: str, fts, model, name: str):
    """SELECT id of `model` whose indexed `columns` hold every piece of the query."""
    match, short = fts5(terms, columns)
    if not match and not short:
        return None
    fields = ("guest_name", "guest_email") if model is Ticket else ("name", "email")
    likes = [or_(*(like(getattr(model, f), piece) for f in fields)) for piece in short]
    query = select(model.id).where(*likes)
    if match:
        hits = fts5_hits(fts, match, f"{name}_hits")
        query = query.join(hits, hits.c.rowid == model.id)
    return query


def fts5_hits(fts, match: str, name: str):
    """(rowid, rank) of the FTS5 matches, computed once for the statement: joined directly,
    SQLite may run the MATCH again for every row of the other side (seconds, not ms)."""
    found = select(
        literal_column("rowid").label("rowid"), (-func.bm25(literal_column(fts.name))).label("rank")
    ).select_from(fts)
    found = found.where(literal_column(fts.name).op("MATCH")(match))
    return found.cte(name).prefix_with("MATERIALIZED")


def fts5(terms: Terms, columns: str) -> tuple[str, list[str]]:
    """An FTS5 MATCH expression for the pieces of 3+ characters (a trigram needs three), and
    the shorter pieces, which LIKE has to find."""
    long = [piece for piece in terms.chunks if len(piece) >= 3]
    short = [piece for piece in terms.chunks if len(piece) < 3]
    if not long:
        return "", short
    expression = " AND ".join(fts5_string(piece) for piece in long)
    return (f"{columns} : ({expression})" if columns else expression), short


def ilike(column_, text: str) -> ColumnElement:
    return col(column_).ilike(like_pattern(text), escape="\\")


def like(column_, piece: str) -> ColumnElement:
    return col(column_).like(like_pattern(piece), escape="\\")
