"""Issue 17: forgot password end to end, and the account page's sessions list: logging out
another browser ends its open page at once (A4, A6, P2, X2)."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect
from sqlmodel import select

from support_portal.models import AuthSession, User, utcnow
from tests.e2e.helpers import (
    PASSWORD,
    create_user,
    goto,
    log_in,
    ready,
    reply,
    submit_ticket,
)
from tests.e2e.test_agent_dashboard import record_frames
from tests.e2e.test_guest_journey import in_db
from tests.mailbox import code_in

NEW_PASSWORD = "a brand new passphrase 2"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def ask_for_code(page: Page, email: str) -> str:
    """From the login page to the code step; returns the notice the page showed."""
    goto(page, "/login")
    page.locator("#main").get_by_role("link", name="Forgot password?").click()
    page.wait_for_url(re.compile(r"/forgot-password/?$"))
    ready(page)
    main = page.locator("#main")
    main.get_by_label("Email").fill(email)
    main.get_by_role("button", name="Send code").click()
    notice = page.locator("#reset-notice")
    expect(notice).to_contain_text(email)
    return notice.inner_text()


def test_forgot_password_end_to_end(page, app, new_context):
    email = create_user(app, name=f"Fay Forgetful {secrets.token_hex(3)}")
    elsewhere = new_context().new_page()  # logged in on another device before the reset
    log_in(elsewhere, email)

    known = ask_for_code(page, email)
    mail = app.smtp.wait_for(email, subject_contains="password reset code")[-1]
    main = page.locator("#main")
    main.get_by_label("Verification code").fill(code_in(mail))
    main.get_by_label("New password").fill("short")
    main.get_by_role("button", name="Set new password").click()
    # The browser checks the length first; the server says the same if it is bypassed.
    expect(main.get_by_label("New password")).to_have_js_property("validity.valid", False)
    main.get_by_label("New password").fill(NEW_PASSWORD)
    main.get_by_role("button", name="Set new password").click()
    page.wait_for_url(re.compile(r"/tickets/?$"))
    ready(page)
    expect(page.locator("#account-menu")).to_be_visible()

    # The notice reaches the address; the other device is logged out.
    app.smtp.wait_for(email, subject_contains="was changed")
    elsewhere.reload()
    elsewhere.wait_for_url(re.compile(r"/login"))

    # The old password is gone, the new one works.
    other = new_context().new_page()
    goto(other, "/login")
    other_main = other.locator("#main")
    other_main.get_by_label("Email").fill(email)
    other_main.get_by_label("Password").fill(PASSWORD)
    other_main.get_by_role("button", name="Log in").click()
    expect(other.locator("#login-error")).to_contain_text("Email or password is incorrect")
    log_in(other, email, NEW_PASSWORD)

    # An unknown address reads exactly the same (P2).
    unknown_email = f"nobody-{secrets.token_hex(4)}@example.com"
    unknown = ask_for_code(new_context().new_page(), unknown_email)
    assert unknown.replace(unknown_email, "X") == known.replace(email, "X")
    [note] = app.smtp.wait_for(unknown_email, subject_contains="Password reset request")
    assert "no account" in note.get_body(preferencelist=("plain",)).get_content()


def test_a_wrong_code_says_so_and_keeps_the_form(page, app):
    email = create_user(app, name=f"Walt Wrong {secrets.token_hex(3)}")
    ask_for_code(page, email)
    code = code_in(app.smtp.wait_for(email, subject_contains="password reset code")[-1])
    main = page.locator("#main")
    main.get_by_label("Verification code").fill("000000" if code != "000000" else "111111")
    main.get_by_label("New password").fill(NEW_PASSWORD)
    main.get_by_role("button", name="Set new password").click()
    expect(page.locator("#reset-error")).to_contain_text("That code is not correct")
    expect(main.get_by_label("New password")).to_have_value(NEW_PASSWORD)


def test_the_reset_page_on_a_phone_in_czech_by_keyboard(browser, app):
    context = browser.new_context(
        base_url=app.url, locale="cs-CZ", viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        goto(page, "/forgot-password")
        main = page.locator("#main")
        expect(main.get_by_role("heading", name="Obnovit heslo")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        email = f"telefon-{secrets.token_hex(3)}@example.com"
        main.get_by_label("E-mail").focus()
        page.keyboard.type(email)
        page.keyboard.press("Enter")
        expect(page.locator("#reset-notice")).to_contain_text(f"Poslali jsme e-mail na {email}")
        # The code field has the focus: the next keys go straight into it.
        expect(main.get_by_label("Ověřovací kód")).to_be_focused()
    finally:
        context.close()


def test_logging_out_another_session_ends_its_open_page(page, app, new_context):
    mark = secrets.token_hex(3)
    email = create_user(app, name=f"Sam Sessions {mark}")
    phone = new_context(user_agent=IPHONE).new_page()
    log_in(phone, email)
    number = submit_ticket(
        phone, subject=f"Subject {mark}", category="Other", description=f"Story {mark}"
    )
    laptop = new_context().new_page()  # a third session, open on the same ticket
    log_in(laptop, email)
    goto(laptop, f"/tickets/{number}")

    log_in(page, email)
    goto(page, "/settings/account")
    rows = page.locator(".session-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("This device")
    iphone = rows.filter(has_text="Safari on iPhone")
    iphone.get_by_role("button", name="Log out").click()
    expect(page.locator("#sessions-notice")).to_contain_text("That device was logged out")
    expect(rows).to_have_count(2)
    expect(iphone).to_have_count(0)

    # A reply on the ticket reaches the laptop live, and not the phone's open page (A4).
    goto(page, f"/tickets/{number}")
    reply(page, f"After {mark}")
    expect(laptop.locator(".message").last).to_contain_text(f"After {mark}")
    expect(phone.locator("#main")).not_to_contain_text(f"After {mark}")

    # That event ended the phone's open page: what it showed is gone, and so is the reply box.
    expect(phone.locator("#main")).not_to_contain_text(f"Subject {mark}")
    expect(phone.locator("#main")).not_to_contain_text(f"Story {mark}")
    expect(phone.get_by_label("Reply")).to_have_count(0)
    phone.reload()
    phone.wait_for_url(re.compile(r"/login"))
    page.reload()
    ready(page)
    expect(page.locator(".message")).to_have_count(2)


def test_log_out_everywhere_else_and_change_the_password(page, app, new_context):
    email = create_user(app, name=f"Eve Everywhere {secrets.token_hex(3)}")
    others = [new_context().new_page() for _ in range(2)]
    for other in others:
        log_in(other, email)
    goto(others[0], "/settings/account")
    frames = record_frames(page)
    log_in(page, email)
    page.locator("#account-menu").click()
    page.locator("#account-settings").click()
    page.wait_for_url(re.compile(r"/settings/account/?$"))
    ready(page)
    expect(page.locator(".session-row")).to_have_count(3)
    # A5: the page shows the sessions, never their keys (or the password's hash).
    secrets_ = in_db(app, lambda db: [
        *db.exec(select(AuthSession.token_hash).join(User).where(User.email == email)).all(),
        db.exec(select(User.password_hash).where(User.email == email)).one(),
    ])  # fmt: skip
    assert len(secrets_) == 4
    assert not [value for value in secrets_ if value in "".join(frames)]
    page.get_by_role("button", name="Log out everywhere else").click()
    expect(page.locator("#sessions-notice")).to_contain_text("Every other device was logged out")
    expect(page.locator(".session-row")).to_have_count(1)
    expect(page.get_by_role("button", name="Log out everywhere else")).to_be_disabled()
    # A page of an ended session that is still open: its next action leads to the login.
    others[0].locator("#main").get_by_role("button", name="Save").click()
    others[0].wait_for_url(re.compile(r"/login\?next=/settings/account"))
    others[1].reload()
    others[1].wait_for_url(re.compile(r"/login"))

    main = page.locator("#main")
    main.get_by_label("Current password").fill("not my password")
    main.get_by_label("New password").fill(NEW_PASSWORD)
    main.get_by_role("button", name="Change password").click()
    expect(main.get_by_text("The current password is not correct.")).to_be_visible()
    main.get_by_label("Current password").fill(PASSWORD)
    main.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-notice")).to_contain_text("Your password was changed")
    expect(main.get_by_label("Current password")).to_have_value("")

    main.get_by_label("Name").fill("Eve Renamed")
    main.get_by_role("button", name="Save").click()
    expect(page.locator("#profile-notice")).to_contain_text("Saved")
    expect(page.locator("#account-menu")).to_contain_text("Eve Renamed")


def test_changing_the_email_address_by_code(page, app):
    email = create_user(app, name=f"Cleo Change {secrets.token_hex(3)}")
    new_email = f"cleo-new-{secrets.token_hex(4)}@example.org"
    log_in(page, email)
    goto(page, "/settings/account")
    main = page.locator("#main")
    main.get_by_role("button", name="Change email").click()
    main.get_by_label("New email address").fill(new_email)
    main.get_by_label("Current password").first.fill(PASSWORD)
    main.get_by_role("button", name="Send code").click()
    expect(page.locator("#email-notice")).to_contain_text(new_email)
    expect(page.locator("#account-email")).to_have_text(email)  # not before the code
    mail = app.smtp.wait_for(new_email, subject_contains="verification code")[-1]
    main.get_by_label("Verification code").fill(code_in(mail))
    main.get_by_role("button", name="Confirm").click()
    expect(page.locator("#account-email")).to_have_text(new_email)
    app.smtp.wait_for(email, subject_contains="email address of your support account")
    page.locator("#account-menu").click()
    expect(page.get_by_text(new_email).first).to_be_visible()


def test_the_account_page_on_a_phone_in_czech(browser, app):
    email = create_user(app, name=f"Petra Telefon {secrets.token_hex(3)}")
    context = browser.new_context(
        base_url=app.url, locale="cs-CZ", viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        goto(page, "/login")
        main = page.locator("#main")
        main.get_by_label("E-mail").fill(email)
        main.get_by_label("Heslo").fill(PASSWORD)
        main.get_by_role("button", name="Přihlásit se").click()
        page.wait_for_url(re.compile(r"/tickets/?$"))
        page.locator("#mobile-menu").click()
        page.get_by_role("menuitem", name="Nastavení účtu").click()
        page.wait_for_url(re.compile(r"/settings/account/?$"))
        ready(page)
        expect(main.get_by_role("heading", name="Nastavení účtu")).to_be_visible()
        expect(page.locator(".session-row")).to_have_count(1)
        expect(page.locator(".session-row")).to_contain_text("Toto zařízení")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        # By keyboard: the name field, then Enter saves.
        main.get_by_label("Jméno").focus()
        page.keyboard.press("End")
        page.keyboard.type(" Nová")
        page.keyboard.press("Enter")
        expect(page.locator("#profile-notice")).to_contain_text("Uloženo")
    finally:
        context.close()


def test_the_chosen_time_zone_is_used_for_dates(page, app):
    """The browser is in Europe/Prague; the account chooses Tokyo (8 hours ahead in winter)."""
    email = create_user(app, name=f"Tia Zone {secrets.token_hex(3)}")
    log_in(page, email)
    goto(page, "/settings/account")
    row = page.locator(".session-row").first
    before = row.inner_text()
    main = page.locator("#main")
    main.get_by_label("Time zone").fill("Asia/Tokyo")
    main.get_by_role("button", name="Save").click()
    expect(page.locator("#profile-notice")).to_contain_text("Saved")
    expect(row).not_to_have_text(before)
    page.reload()
    ready(page)
    expect(main.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    expect(row).not_to_have_text(before)
    main.get_by_label("Time zone").fill("Atlantis/Capital")
    main.get_by_role("button", name="Save").click()
    expect(main.get_by_text("Choose a time zone from the list.")).to_be_visible()


def test_an_expired_session_on_the_account_page_leads_to_the_login(page, app):
    """The session ends on the server (expiry, deactivation) while the page is open: the next
    action goes to the login page instead of failing on the page."""
    email = create_user(app, name=f"Ezra Expired {secrets.token_hex(3)}")
    log_in(page, email)
    goto(page, "/settings/account")

    def expire(db) -> None:
        user_id = db.exec(select(User.id).where(User.email == email)).one()
        for session in db.exec(select(AuthSession).where(AuthSession.user_id == user_id)):
            session.expires_at = utcnow()

    in_db(app, expire)
    page.locator("#main").get_by_label("Name").fill("Ezra Again")
    page.locator("#main").get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/login\?next=/settings/account"))
