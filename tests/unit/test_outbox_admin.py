"""What agents see of the outbox, and the manual retry of a failed email (R2)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_portal.mail import sender
from support_portal.models import AuditEvent, OutboxEmail, OutboxStatus, utcnow
from support_portal.services import outbox_admin, tickets
from support_portal.services.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from support_portal.services.outbox import OUTBOX_TOPIC
from support_portal.settings import get_settings


def ticket_with_email(db: Session, viewer) -> tuple[int, int]:
    number = tickets.create_ticket(
        db, viewer=viewer, subject="Help", category="other", description="Please"
    ).number
    email = db.exec(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    return number, email.id


def fail(db: Session, email_id: int, error: str = "550 5.1.1 no such user") -> None:
    sender.record_results(db, sent=[], retry={}, failed={email_id: error}, settings=get_settings())
    db.flush()


def test_counts_cover_every_status_even_when_empty(db, agent):
    assert outbox_admin.status_counts(db, viewer=agent) == {
        "pending": 0,
        "sending": 0,
        "sent": 0,
        "failed": 0,
    }


def test_counts_follow_the_rows(db, alice, agent):
    _, first = ticket_with_email(db, alice)
    _, second = ticket_with_email(db, alice)
    ticket_with_email(db, alice)
    fail(db, first)
    sender.record_results(db, sent=[second], retry={}, failed={}, settings=get_settings())
    counts = outbox_admin.status_counts(db, viewer=agent)
    assert (counts["failed"], counts["sent"], counts["pending"]) == (1, 1, 1)


def test_failed_rows_come_first_with_their_error_and_ticket_number(db, alice, agent):
    number, failed_id = ticket_with_email(db, alice)
    _, pending_id = ticket_with_email(db, alice)
    fail(db, failed_id)
    rows = outbox_admin.attention_rows(db, viewer=agent)
    assert [r.id for r in rows] == [failed_id, pending_id]
    failed = rows[0]
    assert (failed.status, failed.to_email, failed.template, failed.ticket_number) == (
        "failed",
        "alice@example.com",
        "ticket_received",
        number,
    )
    assert (failed.attempts, failed.last_error, failed.next_attempt_at) == (
        1,
        "550 5.1.1 no such user",
        None,
    )
    assert rows[1].next_attempt_at is not None


def test_sent_rows_are_not_listed_and_a_status_filter_narrows_the_list(db, alice, agent):
    _, sent_id = ticket_with_email(db, alice)
    _, failed_id = ticket_with_email(db, alice)
    sender.record_results(db, sent=[sent_id], retry={}, failed={}, settings=get_settings())
    fail(db, failed_id)
    assert [r.id for r in outbox_admin.attention_rows(db, viewer=agent)] == [failed_id]
    assert outbox_admin.attention_rows(db, viewer=agent, status="pending") == []
    with pytest.raises(InvalidInput):
        outbox_admin.attention_rows(db, viewer=agent, status="bogus")


def test_a_retry_puts_a_failed_email_back_in_the_queue_and_wakes_the_sender(
    db, alice, agent, published
):
    _, email_id = ticket_with_email(db, alice)
    fail(db, email_id)
    db.commit()
    published.clear()
    outbox_admin.retry(db, viewer=agent, email_id=email_id)
    db.commit()
    row = db.get(OutboxEmail, email_id)
    assert (row.status, row.attempts, row.lease_until) == (OutboxStatus.pending, 0, None)
    assert row.next_attempt_at <= utcnow()
    assert row.last_error == "550 5.1.1 no such user"  # kept until the next attempt
    assert sender.claim_due(db, worker="w1") == [email_id]
    assert [e.topic for e in published] == [OUTBOX_TOPIC]
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "outbox.retry")).one()
    assert (audit.actor_id, audit.detail["email_id"], audit.detail["attempts"]) == (
        agent.user_id,
        email_id,
        1,
    )


def test_only_failed_emails_can_be_retried(db, alice, agent):
    _, email_id = ticket_with_email(db, alice)
    with pytest.raises(InvalidInput):
        outbox_admin.retry(db, viewer=agent, email_id=email_id)
    with pytest.raises(NotFound):
        outbox_admin.retry(db, viewer=agent, email_id=987654)


def test_a_retry_once_sent_cannot_be_retried_twice(db, alice, agent):
    _, email_id = ticket_with_email(db, alice)
    fail(db, email_id)
    outbox_admin.retry(db, viewer=agent, email_id=email_id)
    with pytest.raises(InvalidInput):
        outbox_admin.retry(db, viewer=agent, email_id=email_id)


@pytest.mark.parametrize(
    "call",
    [
        lambda db, v: outbox_admin.status_counts(db, viewer=v),
        lambda db, v: outbox_admin.attention_rows(db, viewer=v),
        lambda db, v: outbox_admin.retry(db, viewer=v, email_id=1),
    ],
)
def test_customers_are_refused_and_the_refusal_is_audited(db, alice, call):
    with pytest.raises(PermissionDenied):
        call(db, alice)
    denied = db.exec(select(AuditEvent).where(AuditEvent.action.startswith("denied."))).all()
    assert [(a.actor_id, a.action.startswith("denied.outbox.")) for a in denied] == [
        (alice.user_id, True)
    ]


def test_anonymous_callers_are_refused(db):
    with pytest.raises(NotAuthenticated):
        outbox_admin.status_counts(db, viewer=None)


def test_a_refused_retry_changes_nothing(db, alice, agent):
    _, email_id = ticket_with_email(db, alice)
    fail(db, email_id)
    with pytest.raises(PermissionDenied):
        outbox_admin.retry(db, viewer=alice, email_id=email_id)
    assert db.get(OutboxEmail, email_id).status == OutboxStatus.failed


def test_overview_is_the_page_in_one_read_and_agents_only(db, alice, agent):
    _, failed_id = ticket_with_email(db, alice)
    fail(db, failed_id)
    page = outbox_admin.overview(db, viewer=agent)
    assert page.counts["failed"] == 1 and [r.id for r in page.rows] == [failed_id]
    with pytest.raises(PermissionDenied):
        outbox_admin.overview(db, viewer=alice)
    with pytest.raises(NotAuthenticated):
        outbox_admin.overview(db, viewer=None)


def test_retry_and_show_queues_the_email_and_returns_the_page_after_it(db, alice, agent):
    _, failed_id = ticket_with_email(db, alice)
    fail(db, failed_id)
    page = outbox_admin.retry_and_show(db, viewer=agent, email_id=failed_id)
    assert page.counts["failed"] == 0 and page.counts["pending"] == 1
    assert [(r.id, r.status) for r in page.rows] == [(failed_id, "pending")]
    with pytest.raises(InvalidInput):  # no longer failed
        outbox_admin.retry_and_show(db, viewer=agent, email_id=failed_id)
