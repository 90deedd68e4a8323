"""Issue 7: two app instances sharing PostgreSQL and Redis; replies cross between them live."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket
from tests.e2e.test_agent_dashboard import compose
from tests.e2e.test_live_updates import LIVE


def test_a_customer_on_one_instance_and_an_agent_on_another_see_each_other_live(
    browser, app, second_instance
):
    customer_context = browser.new_context(base_url=app.url)
    agent_context = browser.new_context(base_url=second_instance)
    try:
        customer = customer_context.new_page()
        log_in(customer, create_user(app, name="Ida Instance"))
        number = submit_ticket(
            customer,
            subject="Across instances",
            category="Trading",
            description="Hello from instance A",
        )

        agent = agent_context.new_page()
        log_in(
            agent, create_user(app, name="Otto Other", role=Role.agent), expect_path=r"/admin/?$"
        )
        assert agent.url.startswith(second_instance)
        goto(agent, f"/admin/tickets/{number}")
        expect(agent.locator(".message-body")).to_have_text(["Hello from instance A"])

        compose(agent, "Answer from instance B", "Send")
        expect(customer.locator(".message-body")).to_have_text(
            ["Hello from instance A", "Answer from instance B"], timeout=LIVE
        )
        customer.get_by_label("Reply").fill("Thanks, A here")
        customer.get_by_role("button", name="Send").click()
        expect(agent.locator(".message-body")).to_have_text(
            ["Hello from instance A", "Answer from instance B", "Thanks, A here"], timeout=LIVE
        )
        assert re.match(rf"{re.escape(app.url)}/tickets/{number}/?$", customer.url)
    finally:
        customer_context.close()
        agent_context.close()
