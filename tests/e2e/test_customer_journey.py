"""A logged-in customer: register, submit, list, open, reply with an attachment (issue 2)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import (
    create_user,
    goto,
    log_in,
    register,
    reply,
    submit_ticket,
    unique_email,
)


def test_a_new_customer_submits_a_ticket_and_replies_with_an_attachment(
    page, app, tmp_path, new_context
):
    email = unique_email("carla")
    register(page, name="Carla Customer", email=email)
    page.get_by_role("link", name="Skip for now").click()
    page.wait_for_url(re.compile(r"/tickets/?$"))
    expect(page.get_by_text("You have no open tickets.")).to_be_visible()
    expect(page.locator("#ticket-pager")).to_have_count(0)  # no other page to go to

    goto(page, "/tickets/new")  # the Category label names the select's button
    expect(page.get_by_role("combobox", name="Category")).to_have_attribute("id", "category")

    number = submit_ticket(
        page,
        subject="Withdrawal stuck",
        category="Deposits and withdrawals",
        description="Withdrawal 0x77 pending since 10:00 UTC",
    )
    expect(page.locator(".status-badge")).to_have_text("Open")
    expect(page.locator(".message-body")).to_have_text(["Withdrawal 0x77 pending since 10:00 UTC"])

    screenshot = tmp_path / "screenshot.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    reply(page, "Here is a screenshot", files=[str(screenshot)])
    expect(page.locator(".message").last.locator(".attachment-name")).to_have_text("screenshot.png")

    goto(page, "/tickets")
    row = page.locator(".ticket-row").filter(has_text="Withdrawal stuck")
    expect(row).to_be_visible()
    expect(row.locator(".status-badge")).to_have_text("Open")

    # A search narrows the list, not the tab counts.
    page.get_by_label("Search tickets").fill("no such ticket")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("No tickets match your search.")).to_be_visible()
    expect(page.get_by_role("tab", name="Open (1)")).to_be_visible()
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(page.get_by_label("Search tickets")).to_have_value("")
    row.click()
    page.wait_for_url(re.compile(rf"/tickets/{number}/?$"))
    expect(page.locator(".message-body")).to_have_count(2)

    # Someone else gets the same answer as for a ticket that does not exist (A1).
    other = new_context().new_page()
    log_in(other, create_user(app, name="Oscar Other"))
    goto(other, f"/tickets/{number}")
    expect(other.get_by_text("We could not find that ticket.")).to_be_visible()
    expect(other.get_by_text("Withdrawal stuck")).to_have_count(0)
    goto(other, "/tickets/99999999")
    expect(other.get_by_text("We could not find that ticket.")).to_be_visible()
