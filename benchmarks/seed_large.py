"""Load a large support history: 1M tickets / 5M messages on PostgreSQL (COPY), or a smaller
set on SQLite (executemany in big transactions).

    python -m benchmarks.seed_large --db-url postgresql+psycopg://postgres@127.0.0.1:5432/sp
    python -m benchmarks.seed_large --db-url sqlite:///data/bench.db --tickets 100000 \\
        --messages 500000

Migrations run first (the schema and every index belong to them), then the rows stream from
`benchmarks.dataset` straight into the database, then ANALYZE. Only the search index
(migration 0010) is dropped for the load and built once over the loaded rows, as that
migration builds it on an existing database (updating it row by row is much slower). An
existing history is refused unless `--reset` (TRUNCATE, keeps the schema).

PostgreSQL: COPY over `--jobs` connections at once (rows go round-robin in chunks), with the
foreign-key triggers skipped in those sessions when the user may (a superuser: the rows are
consistent by construction), then VACUUM (ANALYZE), as autovacuum would do after a while, so
the planner and index-only scans see the data as a long-running database has it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from itertools import islice

import sqlalchemy as sa

from benchmarks.dataset import PASSWORD, Dataset, Shape
from benchmarks.seed_fill import seed_field_values, seed_tags

USER_COLUMNS = ("id, email, name, password_hash, role, email_verified, is_active, locale, "
                "timezone, created_at, updated_at")  # fmt: skip
TICKET_COLUMNS = (
    "id, number, subject, category, status, is_active, requester_id, guest_email, guest_name, "
    "guest_link_nonce, locale, assignee_id, follow_up_of_id, created_at, updated_at, "
    "last_activity_at, waiting_since, last_agent_reply_at, customer_read_at, resolved_at, "
    "closed_at, message_count"
)
MESSAGE_COLUMNS = ("id, ticket_id, author_kind, author_id, author_name, body, is_internal, "
                   "idempotency_key, created_at")  # fmt: skip
TABLES = (("users", USER_COLUMNS), ("tickets", TICKET_COLUMNS), ("messages", MESSAGE_COLUMNS))
# Everything that can point at users or tickets, emptied together by --reset.
APP_TABLES = ("ticket_field_values", "ticket_tags", "attachments", "notifications", "outbox_emails",
              "guest_challenges", "audit_events", "messages", "notification_preferences",
              "sessions", "login_tickets", "rate_events", "tickets", "users")  # fmt: skip


def migrate(url: str) -> None:
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "alembic"))
    config.attributes["db_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def prepare(engine: sa.Engine, *, reset: bool) -> None:
    with engine.begin() as conn:
        empty = all(
            conn.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is None
            for table in ("users", "tickets")
        )
        if empty:
            return
        if not reset:
            sys.exit("The database already holds data: pass --reset to replace it.")
        if engine.dialect.name == "postgresql":
            # CASCADE: also the tables added since that point at these (surveys, tokens, ...)
            conn.execute(sa.text(f"TRUNCATE {', '.join(APP_TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in APP_TABLES:
                conn.execute(sa.text(f"DELETE FROM {table}"))


class Timer:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()

    def lap(self, what: str, rows: int | None = None) -> None:
        now = time.perf_counter()
        rate = f" ({rows / (now - self.last):,.0f} rows/s)" if rows else ""
        print(f"  {what:<28} {now - self.last:7.1f} s{rate}", flush=True)
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.start


def load_postgresql(url: str, data: Dataset, timer: Timer, jobs: int) -> None:
    """Rows go round-robin, in chunks, to `jobs` COPY streams on their own connections: the
    server work (heap, nine ticket indexes, WAL) then runs on every core while this process
    generates the next rows."""
    with ExitStack() as stack:
        conns = [stack.enter_context(_copy_session(url)) for _ in range(jobs)]
        for (table, columns), rows in zip(
            TABLES, (data.users(), data.tickets(), data.messages()), strict=True
        ):
            timer.lap(f"COPY {table}", _copy(conns, table, columns, rows))
        conn = conns[0]
        for table in ("users", "tickets", "messages"):
            conn.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        conn.commit()
    build_search_index(url, timer)
    with _copy_session(url) as conn:
        conn.commit()  # the session's SET began a transaction; VACUUM runs outside one
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE) users, tickets, messages")
        timer.lap("VACUUM (ANALYZE)")


def build_search_index(url: str, timer: Timer) -> None:
    """The search index (migration 0010) built over the loaded rows, as the migration does on
    an existing database: one bulk build instead of an index update per row."""
    from support_portal.db import make_engine
    from support_portal.models import search_index

    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        search_index.create(conn)
    engine.dispose()
    timer.lap("search index (0010)")


def drop_search_index(engine: sa.Engine) -> None:
    from support_portal.models import search_index

    with engine.begin() as conn:
        search_index.drop(conn)


@contextmanager
def _copy_session(url: str):
    import psycopg

    conninfo = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        # Foreign keys are checked by one trigger per row; the generated rows are consistent
        # by construction, so these sessions skip those triggers. Nothing is dropped.
        try:
            conn.execute("SET session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()  # not a superuser: the triggers check every row (slower)
        yield conn


def _copy(conns: list, table: str, columns: str, rows: Iterator[tuple], chunk: int = 2000) -> int:
    from psycopg.copy import QueuedLibpqWriter

    count = 0
    with ExitStack() as stack:
        copies = []
        for conn in conns:
            cur = stack.enter_context(conn.cursor())
            sql = f"COPY {table} ({columns}) FROM STDIN"
            copies.append(stack.enter_context(cur.copy(sql, writer=QueuedLibpqWriter(cur))))
        for count, row in enumerate(rows, 1):
            copies[count // chunk % len(copies)].write_row(row)
    for conn in conns:
        conn.commit()
    return count


def load_sqlite(engine: sa.Engine, data: Dataset, timer: Timer, batch: int = 100_000) -> None:
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("PRAGMA synchronous=OFF")
        for (table, columns), rows in zip(
            TABLES, (data.users(), data.tickets(), data.messages()), strict=True
        ):
            marks = ", ".join("?" for _ in columns.split(","))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            count = 0
            while chunk := list(islice(rows, batch)):
                conn.execute("BEGIN")
                conn.executemany(sql, chunk)
                conn.execute("COMMIT")
                count += len(chunk)
            timer.lap(f"INSERT {table}", count)
    finally:
        raw.close()
    build_search_index(str(engine.url), timer)
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("ANALYZE")
        timer.lap("ANALYZE")
    finally:
        raw.close()


def fill_due_times(engine: sa.Engine, timer: Timer) -> None:
    """The due times the app stores on every ticket in progress (issue 16), computed by the
    app's own code from the default policy, as after an administrator saves one."""
    from support_portal.db import session_scope
    from support_portal.services import service_levels

    with session_scope(engine) as db:
        count = service_levels.recompute(db)
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE tickets"))
    timer.lap("due times", count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load a large support history.")
    parser.add_argument("--db-url", required=True, help="postgresql+psycopg://... or sqlite:///")
    parser.add_argument("--tickets", type=int, default=None, help="1,000,000 (SQLite: 100,000)")
    parser.add_argument("--messages", type=int, default=None, help="5 per ticket by default")
    parser.add_argument("--reset", action="store_true", help="empty the tables first")
    parser.add_argument("--jobs", type=int, default=2, help="PostgreSQL COPY streams")
    args = parser.parse_args(argv)
    sqlite = args.db_url.startswith("sqlite")
    tickets = args.tickets or (100_000 if sqlite else 1_000_000)
    shape = Shape(tickets=tickets, messages=args.messages or 5 * tickets)
    shape.check()

    from support_portal.db import make_engine
    from support_portal.services.security import hash_password

    timer = Timer()
    migrate(args.db_url)
    engine = make_engine(args.db_url)
    prepare(engine, reset=args.reset)
    drop_search_index(engine)  # built again once the rows are in (build_search_index)
    timer.lap("migrate")
    data = Dataset(
        shape,
        now=datetime.now(UTC),
        password_hash=hash_password(PASSWORD),
        suffix="" if sqlite else "+00",
    )
    print(f"Loading {shape.tickets:,} tickets and {shape.messages:,} messages", flush=True)
    if sqlite:
        load_sqlite(engine, data, timer)
    else:
        engine.dispose()
        load_postgresql(args.db_url, data, timer, max(1, args.jobs))
        engine = make_engine(args.db_url)
    seed_field_values(engine, timer)
    seed_tags(engine, timer)
    fill_due_times(engine, timer)
    engine.dispose()
    print(f"Done in {timer.total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
