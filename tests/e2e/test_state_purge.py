"""X2, A5, A6: a tab's old Reflex client token, replayed after logout or session expiry, gets
none of the previous viewer's data back.

A browser's tab keeps its Reflex token in sessionStorage; Reflex keeps the tab's state on the
server under it. Here the token is read from the tab, the viewer logs out (or the session ends
on the server), and a raw Socket.IO client connects with that token and hydrates as a
reconnecting tab would. Every frame it receives is searched for the previous viewer's data.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from datetime import timedelta

from playwright.sync_api import Page, expect
from reflex.state import State
from reflex_base.utils.format import format_event_handler
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import AuthSession, Role, utcnow
from support_portal.services.security import token_hash
from support_portal.states.agent_ticket import AgentTicketState
from support_portal.states.ticket import TicketState
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket
from tests.e2e.test_agent_dashboard import compose
from tests.e2e.test_agent_handlers_security import RawClient, session_cookie
from tests.e2e.test_guest_journey import (
    code_from_email,
    confirmation_link,
    enter_code,
    send_code,
    submit_as_guest,
)

HYDRATE_EVENTS = [
    format_event_handler(State.event_handlers[n]) for n in ("hydrate_and_load", "hydrate")
]


def tab_token(page: Page) -> str:
    token = page.evaluate("window.sessionStorage.getItem('token')")
    assert token
    return token


def replay(app, token: str, path: str, cookie: str | None = None, **query: str) -> str:
    """Connect with the tab's old token (as its reconnect would) and hydrate; returns every
    frame received, as text. Retries while the server still counts the old tab as connected
    (it would hand out a new token, and the replay would prove nothing)."""
    deadline = time.monotonic() + 20
    while True:
        client = RawClient(app.url, cookie, token=token)
        try:
            for name in HYDRATE_EVENTS:
                client.emit(name, {}, path, **query)
            client.settle(path)
        finally:
            client.close()
        if not client.new_tokens:
            return json.dumps(client.received)
        assert time.monotonic() < deadline, "the old tab never disconnected"
        time.sleep(0.2)


def assert_none_of(frames: str, *secrets_: str) -> None:
    leaked = [s for s in secrets_ if s in frames]
    assert not leaked, f"the replayed token received {leaked}"


def log_out(page: Page) -> None:
    page.locator("#account-menu").click()
    page.locator("#logout").click()
    page.wait_for_url(re.compile(r"/login"))


def test_an_agents_old_token_after_logout_gets_no_ticket_view(page, app, new_context):
    mark = secrets.token_hex(3)
    customer_email = f"cora-{mark}@example.com"
    customer = new_context().new_page()
    log_in(customer, create_user(app, name=f"Cora Customer {mark}", email=customer_email))
    number = submit_ticket(
        customer, subject=f"Subject {mark}", category="Other", description=f"History {mark}"
    )

    agent_email = create_user(app, name=f"Alma Agent {mark}", role=Role.agent)
    log_in(page, agent_email, expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    page.locator("#internal-toggle").click()
    compose(page, f"Internal note {mark}", "Add internal note")
    expect(page.locator(".internal-note")).to_have_count(1)
    expect(page.locator("#main")).to_contain_text(customer_email)
    token = tab_token(page)
    log_out(page)

    frames = replay(app, token, f"/admin/tickets/{number}", number=str(number))
    assert AgentTicketState.get_full_name() in frames  # the hydrate answered with the tree
    assert_none_of(
        frames,
        f"Internal note {mark}",
        customer_email,
        f"Cora Customer {mark}",
        f"Subject {mark}",
        f"History {mark}",
        f"Alma Agent {mark}",
        agent_email,
    )


def test_a_customers_old_token_after_logout_gets_nothing_of_theirs(page, app):
    mark = secrets.token_hex(3)
    email = f"cid-{mark}@example.com"
    log_in(page, create_user(app, name=f"Cid Customer {mark}", email=email))
    number = submit_ticket(
        page, subject=f"Private {mark}", category="Other", description=f"My story {mark}"
    )
    token = tab_token(page)
    log_out(page)

    frames = replay(app, token, f"/tickets/{number}", number=str(number))
    assert TicketState.get_full_name() in frames
    assert_none_of(frames, f"Private {mark}", f"My story {mark}", email, f"Cid Customer {mark}")


def test_a_guests_old_token_after_leaving_gets_nothing_of_theirs(page, app):
    mark = secrets.token_hex(3)
    email = f"gil-{mark}@example.com"
    number = submit_as_guest(
        page,
        name=f"Gil Guest {mark}",
        email=email,
        subject=f"Guest subject {mark}",
        description=f"Guest story {mark}",
    )
    page.goto(confirmation_link(app, email, number))
    send_code(page)
    enter_code(page, code_from_email(app, email))
    page.wait_for_url(re.compile(rf"/tickets/{number}/?$"))
    expect(page.locator(".message-body")).to_have_text([f"Guest story {mark}"])
    token = tab_token(page)
    page.locator("#guest-leave").click()
    page.wait_for_url(re.compile(r"/$|/\?"))

    frames = replay(app, token, f"/tickets/{number}", number=str(number))
    assert TicketState.get_full_name() in frames
    assert_none_of(
        frames, f"Guest subject {mark}", f"Guest story {mark}", email, f"Gil Guest {mark}"
    )


def test_after_the_session_expires_even_the_old_cookie_and_token_get_nothing(page, app):
    mark = secrets.token_hex(3)
    email = f"eve-{mark}@example.com"
    log_in(page, create_user(app, name=f"Eve Expired {mark}", email=email))
    number = submit_ticket(
        page, subject=f"Expiring {mark}", category="Other", description=f"Before expiry {mark}"
    )
    token, cookie = tab_token(page), session_cookie(page)
    page.goto("about:blank")  # the tab goes away without logging out

    # The session ends on the server (its absolute lifetime is over).
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            record = db.exec(
                select(AuthSession).where(
                    AuthSession.token_hash == token_hash(cookie.split("=", 1)[1])
                )
            ).one()
            record.expires_at = utcnow() - timedelta(seconds=1)
    finally:
        engine.dispose()

    frames = replay(app, token, f"/tickets/{number}", cookie=cookie, number=str(number))
    assert TicketState.get_full_name() in frames
    assert_none_of(frames, f"Expiring {mark}", f"Before expiry {mark}", email)
