"""Sliding-window limits in the database, shared by every worker (X1).

Every limit checks and records in one atomic step: `take()` first takes a lock on its key that
lasts until the caller's transaction ends, then counts, then records. Parallel requests for the
same key queue on that lock, so each one counts what the previous ones recorded and exactly
`limit` get through, never more.

- PostgreSQL: `pg_advisory_xact_lock` on a 64-bit hash of (scope, key); other keys do not wait.
- SQLite: the database's one write lock (`BEGIN IMMEDIATE`); SQLite has one writer anyway.

The events live in the same transaction as the work they limit, so an action that fails and
rolls back gives its slot back, and the limits hold across workers and instances without Redis
(which would count outside the transaction).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, col, delete, func, select

from support_portal.models import RateEvent, utcnow
from support_portal.services.errors import RateLimited
from support_portal.settings import get_settings


@dataclass(frozen=True)
class Limit:
    """At most `limit` events of `scope` for `key` within `window`."""

    scope: str
    key: str
    limit: int
    window: timedelta

    @property
    def effective_limit(self) -> int:
        """Per-address limits (scopes ending in "_ip") scale with RATE_LIMIT_IP_FACTOR, for
        sites where many customers share one address (a company proxy) and for test suites."""
        if self.scope.endswith("_ip"):
            return max(1, round(self.limit * get_settings().rate_limit_ip_factor))
        return self.limit


def lock_id(scope: str, key: str) -> int:
    """A signed 64-bit number for (scope, key): PostgreSQL's advisory lock space."""
    digest = hashlib.blake2b(f"{scope}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock(db: Session, *, scope: str, key: str) -> None:
    """Hold a lock on (scope, key) until the transaction of `db` ends."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        db.exec(text("SELECT pg_advisory_xact_lock(:id)"), params={"id": lock_id(scope, key)})  # type: ignore[call-overload]
    elif dialect == "sqlite":
        _sqlite_write_lock(db)


def _sqlite_write_lock(db: Session) -> None:
    connection = db.connection()
    raw = connection.connection.dbapi_connection
    # pysqlite opens a transaction only before the first write; reads before it ran outside
    # any transaction. Once a write happened, this transaction already holds the write lock.
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def take(db: Session, *limits: Limit) -> None:
    """Check every limit and record one event for each key, atomically; RateLimited when any is
    full (then nothing is recorded). Locks are taken in a fixed order, so callers never
    deadlock on each other."""
    check(db, *limits)
    record(db, *limits)


def check(db: Session, *limits: Limit) -> None:
    """Lock the keys and raise RateLimited when any limit is already full; records nothing.

    The locks last until the transaction ends, so a `record()` later in the same transaction
    stays atomic with this check (a failed login is recorded after the password check)."""
    for scope, key in _keys(limits):
        lock(db, scope=scope, key=key)
    now = utcnow()
    for item in limits:
        count, oldest = _window(db, item, now)
        if count >= item.effective_limit:
            raise RateLimited(retry_after=_wait(oldest, item.window, now))


def record(db: Session, *limits: Limit) -> list[int]:
    """Record one event for each key (under locks taken by `check`; several windows of one key
    share it); returns the row ids, which `release()` takes to give the slots back."""
    now = utcnow()
    rows = [RateEvent(scope=scope, key=key, created_at=now) for scope, key in _keys(limits)]
    db.add_all(rows)
    db.flush()
    return [row.id for row in rows if row.id is not None]


def hit(db: Session, *, scope: str, key: str) -> None:
    """Record one event without a limit of its own (read back by `count`)."""
    db.add(RateEvent(scope=scope, key=key))
    db.flush()


def release(db: Session, ids: Iterable[int]) -> None:
    """Give back slots taken by `record()` (an attempt that turned out to be fine)."""
    ids = list(ids)
    if ids:
        db.exec(delete(RateEvent).where(col(RateEvent.id).in_(ids)))  # type: ignore[call-overload]


def count(db: Session, *, scope: str, key: str, window: timedelta) -> int:
    """How many events (scope, key) had within `window`: a plain read, for slow-downs."""
    since = utcnow() - window
    return db.exec(
        select(func.count(RateEvent.id)).where(
            RateEvent.scope == scope, RateEvent.key == key, RateEvent.created_at > since
        )
    ).one()


def _keys(limits: Iterable[Limit]) -> list[tuple[str, str]]:
    return sorted({(item.scope, item.key) for item in limits})


def _window(db: Session, item: Limit, now: datetime) -> tuple[int, datetime | None]:
    since = now - item.window
    return db.exec(
        select(func.count(RateEvent.id), func.min(RateEvent.created_at)).where(
            RateEvent.scope == item.scope,
            RateEvent.key == item.key,
            RateEvent.created_at > since,
        )
    ).one()


def _wait(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    if oldest is None:
        return int(window.total_seconds()) + 1
    return int((oldest + window - now).total_seconds()) + 1


def clear(db: Session, *, scope: str, key: str) -> None:
    db.exec(delete(RateEvent).where(RateEvent.scope == scope, RateEvent.key == key))  # type: ignore[call-overload]
