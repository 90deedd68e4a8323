"""Issue 17: an agent turns on two-factor from the account page, then logs in with a code
from the app, and once with a recovery code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
from playwright.sync_api import Page, expect

from support_portal.models import Role
from tests.e2e.helpers import PASSWORD, create_user, goto, log_in, ready


def password_step(page: Page, email: str) -> None:
    goto(page, "/login")
    main = page.locator("#main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Log in").click()
    expect(page.locator("#totp-code")).to_be_focused()


def test_an_agent_logs_in_with_the_app_and_with_a_recovery_code(page, app, new_context):
    email = create_user(app, name="Tara Agent", role=Role.agent)
    log_in(page, email, expect_path=r"/admin/?$")
    goto(page, "/settings/account")
    page.locator("#totp-begin").click()
    key = page.locator("#totp-key")
    expect(key).to_contain_text("Key:")
    secret = key.inner_text().split(":", 1)[1].replace(" ", "").strip()
    totp = pyotp.TOTP(secret)
    page.locator("#totp-confirm-code").fill(totp.now())
    page.locator("#totp-confirm").click()
    codes = page.locator(".recovery-code")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text()
    expect(page.locator("#two-factor-status")).to_contain_text("Recovery codes left: 10")

    other = new_context().new_page()
    password_step(other, email)
    other.locator("#totp-code").fill("000000")
    other.locator("#totp-submit").click()
    expect(other.locator("#login-error")).to_contain_text("not right")
    other.locator("#totp-code").fill(recovery)
    other.locator("#totp-submit").click()
    other.wait_for_url(re.compile(r"/admin/?$"))
    ready(other)

    third = new_context().new_page()
    password_step(third, email)
    # A code of a later step than the one enrolment used (the same code works only once).
    third.locator("#totp-code").fill(totp.at(datetime.now(UTC) + timedelta(seconds=30)))
    third.locator("#totp-submit").click()
    third.wait_for_url(re.compile(r"/admin/?$"))
    ready(third)
