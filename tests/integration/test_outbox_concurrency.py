"""Several senders on PostgreSQL never send the same outbox row on purpose (issue 7, R3)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlmodel import SQLModel, func, select

import support_portal.models  # noqa: F401
from support_portal import db as db_module
from support_portal.db import make_engine, session_scope
from support_portal.mail.sender import OutboxSender
from support_portal.models import OutboxEmail, OutboxStatus, Role
from support_portal.services import auth, tickets
from support_portal.services.dto import Viewer
from support_portal.settings import Settings
from tests.mailbox import SmtpServer

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_engine(pg_server):
    url = pg_server.create_database("outbox_concurrency")
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    db_module.set_engine(engine)
    yield engine
    db_module.set_engine(None)
    engine.dispose()


def _customer(db) -> Viewer:
    from support_portal.models import SessionKind

    user = auth.create_user(
        db,
        name="Many Mails",
        email="many@example.com",
        password="correct horse battery",
        role=Role.customer,
    )
    return Viewer(
        kind=SessionKind.user,
        session_id=0,
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=Role.customer,
    )


def test_two_senders_share_the_outbox_without_sending_a_row_twice(pg_engine):
    with session_scope() as db:
        viewer = _customer(db)
    for i in range(60):
        with session_scope() as db:
            tickets.create_ticket(
                db, viewer=viewer, subject=f"Ticket {i}", category="other", description="x"
            )
    with session_scope() as db:
        queued = db.exec(select(func.count(OutboxEmail.id))).one()
    assert queued == 60

    smtp = SmtpServer().start()
    settings = Settings(
        secret_key="x" * 40,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        mail_from="Support <no-reply@portal.test>",
    )

    async def both() -> list[int]:
        a = OutboxSender(settings, worker="sender-a", batch=3)
        b = OutboxSender(settings, worker="sender-b", batch=3)
        try:
            return await asyncio.gather(a.run_once(), b.run_once())
        finally:
            await a.mailer.close()
            await b.mailer.close()

    try:
        sent_a, sent_b = asyncio.run(both())
    finally:
        smtp.stop()
    ids = Counter(str(m["Message-ID"]) for m in smtp.messages)
    assert sent_a + sent_b == 60
    assert sent_a > 0 and sent_b > 0, "both senders should have taken part"
    assert len(ids) == 60 and max(ids.values()) == 1
    with session_scope() as db:
        statuses = Counter(db.exec(select(OutboxEmail.status)).all())
        claimed_by = Counter(db.exec(select(OutboxEmail.claimed_by)).all())
    assert statuses == {OutboxStatus.sent: 60}
    assert set(claimed_by) <= {"sender-a", "sender-b"}
