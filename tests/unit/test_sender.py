"""The outbox sender's bookkeeping: leases, retries and failures (R2, R3). No SMTP here."""

from __future__ import annotations

from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from sqlmodel import Session, SQLModel, select

from support_portal import db as db_module
from support_portal.mail import sender
from support_portal.mail.pool import MailerPool
from support_portal.mail.smtp import TransientError
from support_portal.models import OutboxEmail, OutboxStatus, Ticket, utcnow
from support_portal.services import guest_links, outbox, tickets
from support_portal.settings import get_settings


@pytest.fixture
def settings():
    return get_settings().model_copy(
        update={"mail_retry_base_seconds": 30.0, "mail_retry_max_seconds": 600.0,
                "mail_max_attempts": 6}
    )  # fmt: skip


def queue_email(db: Session, to: str = "alice@example.com", **kw) -> int:
    row = outbox.enqueue(db, to_email=to, template=kw.pop("template", "closed"), **kw)
    db.flush()
    return row.id


def row(db: Session, row_id: int) -> OutboxEmail:
    """The row as the database has it now."""
    db.flush()
    found = db.get(OutboxEmail, row_id)
    db.refresh(found)
    return found


# Claiming


def test_a_claim_leases_every_due_row_to_the_worker(db):
    ids = [queue_email(db) for _ in range(3)]
    assert sender.claim_due(db, worker="w1") == ids
    for row_id in ids:
        leased = row(db, row_id)
        assert leased.status == OutboxStatus.sending
        assert leased.claimed_by == "w1"
        assert leased.lease_until > utcnow()


def test_a_second_claim_gets_nothing_while_the_lease_holds(db):
    queue_email(db)
    assert len(sender.claim_due(db, worker="w1")) == 1
    assert sender.claim_due(db, worker="w2") == []


def test_an_expired_lease_is_claimed_again_by_another_worker(db):
    row_id = queue_email(db)
    sender.claim_due(db, worker="w1")
    row(db, row_id).lease_until = utcnow() - timedelta(seconds=1)
    db.flush()
    assert sender.claim_due(db, worker="w2") == [row_id]
    assert row(db, row_id).claimed_by == "w2"


def test_rows_not_yet_due_are_left_alone(db):
    row_id = queue_email(db)
    row(db, row_id).next_attempt_at = utcnow() + timedelta(minutes=5)
    db.flush()
    assert sender.claim_due(db, worker="w1") == []
    assert 0 < sender.next_due_in(db) <= 300


def test_sent_and_failed_rows_are_never_claimed(db):
    sent_id, failed_id = queue_email(db), queue_email(db)
    row(db, sent_id).status = OutboxStatus.sent
    row(db, failed_id).status = OutboxStatus.failed
    db.flush()
    assert sender.claim_due(db, worker="w1") == []
    assert sender.next_due_in(db) is None


def test_a_claim_takes_at_most_its_limit_oldest_first(db):
    ids = [queue_email(db, to=f"c{n}@example.com") for n in range(5)]
    assert sender.claim_due(db, worker="w1", limit=2) == ids[:2]
    assert sender.claim_due(db, worker="w1", limit=10) == ids[2:]


# Recording results


def test_sent_rows_are_marked_sent_and_keep_their_message_id(db, settings):
    row_id = queue_email(db)
    message_id = row(db, row_id).message_id_header
    sender.claim_due(db, worker="w1")
    sender.record_results(db, sent=[row_id], retry={}, failed={}, settings=settings)
    done = row(db, row_id)
    assert (done.status, done.lease_until, done.message_id_header) == (
        OutboxStatus.sent,
        None,
        message_id,
    )
    assert done.sent_at is not None


def test_a_temporary_failure_is_retried_later(db, settings):
    row_id = queue_email(db)
    sender.claim_due(db, worker="w1")
    before = utcnow()
    sender.record_results(
        db, sent=[], retry={row_id: "421 try later"}, failed={}, settings=settings
    )
    retried = row(db, row_id)
    assert (retried.status, retried.attempts, retried.last_error) == (
        OutboxStatus.pending,
        1,
        "421 try later",
    )
    assert retried.lease_until is None
    assert before + timedelta(seconds=30) <= retried.next_attempt_at
    assert retried.next_attempt_at <= utcnow() + timedelta(seconds=33)
    assert sender.claim_due(db, worker="w1") == []  # not before the backoff


def test_the_backoff_doubles_with_each_attempt_and_stops_at_the_cap(settings):
    delays = [sender.backoff(n, settings).total_seconds() for n in range(1, 9)]
    expected = [30, 60, 120, 240, 480, 600, 600, 600]
    for delay, base in zip(delays, expected, strict=True):
        assert base <= delay <= base * 1.1  # at most 10 % jitter
    assert max(delays) <= 600 * 1.1


def test_retry_delays_grow_across_failures_until_the_cap(db, settings):
    settings = settings.model_copy(update={"mail_max_attempts": 8})
    row_id = queue_email(db)
    gaps = []
    for _ in range(settings.mail_max_attempts - 1):
        row(db, row_id).next_attempt_at = utcnow()
        assert sender.claim_due(db, worker="w1") == [row_id]
        now = utcnow()
        sender.record_results(db, sent=[], retry={row_id: "timeout"}, failed={}, settings=settings)
        gaps.append((row(db, row_id).next_attempt_at - now).total_seconds())
    for gap, base in zip(gaps, [30, 60, 120, 240, 480, 600, 600], strict=True):
        assert base <= gap <= base * 1.1 + 1
    assert row(db, row_id).status == OutboxStatus.pending


def test_a_row_that_keeps_failing_is_marked_failed_at_the_attempt_limit(db, settings):
    row_id = queue_email(db)
    for _ in range(settings.mail_max_attempts):
        sender.record_results(db, sent=[], retry={row_id: "timeout"}, failed={}, settings=settings)
    given_up = row(db, row_id)
    assert (given_up.status, given_up.attempts) == (OutboxStatus.failed, settings.mail_max_attempts)


def test_a_permanent_refusal_is_marked_failed_at_once(db, settings):
    row_id = queue_email(db)
    sender.claim_due(db, worker="w1")
    sender.record_results(
        db, sent=[], retry={}, failed={row_id: "550 no such user"}, settings=settings
    )
    failed = row(db, row_id)
    assert (failed.status, failed.attempts, failed.last_error, failed.lease_until) == (
        OutboxStatus.failed,
        1,
        "550 no such user",
        None,
    )


def test_a_very_long_error_is_cut_short(db, settings):
    row_id = queue_email(db)
    sender.record_results(db, sent=[], retry={row_id: "x" * 5000}, failed={}, settings=settings)
    assert len(row(db, row_id).last_error) == 2000


def test_results_for_rows_that_vanished_are_ignored(db, settings):
    sender.record_results(db, sent=[], retry={999: "x"}, failed={998: "y"}, settings=settings)


# Rendering at send time (G1, R4)


def parsed(message) -> object:
    return BytesParser(policy=policy.default).parsebytes(message.as_bytes())


def test_a_guest_email_gets_its_link_only_when_it_is_rendered(db):
    number = tickets.create_ticket(
        db, viewer=None, subject="Help", category="other", description="my wallet seed words",
        guest_name="Gus", guest_email="gus@example.net",
    ).number  # fmt: skip
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    email = db.exec(select(OutboxEmail)).one()
    link = guest_links.link_for(ticket)
    assert link not in str(email.params)

    [claimed] = sender.load_claimed(db, [email.id])
    message = parsed(claimed.message)
    assert link in message.get_body(preferencelist=("plain",)).get_content()
    assert message["Message-ID"] == email.message_id_header
    assert str(number) in message["References"]
    assert "seed words" not in message.get_body(preferencelist=("plain",)).get_content()


def test_a_guest_email_carries_nothing_the_guest_typed(db):
    """The address is unverified: no name, subject or description reaches it, only the template."""
    tickets.create_ticket(
        db, viewer=None, subject="Win a prize at scam.example", category="other",
        description="Click scam.example now", guest_name="Visit scam.example today",
        guest_email="victim@example.net",
    )  # fmt: skip
    email = db.exec(select(OutboxEmail)).one()
    [claimed] = sender.load_claimed(db, [email.id])
    message = parsed(claimed.message)
    everything = str(message["To"]) + str(message["Subject"])
    everything += message.get_body(preferencelist=("plain",)).get_content()
    everything += message.get_body(preferencelist=("html",)).get_content()
    assert "scam" not in everything
    assert message.get_body(preferencelist=("plain",)).get_content().startswith("Hello,\n")


def test_an_account_email_links_to_the_ticket_page_and_never_quotes_the_message(db, alice, agent):
    from support_portal.services import agent as agent_service

    number = tickets.create_ticket(
        db, viewer=alice, subject="Help", category="other", description="my secret seed phrase"
    ).number
    agent_service.agent_reply(db, viewer=agent, number=number, body="the agent's private answer")
    for email in db.exec(select(OutboxEmail)).all():
        [claimed] = sender.load_claimed(db, [email.id])
        raw = parsed(claimed.message).get_body(preferencelist=("plain",)).get_content()
        raw += parsed(claimed.message).get_body(preferencelist=("html",)).get_content()
        assert f"http://portal.test/tickets/{number}" in raw
        assert "seed phrase" not in raw
        assert "private answer" not in raw


def test_a_guest_name_cannot_inject_headers_into_the_sent_email(db):
    tickets.create_ticket(
        db, viewer=None, subject="Help", category="other", description="x",
        guest_name="=?utf-8?q?Eve=0D=0ABcc:_a@evil.test?=", guest_email="eve@example.net",
    )  # fmt: skip
    email = db.exec(select(OutboxEmail)).one()
    [claimed] = sender.load_claimed(db, [email.id])
    assert claimed.message["Bcc"] is None
    head = claimed.message.as_bytes().split(b"\n\n", 1)[0]
    assert b"\r" not in head and b"\nBcc" not in head
    assert parsed(claimed.message)["Bcc"] is None


def test_a_lost_links_email_lists_the_links_rendered_at_send_time(db):
    from support_portal.services import guest

    number = tickets.create_ticket(
        db, viewer=None, subject="Help", category="other", description="x",
        guest_name="Gus", guest_email="gus@example.net",
    ).number  # fmt: skip
    guest.request_links(db, email="gus@example.net", ip=None)
    email = db.exec(select(OutboxEmail).where(OutboxEmail.template == "guest_links")).one()
    [claimed] = sender.load_claimed(db, [email.id])
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    text = parsed(claimed.message).get_body(preferencelist=("plain",)).get_content()
    assert f"Ticket {number}: {guest_links.link_for(ticket)}" in text


def test_a_row_that_cannot_be_rendered_is_reported_not_raised(db):
    row_id = queue_email(db, template="agent_replied", ticket_id=None)
    [claimed] = sender.load_claimed(db, [row_id])
    assert claimed.message is None
    assert "ticket no longer exists" in claimed.error


# The sending loop (its steps run in threads: a database file, not the shared memory one)


class FakeMailer:
    """Takes every message, or refuses them all with a 421 while `down`."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.down = False
        self.connected = True

    async def send(self, message) -> None:
        if self.down:
            self.connected = False
            raise TransientError("421 try later")
        self.sent.append(message["Message-ID"])

    async def close(self) -> None:
        pass


@pytest.fixture
def outbox_file(tmp_path):
    engine = db_module.make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    SQLModel.metadata.create_all(engine)
    db_module.set_engine(engine)
    with Session(engine) as session:
        rows = [
            outbox.enqueue(session, to_email=f"c{n}@example.com", template="guest_links")
            for n in range(7)
        ]
        session.commit()
        headers = [r.message_id_header for r in rows]
    yield engine, headers
    db_module.set_engine(None)
    engine.dispose()


def loop_sender(settings) -> sender.OutboxSender:
    loop = sender.OutboxSender(settings, worker="w1")
    loop.mailer = MailerPool([FakeMailer()])
    loop.batch = 3
    return loop


async def test_the_loop_sends_every_due_row_once_in_order_across_batches(outbox_file, settings):
    engine, headers = outbox_file
    loop = loop_sender(settings)
    assert await loop.run_once() == 7
    assert loop.mailer.mailers[0].sent == headers
    with Session(engine) as db:
        assert {r.status for r in db.exec(select(OutboxEmail))} == {OutboxStatus.sent}
    assert await loop.run_once() == 0


async def test_when_the_server_is_down_the_loop_stops_and_the_rest_stays_due(outbox_file, settings):
    engine, _ = outbox_file
    loop = loop_sender(settings)
    loop.mailer.mailers[0].down = True
    assert await loop.run_once() == 0
    with Session(engine) as db:
        rows = db.exec(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    tried, rest = rows[:3], rows[3:]
    assert all(r.attempts == 1 and r.next_attempt_at > utcnow() for r in tried)
    assert all(r.attempts == 0 and r.status == OutboxStatus.pending for r in rest)
