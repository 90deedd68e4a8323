"""Issue 14: a customer marks their own ticket resolved, then closes it; the page follows."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import create_user, log_in, submit_ticket


def test_a_customer_resolves_then_closes_their_ticket(page, app):
    log_in(page, create_user(app, name="Rita Resolver"))
    submit_ticket(page, subject="Found it myself", category="Trading", description="Never mind.")
    page.locator("#mark-resolved").click()
    expect(page.locator("#ticket-status")).to_contain_text("Resolved")
    expect(page.locator("#status-notice")).to_contain_text("Marked as resolved")
    expect(page.locator("#mark-resolved")).to_have_count(0)
    page.locator("#close-ticket").click()
    expect(page.locator("#ticket-status")).to_contain_text("Closed")
    expect(page.locator("#closed-notice")).to_be_visible()
    expect(page.locator("#close-ticket")).to_have_count(0)
