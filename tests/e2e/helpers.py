"""Browser steps shared by the end-to-end tests. They wait for the page, never sleep."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from support_portal.db import session_scope
from support_portal.models import Role
from support_portal.services import auth

PASSWORD = "correct horse battery staple"


def ready(page: Page) -> None:
    """Wait until on_load has finished (it renders the hidden #page-ready marker)."""
    page.wait_for_selector("#page-ready", state="attached")


def goto(page: Page, path: str) -> None:
    page.goto(path)
    ready(page)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


def create_user(
    app, *, name: str, email: str | None = None, role: Role = Role.customer, verified: bool = True
) -> str:
    email = email or unique_email("".join(c for c in name.split()[-1].lower() if c.isalnum()))
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            auth.create_user(
                db, name=name, email=email, password=PASSWORD, role=role, email_verified=verified
            )
    finally:
        engine.dispose()
    return email


def log_in(
    page: Page, email: str, password: str = PASSWORD, *, expect_path: str = r"/tickets/?$"
) -> None:
    goto(page, "/login")
    main = page.locator("#main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(expect_path))
    ready(page)


def register(page: Page, app, *, name: str, email: str, password: str = PASSWORD) -> None:
    """Fill in the form, enter the emailed code: the account exists and is logged in (X4)."""
    from tests.mailbox import code_in

    goto(page, "/register")
    main = page.locator("#main")
    main.get_by_label("Name").fill(name)
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Create account").click()
    expect(page.locator("#register-notice")).to_contain_text(email)
    mail = app.smtp.wait_for(email, subject_contains="verification code")[-1]
    main.get_by_label("Verification code").fill(code_in(mail))
    main.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/tickets/?$"))
    ready(page)


def submit_ticket(
    page: Page, *, subject: str, category: str, description: str, files: list[str] | None = None
) -> int:
    goto(page, "/tickets/new")
    page.locator("#main").get_by_label("Subject").fill(subject)
    page.locator("#category").click()
    page.get_by_role("option", name=category).click()
    page.get_by_label("Description").fill(description)
    if files:
        page.locator("#ticket-files input[type=file]").set_input_files(files)
    page.locator("#main").get_by_role("button", name="Submit ticket").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/?$"))
    ready(page)
    expect(page.locator("#ticket-subject")).to_have_text(subject)
    return int(re.search(r"/tickets/(\d+)", page.url).group(1))  # type: ignore[union-attr]


def reply(page: Page, text: str, files: list[str] | None = None) -> None:
    before = page.locator(".message").count()
    page.get_by_label("Reply").fill(text)
    if files:
        page.locator("#reply-files input[type=file]").set_input_files(files)
        expect(page.locator(".selected-file")).to_have_count(len(files))
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".message")).to_have_count(before + 1)
    expect(page.get_by_label("Reply")).to_have_value("")
