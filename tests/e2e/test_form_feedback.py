"""Issue 14 (minor): a guest sees where the link went (masked) with a way to start again; a
follow-up starts with its original's subject and a link to it; a refused field is said once,
under it, and the keyboard goes there; the tips come first on a phone."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from support_portal.db import session_scope
from support_portal.models import Role
from support_portal.services import agent, categories, custom_fields
from tests.e2e.helpers import create_user, goto, log_in, ready, unique_email
from tests.e2e.test_accessibility import axe_violations, describe
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


def _category_with_fields(app, suffix: str) -> str:
    """A category with a required custom field and an optional one; its name."""
    name = f"Refunds {suffix}"
    admin = create_user(app, name="Rita Required", role=Role.admin)
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            viewer = viewer_for(db, admin)
            added = categories.save_category(db, viewer=viewer, names={"en": name, "cs": name})
            for label, required in ((f"Order {suffix}", True), (f"Remark {suffix}", False)):
                custom_fields.save_field(
                    db, viewer=viewer, category_id=added.id, labels={"en": label, "cs": label},
                    kind="short_text", required=required,
                )  # fmt: skip
    finally:
        engine.dispose()
    return name


def _marked(page, control_id: str) -> None:
    """The control is required for assistive technology, its label shows a hidden asterisk."""
    expect(page.locator(f"#{control_id}")).to_have_attribute("aria-required", "true")
    mark = page.locator(f"label[for='{control_id}'] .required-mark")
    expect(mark).to_have_attribute("aria-hidden", "true")
    drawn = mark.evaluate("m => getComputedStyle(m, '::after').content")
    assert drawn.startswith('"*"'), drawn


def test_required_fields_are_marked_and_the_form_says_what_the_mark_means(page, app):
    suffix = secrets.token_hex(3)
    category = _category_with_fields(app, suffix)
    goto(page, "/tickets/new")
    main = page.locator("#main")
    note = main.locator(".required-note")
    expect(note).to_have_count(1)
    expect(note).to_have_text("* required")
    for control_id in ("guest-name", "guest-email", "subject", "category", "description"):
        _marked(page, control_id)
    # The asterisk is seen, not read: the field's name stays its label.
    expect(main.get_by_label("Subject", exact=True)).to_have_count(1)

    page.locator("#category").click()
    page.get_by_role("option", name=category).click()
    order, remark = f"cf-order_{suffix}", f"cf-remark_{suffix}"
    expect(page.locator(f"#{order}")).to_be_visible()
    _marked(page, order)
    expect(page.locator(f"#{order}")).to_have_attribute("required", "")
    expect(page.locator(f"#{remark}")).not_to_have_attribute("aria-required", "true")
    expect(page.locator(f"label[for='{remark}'] .required-mark")).to_have_count(0)
    expect(main.get_by_label(f"Order {suffix}", exact=True)).to_have_count(1)
    assert axe_violations(page) == [], describe(axe_violations(page))
