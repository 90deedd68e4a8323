"""The full-text search index: database objects outside the SQLModel tables.

PostgreSQL: GIN indexes on `to_tsvector('simple', ...)` of ticket subjects and message bodies
('simple' lowercases and splits words without stemming or stop words, so Czech and English
both work), and pg_trgm GIN indexes for parts of ids and email addresses (ILIKE '%...%').

SQLite: FTS5 tables with the trigram tokenizer (any substring of 3+ characters matches,
case-insensitively), with external content: they index `messages`, `tickets` and `users`
without a copy of the text, and triggers keep them up to date.

Every object is named "search_..." so schema comparisons can leave them out (`is_search_object`).
The migration that adds them and `SQLModel.metadata.create_all` (unit tests) run the same DDL.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

PREFIX = "search_"

# (FTS table, content table, indexed columns): `rowid` is the content table's id.
_FTS_TABLES = (
    ("search_messages", "messages", ("body",)),
    ("search_tickets", "tickets", ("subject", "guest_name", "guest_email")),
    ("search_users", "users", ("name", "email")),
)

_POSTGRES_INDEXES = (
    "CREATE INDEX IF NOT EXISTS search_messages_fts ON messages "
    "USING gin (to_tsvector('simple', body))",
    "CREATE INDEX IF NOT EXISTS search_messages_trgm ON messages USING gin (body gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_tickets_fts ON tickets "
    "USING gin (to_tsvector('simple', subject))",
    "CREATE INDEX IF NOT EXISTS search_tickets_trgm ON tickets USING gin "
    "(subject gin_trgm_ops, guest_email gin_trgm_ops, guest_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_users_trgm ON users USING gin "
    "(email gin_trgm_ops, name gin_trgm_ops)",
)


def is_search_object(name: str | None) -> bool:
    """True for the index's tables (FTS5 and its shadow tables) and indexes."""
    return bool(name) and name.startswith(PREFIX)  # type: ignore[union-attr]


def _sqlite_statements() -> list[str]:
    # Only the constant names above go into these statements (no input): S608 does not apply.
    statements = []
    for fts, table, columns in _FTS_TABLES:
        names = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        add = f"INSERT INTO {fts}(rowid, {names})  VALUES (new.id, {new});"  # noqa: S608
        remove = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608
        statements += [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({names}, content='{table}', "
            "content_rowid='id', tokenize='trigram')",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {names} ON {table} "
            f"BEGIN {remove} {add} END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608  (the rows already there)
        ]
    return statements


def create(conn: Connection) -> None:
    """Add the search index to a database whose tables exist, and index the rows in them."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for statement in _POSTGRES_INDEXES:
            conn.exec_driver_sql(statement)
    else:
        for statement in _sqlite_statements():
            conn.exec_driver_sql(statement)


def drop(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        for statement in _POSTGRES_INDEXES:
            name = statement.split(" EXISTS ", 1)[1].split()[0]
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    else:
        for fts, _table, _columns in _FTS_TABLES:
            for trigger in ("insert", "delete", "update"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {fts}")


@event.listens_for(SQLModel.metadata, "after_create")
def _after_create(_metadata, conn: Connection, **_kw) -> None:
    create(conn)


@event.listens_for(SQLModel.metadata, "before_drop")
def _before_drop(_metadata, conn: Connection, **_kw) -> None:
    drop(conn)
