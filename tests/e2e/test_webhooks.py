"""An administrator registers a webhook on /admin/webhooks pointing at a real HTTP server the
test starts on loopback, sends a test event, and the server receives it signed; the delivery
log shows the 2xx. Agents are told the page is for administrators; customers get not-found."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in
from tests.webhook_receiver import Receiver, signature_valid

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_an_admin_registers_an_endpoint_and_a_test_event_arrives_signed(page, app, receiver):
    log_in(page, create_user(app, name="Ada Admin", role=Role.admin), expect_path=r"/admin/?$")
    page.locator("#admin-nav").get_by_role("link", name="Webhooks").click()
    expect(page.locator(".empty-state")).to_contain_text("No webhooks yet")
    main = page.locator("#main")

    url_box = main.get_by_label("URL")
    url_box.fill("ftp://files.example.com/in")  # a URL the browser takes, the server does not
    main.get_by_role("button", name="Add endpoint").click()
    expect(main.get_by_text("Enter an http or https URL.")).to_be_visible()

    url_box.fill(receiver.url)
    main.get_by_label("Agent replied").uncheck()
    main.get_by_role("button", name="Add endpoint").click()
    secret_box = page.locator("#new-webhook-secret")
    expect(secret_box).to_contain_text("whsec_")
    secret = secret_box.inner_text().strip()
    row = page.locator(".webhook-row").filter(has_text=receiver.url)
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Ticket created, Customer replied, Status changed")
    expect(row).not_to_contain_text(secret)

    row.get_by_role("button", name=f"Send a test event to {receiver.url}").click()
    log = page.locator("#webhook-log")
    delivery = log.locator(".delivery-row").first
    expect(delivery).to_contain_text("Test event")
    expect(delivery).to_contain_text("Delivered")  # filled in live, once the worker has sent it
    expect(delivery).to_contain_text("200")
    [(headers, body)] = receiver.requests
    assert headers["X-Support-Portal-Event"] == "ping" and json.loads(body)["event"] == "ping"
    assert signature_valid(secret, headers["X-Support-Portal-Signature"], body)

    row.get_by_role("button", name=f"Disable {receiver.url}").click()
    expect(row).to_contain_text("Disabled")
    expect(row.get_by_role("button", name=f"Send a test event to {receiver.url}")).to_have_count(0)

    goto(page, "/admin/webhooks")  # the secret was shown once
    expect(page.locator("#new-webhook-secret")).to_have_count(0)
    row.get_by_role("button", name=f"Delete {receiver.url}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete webhook").click()
    expect(page.locator(".empty-state")).to_contain_text("No webhooks yet")


def test_agents_are_told_it_is_for_administrators_and_customers_get_not_found(page, app):
    log_in(page, create_user(app, name="Alan Agent", role=Role.agent), expect_path=r"/admin/?$")
    expect(page.locator("#admin-nav").get_by_role("link", name="Webhooks")).to_have_count(0)
    goto(page, "/admin/webhooks")
    expect(page.locator("#admin-only")).to_contain_text("Only administrators can manage webhooks.")
    expect(page.locator("#webhook-form")).to_have_count(0)
    page.context.clear_cookies()
    log_in(page, create_user(app, name="Cleo Customer"))
    goto(page, "/admin/webhooks")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
