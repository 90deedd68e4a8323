"""SQLite's writers queue on the process's write gate (db.py `_WriteGate`) instead of SQLite's
busy handler: every way a transaction takes the write lock passes the gate, and every way a
transaction ends opens it again."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

import support_portal.models  # noqa: F401
from support_portal import db as db_module
from support_portal.models import Role, User
from support_portal.services import throttle


@pytest.fixture
def engine(tmp_path):
    engine = db_module.make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    SQLModel.metadata.create_all(engine)
    with db_module.session_scope(engine) as db:
        db.add(User(email="a@gate.test", name="A", password_hash="!", role=Role.agent))
    yield engine
    engine.dispose()


def gate(engine):
    found = db_module.write_gate(engine)
    assert found is not None
    return found


def rename(db: Session, name: str) -> None:
    db.exec(text("UPDATE users SET name = :name").bindparams(name=name))  # type: ignore[call-overload]


def test_only_file_databases_have_a_gate():
    memory = db_module.make_engine("sqlite://")
    assert db_module.write_gate(memory) is None
    memory.dispose()


def test_a_write_takes_the_gate_and_commit_or_rollback_opens_it(engine):
    with db_module.session_scope(engine) as db:
        db.exec(select(User)).all()
        assert not gate(engine).held  # reads do not queue
        rename(db, "B")
        assert gate(engine).held
    assert not gate(engine).held
    with pytest.raises(RuntimeError), db_module.session_scope(engine) as db:
        rename(db, "C")
        raise RuntimeError("rolled back")
    assert not gate(engine).held
    with Session(engine) as db:  # closed without commit: the pool's reset rolls back
        rename(db, "D")
        assert gate(engine).held
    assert not gate(engine).held
    with db_module.session_scope(engine) as db:
        assert db.exec(select(User.name)).one() == "B"


def test_begin_immediate_passes_the_gate_too(engine):
    with db_module.session_scope(engine) as db:
        throttle.lock(db, scope="test", key="k")  # BEGIN IMMEDIATE on SQLite
        assert gate(engine).held
    assert not gate(engine).held


def test_fifty_threads_of_writers_and_rate_limits_all_finish(engine):
    errors: list[BaseException] = []
    start = threading.Barrier(50)

    def writer(i: int) -> None:
        try:
            start.wait()
            for k in range(10):
                with db_module.session_scope(engine) as db:
                    if k % 2:
                        throttle.lock(db, scope="test", key=str(i))
                    db.exec(select(User)).all()
                    rename(db, f"{i}-{k}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert not gate(engine).held
