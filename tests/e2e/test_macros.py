"""Issue 15: macros. An administrator gives a saved reply actions; an agent applies it from a
ticket in one click: the reply is sent, the ticket resolved and tagged. The customer's browser,
open on the same ticket, never receives the macro's name (A5)."""

from __future__ import annotations

from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket
from tests.e2e.test_agent_dashboard import record_frames

TITLE = "Refund sent qx7w"
TAG = "refund-qx7w"


def test_an_agent_applies_a_macro_in_one_click(page, app, new_context):
    log_in(page, create_user(app, name="Ada Admin", role=Role.admin), expect_path=r"/admin/?$")
    goto(page, "/admin/replies")
    main = page.locator("#main")
    main.get_by_label("Title").fill(TITLE)
    main.get_by_label("Text in English").fill("Hello {customer_name}, your refund is on its way.")
    page.locator("#saved-reply-macro-status").click()
    page.get_by_role("option", name="Resolve").click()
    main.get_by_label("Add tags").fill("Refund-QX7W")
    page.locator("#saved-reply-shared").check()
    page.locator("#saved-reply-save").click()
    row = page.locator(".saved-reply-row").filter(has_text=TITLE)  # shared: other tests' too
    expect(row).to_have_count(1)
    expect(row.locator(".macro-summary")).to_have_text(f"Resolve · Tags: {TAG}")

    customer = new_context().new_page()
    frames = record_frames(customer)
    log_in(customer, create_user(app, name="Rita Customer"))
    number = submit_ticket(
        customer, subject="Refund please", category="Trading", description="Charged twice."
    )

    agent = new_context().new_page()
    log_in(agent, create_user(app, name="Olga Agent", role=Role.agent), expect_path=r"/admin/?$")
    goto(agent, f"/admin/tickets/{number}")
    agent.locator("#macros-button").click()
    agent.get_by_role("menuitem", name=TITLE).click()
    expect(agent.locator("#action-notice")).to_contain_text(f"Applied “{TITLE}”")
    expect(agent.locator(".message").last).to_contain_text("Hello Rita Customer, your refund")
    expect(agent.locator(".ticket-tag")).to_have_text([TAG])
    expect(agent.locator("#action-reopen")).to_be_visible()  # resolved
    expect(agent.locator("#history-panel")).to_contain_text(TAG)

    expect(customer.locator(".message").last).to_contain_text("your refund is on its way")
    assert frames, "the customer's page exchanged no frames"
    assert [f for f in frames if "qx7w" in f.lower()] == []
