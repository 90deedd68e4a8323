"""Issue 14: feedback while files upload. On Send the button goes busy at once and the text
locks; each file shows its percentage while it travels (a throttled connection); a refused
upload says why and keeps the text."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from support_portal.db import session_scope
from support_portal.services import tickets
from tests.e2e.helpers import create_user, goto, log_in
from tests.e2e.test_ticket_search import viewer_for

UPLOAD_BYTES_PER_SECOND = 256 * 1024


def open_ticket(app, email: str) -> int:
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            return tickets.create_ticket(
                db,
                viewer=viewer_for(db, email),
                subject="Statement upload",
                category="account",
                description="I will send the statement.",
            ).number
    finally:
        engine.dispose()


def throttle_uploads(page: Page) -> None:
    """Chromium's own network emulation: request bodies leave at this rate."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": UPLOAD_BYTES_PER_SECOND,
        },
    )


def test_a_throttled_upload_shows_a_busy_button_and_each_files_percentage(page, app, tmp_path):
    email = create_user(app, name="Ulla Upload")
    number = open_ticket(app, email)
    log_in(page, email)
    goto(page, f"/tickets/{number}")
    big = tmp_path / "statement.log"
    big.write_text("2026-12-01 deposit 0.5 ETH pending\n" * 70_000)  # about 2.4 MB: ~10 s
    small = tmp_path / "note.txt"
    small.write_text("see the statement\n")

    body = page.get_by_label("Reply")
    body.fill("Here is the statement")
    page.locator("#reply-files input[type=file]").set_input_files([str(big), str(small)])
    expect(page.locator(".selected-file")).to_have_count(2)
    throttle_uploads(page)
    send = page.locator("#send-button")
    send.click()

    # At once: busy, the text locked; then a real percentage of the big file, under 100.
    expect(send).to_be_disabled(timeout=2_000)
    expect(body).to_have_attribute("readonly", "")
    percent = page.locator(".upload-percent").filter(has_text="statement.log")
    expect(percent).to_have_text(re.compile(r"statement\.log: ([1-9]|[1-9][0-9])%$"))
    expect(send).to_be_disabled()
    expect(page.locator(".message")).to_have_count(2, timeout=60_000)
    expect(page.locator(".message").last.locator(".attachment-name")).to_have_text(
        ["statement.log", "note.txt"]
    )
    expect(body).to_have_value("")
    expect(body).not_to_have_attribute("readonly", "")
    expect(page.locator("#upload-items")).to_have_count(0)


def test_a_refused_upload_says_why_and_keeps_the_text(page, app, tmp_path):
    email = create_user(app, name="Rita Refused")
    number = open_ticket(app, email)
    log_in(page, email)
    goto(page, f"/tickets/{number}")
    note = tmp_path / "note.txt"
    note.write_text("details\n")

    # The session ends in another tab: the server refuses the upload before reading it.
    page.context.clear_cookies()
    body = page.get_by_label("Reply")
    body.fill("My reply that must not be lost")
    page.locator("#reply-files input[type=file]").set_input_files([str(note)])
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator("#send-error")).to_contain_text("Your session has ended")
    expect(body).to_have_value("My reply that must not be lost")
    expect(body).not_to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
    expect(page.locator(".message")).to_have_count(1)


def test_submitting_a_ticket_with_a_throttled_file_shows_progress_until_the_ticket_opens(
    page, app, tmp_path
):
    log_in(page, create_user(app, name="Nina Newticket"))
    goto(page, "/tickets/new")
    main = page.locator("#main")
    main.get_by_label("Subject").fill("Card statement")
    page.locator("#category").click()
    page.get_by_role("option", name="Account").click()
    main.get_by_label("Description").fill("The statement is attached.")
    big = tmp_path / "card.csv"
    big.write_text("date,amount\n" + "2026-12-01,10.00\n" * 120_000)  # about 2 MB
    page.locator("#ticket-files input[type=file]").set_input_files([str(big)])
    throttle_uploads(page)
    submit = page.locator("#submit-ticket")
    submit.click()

    expect(submit).to_be_disabled(timeout=2_000)
    expect(main.get_by_label("Description")).to_have_attribute("readonly", "")
    percent = page.locator(".upload-percent").filter(has_text="card.csv")
    expect(percent).to_have_text(re.compile(r"card\.csv: ([1-9]|[1-9][0-9])%$"))
    page.wait_for_url(re.compile(r"/tickets/\d+/?$"), timeout=60_000)
    expect(page.locator("#ticket-subject")).to_have_text("Card statement")
    expect(page.locator(".attachment-name")).to_have_text(["card.csv"])
