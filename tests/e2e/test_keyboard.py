"""Keyboard and reading helpers (issues 14 and 15): Ctrl+Enter sends, a long conversation
opens on its newest message, a message arriving while the reader is scrolled up shows a
"New message" button, and the agents' shortcuts (j/k, Enter, r, n, /, ?) work but never while
typing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from support_portal.models import Role
from support_portal.services import agent as agent_service
from tests.e2e.helpers import create_user, goto, log_in, ready
from tests.e2e.test_agent_dashboard import compose
from tests.e2e.test_notifications import in_app_db, open_ticket, viewer_for

pytestmark = pytest.mark.e2e
LIVE = 5_000
NEWEST_IN_VIEW = (
    "() => { const m = [...document.querySelectorAll('.message')].pop();"
    " const r = m.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }"
)


def in_viewport(page: Page, selector: str) -> bool:
    return page.locator(selector).evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; }"
    )


def long_conversation(app, customer_email: str, agent_email: str, messages: int = 25) -> int:
    customer = viewer_for(app, customer_email)
    agent = viewer_for(app, agent_email)
    number = open_ticket(app, customer, "A long story")
    for i in range(messages):
        in_app_db(
            app,
            lambda db, i=i: agent_service.agent_reply(
                db, viewer=agent, number=number, body=f"Step {i}: " + "details " * 40
            ),
        )
    return number


def test_ctrl_enter_sends_the_reply(page, app):
    log_in(page, create_user(app, name="Kim Keys"))
    goto(page, "/tickets/new")
    page.locator("#main").get_by_label("Subject").fill("Keyboard user")
    page.locator("#category").click()
    page.get_by_role("option", name="Trading").click()
    page.get_by_label("Description").fill("I use the keyboard.")
    page.locator("#main").get_by_role("button", name="Submit ticket").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/?$"))
    box = page.get_by_label("Reply")
    box.fill("Sent with Ctrl+Enter")
    box.press("Control+Enter")
    expect(page.locator(".message-body").last).to_have_text("Sent with Ctrl+Enter")
    expect(box).to_have_value("")
    # The customer's own messages are "You"; the exact time is reachable by keyboard.
    expect(page.locator(".message .author")).to_have_text(["You", "You"])
    page.locator(".message-time").last.focus()
    expect(page.get_by_role("tooltip")).to_contain_text(re.compile(r"\d{4}"))


def test_a_long_conversation_opens_on_the_newest_and_shows_new_messages(page, app, new_context):
    customer_email = create_user(app, name="Rita Reader")
    agent_email = create_user(app, name="Sam Scroll", role=Role.agent)
    number = long_conversation(app, customer_email, agent_email)

    log_in(page, customer_email)
    goto(page, f"/tickets/{number}")
    expect(page.locator(".message-body").last).to_contain_text("Step 24")
    page.wait_for_function(NEWEST_IN_VIEW)
    assert not in_viewport(page, "#ticket-subject")

    # The reader scrolls up to the start; the agent answers: a button offers the new message.
    page.evaluate("window.scrollTo(0, 0)")
    agent = new_context().new_page()
    log_in(agent, agent_email, expect_path=r"/admin/?$")
    goto(agent, f"/admin/tickets/{number}")
    compose(agent, "Here is the answer.", "Send")
    pill = page.get_by_role("button", name=re.compile("New message"))
    expect(pill).to_be_visible(timeout=LIVE)
    assert in_viewport(page, "#ticket-subject")  # reading where they were, not moved
    pill.click()
    expect(pill).to_have_count(0)
    expect(page.locator(".message-body").last).to_have_text("Here is the answer.")
    page.wait_for_function(NEWEST_IN_VIEW)


def test_agent_shortcuts_move_through_the_queue_and_the_ticket(page, app):
    customer = viewer_for(app, create_user(app, name="Queue Customer"))
    open_ticket(app, customer, "Shortcut one")
    open_ticket(app, customer, "Shortcut two")
    log_in(page, create_user(app, name="Kay Keyboard", role=Role.agent), expect_path=r"/admin/?$")
    expect(page.locator(".queue-row").first).to_be_visible()

    # "?" lists the shortcuts; Escape closes the list.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#shortcuts-list")).to_contain_text("Next ticket in the queue")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # Typing in the search box is typing, not shortcuts.
    search = page.locator("#queue-search")
    search.fill("")
    search.press("j")
    expect(search).to_have_value("j")
    search.fill("")
    page.locator("body").click(position={"x": 1, "y": 1})

    # j moves down the rows (focus), k back up, Enter opens the focused ticket.
    subjects = page.locator("#queue-table .queue-row .ticket-subject")
    page.keyboard.press("j")
    expect(subjects.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(subjects.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(subjects.nth(0)).to_be_focused()
    target = subjects.nth(0).inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/tickets/\d+/?$"))
    ready(page)
    expect(page.locator("#ticket-subject")).to_have_text(target)

    # n: an internal note, focused; r: back to a reply; "/" at the start opens saved replies.
    page.locator("body").click(position={"x": 1, "y": 1})
    page.keyboard.press("n")
    expect(page.locator("#internal-toggle")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_label("Reply", exact=True)).to_be_focused()
    expect(page.locator("#send-button")).to_have_attribute("data-accent-color", "amber")
    page.locator("body").click(position={"x": 1, "y": 1})
    page.keyboard.press("r")
    expect(page.locator("#internal-toggle")).to_have_attribute("aria-checked", "false")
    box = page.get_by_label("Reply", exact=True)
    expect(box).to_be_focused()
    box.press("/")
    expect(page.locator("#reply-search")).to_be_visible()
    expect(box).to_have_value("")
    page.keyboard.press("Escape")
    box.fill("See https://example.com/help")  # a "/" inside text stays text
    expect(box).to_have_value("See https://example.com/help")
    expect(page.locator("#reply-search")).to_have_count(0)
