"""Notifications in the browser: the bell rises live, the centre opens the ticket, the email
goes out; email switches; the admin outbox; the mailbox page when the catcher is off (issue 4).

The agent's reply is written by the test process straight into the app's database (the agent
dashboard is another issue), so the app's in-process hub never hears of it: the open page
notices it through its safety-net refresh (10 s), which the bell assertions wait for.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import OutboxEmail, OutboxStatus, Role, User
from support_portal.services import agent as agent_service
from support_portal.services import sessions, tickets
from support_portal.services.dto import Viewer
from tests.e2e.conftest import ROOT
from tests.e2e.helpers import PASSWORD, create_user, goto, log_in, ready
from tests.mailbox import links_in, text_of

pytestmark = pytest.mark.e2e
BELL = "#bell-count"  # the desktop bell (the phone one is #bell-count-mobile)
SAFETY_NET_WAIT = 15_000  # ms: the page's 10 s safety net plus some slack


def viewer_for(app, email: str) -> Viewer:
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            user = db.exec(select(User).where(User.email == email)).one()
            ticket = sessions.create_login_ticket(db, user_id=user.id)
            token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
            viewer = sessions.viewer_for_token(db, session_token=token)
    finally:
        engine.dispose()
    assert viewer is not None
    return viewer


def in_app_db(app, fn):
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            return fn(db)
    finally:
        engine.dispose()


def open_ticket(app, customer: Viewer, subject: str) -> int:
    return in_app_db(
        app,
        lambda db: (
            tickets.create_ticket(
                db,
                viewer=customer,
                subject=subject,
                category="trading",
                description="Order 77 stuck",
            ).number
        ),
    )


def agent_replies(app, agent: Viewer, number: int, body: str) -> None:
    in_app_db(app, lambda db: agent_service.agent_reply(db, viewer=agent, number=number, body=body))


def send_mail_once(app) -> None:
    """`support-portal send-mail --once`: a second sender process, as an operator would run it.

    The app's own sender was not woken (the reply came from this process), so without this
    the email would wait for the sender's idle check.
    """
    subprocess.run(
        [sys.executable, "-m", "support_portal.cli", "send-mail", "--once"],
        env=app.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )


def log_in_to(page: Page, email: str, path: str) -> None:
    goto(page, f"/login?next={path}")
    main = page.locator("#main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(rf"{re.escape(path)}/?$"))
    ready(page)


def test_an_agent_reply_raises_the_bell_live_and_the_notification_opens_the_ticket(page, app):
    customer_email = create_user(app, name="Nora Notified")
    customer = viewer_for(app, customer_email)
    agent = viewer_for(app, create_user(app, name="Andy Agent", role=Role.agent))
    number = open_ticket(app, customer, "Order will not fill")

    log_in(page, customer_email)
    goto(page, "/notifications")
    rows = page.locator(".notification")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("We received your ticket")
    expect(rows.first).to_contain_text(f"Ticket {number} · Order will not fill")
    expect(page.locator(BELL)).to_have_text("1")

    agent_replies(app, agent, number, "Your order is filled now: see the trade history")

    # No reload: the open page refreshes the list and the bell.
    expect(page.locator(BELL)).to_have_text("2", timeout=SAFETY_NET_WAIT)
    expect(rows).to_have_count(2)
    newest = rows.first
    expect(newest).to_contain_text("Our support team replied")
    expect(newest).to_have_class(re.compile(r"\bunread\b"))

    newest.click()
    page.wait_for_url(re.compile(rf"/tickets/{number}/?$"))
    ready(page)
    expect(page.locator("#ticket-subject")).to_have_text("Order will not fill")
    expect(page.locator("#bell-count")).to_have_count(0)  # the ticket's notifications are read
    page.go_back()
    ready(page)
    expect(page.locator(".notification.unread")).to_have_count(0)

    send_mail_once(app)
    updated = app.smtp.wait_for(customer_email, subject_contains="New reply")[0]
    assert updated["Subject"] == f"New reply on your support ticket {number}"
    assert updated["Auto-Submitted"] == "auto-generated"
    assert f"{app.url}/tickets/{number}" in links_in(updated)
    assert "trade history" not in text_of(updated)


def test_email_switches_save_at_once_and_stop_that_email(page, app):
    customer_email = create_user(app, name="Sam Switch")
    customer = viewer_for(app, customer_email)
    agent = viewer_for(app, create_user(app, name="Ann Agent", role=Role.agent))
    number = open_ticket(app, customer, "Fees look wrong")

    log_in(page, customer_email)
    page.get_by_role("button", name="Sam Switch").click()
    page.get_by_role("menuitem", name="Notification settings").click()
    page.wait_for_url(re.compile(r"/settings/notifications/?$"))
    ready(page)
    expect(page.get_by_text("You always see every notification under the bell")).to_be_visible()
    switch = page.get_by_role("switch", name="Our support team replied")
    expect(switch).to_be_checked()
    switch.click()
    expect(page.locator(".saved")).to_have_text("Saved")
    expect(switch).not_to_be_checked()

    page.reload()
    ready(page)
    expect(page.get_by_role("switch", name="Our support team replied")).not_to_be_checked()
    expect(page.get_by_role("switch", name="Your issue was marked as resolved")).to_be_checked()

    agent_replies(app, agent, number, "Fees are per the schedule")
    queued = in_app_db(
        app,
        lambda db: [
            e.template
            for e in db.exec(select(OutboxEmail).where(OutboxEmail.to_email == customer_email))
        ],
    )
    assert queued == ["ticket_received"]  # in-app only for the reply


def test_an_agent_retries_a_failed_email_from_the_outbox_page(page, app, new_context):
    customer_email = create_user(app, name="Fay Failed")
    number = open_ticket(app, viewer_for(app, customer_email), "Card declined")
    send_mail_once(app)
    app.smtp.wait_for(customer_email)
    app.smtp.clear()

    def fail_it(db) -> None:
        db.exec(
            update(OutboxEmail)
            .where(OutboxEmail.to_email == customer_email)
            .values(status=OutboxStatus.failed, attempts=1, last_error="550 5.1.1 mailbox full")
        )

    in_app_db(app, fail_it)

    agent_email = create_user(app, name="Olga Outbox", role=Role.agent)
    log_in_to(page, agent_email, "/admin/outbox")
    row = page.locator(".outbox-row").filter(has_text=customer_email)
    expect(row).to_contain_text("550 5.1.1 mailbox full")
    expect(row).to_contain_text(f"Ticket {number}")
    expect(row.locator(".outbox-status")).to_have_text("Failed")

    row.get_by_role("button", name=re.compile("Retry")).click()
    expect(page.get_by_text("The email is queued again")).to_be_visible()
    # The retry wakes the app's own sender; the page refreshes once it has gone out.
    app.smtp.wait_for(customer_email)
    expect(page.locator(".outbox-row").filter(has_text=customer_email)).to_have_count(
        0, timeout=SAFETY_NET_WAIT
    )

    # Customers get no outbox.
    other = new_context().new_page()
    log_in_to(other, customer_email, "/admin/outbox")
    expect(other.get_by_text("This page is for support agents")).to_be_visible()
    expect(other.get_by_text("550 5.1.1")).to_have_count(0)


def test_pages_need_a_login_and_the_mailbox_says_when_the_catcher_is_off(page, app):
    page.goto("/notifications")
    page.wait_for_url(re.compile(r"/login\?next=%2Fnotifications|/login\?next=/notifications"))
    goto(page, "/dev/mailbox")  # the test app sends to a real SMTP server
    expect(page.get_by_text("The mail catcher is off")).to_be_visible()


def test_the_mailbox_page_is_not_found_through_a_proxy(page, app, new_context):
    """A reverse proxy on this machine would make every visitor look local (item 10)."""
    assert page.goto("/dev/mailbox").status == 200
    proxied = new_context(extra_http_headers={"X-Forwarded-For": "203.0.113.7"}).new_page()
    response = proxied.goto("/dev/mailbox")
    assert response.status == 404
    expect(proxied.get_by_text("The mail catcher is off")).to_have_count(0)
