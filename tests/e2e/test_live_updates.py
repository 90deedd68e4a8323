"""Issue 6: replies, status and presence appear without a reload, only where they may."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in, reply, submit_ticket
from tests.e2e.test_agent_dashboard import compose, record_frames
from tests.e2e.test_guest_journey import (
    code_from_email,
    confirmation_link,
    enter_code,
    send_code,
    submit_as_guest,
)

# Shorter than the pages' 10 s safety-net check: these must come from the live push.
LIVE = 5_000


def open_as_agent(page: Page, app, number: int, name: str = "Live Agent") -> None:
    log_in(page, create_user(app, name=name, role=Role.agent), expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    expect(page.locator("#ticket-subject")).to_be_visible()


def test_replies_and_status_reach_the_other_side_live_and_no_one_else(page, app, new_context):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Lena Live"))
    number = submit_ticket(
        customer, subject="Live ticket", category="Trading", description="Is anyone there?"
    )
    bystander = new_context().new_page()
    bystander_frames = record_frames(bystander)
    log_in(bystander, create_user(app, name="Ben Bystander"))
    submit_ticket(bystander, subject="Unrelated", category="Other", description="Mine")

    open_as_agent(page, app, number)

    # The agent types: the customer sees that support is writing, then it goes away.
    page.get_by_label("Reply", exact=True).press_sequentially("Hel", delay=30)
    expect(customer.locator("#support-writing")).to_be_visible(timeout=LIVE)
    page.get_by_label("Reply", exact=True).fill("")

    # The agent asks for information: the message and the status arrive without a reload.
    page.get_by_label("Reply", exact=True).fill("Which order id was it?")
    page.get_by_role("button", name="Send and request more information").click()
    expect(customer.locator(".message-body")).to_have_text(
        ["Is anyone there?", "Which order id was it?"], timeout=LIVE
    )
    expect(customer.locator(".status-badge")).to_have_text("Awaiting your reply", timeout=LIVE)
    expect(customer.locator("#support-writing")).to_have_count(0, timeout=15_000)

    # What the customer was typing survives live updates; their reply reaches the agent.
    customer.get_by_label("Reply").fill("Order 4711")
    compose(page, "Thanks, checking.", "Send")
    expect(customer.locator(".message-body")).to_have_count(3)
    expect(customer.get_by_label("Reply")).to_have_value("Order 4711")
    customer.get_by_role("button", name="Send").click()
    expect(page.locator(".message-body")).to_have_text(
        ["Is anyone there?", "Which order id was it?", "Thanks, checking.", "Order 4711"],
        timeout=LIVE,
    )
    expect(page.locator(".status-badge").first).to_have_text("Open")

    # Resolving shows on the customer's page and in their list.
    page.get_by_role("button", name="Resolve").click()
    expect(customer.locator(".status-badge")).to_have_text("Resolved", timeout=LIVE)

    # A4: the other customer's browser never received any of it.
    goto(bystander, "/tickets")
    joined = "\n".join(bystander_frames)
    for text in ("Which order id was it?", "Order 4711", "Live ticket", str(number)):
        assert text not in joined


def test_my_tickets_and_the_bell_update_live(page, app, new_context):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Bella Bell"))
    number = submit_ticket(customer, subject="Bell ticket", category="Account", description="Hello")
    goto(customer, "/tickets")
    row = customer.locator(".ticket-row").filter(has_text="Bell ticket")
    expect(row.locator(".status-badge")).to_have_text("Open")
    expect(customer.locator("#bell-count")).to_have_count(0)

    open_as_agent(page, app, number, name="Bell Agent")
    compose(page, "Here is the answer.", "Send")
    expect(customer.locator("#bell-count")).to_have_text("1", timeout=LIVE)
    expect(row.locator(".unread")).to_have_count(1)
    page.get_by_role("button", name="Resolve").click()
    expect(customer.locator(".ticket-row").filter(has_text="Bell ticket")).to_have_count(0)
    customer.locator("#tab-resolved").click()
    expect(
        customer.locator(".ticket-row").filter(has_text="Bell ticket").locator(".status-badge")
    ).to_have_text("Resolved")


def test_two_agents_see_each_other_on_a_ticket(page, app, new_context):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Cora Collision"))
    number = submit_ticket(customer, subject="Collision", category="Other", description="?")
    open_as_agent(page, app, number, name="Agent One")
    other = new_context().new_page()
    open_as_agent(other, app, number, name="Agent Two")
    expect(page.locator("#collaborators")).to_contain_text("Agent Two is viewing this ticket.")
    other.get_by_label("Reply", exact=True).press_sequentially("I'll take", delay=30)
    expect(page.locator(".collaborator.writing")).to_contain_text(
        "Agent Two is writing a reply", timeout=LIVE
    )
    other.close()
    expect(page.locator("#collaborators")).to_have_count(0, timeout=15_000)


def test_a_verified_guest_page_is_live_too(page, app, new_context):
    email = "guest-live@example.com"
    number = submit_as_guest(
        page, name="Gus Guest", email=email, subject="Guest live", description="Waiting for news"
    )
    page.goto(confirmation_link(app, email, number))
    send_code(page)
    enter_code(page, code_from_email(app, email))
    page.wait_for_url(re.compile(rf"/tickets/{number}/?$"))
    expect(page.locator(".message-body")).to_have_text(["Waiting for news"])

    agent = new_context().new_page()
    open_as_agent(agent, app, number, name="Guest Agent")
    compose(agent, "News for you.", "Send")
    expect(page.locator(".message-body")).to_have_text(
        ["Waiting for news", "News for you."], timeout=LIVE
    )
    reply(page, "Great, thanks")
    expect(agent.locator(".message-body")).to_have_text(
        ["Waiting for news", "News for you.", "Great, thanks"], timeout=LIVE
    )


def test_tabs_woken_by_one_event_each_get_only_their_own_sessions_view(page, app, new_context):
    """Fan-out (A4, A5): the open conversations one event wakes re-read together, yet each
    tab gets what its own session may see: the owner's tabs the reply and never the internal
    note, a tab whose session was revoked nothing, another customer's tab nothing."""
    from support_portal.db import session_scope
    from support_portal.services import sessions

    email = create_user(app, name="Tia Tabs")
    tabs = [new_context().new_page() for _ in range(3)]
    frames = [record_frames(tab) for tab in tabs]
    for tab in tabs:
        log_in(tab, email)  # three sessions of one customer
    number = submit_ticket(tabs[0], subject="Many tabs", category="Other", description="Watching")
    for tab in tabs[1:]:
        goto(tab, f"/tickets/{number}")
    other = new_context().new_page()
    other_frames = record_frames(other)
    log_in(other, create_user(app, name="Oscar Other"))
    goto(other, f"/tickets/{number}")
    expect(other.get_by_text("We could not find that ticket.")).to_be_visible()
    revoked = next(c["value"] for c in tabs[2].context.cookies() if c["name"] == "sp_session")
    engine = app.engine()
    try:
        with session_scope(engine) as db:  # ended on the server, as by a logout elsewhere
            sessions.revoke_session(db, session_token=revoked)
    finally:
        engine.dispose()

    open_as_agent(page, app, number)
    page.locator("#internal-toggle").click()
    expect(page.locator("#internal-toggle")).to_have_attribute("data-state", "checked")
    compose(page, "Note 8ZT4 for the team only", "Add internal note")
    page.locator("#internal-toggle").click()
    expect(page.locator("#internal-toggle")).to_have_attribute("data-state", "unchecked")
    compose(page, "Answer 3RW7 for the customer", "Send")

    for tab in tabs[:2]:
        expect(tab.locator(".message-body")).to_have_text(
            ["Watching", "Answer 3RW7 for the customer"], timeout=LIVE
        )
    # The answer came after the note: every tab has had both events by now.
    for seen in frames[:2]:
        assert not [f for f in seen if "8ZT4" in f]
    for seen in (frames[2], other_frames):
        assert not [f for f in seen if "8ZT4" in f or "3RW7" in f]


def test_an_agent_page_stops_at_the_next_event_once_its_user_is_no_longer_an_agent(
    page, app, new_context
):
    """A2/A5 on the live path: the agent page's wake-up re-checks the role; a refusal ends the
    page (it showed the ticket on, and logged an error at every event, before)."""
    from sqlmodel import select

    from support_portal.db import session_scope
    from support_portal.models import User

    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Dora Demoted"))
    number = submit_ticket(customer, subject="Role change", category="Other", description="Hi")
    agent_email = create_user(app, name="Former Agent", role=Role.agent)
    frames = record_frames(page)
    log_in(page, agent_email, expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    expect(page.locator("#ticket-subject")).to_be_visible()
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            db.exec(select(User).where(User.email == agent_email)).one().role = Role.customer
    finally:
        engine.dispose()

    reply(customer, "Secret 6HV2 after the change")

    # The tab drops the ticket and every agent-only value (as when the session ends).
    expect(page.locator("#ticket-subject")).to_have_count(0, timeout=LIVE)
    assert not [f for f in frames if "6HV2" in f]
