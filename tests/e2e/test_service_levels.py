"""Issue 16: the customer sees when to expect a reply, and is told plainly when it is late
(time moved in the database, not waited for)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import update

from support_portal.clock import utcnow
from support_portal.db import session_scope
from support_portal.models import Ticket
from support_portal.settings import get_settings
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket


def test_the_customer_sees_the_promised_reply_time_then_that_it_is_late(page, app):
    log_in(page, create_user(app, name="Wanda Waiting"))
    number = submit_ticket(
        page, subject="Card payment pending", category="Trading", description="Since Monday."
    )
    promise = page.locator("#reply-expectation")
    expect(promise).to_contain_text("We will reply by")

    engine = app.engine()
    try:
        with session_scope(engine) as db:
            db.exec(
                update(Ticket)
                .where(Ticket.number == number)
                # The due time is stored; a bulk UPDATE moves it with the wait by hand.
                .values(
                    waiting_since=utcnow() - timedelta(days=30),
                    reply_due_at=utcnow() - timedelta(days=29),
                )
            )
    finally:
        engine.dispose()
    goto(page, f"/tickets/{number}")
    expect(promise).to_contain_text("This is taking longer than we promised")
    expect(promise).not_to_contain_text("open")  # never an internal state or policy name


def test_the_promise_turns_late_live_when_its_time_passes(page, app):
    """No reload and no event: the open page notices by itself that the promised time passed."""
    log_in(page, create_user(app, name="Lars Live"))
    number = submit_ticket(
        page, subject="Transfer missing", category="Trading", description="Since Friday."
    )
    target = timedelta(hours=get_settings().reply_target_hours)
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            db.exec(
                update(Ticket)
                .where(Ticket.number == number)
                .values(
                    waiting_since=utcnow() - target + timedelta(seconds=4),
                    reply_due_at=utcnow() + timedelta(seconds=4),
                )
            )
    finally:
        engine.dispose()
    goto(page, f"/tickets/{number}")
    promise = page.locator("#reply-expectation")
    expect(promise).to_contain_text("We will reply by")
    # Within the page's safety-net interval (10 s) after the promised time.
    expect(promise).to_contain_text("This is taking longer than we promised", timeout=20_000)
