"""Per-thread order and the connection pool's sharing of a batch (MAIL_CONNECTIONS). No SMTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import Session

from support_portal.mail import pool as pool_module
from support_portal.mail import sender
from support_portal.mail.pool import Claimed, MailerPool, Outcome
from support_portal.mail.smtp import PermanentError, TransientError
from support_portal.models import OutboxEmail, OutboxStatus, Ticket, utcnow
from support_portal.services import outbox
from support_portal.settings import get_settings


@pytest.fixture
def two_tickets(db: Session) -> tuple[int, int]:
    made = [
        Ticket(number=n, subject="S", category="other", guest_email="a@x.test") for n in (101, 102)
    ]
    db.add_all(made)
    db.flush()
    return made[0].id, made[1].id  # type: ignore[return-value]


def queue(db: Session, to: str, ticket_id: int | None = None) -> int:
    row = outbox.enqueue(db, to_email=to, template="closed", ticket_id=ticket_id)
    db.flush()
    return row.id


def status(db: Session, row_id: int) -> OutboxEmail:
    db.flush()
    found = db.get(OutboxEmail, row_id)
    db.refresh(found)
    return found


def test_one_claim_takes_a_whole_thread_in_order(db):
    a1, b1, a2, a3 = (queue(db, to) for to in ("a@x.test", "b@x.test", "a@x.test", "a@x.test"))
    assert sender.claim_due(db, worker="w1") == [a1, b1, a2, a3]


def test_a_row_waits_while_an_earlier_row_of_its_thread_is_held_by_another_sender(db):
    first = queue(db, "a@x.test")
    assert sender.claim_due(db, worker="w1") == [first]
    second, other = queue(db, "a@x.test"), queue(db, "b@x.test")
    assert sender.claim_due(db, worker="w2") == [other]
    back = status(db, second)
    assert (back.status, back.claimed_by) == (OutboxStatus.pending, None)  # not leased
    # Due again in a second (the other sender is about to mark its row), not every loop turn.
    assert utcnow() < back.next_attempt_at <= utcnow() + timedelta(seconds=1)
    sender.record_results(db, sent=[first], retry={}, failed={}, settings=get_settings())
    back.next_attempt_at = utcnow()
    db.flush()
    assert sender.claim_due(db, worker="w2") == [second]


def test_a_row_waits_behind_an_earlier_row_that_waits_for_its_retry(db, two_tickets):
    one, _ = two_tickets
    first, second = queue(db, "a@x.test", one), queue(db, "a@x.test", one)
    status(db, first).next_attempt_at = utcnow() + timedelta(minutes=5)
    db.flush()
    assert sender.claim_due(db, worker="w1") == []
    assert status(db, second).attempts == 0


def test_a_failed_row_no_longer_holds_its_thread_back(db, two_tickets):
    one, _ = two_tickets
    first, second = queue(db, "a@x.test", one), queue(db, "a@x.test", one)
    status(db, first).status = OutboxStatus.failed
    db.flush()
    assert sender.claim_due(db, worker="w1") == [second]


def test_threads_are_per_ticket_and_per_address(db, two_tickets):
    one, two = two_tickets
    held = queue(db, "a@x.test", one)
    status(db, held).next_attempt_at = utcnow() + timedelta(minutes=5)
    db.flush()
    other_ticket, account_mail = queue(db, "a@x.test", two), queue(db, "a@x.test", None)
    other_address = queue(db, "b@x.test", one)
    assert sender.claim_due(db, worker="w1") == [other_ticket, account_mail, other_address]


def test_rows_put_back_behind_a_retry_are_due_with_it_not_before(db, two_tickets):
    one, _ = two_tickets
    first, second, third = (queue(db, "a@x.test", one) for _ in range(3))
    assert sender.claim_due(db, worker="w1") == [first, second, third]
    sender.record_results(
        db, sent=[], retry={first: "451 later"}, failed={}, released=[second, third],
        settings=get_settings(),
    )  # fmt: skip
    retry_at = status(db, first).next_attempt_at
    assert retry_at > utcnow() + timedelta(seconds=20)
    assert [status(db, r).next_attempt_at for r in (second, third)] == [retry_at, retry_at]
    assert [status(db, r).attempts for r in (first, second, third)] == [1, 0, 0]
    assert 20 < sender.next_due_in(db) <= 35  # the loop sleeps; it does not spin on them


def test_released_rows_go_back_untouched(db):
    row_id = queue(db, "a@x.test")
    sender.claim_due(db, worker="w1")
    sender.record_results(
        db, sent=[], retry={}, failed={}, released=[row_id], settings=get_settings()
    )
    back = status(db, row_id)
    assert (back.status, back.attempts, back.lease_until, back.last_error) == (
        OutboxStatus.pending,
        0,
        None,
        None,
    )


# The pool


class Recording:
    """A fake connection: logs (its name, row) per send; refuses some rows for now or for good."""

    def __init__(self, name: str, log: list, refuse: dict[int, Exception] | None = None) -> None:
        self.name, self.log, self.refuse = name, log, refuse or {}
        self.connected = True

    async def send(self, message: EmailMessage) -> None:
        row_id = int(message["X-Row"])
        await asyncio.sleep(0)  # let the other connections interleave
        if row_id in self.refuse:
            raise self.refuse[row_id]
        self.log.append((self.name, row_id))

    async def close(self) -> None:
        pass


def claimed(row_id: int, to: str, ticket: int | None = 1) -> Claimed:
    message = EmailMessage()
    message["X-Row"] = str(row_id)
    return Claimed(id=row_id, message=message, thread=(to, ticket))


def deliver(pool: MailerPool, batch: list[Claimed]) -> tuple[Outcome, list[Outcome]]:
    writes: list[Outcome] = []
    return asyncio.run(pool.deliver(batch, writes.append)), writes


def test_a_thread_stays_on_one_connection_in_id_order_and_threads_are_spread(monkeypatch):
    monkeypatch.setattr(pool_module, "FLUSH_ROWS", 5)
    log: list = []
    pool = MailerPool([Recording(f"c{n}", log) for n in range(4)])
    batch = [claimed(n, f"u{n % 5}@x.test") for n in range(1, 41)]
    outcome, writes = deliver(pool, list(reversed(batch)))
    assert sorted(outcome.sent) == list(range(1, 41))
    for user in range(5):
        rows = [(c, r) for c, r in log if r % 5 == user]
        assert len({c for c, _ in rows}) == 1
        assert [r for _, r in rows] == sorted(r for _, r in rows)
    assert {c for c, _ in log} == {"c0", "c1", "c2", "c3"}
    assert len(writes) > 1, "results are written as they come, not once at the end"


def test_a_refusal_holds_back_its_thread_only_and_a_bounce_does_not():
    log: list = []
    refuse = {2: TransientError("451 later"), 5: PermanentError("550 no such user")}
    pool = MailerPool([Recording("c0", log, refuse), Recording("c1", log, refuse)])
    batch = [claimed(1, "a@x"), claimed(2, "b@x"), claimed(3, "a@x"), claimed(4, "b@x"),
             claimed(5, "c@x"), claimed(6, "c@x"), claimed(7, "b@x")]  # fmt: skip
    outcome, _ = deliver(pool, batch)
    assert sorted(outcome.sent) == [1, 3, 6]
    assert outcome.retry == {2: "451 later"}
    assert sorted(outcome.released) == [4, 7]  # behind row 2: never tried, no attempt counted
    assert outcome.failed == {5: "550 no such user"}


def test_a_dead_connection_stops_its_share_but_not_the_others():
    log: list = []
    dead = Recording("c0", log, {n: TransientError("Connection refused") for n in range(99)})
    dead.connected = False
    pool = MailerPool([dead, Recording("c1", log)])
    batch = [claimed(n, f"u{n}@x") for n in range(1, 9)]
    outcome, _ = deliver(pool, batch)
    assert sorted(outcome.sent) == [2, 4, 6, 8]
    assert sorted(outcome.retry) == [1, 3, 5, 7]
    assert [r for c, r in log] == [2, 4, 6, 8]


def test_what_was_sent_before_a_failed_write_is_still_written(monkeypatch):
    monkeypatch.setattr(pool_module, "FLUSH_ROWS", 2)
    log: list = []
    pool = MailerPool([Recording("c0", log)])
    written: list[int] = []

    def write(outcome: Outcome) -> None:
        written.extend(outcome.sent)
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        asyncio.run(pool.deliver([claimed(n, f"u{n}@x") for n in range(1, 201)], write))
    assert written and len(log) < 200, "sending stops once results cannot be written"


def test_mail_connections_defaults_to_four_and_is_bounded(monkeypatch):
    from pydantic import ValidationError

    from support_portal.settings import Settings

    assert Settings(secret_key="x" * 40).mail_connections == 4
    monkeypatch.setenv("MAIL_CONNECTIONS", "8")
    assert Settings(secret_key="x" * 40).mail_connections == 8
    assert len(MailerPool.of(Settings(secret_key="x" * 40), 8).mailers) == 8
    for wrong in (0, 65):
        with pytest.raises(ValidationError):
            Settings(secret_key="x" * 40, mail_connections=wrong)
