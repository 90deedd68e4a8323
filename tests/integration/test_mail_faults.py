"""Faults on the way to the SMTP server: down, refusing, and a sender dying mid-send (R2, R3)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.mail.sender import OutboxSender
from support_portal.models import Message, OutboxEmail, OutboxStatus, utcnow
from support_portal.services import outbox_admin
from support_portal.services.outbox import wake_sender
from tests.integration.conftest import use_smtp
from tests.integration.helpers import agent_reply, open_ticket, outbox_rows, parse

pytestmark = pytest.mark.integration


def message_ids(smtp) -> Counter:
    return Counter(parse(raw)["Message-ID"] for raw in smtp.raw)


async def wait_until(check, timeout: float = 10.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(every)


async def test_with_the_server_down_the_reply_is_saved_and_retried_with_growing_gaps_then_sent_once(
    monkeypatch, settings, smtp_down, db, alice, agent
):
    use_smtp(monkeypatch, settings, smtp_down)
    number = open_ticket(alice)
    agent_reply(agent, number, "The answer")
    # R1: the reply and its email rows are committed whatever the mail server does.
    assert db.exec(select(Message).where(Message.body == "The answer")).one()
    assert len(outbox_rows(db)) == 2

    sender = OutboxSender(settings, worker="it-down")
    gaps: list[float] = []
    for attempt in (1, 2, 3):
        first = outbox_rows(db)[0]
        await wait_until(lambda first=first: first.next_attempt_at <= utcnow())
        assert await sender.run_once() == 0
        tried_at = utcnow()
        first, second = outbox_rows(db)
        assert (first.status, first.attempts) == (OutboxStatus.pending, attempt)
        assert "Connect" in first.last_error or "refused" in first.last_error
        # The second email (same ticket, same customer) waits behind the first, untried.
        assert (second.status, second.attempts, second.last_error) == (
            OutboxStatus.pending, 0, None,
        )  # fmt: skip
        gaps.append((first.next_attempt_at - tried_at).total_seconds())
    # Exponential backoff with base 0.2 s: about 0.2, 0.4, 0.8 (plus up to 10 % jitter).
    assert gaps == sorted(gaps) and gaps[0] < 0.3 and gaps[2] > 0.6

    smtp_down.start()
    try:
        stop = asyncio.Event()
        loop = asyncio.create_task(sender.run_forever(stop))
        await wait_until(lambda: all(r.status == OutboxStatus.sent for r in outbox_rows(db)))
        await asyncio.sleep(0.5)  # would a second, unwanted send come?
        stop.set()
        wake_sender()  # the loop notices `stop` when it wakes up
        await asyncio.wait_for(loop, 5)
    finally:
        smtp_down.stop()
    rows = outbox_rows(db)
    assert message_ids(smtp_down) == Counter({r.message_id_header: 1 for r in rows})
    # In the order they were queued, the first after its three failed attempts.
    assert [parse(raw)["Message-ID"] for raw in smtp_down.raw] == [
        r.message_id_header for r in rows
    ]
    assert [r.attempts for r in rows] == [3, 0]


async def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails_for_admins_to_see(
    monkeypatch, settings, smtp, db, alice, agent
):
    use_smtp(monkeypatch, settings, smtp)
    sender = OutboxSender(settings, worker="it-5xx")
    number = open_ticket(alice)

    smtp.reply = "451 4.3.0 try again later"
    assert await sender.run_once() == 0
    [row] = outbox_rows(db)
    assert (row.status, row.attempts, row.last_error) == (
        OutboxStatus.pending,
        1,
        "451 4.3.0 try again later",
    )

    smtp.reply = "550 5.1.1 mailbox unavailable"
    await wait_until(lambda: outbox_rows(db)[0].next_attempt_at <= utcnow())
    assert await sender.run_once() == 0
    [row] = outbox_rows(db)
    assert (row.status, row.attempts) == (OutboxStatus.failed, 2)
    assert row.last_error.startswith("550")
    assert await sender.run_once() == 0  # a failed row is not retried on its own

    with session_scope() as s:
        listed = outbox_admin.attention_rows(s, viewer=agent)
        counts = outbox_admin.status_counts(s, viewer=agent)
    assert [(r.id, r.status, r.ticket_number, r.attempts) for r in listed] == [
        (row.id, "failed", number, 2)
    ]
    assert "550 5.1.1 mailbox unavailable" in listed[0].last_error
    assert counts["failed"] == 1

    # The mailbox is fixed; an agent retries; it goes out once.
    smtp.reply = None
    with session_scope() as s:
        outbox_admin.retry(s, viewer=agent, email_id=row.id)
    assert await sender.run_once() == 1
    assert outbox_rows(db)[0].status == OutboxStatus.sent
    assert message_ids(smtp) == Counter({row.message_id_header: 1})
    await sender.mailer.close()


async def test_a_sender_dying_after_the_servers_250_causes_at_most_one_duplicate_with_the_same_message_id(  # noqa: E501
    monkeypatch, settings, smtp, db, alice, agent
):
    use_smtp(monkeypatch, settings, smtp)
    number = open_ticket(alice)
    agent_reply(agent, number, "The answer")

    doomed = OutboxSender(settings, worker="it-doomed")
    claimed = await asyncio.to_thread(doomed._claim)
    batch = await asyncio.to_thread(doomed._load, claimed)
    # The server says 250 for each, and the process dies before the rows are marked sent.
    outcome = await doomed.mailer.deliver(batch, lambda _results: None)
    assert len(outcome.sent) == 2 and not outcome.retry and not outcome.failed
    await doomed.mailer.close()
    assert len(smtp.raw) == 2
    assert {r.status for r in outbox_rows(db)} == {OutboxStatus.sending}

    # While the lease holds, no other sender touches the rows.
    survivor = OutboxSender(settings, worker="it-survivor")
    assert await survivor.run_once() == 0
    assert len(smtp.raw) == 2

    # The lease runs out: the rows are sent again, with the same Message-ID, and then never.
    with session_scope() as s:
        s.exec(update(OutboxEmail).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert await survivor.run_once() == 2
    assert await survivor.run_once() == 0
    rows = outbox_rows(db)
    assert {r.status for r in rows} == {OutboxStatus.sent}
    assert message_ids(smtp) == Counter({r.message_id_header: 2 for r in rows})
    await survivor.mailer.close()
