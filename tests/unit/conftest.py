"""Unit tests: services on in-memory SQLite. Nothing here imports Reflex."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from passlib.context import CryptContext
from sqlmodel import Session, SQLModel

import support_portal.models  # noqa: F401
from support_portal import db as db_module
from support_portal.live.hub import hub
from support_portal.models import Role, utcnow
from support_portal.services import agent as agent_service
from support_portal.services import (
    auth,
    codes,
    guest,
    notifications,
    registration,
    security,
    sessions,
    throttle,
    tickets,
)
from support_portal.services.dto import Viewer

FAST_PASSWORDS = CryptContext(
    schemes=["argon2"], argon2__memory_cost=512, argon2__rounds=1, argon2__parallelism=1
)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """Cheap argon2 parameters, except for tests marked `real_hashing`."""
    if "real_hashing" not in request.keywords:
        monkeypatch.setattr(security, "passwords", FAST_PASSWORDS)
        monkeypatch.setattr(security, "_DUMMY_HASH", FAST_PASSWORDS.hash("dummy"))


@pytest.fixture
def engine():
    engine = db_module.make_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    db_module.set_engine(engine)
    yield engine
    db_module.set_engine(None)
    engine.dispose()


@pytest.fixture
def db(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list:
    """Live events published (after commit) during the test."""
    seen: list = []
    monkeypatch.setattr(hub, "publish", seen.append)
    return seen


def make_viewer(
    db: Session,
    *,
    name: str = "Alice",
    email: str = "alice@example.com",
    role: Role = Role.customer,
    verified: bool = False,
) -> Viewer:
    user = auth.create_user(
        db,
        name=name,
        email=email,
        password="correct horse battery",
        role=role,
        email_verified=verified,
    )
    token = sessions.create_login_ticket(db, user_id=user.id)
    session_token, _, _ = sessions.exchange_login_ticket(db, token=token)
    viewer = sessions.viewer_for_token(db, session_token=session_token)
    assert viewer is not None
    return viewer


@pytest.fixture
def alice(db: Session) -> Viewer:
    return make_viewer(db)


@pytest.fixture
def bob(db: Session) -> Viewer:
    return make_viewer(db, name="Bob", email="bob@example.com")


@pytest.fixture
def agent(db: Session) -> Viewer:
    return make_viewer(db, name="Agnes Agent", email="agnes@support.test", role=Role.agent)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_hashing: use the production argon2 parameters (slow, for P1/P2)"
    )


def session_token_for(
    db: Session, *, user_id: int | None = None, guest_email: str | None = None
) -> str:
    """Log in the way the HTTP route does: a login ticket traded for a session token."""
    ticket = sessions.create_login_ticket(db, user_id=user_id, guest_email=guest_email)
    session_token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
    return session_token


def guest_viewer(db: Session, email: str) -> Viewer:
    viewer = sessions.viewer_for_token(db, session_token=session_token_for(db, guest_email=email))
    assert viewer is not None
    return viewer


class Clock:
    """Real time plus an offset that tests move forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Moves `utcnow` forward in every service module that reads the time."""
    clock = Clock()
    for module in (
        codes,
        guest,
        sessions,
        throttle,
        tickets,
        agent_service,
        notifications,
        registration,
    ):
        monkeypatch.setattr(module, "utcnow", clock.now)
    return clock


@pytest.fixture
def admin(db: Session) -> Viewer:
    return make_viewer(db, name="Ada Admin", email="ada@support.test", role=Role.admin)


@pytest.fixture
def uploads(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A fresh UPLOAD_DIR for the test; returns its path."""
    from support_portal.settings import get_settings

    folder = tmp_path / "uploads"
    monkeypatch.setattr(get_settings(), "upload_dir", str(folder))
    return folder.resolve()
