"""A guest without an account: submit, follow the emailed link, verify by code, reply (issue 5).

Mail is read from the real SMTP server the tests run; the database is checked where the browser
cannot show something (nothing written on GET, what the agent sees).
"""

from __future__ import annotations

import re
import time
import urllib.request

from playwright.sync_api import Page, expect
from sqlmodel import func, select

from support_portal.db import session_scope
from support_portal.models import (
    GuestChallenge,
    LoginTicket,
    OutboxEmail,
    RateEvent,
    Role,
    Ticket,
    User,
)
from support_portal.services import conversation, sessions
from tests.e2e.helpers import create_user, goto, ready, register, reply, unique_email
from tests.mailbox import code_in, links_in, text_of

LINK = re.compile(r"^https?://[^/]+/t/(\d+-[A-Za-z0-9_-]+)$")


def submit_as_guest(page: Page, *, name: str, email: str, subject: str, description: str) -> int:
    goto(page, "/tickets/new")
    main = page.locator("#main")
    main.get_by_label("Name").fill(name)
    main.get_by_label("Email").fill(email)
    main.get_by_label("Subject").fill(subject)
    page.locator("#category").click()
    page.get_by_role("option", name="Account").click()
    main.get_by_label("Description").fill(description)
    main.get_by_role("button", name="Submit ticket").click()
    page.wait_for_url(re.compile(r"/tickets/submitted/\d+/?$"))
    ready(page)
    return int(re.search(r"/submitted/(\d+)", page.url).group(1))  # type: ignore[union-attr]


def confirmation_link(app, email: str, number: int) -> str:
    [mail] = app.smtp.wait_for(email, subject_contains=str(number))
    [link] = [u for u in links_in(mail) if "/t/" in u]
    assert LINK.match(link), link
    return link


def code_from_email(app, email: str, count: int = 1) -> str:
    mails = app.smtp.wait_for(email, count=count, subject_contains="verification code")
    return code_in(mails[-1])


def in_db(app, fn):
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            return fn(db)
    finally:
        engine.dispose()


def count(app, model, *where) -> int:
    return in_db(
        app, lambda db: db.exec(select(func.count()).select_from(model).where(*where)).one()
    )


def wait_until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def send_code(page: Page) -> None:
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_label("Verification code")).to_be_visible()


def enter_code(page: Page, code: str) -> None:
    field = page.get_by_label("Verification code")
    field.fill(code)
    field.press("Enter")


def agent_messages(app, number: int):
    """What an agent is shown for the ticket (the service behind the agent's ticket page)."""
    agent_email = create_user(app, name="Agnes Agent", role=Role.agent)

    def read(db):
        user_id = db.exec(select(User.id).where(User.email == agent_email)).one()
        token = sessions.create_login_ticket(db, user_id=user_id)
        session_token, _, _ = sessions.exchange_login_ticket(db, token=token)
        agent = sessions.viewer_for_token(db, session_token=session_token)
        return conversation.list_messages(db, viewer=agent, number=number)

    return in_db(app, read)


def test_a_guest_submits_verifies_by_email_code_and_replies_with_an_attachment(
    page, app, tmp_path, new_context
):
    email = unique_email("gina")
    description = "My card 4111 was blocked after a login from Lisbon"
    number = submit_as_guest(
        page, name="Gina Quokka", email=email, subject="Card blocked", description=description
    )
    expect(page.locator("#submitted-number")).to_have_text(str(number))
    expect(page.get_by_text("Check your email")).to_be_visible()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.locator("#nudge-register")).to_be_visible()

    # The confirmation: number and unique link, nothing the guest typed (unverified address).
    link = confirmation_link(app, email, number)
    [mail] = app.smtp.to(email)
    assert str(number) in str(mail["Subject"]) and str(number) in text_of(mail)
    everything = str(mail["To"]) + str(mail["Subject"]) + text_of(mail)
    everything += mail.get_body(preferencelist=("html",)).get_content()
    for typed in ("Lisbon", "4111", "Card blocked", "Quokka"):
        assert typed not in everything

    # G2: fetching the link (as a mail scanner does) and opening it sends and writes nothing.
    ticket_id = in_db(
        app, lambda db: db.exec(select(Ticket.id).where(Ticket.number == number)).one()
    )
    outbox_before = count(app, OutboxEmail, OutboxEmail.to_email == email)
    for _ in range(5):
        with urllib.request.urlopen(link, timeout=10) as response:
            assert response.status == 200
    goto(page, link)
    expect(page.get_by_role("heading", name=f"Your support ticket {number}")).to_be_visible()
    expect(page.locator("#masked-email")).to_have_text(f"{email[0]}***@example.com")
    expect(page.get_by_label("Verification code")).to_have_count(0)
    expect(page.get_by_text("Lisbon")).to_have_count(0)
    page.screenshot(path="/tmp/guest-link.png", full_page=True)
    assert count(app, GuestChallenge, GuestChallenge.ticket_id == ticket_id) == 0
    assert count(app, OutboxEmail, OutboxEmail.to_email == email) == outbox_before
    assert len(app.smtp.to(email)) == 1

    # "Send code": the code step, with the resend cooldown counting down.
    send_code(page)
    code = code_from_email(app, email)
    expect(page.locator("#notice")).to_contain_text(f"{email[0]}***@example.com")
    resend = page.locator("#resend-code")
    expect(resend).to_be_disabled()
    expect(resend).to_contain_text(re.compile(r"Resend code in \d+ seconds"))
    page.screenshot(path="/tmp/guest-code.png", full_page=True)

    # Enter submits the code; the secret leaves the address bar and the ticket page opens.
    enter_code(page, code)
    page.wait_for_url(re.compile(rf"/tickets/{number}/?$"))
    ready(page)
    assert "/t/" not in page.url and link.rsplit("/", 1)[1] not in page.url
    expect(page.locator("#ticket-subject")).to_have_text("Card blocked")
    expect(page.locator(".message-body")).to_have_text([description])
    expect(page.locator("#guest-leave")).to_be_visible()

    statement = tmp_path / "statement.pdf"
    statement.write_bytes(b"%PDF-1.4\n% guest statement\n%%EOF\n")
    reply(page, "Here is my bank statement", files=[str(statement)])
    expect(page.locator(".message").last.locator(".attachment-name")).to_have_text("statement.pdf")

    # The agent sees the reply and its attachment.
    last = agent_messages(app, number)[-1]
    assert last.body == "Here is my bank statement"
    assert [a.filename for a in last.attachments] == ["statement.pdf"]

    # "My tickets" from the help menu lists the verified email's tickets.
    page.locator("#help-menu").click()
    page.get_by_role("menuitem", name="My tickets").click()
    page.wait_for_url(re.compile(r"/tickets/?$"))
    ready(page)
    expect(page.locator(".ticket-row").filter(has_text="Card blocked")).to_be_visible()

    # Opening the link again with this session goes straight to the ticket.
    goto(page, link)
    page.wait_for_url(re.compile(rf"/tickets/{number}/?$"))

    # A second browser: only the "Send code" step, and its own code is needed.
    other = new_context().new_page()
    goto(other, link)
    expect(other.get_by_role("button", name="Send code")).to_be_visible()
    expect(other.get_by_label("Verification code")).to_have_count(0)
    expect(other.get_by_text("Card blocked")).to_have_count(0)
    other.get_by_role("button", name="Send code").click()  # within a minute of the first code
    expect(other.locator("#link-error")).to_contain_text("You can ask for a new code in")
    expect(other.locator("#send-code")).to_be_disabled()
    expect(other.locator("#send-code")).to_contain_text(re.compile(r"Send code in \d+ seconds"))
    goto(other, f"/tickets/{number}")
    other.wait_for_url(re.compile(r"/login"))

    # What JavaScript in the first browser can read (its Reflex token) gives a third nothing:
    # the session lives in an HttpOnly cookie the third browser does not have (A6).
    token = page.evaluate("() => window.sessionStorage.getItem('token')")
    assert "sp_session" not in page.evaluate("() => document.cookie")
    third_context = new_context()
    third_context.add_init_script(f"window.sessionStorage.setItem('token', {token!r})")
    third = third_context.new_page()
    third.goto(f"/tickets/{number}")
    third.wait_for_url(re.compile(r"/login"))
    expect(third.get_by_text("Card blocked")).to_have_count(0)


def test_five_wrong_codes_burn_the_code_so_even_the_right_one_is_refused(page, app):
    email = unique_email("walt")
    number = submit_as_guest(
        page, name="Walt Wrong", email=email, subject="Login issue", description="Cannot log in"
    )
    goto(page, confirmation_link(app, email, number))
    send_code(page)
    code = code_from_email(app, email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    error = page.locator("#link-error")
    for left in (4, 3, 2):
        enter_code(page, wrong)
        expect(error).to_have_text(
            f"That code is not correct. Check the latest email and try again. {left} attempts left."
        )
    enter_code(page, wrong)
    expect(error).to_contain_text("1 attempt left.")
    enter_code(page, wrong)
    expect(error).to_have_text("Too many wrong attempts. Request a new code.")
    # The spent code's field and Verify wait for a new code; the hint does not repeat it.
    field = page.get_by_label("Verification code")
    expect(field).to_be_disabled()
    expect(page.locator("#verify")).to_be_disabled()
    expect(page.get_by_text("No code after a few minutes?")).to_have_count(0)

    # A client that enables the field anyway is refused by the server all the same.
    attempts = count(app, RateEvent, RateEvent.scope == "code_verify_ip")
    field.evaluate("el => { el.disabled = false; }")
    field.fill(code)
    field.evaluate("el => el.form.requestSubmit()")
    wait_until(lambda: count(app, RateEvent, RateEvent.scope == "code_verify_ip") > attempts)
    expect(error).to_have_text("Too many wrong attempts. Request a new code.")
    assert re.search(r"/t/\d+-", page.url)
    assert count(app, LoginTicket, LoginTicket.guest_email == email) == 0
    expect(page.locator("#resend-code")).to_be_visible()


def test_when_the_mail_server_refuses_the_code_the_guest_is_told_to_try_again(page, app):
    email = unique_email("sid")
    number = submit_as_guest(
        page, name="Sid Smtp", email=email, subject="No code", description="Waiting"
    )
    goto(page, confirmation_link(app, email, number))
    app.smtp.reply = "451 4.3.0 try again later"
    try:
        page.get_by_role("button", name="Send code").click()
        expect(page.locator("#link-error")).to_have_text(
            "We could not send the email right now. Try again in a minute."
        )
    finally:
        app.smtp.reply = None
    expect(page.locator("#send-code")).to_be_disabled()
    expect(page.locator("#send-code")).to_contain_text(re.compile(r"Send code in \d+ seconds"))
    expect(page.get_by_label("Verification code")).to_have_count(0)


def test_a_broken_link_offers_new_links_without_revealing_whether_the_email_is_known(page, app):
    email = unique_email("lola")
    number = submit_as_guest(
        page, name="Lola Lost", email=email, subject="Deposit missing", description="Where?"
    )
    link = confirmation_link(app, email, number)

    goto(page, link[:-3] + ("xyz" if not link.endswith("xyz") else "abc"))
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_text("Deposit missing")).to_have_count(0)
    page.locator("#lost-email").fill(email)
    page.get_by_role("button", name="Send me my links").click()
    expect(page.locator("#links-sent")).to_be_visible()
    known_answer = page.locator("#links-sent").inner_text()
    [links_mail] = app.smtp.wait_for(email, subject_contains="Links to your support tickets")
    assert link in links_in(links_mail)

    nobody = unique_email("nobody")
    goto(page, "/t")
    expect(page.get_by_role("heading", name="Find your ticket link")).to_be_visible()
    page.locator("#lost-email").fill(nobody)
    page.get_by_role("button", name="Send me my links").click()
    expect(page.locator("#links-sent")).to_be_visible()
    assert page.locator("#links-sent").inner_text() == known_answer
    assert count(app, OutboxEmail, OutboxEmail.to_email == nobody) == 0


def test_a_guest_who_registers_and_verifies_the_email_finds_the_ticket_in_my_tickets(
    page, app, new_context
):
    email = unique_email("rita")
    number = submit_as_guest(
        page, name="Rita Later", email=email, subject="Fees question", description="Why a fee?"
    )
    link = confirmation_link(app, email, number)

    account = new_context().new_page()
    register(account, app, name="Rita Later", email=email)  # the code verifies the email
    expect(account.locator(".ticket-row").filter(has_text="Fees question")).to_be_visible()

    # The old guest link now opens the ticket for the account without a code.
    goto(account, link)
    account.wait_for_url(re.compile(rf"/tickets/{number}/?$"))
    ready(account)
    expect(account.locator("#ticket-subject")).to_have_text("Fees question")


def test_a_guest_keeps_the_language_they_used_for_the_ticket(new_context, app):
    """Located by id: the labels change with the language."""
    context = new_context()
    context.add_cookies([{"name": "sp_locale", "value": "cs", "url": app.url}])  # the switcher's
    page = context.new_page()
    email = unique_email("cyril")
    goto(page, "/tickets/new")
    page.locator("#guest-name").fill("Cyril")
    page.locator("#guest-email").fill(email)
    page.locator("#subject").fill("Vklad")
    page.locator("#category").click()
    page.get_by_role("option").first.click()
    page.locator("#description").fill("Kde je vklad?")
    page.locator("#submit-ticket").click()
    page.wait_for_url(re.compile(r"/tickets/submitted/\d+/?$"))
    number = int(re.search(r"/submitted/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    locale = in_db(
        app, lambda db: db.exec(select(Ticket.locale).where(Ticket.number == number)).one()
    )
    assert locale == "cs"
    [mail] = app.smtp.wait_for(email, subject_contains=str(number))
    assert '<html lang="cs">' in mail.get_body(preferencelist=("html",)).get_content()
