"""Test-wide settings: a fixed secret and throwaway folders, set before anything reads them."""

from __future__ import annotations

import os
import tempfile

_TMP = tempfile.mkdtemp(prefix="support-portal-tests-")
os.environ.setdefault("SECRET_KEY", "test-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("UPLOAD_DIR", os.path.join(_TMP, "uploads"))
os.environ.setdefault("MAILBOX_DIR", os.path.join(_TMP, "mailbox"))
os.environ.setdefault("DB_URL", "sqlite:///" + os.path.join(_TMP, "default.db"))
os.environ.setdefault("PUBLIC_URL", "http://portal.test")

# --- Backends -------------------------------------------------------------------------------
# `SP_TEST_BACKEND=postgres` runs the integration and browser suites on PostgreSQL and Redis
# (throwaway servers on loopback, started once per session); the default is SQLite in-process.

import pytest  # noqa: E402

BACKEND = os.environ.get("SP_TEST_BACKEND", "sqlite")


@pytest.fixture(scope="session")
def pg_server():
    from tests.backends import Postgres

    server = Postgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    from tests.backends import Redis

    server = Redis().start()
    yield server
    server.stop()


def pytest_report_header(config):
    return f"support_portal test backend: {BACKEND}"


@pytest.fixture(autouse=True)
def mails():
    """Codes and notices the services send at once go to a fake mailer (the app wires SMTP)."""
    from support_portal.services import mailer
    from tests.fakes import FakeMailer

    fake = FakeMailer()
    mailer.install(fake)
    yield fake
    mailer.install(None)
