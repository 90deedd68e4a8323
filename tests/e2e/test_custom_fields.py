"""Issue 15: an administrator adds a category with a required custom field and an agent-only
one; a customer's ticket without the required value is refused with the message under the
field, and accepted with it; the agent sees and edits every field, the queue finds the ticket
by a field value; the customer's browser never receives the agent-only field (A5)."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in
from tests.e2e.test_agent_dashboard import record_frames


def test_a_required_custom_field_is_checked_shown_and_edited(page, app, new_context):
    suffix = secrets.token_hex(3)
    category = f"Card payments {suffix}"
    secret_note = f"risk-{secrets.token_hex(4)}"

    # The administrator adds the category and its fields.
    log_in(page, create_user(app, name="Ada Admin", role=Role.admin), expect_path=r"/admin/?$")
    goto(page, "/admin/categories")
    page.get_by_label("Name in English").fill(category)
    page.get_by_label("Name in Czech").fill(f"Platby kartou {suffix}")
    page.locator("#category-save").click()
    card = page.locator(".category-card").filter(has_text=category)
    expect(card).to_be_visible()
    card.get_by_role("button", name=f"Add a field to {category}").click()
    page.get_by_label("Label in English").fill(f"Card reference {suffix}")
    page.locator("#field-required").check()
    page.get_by_role("button", name="Save field").click()
    expect(card.locator(".field-row")).to_have_count(1)
    card.get_by_role("button", name=f"Add a field to {category}").click()
    page.get_by_label("Label in English").fill(f"Risk note {suffix}")
    page.get_by_label("Who sees and fills it in").select_option("agents_only")
    page.get_by_role("button", name="Save field").click()
    expect(card.locator(".field-row")).to_have_count(2)
    expect(card.locator(".field-row").last).to_contain_text("Agents only")
    key = f"card_reference_{suffix}"
    expect(card).to_contain_text(f"field:{key}=")

    # The customer: the field appears as soon as the category is chosen.
    customer = new_context().new_page()
    frames = record_frames(customer)
    log_in(customer, create_user(app, name="Cora Customer"))
    goto(customer, "/tickets/new")
    main = customer.locator("#main")
    main.get_by_label("Subject").fill("Card payment declined")
    customer.locator("#category").click()
    customer.get_by_role("option", name=category).click()
    reference = main.get_by_label(f"Card reference {suffix}")
    expect(reference).to_be_visible()
    expect(main.get_by_label(f"Risk note {suffix}")).to_have_count(0)
    main.get_by_label("Description").fill("My card was declined twice.")
    reference.fill("   ")  # passes the browser's check; the server finds it empty
    main.get_by_role("button", name="Submit ticket").click()
    expect(customer.locator(f"#cf-{key}-error")).to_have_text("This field is required.")
    assert customer.url.rstrip("/").endswith("/tickets/new")

    reference.fill("CR-4417")
    main.get_by_role("button", name="Submit ticket").click()
    customer.wait_for_url(re.compile(r"/tickets/\d+/?$"))
    number = int(re.search(r"/tickets/(\d+)", customer.url).group(1))  # type: ignore[union-attr]
    expect(customer.locator("#ticket-fields")).to_contain_text(f"Card reference {suffix}")
    expect(customer.locator("#ticket-fields")).to_contain_text("CR-4417")
    expect(customer.locator("#ticket-number")).to_contain_text(category)

    # The agent sees both fields, fills the agent-only one; the history records it.
    goto(page, f"/admin/tickets/{number}")
    panel = page.locator("#fields-panel")
    expect(panel.get_by_label(f"Card reference {suffix}")).to_have_value("CR-4417")
    expect(panel).to_contain_text("Agents only")
    panel.get_by_label(f"Risk note {suffix}").fill(secret_note)
    panel.get_by_role("button", name="Save fields").click()
    expect(page.locator("#fields-notice")).to_have_text("The fields are saved.")
    expect(page.locator("#history-panel")).to_contain_text(secret_note)

    # A reply reaches the customer's open page live: its frames flowed while fields changed.
    page.get_by_label("Reply", exact=True).fill("We are checking the payment.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(customer.locator(".message").last).to_contain_text("We are checking the payment.")

    # The queue finds it by the field's value.
    goto(page, "/admin")
    page.get_by_role("tab", name=re.compile(r"^All")).click()
    page.locator("#queue-search").fill(f"field:{key}=CR-4417")
    page.locator("#queue-search").press("Enter")
    expect(page.locator(".queue-row")).to_have_count(1)
    expect(page.locator(".queue-row")).to_contain_text("Card payment declined")

    assert frames, "the customer's page exchanged no frames"
    leaked = [f for f in frames if secret_note in f or f"Risk note {suffix}" in f]
    assert leaked == []
