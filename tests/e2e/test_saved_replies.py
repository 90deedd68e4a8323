"""Issue 15: saved replies. An administrator writes a shared reply in two languages; an agent
inserts it into a Czech customer's ticket with the keyboard, in Czech, placeholders filled."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import select, update

from support_portal.db import session_scope
from support_portal.models import Role, SavedReply, Ticket, User
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket, unique_email


def write_reply(page: Page, title: str, english: str, czech: str, *, shared: bool) -> None:
    main = page.locator("#main")
    main.get_by_label("Title").fill(title)
    main.get_by_label("Text in English").fill(english)
    main.get_by_label("Text in Czech").fill(czech)
    if shared:
        page.locator("#saved-reply-shared").check()
    page.locator("#saved-reply-save").click()


def test_a_shared_saved_reply_is_inserted_in_the_customers_language(page, app, new_context):
    admin_email = create_user(app, name="Ada Admin", role=Role.admin)
    log_in(page, admin_email, expect_path=r"/admin/?$")
    goto(page, "/admin/replies")
    # Shared replies of other tests may be listed (one app for the whole run): none is ours yet.
    expect(page.locator("#saved-replies")).to_be_visible()
    expect(page.locator(".saved-reply-row").filter(has_text="Greeting")).to_have_count(0)

    # An unknown placeholder is refused under its field; nothing is saved.
    write_reply(page, "Greeting", "Hello {custmer_name}", "", shared=True)
    expect(page.locator("#main")).to_contain_text("Unknown placeholder {custmer_name}")
    greeting = page.locator(".saved-reply-row").filter(has_text="Greeting")
    expect(greeting).to_have_count(0)

    write_reply(
        page,
        "Greeting",
        "Hello {customer_name}, we are on ticket {ticket_number}. {agent_name}",
        "Dobrý den, {customer_name}, řešíme tiket {ticket_number}. {agent_name}",
        shared=True,
    )
    expect(greeting).to_have_count(1)
    expect(greeting).to_contain_text("Shared")

    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Petr Novák", email=unique_email("petr")))
    number = submit_ticket(
        customer, subject="Výběr nedorazil", category="Trading", description="Kde jsou peníze?"
    )
    engine = app.engine()
    try:
        with session_scope(engine) as db:  # a Czech customer (the ticket keeps their language)
            db.exec(update(Ticket).where(Ticket.number == number).values(locale="cs"))
            db.exec(update(User).where(User.name == "Petr Novák").values(locale="cs"))
    finally:
        engine.dispose()

    agent = new_context().new_page()
    log_in(agent, create_user(app, name="Otto Agent", role=Role.agent), expect_path=r"/admin/?$")
    goto(agent, f"/admin/tickets/{number}")
    agent.get_by_label("Reply", exact=True).fill("Hi. ")
    agent.locator("#saved-replies-button").click()
    search = agent.locator("#reply-search")
    expect(search).to_be_focused()
    search.fill("greet")
    expect(agent.locator(".reply-choice")).to_have_count(1)
    search.press("Enter")
    expected = f"Hi. Dobrý den, Petr Novák, řešíme tiket {number}. Otto Agent"
    expect(agent.get_by_label("Reply", exact=True)).to_have_value(expected)
    expect(agent.locator("#reply-search")).to_have_count(0)  # the picker closed

    agent.get_by_role("button", name="Send", exact=True).click()
    expect(customer.locator(".message").last).to_contain_text("řešíme tiket")

    engine = app.engine()
    try:
        with session_scope(engine) as db:
            used = select(SavedReply.usage_count).where(SavedReply.title == "Greeting")
            assert db.exec(used).one() == 1
    finally:
        engine.dispose()


def test_customers_do_not_reach_saved_replies(page, app):
    log_in(page, create_user(app, name="Carla Customer"))
    goto(page, "/admin/replies")
    expect(page.locator("#not-found")).to_be_visible()
    expect(page.locator("#saved-replies")).to_have_count(0)
