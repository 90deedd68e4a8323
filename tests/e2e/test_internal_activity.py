"""X10: internal activity never reaches a customer's browser; "Support is writing a reply…"
means a reply, and it goes the moment the reply lands."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket
from tests.e2e.test_agent_dashboard import record_frames

LIVE = 5_000
WRITING = re.compile(r'"support_writing_rx_state_":\s*(true|false)')


def writing_flags(frames: list[str]) -> list[bool]:
    return [m.group(1) == "true" for frame in frames for m in WRITING.finditer(frame)]


def test_typing_a_note_never_shows_support_writing_and_a_reply_clears_it(page, app, new_context):
    customer = new_context().new_page()
    frames = record_frames(customer)
    log_in(customer, create_user(app, name="Nell Notes"))
    number = submit_ticket(customer, subject="Notes", category="Other", description="Hi")

    log_in(page, create_user(app, name="Tom Typist", role=Role.agent), expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    page.locator("#internal-toggle").click()
    composer = page.get_by_label("Reply", exact=True)
    # Long enough for several (throttled) typing events and the page's presence heartbeats.
    composer.press_sequentially("Customer seems upset, NOTE-7Q2 check refunds", delay=60)
    page.get_by_role("button", name="Add internal note", exact=True).click()
    expect(page.locator(".internal-note")).to_have_count(1)
    # A later public event on the ticket: the customer's page has handled everything before it.
    page.get_by_role("button", name="Resolve").click()
    expect(customer.locator(".status-badge")).to_have_text("Resolved", timeout=LIVE)
    expect(customer.locator("#support-writing")).to_have_count(0)
    assert True not in writing_flags(frames)
    assert not [f for f in frames if "NOTE-7Q2" in f]

    # A public reply does show, and goes in the same update that brings the reply.
    page.locator("#internal-toggle").click()
    # Longer than the composer's 2 s typing throttle: the note's last typing event may be recent.
    composer.press_sequentially("We are on it, checking the refunds now", delay=80)
    expect(customer.locator("#support-writing")).to_be_visible(timeout=LIVE)
    page.get_by_role("button", name="Send", exact=True).click()
    reply = "We are on it, checking the refunds now"
    expect(customer.locator(".message-body").filter(has_text=reply)).to_be_visible(timeout=LIVE)
    landed = next(i for i, f in enumerate(frames) if reply in f and '"delta"' in f)
    shown = writing_flags(frames[: landed + 1])
    assert shown and shown[-1] is False  # hidden by the time the reply is shown
