"""The sender's pool of SMTP connections (MAIL_CONNECTIONS) against a real SMTP server, on
SQLite and, with SP_TEST_BACKEND=postgres, PostgreSQL: per-thread order, no row sent twice by
two senders at once, a refusal that holds back only its own thread, reconnecting."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import update
from sqlmodel import SQLModel, col, select

import support_portal.models  # noqa: F401
from support_portal import db as db_module
from support_portal.db import make_engine, session_scope
from support_portal.mail.sender import OutboxSender
from support_portal.models import OutboxEmail, OutboxStatus, Ticket, utcnow
from support_portal.services import outbox
from support_portal.settings import Settings
from tests.conftest import BACKEND
from tests.mailbox import SmtpServer

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(request, tmp_path) -> Iterator:
    if BACKEND == "postgres":
        url = request.getfixturevalue("pg_server").create_database(f"mail_pool_{id(tmp_path)}")
    else:
        url = f"sqlite:///{tmp_path / 'pool.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    db_module.set_engine(engine)
    yield engine
    db_module.set_engine(None)
    engine.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def settings(smtp) -> Settings:
    return Settings(
        secret_key="x" * 40, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_timeout=3.0,
        mail_from="Support <no-reply@portal.test>", mail_retry_base_seconds=0.2,
        mail_retry_max_seconds=0.8, mail_connections=4,
    )  # fmt: skip


def make_tickets(count: int) -> list[int]:
    with session_scope() as db:
        made = [
            Ticket(number=500 + n, subject=f"T{n}", category="other", guest_email="g@x.test")
            for n in range(count)
        ]
        db.add_all(made)
        db.flush()
        return [t.id for t in made]  # type: ignore[misc]


def queue(plan: list[tuple[str, int]]) -> list[tuple[int, str, str, int]]:
    """One transaction per email, as replies come; returns (id, Message-ID, to, ticket)."""
    out = []
    for to, ticket_id in plan:
        with session_scope() as db:
            row = outbox.enqueue(db, to_email=to, template="agent_replied", ticket_id=ticket_id)
            db.flush()
            out.append((row.id, row.message_id_header, to, ticket_id))
    return out


def arrived(smtp: SmtpServer) -> list[str]:
    with smtp.lock:
        return [str(m["Message-ID"]) for m in smtp.messages]


def statuses() -> Counter:
    with session_scope() as db:
        return Counter(db.exec(select(OutboxEmail.status)).all())


async def run_senders(*senders: OutboxSender) -> list[int]:
    try:
        return list(await asyncio.gather(*(s.run_once() for s in senders)))
    finally:
        for s in senders:
            await s.mailer.close()


def test_two_pooled_senders_keep_each_threads_order_and_never_send_a_row_twice(
    engine, smtp, settings
):
    tickets = make_tickets(8)
    # Five busy threads (20 emails each; two share an address, two share a ticket) interleaved
    # with 100 one-off emails.
    busy = [("ann@example.com", tickets[0]), ("ann@example.com", tickets[1]),
            ("bob@example.com", tickets[1]), ("cid@example.com", tickets[2]),
            ("dee@example.com", tickets[3])]  # fmt: skip
    plan = []
    for n in range(100):
        plan.append(busy[n % len(busy)])
        plan.append((f"one{n}@example.com", tickets[4 + n % 4]))
    rows = queue(plan)

    a = OutboxSender(settings, worker="pool-a", batch=25)
    b = OutboxSender(settings, worker="pool-b", batch=25)

    async def drain() -> tuple[int, int]:
        # As `run_forever` does: a row held back behind a sibling the other sender is sending
        # is due again a second later.
        sent_a = sent_b = 0
        deadline = time.monotonic() + 30
        while sent_a + sent_b < 200 and time.monotonic() < deadline:
            more_a, more_b = await asyncio.gather(a.run_once(), b.run_once())
            sent_a, sent_b = sent_a + more_a, sent_b + more_b
            if not more_a + more_b:
                await asyncio.sleep(0.2)
        await a.mailer.close()
        await b.mailer.close()
        return sent_a, sent_b

    sent_a, sent_b = asyncio.run(drain())
    assert sent_a + sent_b == 200
    order = arrived(smtp)
    counts = Counter(order)
    assert len(counts) == 200 and max(counts.values()) == 1, "a row went out twice"
    position = {message_id: n for n, message_id in enumerate(order)}
    for thread in busy:
        queued = [mid for _, mid, to, ticket in rows if (to, ticket) == thread]
        assert len(queued) == 20
        assert sorted(queued, key=position.__getitem__) == queued, f"out of order: {thread}"
    assert statuses() == {OutboxStatus.sent: 200}
    assert a.mailer.connections_opened + b.mailer.connections_opened <= 8


def test_a_refused_thread_waits_while_the_other_connections_send_the_rest(engine, smtp, settings):
    tickets = make_tickets(4)
    plan = [
        ("slow@example.com", tickets[0]) if n % 10 == 0 else (f"c{n}@example.com", tickets[n % 4])
        for n in range(40)
    ]
    rows = queue(plan)
    slow = [mid for _, mid, to, _ in rows if to == "slow@example.com"]
    smtp.refuse["slow@example.com"] = "451 4.2.1 mailbox busy, try later"

    patient = settings.model_copy(
        update={"mail_retry_base_seconds": 60.0, "mail_retry_max_seconds": 60.0}
    )
    sender = OutboxSender(patient, worker="pool-refused")
    assert asyncio.run(run_senders(sender)) == [36]
    with session_scope() as db:
        held = db.exec(
            select(OutboxEmail).where(OutboxEmail.to_email == "slow@example.com")
            .order_by(col(OutboxEmail.id))
        ).all()  # fmt: skip
    assert [(r.status, r.attempts) for r in held] == [(OutboxStatus.pending, 1)] + [
        (OutboxStatus.pending, 0)
    ] * 3
    assert held[0].last_error.startswith("451")

    del smtp.refuse["slow@example.com"]
    with session_scope() as db:  # the backoff has passed
        db.exec(update(OutboxEmail).values(next_attempt_at=utcnow()))
    sender = OutboxSender(settings, worker="pool-refused")
    assert asyncio.run(run_senders(sender)) == [4]
    assert [mid for mid in arrived(smtp) if mid in slow] == slow
    assert statuses() == {OutboxStatus.sent: 40}


def test_connections_the_server_dropped_are_opened_again(engine, smtp, settings):
    tickets = make_tickets(4)
    sender = OutboxSender(settings, worker="pool-drop")

    async def scenario() -> None:
        queue([(f"c{n}@example.com", tickets[n % 4]) for n in range(8)])
        assert await sender.run_once() == 8
        assert sender.mailer.connections_opened == 4
        smtp.stop()  # every open connection drops
        smtp.start()
        queue([(f"d{n}@example.com", tickets[n % 4]) for n in range(8)])
        assert await sender.run_once() == 8
        assert sender.mailer.connections_opened == 8
        await sender.mailer.close()

    asyncio.run(scenario())
    assert statuses() == {OutboxStatus.sent: 16}
    assert len(set(arrived(smtp))) == len(arrived(smtp)) == 16  # each once
