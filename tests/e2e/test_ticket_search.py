"""Issue 14: "My tickets" search looks in all the customer's tickets, whatever the tab, and the
tab and search live in the address (reload and Back keep them)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import Role, User
from support_portal.services import agent, sessions, tickets
from tests.e2e.helpers import create_user, log_in, ready


def viewer_for(db, email: str):
    user_id = db.exec(select(User.id).where(User.email == email)).one()
    token = sessions.create_login_ticket(db, user_id=user_id)
    session_token, _, _ = sessions.exchange_login_ticket(db, token=token)
    return sessions.viewer_for_token(db, session_token=session_token)


def make_tickets(app, customer_email: str) -> dict[str, int]:
    """Three tickets of the customer: one open, one resolved, one closed."""
    agent_email = create_user(app, name="Sam Searcher", role=Role.agent)
    numbers = {}
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            customer = viewer_for(db, customer_email)
            for label in ("open", "resolved", "closed"):
                numbers[label] = tickets.create_ticket(
                    db,
                    viewer=customer,
                    subject=f"Payout question ({label})",
                    category="deposits_withdrawals",
                    description="Where is my payout?",
                ).number
        with session_scope(engine) as db:
            staff = viewer_for(db, agent_email)
            agent.change_status(db, viewer=staff, number=numbers["resolved"], action="resolve")
            agent.change_status(db, viewer=staff, number=numbers["closed"], action="close")
    finally:
        engine.dispose()
    return numbers


def test_a_closed_tickets_number_is_found_from_the_open_tab_and_the_address_keeps_it(page, app):
    email = create_user(app, name="Petra Payout")
    numbers = make_tickets(app, email)
    log_in(page, email)
    rows = page.locator(".ticket-row")
    expect(page.get_by_role("tab", name=re.compile(r"^Open"))).to_have_attribute(
        "aria-selected", "true"
    )
    expect(rows).to_have_count(1)

    search = page.get_by_label("Search tickets")
    search.fill(str(numbers["closed"]))
    search.press("Enter")
    page.wait_for_url(re.compile(rf"/tickets/?\?q={numbers['closed']}$"))
    ready(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(str(numbers["closed"]))
    expect(rows.first.locator(".status-badge")).to_have_text("Closed")
    expect(page.locator("#search-scope")).to_be_visible()

    # The subject finds all three, each with its status.
    search.fill("payout question")
    search.press("Enter")
    page.wait_for_url(re.compile(r"\?q=payout\+question$"))
    ready(page)
    expect(rows).to_have_count(3)
    for label, status in (("open", "Open"), ("resolved", "Resolved"), ("closed", "Closed")):
        row = rows.filter(has_text=str(numbers[label]))
        expect(row.locator(".status-badge")).to_have_text(status)

    # Reload keeps the search; Back goes to the previous search, then to the tab.
    page.reload()
    ready(page)
    expect(search).to_have_value("payout question")
    expect(rows).to_have_count(3)
    page.go_back()
    page.wait_for_url(re.compile(rf"\?q={numbers['closed']}$"))
    expect(search).to_have_value(str(numbers["closed"]))
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".status-badge")).to_have_text("Closed")

    # A tab lists its own tickets again, and is in the address too.
    page.locator("#tab-closed").click()
    page.wait_for_url(re.compile(r"/tickets/?\?tab=closed$"))
    expect(rows).to_have_count(1)  # the resolved one has its own tab
    expect(search).to_have_value("")
    page.reload()
    ready(page)
    expect(page.locator("#tab-closed")).to_have_attribute("aria-selected", "true")
    expect(rows).to_have_count(1)
    page.go_back()
    page.wait_for_url(re.compile(rf"\?q={numbers['closed']}$"))
    expect(rows).to_have_count(1)

    # A resolved ticket, which can still be answered, has its own tab (issue 14).
    page.locator("#tab-resolved").click()
    page.wait_for_url(re.compile(r"/tickets/?\?tab=resolved$"))
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".status-badge")).to_have_text("Resolved")
    expect(page.locator("#tab-resolved")).to_contain_text("(1)")


def test_an_agent_finds_a_ticket_by_a_phrase_in_a_message_and_sees_where_it_matched(page, app):
    """Issue 19: the queue search reads message bodies and shows the matching excerpt."""
    customer_email = create_user(app, name="Mira Message")
    agent_email = create_user(app, name="Sid Snippet", role=Role.agent)
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            number = tickets.create_ticket(
                db,
                viewer=viewer_for(db, customer_email),
                subject="Deposit not credited",
                category="deposits_withdrawals",
                description="The bank shows it left with reference QX-7781-PLUM on Monday.",
            ).number
    finally:
        engine.dispose()

    log_in(page, agent_email, expect_path=r"/admin/?$")
    page.get_by_label("Search tickets").fill("reference QX-7781")
    page.get_by_role("button", name="Search", exact=True).click()
    rows = page.locator("#queue-table .queue-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-number", str(number))
    snippet = rows.first.locator(".search-snippet")
    expect(snippet).to_contain_text("it left with reference QX-7781-PLUM on Monday")
    expect(snippet.locator("mark")).to_have_text("reference QX-7781")
