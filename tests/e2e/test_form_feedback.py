"""Issue 14 (minor): a guest sees where the link went (masked) with a way to start again; a
follow-up starts with its original's subject and a link to it; a refused field is said once,
under it, and the keyboard goes there; the tips come first on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from support_portal.models import Role
from support_portal.services import agent
from tests.e2e.helpers import create_user, goto, log_in, ready, unique_email
from tests.e2e.test_guest_journey import submit_as_guest
from tests.e2e.test_phone_layout import PHONE, ticket_then
from tests.e2e.test_ticket_search import viewer_for


def test_the_guest_confirmation_shows_the_masked_address_and_a_way_back(page, app):
    email = unique_email("mona")
    submit_as_guest(page, name="Mona Mask", email=email, subject="Where?", description="Hi")
    notice = page.locator("#check-email")
    expect(notice).to_contain_text(f"{email[0]}***@example.com")
    assert email not in notice.inner_text()
    page.get_by_role("link", name="Wrong address? Start again").click()
    page.wait_for_url(re.compile(r"/tickets/new/?$"))


def test_a_follow_up_starts_with_the_originals_subject_and_links_it(page, app):
    email = create_user(app, name="Otto Original")
    staff = create_user(app, name="Cleo Closer", role=Role.agent)
    number = ticket_then(
        app,
        email,
        "Card declined",
        lambda db, number: agent.change_status(
            db, viewer=viewer_for(db, staff), number=number, action="close"
        ),
    )
    log_in(page, email)
    goto(page, f"/tickets/{number}")
    page.locator("#create-follow-up").click()
    page.wait_for_url(re.compile(r"/tickets/new\?"))
    ready(page)
    expect(page.locator("#main").get_by_label("Subject")).to_have_value("Follow-up: Card declined")
    original = page.locator("#follow-up-original")
    expect(original).to_have_attribute("href", f"/tickets/{number}")
    expect(page.get_by_text("Already have a ticket about this?")).to_have_count(0)


def test_a_refused_field_is_said_once_under_it_and_focused(page, app):
    goto(page, "/tickets/new")
    main = page.locator("#main")
    main.get_by_label("Name").fill("   ")  # the browser accepts it; the server does not
    main.get_by_label("Email").fill(unique_email("blank"))
    main.get_by_label("Subject").fill("Blank name")
    page.locator("#category").click()
    page.get_by_role("option", name="Account").click()
    main.get_by_label("Description").fill("Hello")
    main.get_by_role("button", name="Submit ticket").click()
    name = main.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()
    error = page.locator("#guest-name-error")
    expect(error).to_be_visible()
    expect(page.locator("#ticket-error")).to_have_count(0)  # not said a second time
    expect(page.get_by_text(error.inner_text(), exact=True)).to_have_count(1)


def test_the_tips_come_before_the_form_on_a_phone(page, app):
    page.set_viewport_size(PHONE)
    goto(page, "/tickets/new")
    tips = page.get_by_role("heading", name="Tips for a quick answer")
    submit = page.get_by_role("button", name="Submit ticket")
    assert tips.bounding_box()["y"] < submit.bounding_box()["y"]
    assert tips.bounding_box()["y"] < page.locator("#subject").bounding_box()["y"]
    log_in_link = page.locator("#guest-login-link")
    expect(log_in_link).to_have_attribute("href", "/login?next=/tickets/new")
