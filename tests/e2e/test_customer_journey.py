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
from tests.mailbox import text_of


def test_a_new_customer_submits_a_ticket_and_replies_with_an_attachment(
    page, app, tmp_path, new_context
):
    email = unique_email("carla")
    register(page, app, name="Carla Customer", email=email)
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

    # The picker turns a file down by its type and says why, in the page's language.
    tool = tmp_path / "tool.exe"
    tool.write_bytes(b"MZ" + b"\x00" * 64)
    page.locator("#reply-files input[type=file]").set_input_files(str(tool))
    expect(page.get_by_text("Some files were not added")).to_be_visible()
    expect(page.get_by_text("tool.exe: this type of file is not accepted")).to_be_visible()
    expect(page.locator(".selected-file")).to_have_count(0)

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


def test_the_page_frame_serves_keyboard_users_and_known_emails(page, app):
    goto(page, "/register")
    # The first Tab stop skips the header's controls; the content is a <main> landmark.
    page.keyboard.press("Tab")
    expect(page.locator("#skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#main").get_by_label("Name")).to_be_focused()
    expect(page.locator("header")).to_have_count(1)

    # Registering an email that has an account reads exactly like a new one (X4, P2); the
    # owner gets a notice pointing to the login page instead of a code.
    email = create_user(app, name="Known Person")
    main = page.locator("#main")
    main.get_by_label("Name").fill("Known Person")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill("another long password")
    main.get_by_role("button", name="Create account").click()
    known_answer = page.locator("#register-notice").inner_text()
    assert known_answer == (
        f"We sent an email to {email}. Enter the 6-digit code from it to create your account."
    )
    [notice] = app.smtp.wait_for(email, subject_contains="You already have an account")
    assert f"{app.env['PUBLIC_URL']}/login" in text_of(notice)
    main.get_by_label("Verification code").fill("123456")
    main.get_by_role("button", name="Create account").click()
    expect(page.locator("#register-code-error")).to_contain_text("not correct")
    page.get_by_role("button", name="Change the details").click()
    expect(main.get_by_label("Name")).to_be_visible()

    assert page.request.get(f"{app.url}/favicon.ico").ok
