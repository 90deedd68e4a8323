"""Integration: a real SQLite file migrated with alembic and a real SMTP server (aiosmtpd).

Settings are the cached `get_settings()` object with a few attributes patched for the test,
so every module that already imported `get_settings` sees the same values.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from passlib.context import CryptContext
from sqlmodel import Session

from support_portal import db as db_module
from support_portal.cli import migrate
from support_portal.models import Role
from support_portal.services import auth, security, sessions
from support_portal.services.dto import Viewer
from support_portal.settings import Settings, get_settings
from tests.integration.inprocess import client, portal_asgi  # noqa: F401  (fixtures)
from tests.mailbox import SmtpServer, free_port

FAST_PASSWORDS = CryptContext(
    schemes=["argon2"], argon2__memory_cost=512, argon2__rounds=1, argon2__parallelism=1
)
MAIL_FROM = "Support <no-reply@portal.test>"
PUBLIC_URL = "http://portal.test"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "passwords", FAST_PASSWORDS)
    monkeypatch.setattr(security, "_DUMMY_HASH", FAST_PASSWORDS.hash("dummy"))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down() -> SmtpServer:
    """An SMTP server that is not running yet: nothing listens on its port."""
    return SmtpServer(port=free_port())


def _patch(monkeypatch: pytest.MonkeyPatch, settings: Settings, **values: object) -> None:
    for name, value in values.items():
        monkeypatch.setattr(settings, name, value)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Settings:
    """Dev settings pointing at a temp DB file, with tiny retry delays for the fault tests."""
    db_url = f"sqlite:///{tmp_path / 'integration.db'}"
    monkeypatch.setenv("DB_URL", db_url)
    settings = get_settings()
    _patch(
        monkeypatch,
        settings,
        env="dev",
        db_url=db_url,
        public_url=PUBLIC_URL,
        mail_from=MAIL_FROM,
        smtp_security="none",
        smtp_username=None,
        smtp_password=None,
        smtp_timeout=3.0,
        mail_retry_base_seconds=0.2,
        mail_retry_max_seconds=0.8,
        mail_max_attempts=6,
        mailbox_dir=str(tmp_path / "mailbox"),
        upload_dir=str(tmp_path / "uploads"),
    )
    return settings


def use_smtp(monkeypatch: pytest.MonkeyPatch, settings: Settings, server: SmtpServer) -> None:
    _patch(monkeypatch, settings, smtp_host="127.0.0.1", smtp_port=server.port)


@pytest.fixture
def engine(settings: Settings):
    """The real schema: `support-portal migrate` (alembic upgrade head) on a fresh file."""
    assert migrate() == 0
    engine = db_module.make_engine(settings.db_url)
    db_module.set_engine(engine)
    yield engine
    db_module.set_engine(None)
    engine.dispose()


def make_viewer(engine, *, name: str, email: str, role: Role = Role.customer) -> Viewer:
    with db_module.session_scope(engine) as db:
        user = auth.create_user(
            db, name=name, email=email, password="correct horse battery", role=role,
            email_verified=True,
        )  # fmt: skip
        ticket = sessions.create_login_ticket(db, user_id=user.id)
        session_token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
        viewer = sessions.viewer_for_token(db, session_token=session_token)
    assert viewer is not None
    return viewer


@pytest.fixture
def alice(engine) -> Viewer:
    return make_viewer(engine, name="Alice Customer", email="alice@example.com")


@pytest.fixture
def agent(engine) -> Viewer:
    return make_viewer(engine, name="Agnes Agent", email="agnes@support.test", role=Role.agent)


@pytest.fixture
def db(engine) -> Iterator[Session]:
    """A session for reading what the code under test committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
