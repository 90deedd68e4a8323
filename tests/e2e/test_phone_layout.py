"""Issue 14 (minor): a long attachment name never widens a phone's page, and on a closed ticket
"Create a follow-up" is the page's primary button."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from support_portal.db import session_scope
from support_portal.models import Role
from support_portal.services import agent, attachments, tickets
from tests.e2e.helpers import create_user, goto, log_in
from tests.e2e.test_ticket_search import viewer_for

LONG_NAME = "bank-statement-" + "x" * 101 + ".txt"  # 120 characters, no space to break at
PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_120_character_file_name_does_not_scroll_a_phone_sideways(page, app, tmp_path):
    assert len(LONG_NAME) == 120
    email = create_user(app, name="Lena Longname")
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            number = tickets.create_ticket(
                db,
                viewer=viewer_for(db, email),
                subject="Statement",
                category="account",
                description="Attached.",
                files=[attachments.IncomingFile(filename=LONG_NAME, data=b"statement\n")],
            ).number
    finally:
        engine.dispose()
    page.set_viewport_size(PHONE)
    log_in(page, email)
    goto(page, f"/tickets/{number}")
    expect(page.locator(".attachment-name")).to_have_text([LONG_NAME])
    assert page_width(page) <= PHONE["width"]

    # The same name chosen in the reply box.
    chosen = tmp_path / LONG_NAME
    chosen.write_text("more\n")
    page.locator("#reply-files input[type=file]").set_input_files([str(chosen)])
    expect(page.locator(".selected-file")).to_have_count(1)
    assert page_width(page) <= PHONE["width"]


def ticket_then(app, email: str, subject: str, then) -> int:
    """A ticket of `email`'s, then `then(db, number)` in a second transaction."""
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            number = tickets.create_ticket(
                db,
                viewer=viewer_for(db, email),
                subject=subject,
                category="account",
                description="Hello.",
            ).number
        with session_scope(engine) as db:
            then(db, number)
    finally:
        engine.dispose()
    return number


def test_create_a_follow_up_is_the_primary_button_on_a_closed_ticket(page, app):
    email = create_user(app, name="Fred Followup")
    staff_email = create_user(app, name="Cleo Closer", role=Role.agent)
    number = ticket_then(
        app,
        email,
        "Old question",
        lambda db, number: agent.change_status(
            db, viewer=viewer_for(db, staff_email), number=number, action="close"
        ),
    )
    log_in(page, email)
    goto(page, f"/tickets/{number}")
    button = page.locator("#create-follow-up")
    expect(button).to_be_visible()
    accents = button.evaluate(
        """(el) => [
            el.closest('[data-accent-color]:not([data-accent-color=""])').dataset.accentColor,
            document.querySelector('.radix-themes').dataset.accentColor,
        ]"""
    )
    assert accents[0] == accents[1] != "gray", accents
    assert "rt-variant-solid" in (button.get_attribute("class") or "")


def test_an_agent_on_a_phone_sees_who_and_whose_at_the_top(page, app):
    """The customer, the assignee and the priority come before the conversation on a phone;
    a link leads down to the full panels. On a wide screen the panels are beside it instead."""
    email = create_user(app, name="Paula Phone")
    staff_email = create_user(app, name="Adrian Assignee", role=Role.agent)
    number = ticket_then(
        app,
        email,
        "Phone summary",
        lambda db, number: agent.agent_reply(
            db, viewer=viewer_for(db, staff_email), number=number, body="On it."
        ),
    )
    page.set_viewport_size(PHONE)
    log_in(page, staff_email, expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    summary = page.locator("#phone-summary")
    expect(summary).to_contain_text("Paula Phone")
    expect(summary).to_contain_text("Adrian Assignee")
    expect(summary).to_contain_text("Normal")
    above = page.evaluate(
        "document.querySelector('#phone-summary').getBoundingClientRect().bottom"
        " < document.querySelector('#conversation').getBoundingClientRect().top"
    )
    assert above
    summary.get_by_role("link", name="Customer, assignee and history").click()
    expect(page.locator("#ticket-panels")).to_be_in_viewport()
    assert page_width(page) <= PHONE["width"]

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(summary).to_be_hidden()


def test_an_agents_side_panels_are_folded_on_a_phone_and_open_on_a_wide_screen(page, app):
    """On a phone each side panel is a heading button (collapsed); Enter or a tap opens that
    one alone. On a wide screen every panel is open, with plain headings."""
    email = create_user(app, name="Fiona Fold")
    staff_email = create_user(app, name="Gus Grid", role=Role.agent)
    number = ticket_then(
        app,
        email,
        "Folded panels",
        lambda db, number: agent.agent_reply(
            db, viewer=viewer_for(db, staff_email), number=number, body="Looking."
        ),
    )
    page.set_viewport_size(PHONE)
    log_in(page, staff_email, expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{number}")
    toggle = page.locator("#customer-panel").get_by_role("button", name="Customer", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "customer-panel-body")
    for body in ("customer", "assignment", "labels", "history"):
        expect(page.locator(f"#{body}-panel-body")).to_be_hidden()
    expect(page.locator("#customer-email")).to_be_hidden()

    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#customer-email")).to_be_visible()
    expect(page.locator("#customer-email")).to_have_text(email)
    expect(page.locator("#history-panel-body")).to_be_hidden()  # the others stay folded
    history = page.locator("#history-panel").get_by_role("button", name="History", exact=True)
    history.click()
    expect(page.locator(".history-entry").first).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#customer-email")).to_be_hidden()
    assert page_width(page) <= PHONE["width"]

    page.set_viewport_size({"width": 1280, "height": 800})
    for body in ("customer", "assignment", "labels", "merge", "history"):
        expect(page.locator(f"#{body}-panel-body")).to_be_visible()
    expect(page.locator("#customer-email")).to_be_visible()
    expect(page.get_by_role("heading", name="Customer", exact=True)).to_be_visible()
    expect(page.locator(".panel-toggle:visible")).to_have_count(0)


def test_the_phone_menu_names_my_tickets_once(page, app):
    page.set_viewport_size(PHONE)
    log_in(page, create_user(app, name="Menu Once"))
    page.locator("#mobile-menu").click()
    page.get_by_role("menuitem", name="Get help").click()
    expect(page.get_by_role("menuitem", name="Check your tickets")).to_be_visible()
    items = page.get_by_role("menuitem").all_inner_texts()
    assert [t for t in items if t.strip() in ("My tickets", "Check your tickets")] == [
        "Check your tickets"
    ], items
