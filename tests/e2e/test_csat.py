"""CSAT (issue 16) in the browser: a guest answers "How did we do?" from the resolved email's
link without a code; a customer answers on the ticket page and the agent sees it; a customer
asking for ratings by handler name receives none (A5)."""

from __future__ import annotations

import json

from playwright.sync_api import expect
from sqlmodel import select

from support_portal.models import Role, SatisfactionSurvey, Ticket
from support_portal.states.agent_ticket import AgentTicketState
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket, unique_email
from tests.e2e.test_agent_handlers_security import RawClient, handler, session_cookie
from tests.e2e.test_guest_journey import in_db, submit_as_guest
from tests.mailbox import links_in


def resolve(app, new_context, number: int) -> None:
    """An agent resolves the ticket on the dashboard (the app's sender then mails at once)."""
    desk = new_context().new_page()
    log_in(desk, create_user(app, name="Rhea Resolver", role=Role.agent), expect_path=r"/admin")
    goto(desk, f"/admin/tickets/{number}")
    desk.locator("#action-resolve").click()
    expect(desk.locator("#ticket-status")).to_contain_text("Resolved")


def surveys(app, number: int) -> list[tuple[str, str | None, str | None]]:
    def read(db):
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        rows = db.exec(select(SatisfactionSurvey).where(SatisfactionSurvey.ticket_id == ticket.id))
        return [(str(s.status), s.rating and str(s.rating), s.comment) for s in rows]

    return in_db(app, read)


def test_a_guest_answers_from_the_email_link_once_without_a_code(page, app, new_context):
    email = unique_email("gwen")
    number = submit_as_guest(
        page, name="Gwen Guest", email=email, subject="Card blocked", description="Help"
    )
    resolve(app, new_context, number)
    [mail] = app.smtp.wait_for(email, subject_contains=f"ticket {number} was resolved")
    [good] = [u for u in links_in(mail) if "/rate/" in u and u.endswith("rating=good")]

    reader = new_context().new_page()  # the guest's mail program: no cookies, no session
    reader.goto(good)
    expect(reader.get_by_role("heading", name="How did we do?")).to_be_visible()
    expect(reader.get_by_role("radio", name="Good")).to_be_checked()
    assert surveys(app, number) == [("pending", None, None)]  # opening it recorded nothing

    reader.get_by_label("Comment (optional)").fill("Quick and friendly")
    reader.get_by_role("button", name="Send my answer").click()
    expect(reader.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    assert surveys(app, number) == [("answered", "good", "Quick and friendly")]

    reader.goto(good)  # the link is spent
    expect(reader.get_by_role("status")).to_have_text("Thank you: we already have your answer.")
    expect(reader.get_by_role("button", name="Send my answer")).to_have_count(0)


def test_a_customer_rates_on_the_ticket_page_and_the_agent_sees_it(page, app, new_context):
    log_in(page, create_user(app, name="Rita Rater"))
    number = submit_ticket(page, subject="Statement", category="Trading", description="Missing")
    page.locator("#mark-resolved").click()
    card = page.locator("#csat-card")
    expect(card.get_by_role("heading", name="How did we do?")).to_be_visible()
    expect(card.get_by_role("button", name="Send my answer")).to_be_disabled()
    card.get_by_role("button", name="Bad").click()
    expect(card.get_by_role("button", name="Bad")).to_have_attribute("aria-pressed", "true")
    card.get_by_label("Comment (optional)").fill("Took three days")
    card.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#csat-answer")).to_have_text("You rated this support as bad.")
    assert surveys(app, number) == [("answered", "bad", "Took three days")]

    agent_page = new_context().new_page()
    log_in(agent_page, create_user(app, name="Andy Agent", role=Role.agent), expect_path=r"/admin")
    goto(agent_page, f"/admin/tickets/{number}")
    panel = agent_page.locator("#csat-panel")
    expect(panel).to_contain_text("Bad")
    expect(panel).to_contain_text("Took three days")


def test_a_rating_given_while_the_agent_looks_appears_live(page, app, new_context):
    log_in(page, create_user(app, name="Lena Live"))
    number = submit_ticket(page, subject="Card fee", category="Trading", description="Why?")
    page.locator("#mark-resolved").click()
    agent_page = new_context().new_page()
    log_in(agent_page, create_user(app, name="Abel Agent", role=Role.agent), expect_path=r"/admin")
    goto(agent_page, f"/admin/tickets/{number}")
    panel = agent_page.locator("#csat-panel")
    expect(panel).to_contain_text("Asked, no answer yet")
    card = page.locator("#csat-card")
    card.get_by_role("button", name="Good").click()
    card.get_by_label("Comment (optional)").fill("Quick and kind")
    card.get_by_role("button", name="Send my answer").click()
    expect(panel).to_contain_text("Quick and kind")  # no reload on the agent's side
    expect(panel).to_contain_text("Good")


def test_a_customer_asking_for_ratings_by_handler_name_receives_none(page, app, new_context):
    other = new_context().new_page()
    log_in(other, create_user(app, name="Olga Other"))
    secret_number = submit_ticket(other, subject="Mine", category="Other", description="x")
    other.locator("#mark-resolved").click()
    other.locator("#csat-card").get_by_role("button", name="Good").click()
    other.get_by_label("Comment (optional)").fill("COMMENT-OF-OLGA-5X")
    other.get_by_role("button", name="Send my answer").click()
    expect(other.locator("#csat-answer")).to_be_visible()

    log_in(page, create_user(app, name="Mallory Rater"))
    path = f"/admin/tickets/{secret_number}"
    client = RawClient(app.url, session_cookie(page))
    try:
        # The ratings come only with the agent page's panels (one call that checks the agent).
        client.emit(handler(AgentTicketState, "load"), {}, path, number=str(secret_number))
        client.settle(path)
    finally:
        client.close()
    frames = json.dumps(client.received)
    assert client.received  # the handler ran and answered
    assert "COMMENT-OF-OLGA-5X" not in frames and "Good" not in frames
