"""The engine (created once) and the one unit-of-work scope.

Services receive a `Session`; whoever opens `session_scope()` owns the transaction.
Events registered with `after_commit(session, ...)` run only once the transaction has
committed, so live updates and wake-ups never announce data that was rolled back.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from support_portal.settings import get_settings

_engine: Engine | None = None
_PENDING = "support_portal.after_commit"
_ON_ROLLBACK = "support_portal.on_rollback"
_FAILED = "support_portal.after_commit_failed"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        if not in_memory:
            _ensure_sqlite_dir(url)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 15},
            poolclass=StaticPool if in_memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if not in_memory:
            _GATES[engine] = _WriteGate().install(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


class _WriteGate:
    """SQLite lets one transaction write at a time. The others wait in its busy handler,
    which sleeps in growing steps (up to 100 ms) and is not fair: under a burst of writers from
    the app's threads, an unlucky one waited seconds while later ones went first. The gate makes
    this process's writers queue on a lock instead, taken at a transaction's first write and
    released once it has committed or rolled back, so the next writer starts at once. Other
    processes still meet the busy handler, as before; a writer that waits for the gate longer
    than the busy timeout goes on without it (and meets the busy handler too)."""

    WAIT_SECONDS = 15.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Any = None  # the DBAPI connection whose transaction writes

    def install(self, engine: Engine) -> _WriteGate:
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self.leave(dbapi_connection)

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self.leave(dbapi_connection)

        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]
        event.listen(engine, "before_cursor_execute", self._before_execute)
        for name in ("close", "invalidate", "soft_invalidate"):
            event.listen(engine.pool, name, self._connection_gone)
        return self

    @property
    def held(self) -> bool:
        return self._lock.locked()

    def _connection_gone(self, dbapi_connection: Any, *_args: Any) -> None:
        self.leave(dbapi_connection)

    def _before_execute(self, conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip()[:15].upper().startswith(_WRITES):
            self.enter(conn.connection)

    def enter(self, dbapi_connection: Any) -> None:
        dbapi_connection = _raw(dbapi_connection)
        if self._holder is dbapi_connection:
            return
        if self._lock.acquire(timeout=self.WAIT_SECONDS):
            self._holder = dbapi_connection

    def leave(self, dbapi_connection: Any) -> None:
        dbapi_connection = _raw(dbapi_connection)
        if self._holder is dbapi_connection and dbapi_connection is not None:
            self._holder = None
            self._lock.release()


# What takes SQLite's write lock: every way in must pass the gate, or a writer holding the
# gate would wait for SQLite's lock held by one waiting for the gate (`throttle.lock` begins
# its transaction IMMEDIATE).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")


_GATES: weakref.WeakKeyDictionary[Engine, _WriteGate] = weakref.WeakKeyDictionary()


def write_gate(engine: Engine) -> _WriteGate | None:
    """The write gate of a file-backed SQLite engine (None for others)."""
    return _GATES.get(engine)


def _raw(connection: Any) -> Any:
    """The sqlite3 connection behind the pool's proxy (the dialect gets either)."""
    return getattr(connection, "dbapi_connection", connection)


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine(get_settings().db_url)
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Point the app at another engine (tests, benchmarks)."""
    global _engine
    _engine = engine


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
        failed = session.info.pop(_FAILED, None)
        if failed:  # the data is committed; the caller learns what did not happen after it
            raise failed[0]
    except BaseException:
        session.rollback()
        for undo in session.info.pop(_ON_ROLLBACK, []):
            undo()
        raise
    finally:
        session.close()


def after_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run `callback` once the session's current transaction commits (dropped on rollback)."""
    session.info.setdefault(_PENDING, []).append(callback)


def on_rollback(session: Session, callback: Callable[[], Any]) -> None:
    """Run `callback` if the transaction scope of `session` ends in a rollback: undo work
    outside the database (files written for rows that never commit). A commit, even one a
    service makes midway, keeps that work and drops the callback."""
    session.info.setdefault(_ON_ROLLBACK, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    callbacks = session.info.pop(_PENDING, [])
    for callback in callbacks:
        try:
            callback()
        except Exception as exc:  # raised by session_scope once SQLAlchemy has finished
            session.info.setdefault(_FAILED, []).append(exc)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A nested transaction inside the caller's: an error rolls back only the work done inside
    (its after-commit callbacks are dropped, its on-rollback undos run) and propagates; on
    success the callbacks wait for the real commit. For one-by-one work where a refusal of one
    item must not undo the others (bulk actions)."""
    outer_pending = session.info.pop(_PENDING, [])
    outer_undo = session.info.pop(_ON_ROLLBACK, [])
    nested = session.begin_nested()
    try:
        yield
        session.flush()
        inner_pending = session.info.pop(_PENDING, [])
        inner_undo = session.info.pop(_ON_ROLLBACK, [])
        # Releasing a savepoint fires "after_commit": keep the callbacks away from it.
        nested.commit()
    except BaseException:
        inner_undo = session.info.pop(_ON_ROLLBACK, [])
        if nested.is_active or session.get_nested_transaction() is nested:
            nested.rollback()  # also after a failed flush, which leaves it inactive but open
        for undo in inner_undo:
            undo()
        session.info[_PENDING] = outer_pending
        session.info[_ON_ROLLBACK] = outer_undo
        raise
    session.info[_PENDING] = outer_pending + inner_pending
    session.info[_ON_ROLLBACK] = outer_undo + inner_undo
