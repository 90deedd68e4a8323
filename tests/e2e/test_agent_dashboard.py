"""Issue 3: an agent works a customer's ticket from the dashboard.

The customer's browser records every websocket frame: the agent's internal note must never
be in one (A5), while the public replies are.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, WebSocket, expect
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import Message, Role, Ticket
from tests.e2e.helpers import create_user, goto, log_in, ready, reply, submit_ticket

NOTE = "Internal: customer looks like a known fraud pattern 7Q2X"
ANSWER = "We are checking the trade with our broker."
QUESTION = "Please send us the order id of the trade."


def record_frames(page: Page) -> list[str]:
    """Every websocket frame the page sends or receives, as text."""
    frames: list[str] = []

    def on_socket(ws: WebSocket) -> None:
        def keep(payload: str | bytes) -> None:
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            frames.append(text)

        ws.on("framereceived", keep)
        ws.on("framesent", keep)

    page.on("websocket", on_socket)
    return frames


def compose(page: Page, text: str, button: str, files: list[str] | None = None) -> None:
    before = page.locator(".message").count()
    page.get_by_label("Reply", exact=True).fill(text)
    if files:
        page.locator("#reply-files input[type=file]").set_input_files(files)
        expect(page.locator(".selected-file")).to_have_count(len(files))
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".message")).to_have_count(before + 1)
    expect(page.get_by_label("Reply", exact=True)).to_have_value("")


def test_an_agent_answers_a_customer_from_the_dashboard(page, app, new_context, tmp_path):
    customer = new_context().new_page()
    frames = record_frames(customer)
    log_in(customer, create_user(app, name="Carl Customer"))
    number = submit_ticket(
        customer,
        subject="Stop loss did not trigger",
        category="Trading",
        description="My stop loss at 1.0850 was skipped.",
    )

    # The agent logs in, lands on the queue and finds the ticket by its number.
    log_in(page, create_user(app, name="Alma Agent", role=Role.agent), expect_path=r"/admin/?$")
    page.get_by_label("Search tickets").fill(str(number))
    page.get_by_role("button", name="Search", exact=True).click()
    row = page.locator("#queue-table .queue-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Carl Customer")
    expect(row.locator(".status-badge")).to_have_text("Open")
    row.get_by_role("link", name="Stop loss did not trigger").click()
    page.wait_for_url(re.compile(rf"/admin/tickets/{number}/?$"))
    ready(page)
    expect(page.locator("#customer-name")).to_have_text("Carl Customer")
    expect(page.locator(".message-body")).to_have_text(["My stop loss at 1.0850 was skipped."])

    # An internal note: visibly different for the agent.
    page.locator("#internal-toggle").click()
    expect(page.locator("#internal-toggle")).to_have_attribute("data-state", "checked")
    compose(page, NOTE, "Add internal note")
    expect(page.locator(".internal-note .message-body")).to_have_text(NOTE)

    # A public reply, then one that asks for more information.
    page.locator("#internal-toggle").click()
    expect(page.locator("#internal-toggle")).to_have_attribute("data-state", "unchecked")
    steps = tmp_path / "steps.pdf"
    steps.write_bytes(b"%PDF-1.4\n% steps to follow\n")
    compose(page, ANSWER, "Send", files=[str(steps)])
    answer = customer.locator(".message").filter(has_text=ANSWER)
    expect(answer).to_be_visible()
    # The agent's attachment reaches the customer live, and only through the checked route.
    expect(answer.locator(".attachment-name")).to_have_text("steps.pdf")
    href = answer.locator("a").filter(has_text="steps.pdf").get_attribute("href")
    assert href and href.startswith("/files/")
    assert customer.request.get(f"{app.url}{href}").body().startswith(b"%PDF")
    assert new_context().request.get(f"{app.url}{href}").status == 404
    compose(page, QUESTION, "Send and request more information")
    expect(page.locator("#ticket-status")).to_have_text("Awaiting customer")
    expect(customer.locator(".status-badge")).to_have_text("Awaiting your reply")
    expect(customer.locator("#awaiting-notice")).to_be_visible()

    # The customer answers: the agent sees it live, and the ticket is open again.
    reply(customer, "The order id is 4711.")
    expect(page.locator(".message-body").filter(has_text="4711")).to_be_visible()
    expect(page.locator("#ticket-status")).to_have_text("Open")

    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#ticket-status")).to_have_text("Resolved")
    expect(customer.locator(".status-badge")).to_have_text("Resolved")
    history = page.locator("#history-panel .history-entry")
    expect(history.filter(has_text="from Open to Awaiting customer")).to_have_count(1)
    expect(history.filter(has_text="from Open to Resolved")).to_have_count(1)
    expect(history.filter(has_text="Assigned to Alma Agent")).to_have_count(1)

    # The customer never sees the note: not on the page, not after a reload, in no frame (A5).
    goto(customer, f"/tickets/{number}")
    expect(customer.locator(".message-body")).to_have_count(4)
    expect(customer.get_by_text("7Q2X")).to_have_count(0)
    assert any(ANSWER in frame for frame in frames)
    assert not [frame for frame in frames if "7Q2X" in frame]

    engine = app.engine()
    try:
        with session_scope(engine) as db:
            ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
            messages = db.exec(
                select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
            ).all()
            assert [(m.author_kind, m.is_internal) for m in messages] == [
                ("customer", False),
                ("agent", True),
                ("agent", False),
                ("agent", False),
                ("customer", False),
            ]
            assert ticket.status == "resolved"
    finally:
        engine.dispose()


def test_the_queue_counts_views_and_sorts_by_waiting_time(page, app, new_context):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Quinn Queue"))
    first = submit_ticket(
        customer, subject="Queue first", category="Account", description="First one"
    )
    second = submit_ticket(
        customer, subject="Queue second", category="Account", description="Second one"
    )

    log_in(page, create_user(app, name="Vera Views", role=Role.agent), expect_path=r"/admin/?$")
    page.get_by_label("Search tickets").fill("Queue ")
    page.get_by_role("button", name="Search", exact=True).click()
    rows = page.locator("#queue-table .queue-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-number", str(second))  # newest activity first

    page.locator("#queue-sort").click()
    page.get_by_role("option", name="Reply due").click()
    expect(rows.first).to_have_attribute("data-number", str(first))  # due first: it waited longest
    expect(rows.first.locator(".waiting")).not_to_have_text("")

    # Nothing assigned to this agent yet; the empty view offers a search over all tickets.
    page.locator("#view-mine").click()
    expect(page.get_by_text("No tickets in this view match")).to_be_visible()
    page.locator("#search-all").click()
    expect(page.locator("#view-all")).to_have_attribute("data-state", "active")
    expect(rows).to_have_count(2)
    expect(rows.locator(".guest-badge")).to_have_count(0)  # both from an account

    # A ticket that changes elsewhere moves in this queue without a reload (live refresh).
    page.locator("#queue-sort").click()
    page.get_by_role("option", name="Last activity").click()
    expect(rows.first).to_have_attribute("data-number", str(second))
    goto(customer, f"/tickets/{first}")
    reply(customer, "Any news?")
    # Well before the 15 s safety-net refresh: the hub's event did it.
    expect(rows.first).to_have_attribute("data-number", str(first), timeout=5_000)


def test_customers_never_see_dashboard_pages(page, app):
    log_in(page, create_user(app, name="Cleo Curious"))
    for path in ("/admin", "/admin/tickets/12345678", "/admin/agents"):
        goto(page, path)
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.locator("#admin-nav")).to_have_count(0)


def test_anonymous_visitors_are_sent_to_log_in(page, app):
    page.goto("/admin")
    page.wait_for_url(re.compile(r"/login\?next=/admin/?$"))


def test_admins_add_and_deactivate_agents_and_plain_agents_may_not(page, app, new_context):
    log_in(page, create_user(app, name="Ada Admin", role=Role.admin), expect_path=r"/admin/?$")
    page.locator("#admin-nav").get_by_role("link", name="Agents").click()
    page.wait_for_url(re.compile(r"/admin/agents/?$"))
    ready(page)
    main = page.locator("#main")
    main.get_by_label("Name", exact=True).fill("Neil New")
    main.get_by_label("Email", exact=True).fill("neil.new@support.test")
    main.get_by_label("Password", exact=True).fill("a long enough password")
    main.get_by_role("button", name="Add agent").click()
    expect(page.locator("#agents-notice")).to_have_text("Neil New can now log in as an agent.")
    neil = page.locator(".agent-row").filter(has_text="neil.new@support.test")
    expect(neil).to_contain_text("Active")

    plain = new_context().new_page()
    log_in(plain, "neil.new@support.test", "a long enough password", expect_path=r"/admin/?$")
    expect(plain.locator("#admin-nav").get_by_role("link", name="Agents")).to_have_count(0)
    goto(plain, "/admin/agents")
    expect(plain.locator("#admin-only")).to_have_text("Only administrators can manage agents.")

    neil.get_by_role("button", name="Deactivate Neil New").click()
    expect(neil).to_contain_text("Deactivated")
    goto(plain, "/admin")  # the deactivated agent's session has ended
    plain.wait_for_url(re.compile(r"/login"))
    neil.get_by_role("button", name="Reactivate Neil New").click()
    expect(neil).to_contain_text("Active")


def test_an_agent_assigns_closes_and_reopens_and_sees_the_follow_up(page, app, new_context):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Fay Follow"))
    number = submit_ticket(customer, subject="Card blocked", category="Account", description="x")
    create_user(app, name="Bea Backup", role=Role.agent)

    log_in(page, create_user(app, name="Sam Shift", role=Role.agent), expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    history = page.locator("#history-panel .history-entry")
    page.locator("#assignee-select").click()
    page.get_by_role("option", name="Bea Backup").click()
    expect(history.filter(has_text="Assigned to Bea Backup")).to_have_count(1)
    expect(page.locator("#assignee-select")).to_have_text("Bea Backup")
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#assignee-select")).to_have_text("Sam Shift")
    expect(page.get_by_role("button", name="Assign to me")).to_have_count(0)

    # Closing asks first; then only Reopen is offered.
    page.get_by_role("button", name="Close", exact=True).click()
    page.get_by_role("button", name="Close ticket").click()
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    expect(page.locator("#status-actions").get_by_role("button")).to_have_text(["Reopen"])
    # No public reply on a closed ticket; an internal note is still possible.
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    page.locator("#internal-toggle").click()
    expect(page.get_by_role("button", name="Add internal note")).to_be_enabled()

    # The customer can only follow up; the agent sees both tickets linked.
    expect(customer.locator("#closed-notice")).to_be_visible()
    customer.locator("#create-follow-up").click()
    customer.wait_for_url(re.compile(r"/tickets/new\?follow_up="))
    ready(customer)
    customer.locator("#main").get_by_label("Subject").fill("Card still blocked")
    customer.get_by_label("Description").fill("Same problem again")
    customer.locator("#main").get_by_role("button", name="Submit ticket").click()
    customer.wait_for_url(re.compile(r"/tickets/\d+/?$"))
    follow_up = int(re.search(r"/tickets/(\d+)", customer.url).group(1))  # type: ignore[union-attr]

    goto(page, f"/admin/tickets/{follow_up}")
    related = page.locator("#related-panel")
    expect(related).to_contain_text(f"Follow-up to #{number}")
    related.get_by_role("link", name=f"#{number}").click()
    page.wait_for_url(re.compile(rf"/admin/tickets/{number}/?$"))
    expect(page.locator("#related-panel")).to_contain_text(f"#{follow_up}")
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator("#ticket-status")).to_have_text("Open")
    expect(page.locator("#action-notice")).to_have_text("The ticket is open again.")
