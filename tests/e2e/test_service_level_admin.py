"""Issue 16: an administrator keeps the opening hours and a service-level policy; a waiting
customer's promised reply follows the policy at once; agents and customers cannot reach the
page."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import Role, Ticket
from support_portal.services import business_time, service_levels
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket


def stored_promise(app, number: int):
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
            hours = service_levels.rules(db).hours
            return ticket.reply_due_at, business_time.add(ticket.waiting_since, 30, hours)
    finally:
        engine.dispose()


def test_an_admin_sets_opening_hours_and_a_policy_that_moves_the_promise(page, app, new_context):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Petra Policy"))
    number = submit_ticket(
        customer, subject="Lost my second factor", category="Security", description="Help."
    )
    expect(customer.locator("#reply-expectation")).to_contain_text("We will reply by")

    log_in(page, create_user(app, name="Ada Admin", role=Role.admin), expect_path=r"/admin/?$")
    goto(page, "/admin/service-levels")
    main = page.locator("#main")
    expect(main.get_by_role("heading", name="Service levels", level=1)).to_be_visible()

    # Opening hours: a wrong time zone is refused under its field, a holiday is kept.
    main.get_by_label("Time zone").fill("Mars/Olympus")
    page.locator("#calendar-save").click()
    expect(page.locator("#calendar-timezone-error")).to_contain_text("Type a time zone")
    expect(page.locator("#calendar-timezone")).to_have_attribute("aria-invalid", "true")
    main.get_by_label("Time zone").fill("UTC")
    main.get_by_label("Holidays").fill("2031-01-01")
    page.locator("#calendar-save").click()
    expect(main.get_by_role("status")).to_contain_text("The opening hours are saved")
    expect(page.locator("#calendar-defaults")).to_have_count(0)

    # A policy for Security tickets: the first reply within half an hour.
    page.locator("#policy-category").click()
    page.get_by_role("option", name="Security").click()
    main.get_by_label("First response").fill("0.5")
    page.locator("#policy-save").click()
    row = page.locator(".policy-row").filter(has_text="Security")
    expect(row).to_contain_text("First response: 0.5 h")
    expect(row).to_contain_text("Resolution: not set")
    due, expected = stored_promise(app, number)
    assert due == expected  # the waiting customer's promise moved with the new policy

    # The agent's ticket page says when the reply is due (agents only).
    goto(page, f"/admin/tickets/{number}")
    expect(page.locator("#due-panel .due-reply")).to_contain_text("Reply: due in")
    expect(page.locator("#due-panel .due-resolution")).to_have_count(0)  # no target set
    goto(page, "/admin/service-levels")

    # A second policy for the same scope is refused with a message, not a duplicate.
    page.locator("#policy-category").click()
    page.get_by_role("option", name="Security").click()
    main.get_by_label("First response").fill("2")
    page.locator("#policy-save").click()
    expect(page.locator("#service-levels-error")).to_contain_text("exists")
    expect(page.locator(".policy-row").filter(has_text="Security")).to_have_count(1)

    # The page survives a reload with what was saved; deleting the policy restores the default.
    goto(page, "/admin/service-levels")
    expect(main.get_by_label("Holidays")).to_have_value("2031-01-01")
    row.get_by_role("button", name="Delete the policy Security").click()
    expect(page.locator(".policy-row").filter(has_text="Security")).to_have_count(0)


def test_agents_and_customers_are_refused(page, app):
    log_in(page, create_user(app, name="Aldo Agent", role=Role.agent), expect_path=r"/admin/?$")
    expect(page.locator("#admin-nav")).not_to_contain_text("Service levels")
    goto(page, "/admin/service-levels")
    expect(page.get_by_role("heading", name="Service levels")).to_have_count(0)
    expect(page.locator("#main")).to_contain_text("not found", ignore_case=True)
