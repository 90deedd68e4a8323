"""Issue 15: an agent merges a duplicate; the customer's page of the duplicate, open at that
moment, moves to the target, and the old link leads there later too."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in, ready, submit_ticket


def test_merge_a_duplicate_and_follow_the_old_link(page, app, new_context):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Dora Duplicate"))
    target = submit_ticket(
        customer, subject="Card payment failed", category="Trading", description="Twice."
    )
    duplicate = submit_ticket(
        customer, subject="Card payment failed again", category="Trading", description="Again."
    )

    log_in(page, create_user(app, name="Mika Agent", role=Role.agent), expect_path=r"/admin/?$")
    goto(page, f"/admin/tickets/{duplicate}")
    page.locator("#merge-into").fill(str(duplicate))
    page.locator("#merge-submit").click()
    expect(page.locator("#merge-error")).to_contain_text("itself")
    page.locator("#merge-into").fill(str(target))
    page.locator("#merge-submit").click()
    page.wait_for_url(re.compile(rf"/admin/tickets/{target}/?$"))
    ready(page)
    expect(page.locator(".merged-from")).to_have_count(1)

    # The customer's open page of the duplicate moves to the target by itself.
    customer.wait_for_url(re.compile(rf"/tickets/{target}/?$"))
    ready(customer)
    expect(customer.locator(".message")).to_have_count(2)
    expect(customer.locator(".merged-from")).to_contain_text(f"from ticket {duplicate}")

    goto(customer, f"/tickets/{duplicate}")  # the link in an earlier email
    customer.wait_for_url(re.compile(rf"/tickets/{target}/?$"))
