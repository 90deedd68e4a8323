"""A guest revokes the link from the ticket page; an expired link offers a fresh one (X8)."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

from playwright.sync_api import expect
from sqlmodel import select

from support_portal.models import AuditEvent, OutboxEmail, Role, Ticket, TicketStatus, utcnow
from support_portal.services import guest_links
from support_portal.states.agent_ticket import AgentTicketState
from support_portal.states.ticket import TicketState
from tests.e2e.helpers import create_user, goto, log_in, ready, unique_email
from tests.e2e.test_agent_handlers_security import RawClient, handler, session_cookie
from tests.e2e.test_guest_journey import (
    code_from_email,
    confirmation_link,
    enter_code,
    in_db,
    send_code,
    submit_as_guest,
)
from tests.mailbox import links_in


def test_a_verified_guest_revokes_the_link_and_gets_a_new_one_by_email(page, app, new_context):
    email = unique_email("rory")
    number = submit_as_guest(
        page, name="Rory Revoke", email=email, subject="Forwarded", description="Oops"
    )
    old = confirmation_link(app, email, number)
    goto(page, old)
    send_code(page)
    enter_code(page, code_from_email(app, email))
    page.wait_for_url(re.compile(rf"/tickets/{number}/?$"))
    ready(page)

    page.get_by_role("button", name="Revoke this link and send a new one").click()
    expect(page.locator("#link-notice")).to_have_text(
        f"Done: the old link no longer works. We emailed a new link to {email[0]}***@example.com."
    )
    [mail] = app.smtp.wait_for(
        email, subject_contains=f"A new link to your support ticket {number}"
    )
    [new] = [u for u in links_in(mail) if "/t/" in u]
    assert new != old

    # Someone holding the old link (a forwarded email) is stopped at once.
    stranger = new_context().new_page()
    goto(stranger, old)
    expect(stranger.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(stranger.get_by_role("button", name="Send code")).to_have_count(0)
    goto(stranger, new)
    expect(stranger.get_by_role("heading", name=f"Your support ticket {number}")).to_be_visible()
    expect(stranger.get_by_role("button", name="Send code")).to_be_visible()


def test_an_agent_revokes_a_guest_link_from_the_ticket_page(page, app, new_context):
    email = unique_email("gail")
    guest_page = new_context().new_page()
    number = submit_as_guest(
        guest_page, name="Gail Guest", email=email, subject="Phished", description="Help"
    )
    old = confirmation_link(app, email, number)

    log_in(page, create_user(app, name="Ann Agent", role=Role.agent), expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    page.get_by_role("button", name="Revoke this link and send a new one").click()
    expect(page.locator("#action-notice")).to_have_text(
        "The old link no longer works. We emailed a new link to the guest's address."
    )
    history = page.locator("#history-panel .history-entry")
    expect(history.filter(has_text="Replaced the guest link")).to_have_count(1)
    [mail] = app.smtp.wait_for(
        email, subject_contains=f"A new link to your support ticket {number}"
    )
    [new] = [u for u in links_in(mail) if "/t/" in u]
    goto(guest_page, old)
    expect(guest_page.get_by_role("heading", name="This link does not work")).to_be_visible()
    goto(guest_page, new)
    expect(guest_page.get_by_role("button", name="Send code")).to_be_visible()


def test_an_expired_link_says_so_and_lost_link_sends_a_fresh_one(page, app, monkeypatch):
    email = unique_email("eliza")
    number = submit_as_guest(
        page, name="Eliza Expired", email=email, subject="Old one", description="Long ago"
    )
    confirmation_link(app, email, number)

    # The app's clock cannot move: the ticket closed 91 days ago and its link is that old.
    long_ago = utcnow() - timedelta(days=91)
    monkeypatch.setattr(
        guest_links, "get_settings", lambda: SimpleNamespace(secret_key=app.env["SECRET_KEY"])
    )

    def close_long_ago(db) -> str:
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        ticket.status, ticket.is_active = TicketStatus.closed, False
        ticket.closed_at = long_ago
        ticket.guest_link_nonce = guest_links.new_nonce(long_ago - timedelta(days=9))
        return f"{app.url}/t/{guest_links.link_secret(ticket)}"

    old = in_db(app, close_long_ago)
    goto(page, old)
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    expect(page.get_by_text("stop working 90 days after the ticket is closed")).to_be_visible()
    expect(page.get_by_text("Old one")).to_have_count(0)

    page.locator("#lost-email").fill(email)
    page.get_by_role("button", name="Send me my links").click()
    expect(page.locator("#links-sent")).to_be_visible()
    [mail] = app.smtp.wait_for(email, subject_contains="Links to your support tickets")
    [fresh] = [u for u in links_in(mail) if "/t/" in u]
    assert fresh != old
    goto(page, fresh)
    expect(page.get_by_role("heading", name=f"Your support ticket {number}")).to_be_visible()
    expect(page.get_by_role("button", name="Send code")).to_be_visible()


def test_revoke_handlers_called_by_name_by_someone_else_change_nothing(page, app, new_context):
    """The handlers re-read the session and the service checks access (A1, A2)."""
    email = unique_email("vera")
    number = submit_as_guest(
        new_context().new_page(), name="Vera Victim", email=email, subject="Mine", description="x"
    )
    confirmation_link(app, email, number)
    nonce = in_db(
        app,
        lambda db: db.exec(select(Ticket.guest_link_nonce).where(Ticket.number == number)).one(),
    )

    log_in(page, create_user(app, name="Mona Meddler"))
    client = RawClient(app.url, session_cookie(page))
    try:
        for state, name, path in [
            (TicketState, "revoke_link", f"/tickets/{number}"),
            (AgentTicketState, "revoke_guest_link", f"/admin/tickets/{number}"),
        ]:
            client.emit(handler(state, "load"), {}, path, number=str(number))
            client.emit(handler(state, name), {}, path, number=str(number))
            client.settle(path)
    finally:
        client.close()

    def after(db):
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        revoked = db.exec(
            select(AuditEvent).where(
                AuditEvent.ticket_id == ticket.id, AuditEvent.action == "guest.link_revoked"
            )
        ).all()
        replaced = db.exec(
            select(OutboxEmail).where(
                OutboxEmail.ticket_id == ticket.id, OutboxEmail.template == "link_replaced"
            )
        ).all()
        return ticket.guest_link_nonce, revoked, replaced

    assert in_db(app, after) == (nonce, [], [])
