"""Issue 15: an agent sets priority and tags on a ticket; the queue filters and sorts by them;
the customer's browser, open on the same ticket, never receives either (A5)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket
from tests.e2e.test_agent_dashboard import record_frames

TAG = "fraud-check-7q2x"


def test_priority_and_tags_stay_with_agents(page, app, new_context):
    customer = new_context().new_page()
    frames = record_frames(customer)
    log_in(customer, create_user(app, name="Cora Customer"))
    number = submit_ticket(
        customer, subject="Deposit missing", category="Trading", description="Sent yesterday."
    )

    log_in(page, create_user(app, name="Axel Agent", role=Role.agent), expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    page.locator("#priority-select").click()
    page.get_by_role("option", name="Urgent").click()
    expect(page.locator("#priority-select")).to_contain_text("Urgent")
    page.get_by_label("Add a tag").fill("  Fraud-Check-7Q2X ")
    page.get_by_label("Add a tag").press("Enter")
    expect(page.locator(".ticket-tag")).to_have_text([TAG])
    expect(page.locator("#history-panel")).to_contain_text(TAG)

    # A reply reaches the customer's open page live: its frames flowed while labels changed.
    page.get_by_label("Reply", exact=True).fill("We are looking into it.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(customer.locator(".message").last).to_contain_text("We are looking into it.")

    goto(page, "/admin")
    page.get_by_role("tab", name=re.compile(r"^Mine")).click()  # replying assigned it
    expect(page.locator(".queue-row")).to_have_count(1)
    page.locator("#queue-sort").click()
    page.get_by_role("option", name="Priority").click()
    expect(page.locator(".priority-badge").first).to_have_text("Urgent")
    page.locator("#queue-search").fill(f"tag:{TAG}")
    page.locator("#queue-search").press("Enter")
    expect(page.locator(".queue-row")).to_have_count(1)

    assert frames, "the customer's page exchanged no frames"
    leaked = [f for f in frames if TAG in f.lower() or "priority" in f.lower()]
    assert leaked == []
