"""Issue 17 on /admin/agents: an administrator resets an agent's two-factor after confirming it
(audited), and erases a guest's address after a look at what would go."""

from __future__ import annotations

import os
import secrets

import pyotp
from playwright.sync_api import Page, expect
from sqlmodel import select

from support_portal.models import AuditEvent, Role, Ticket, User
from support_portal.services import tickets
from tests.e2e.helpers import create_user, goto, log_in
from tests.e2e.test_accessibility import axe_violations, describe
from tests.e2e.test_guest_journey import in_db

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: pictures of the steps, for a person


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_an_administrator_resets_an_agents_two_factor_after_confirming(page: Page, app):
    admin = create_user(app, name=f"Ada Admin {secrets.token_hex(3)}", role=Role.admin)
    name = f"Otto Phoneless {secrets.token_hex(3)}"
    agent = create_user(app, name=name, role=Role.agent)

    def turn_on(db) -> None:
        user = db.exec(select(User).where(User.email == agent)).one()
        user.totp_secret = pyotp.random_base32()

    in_db(app, turn_on)
    log_in(page, admin, expect_path=r"/admin/?$")
    goto(page, "/admin/agents")
    row = page.locator(".agent-row", has_text=name)
    expect(row).to_contain_text("On")
    row.get_by_role("button", name=f"Reset two-factor of {name}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Reset two-factor of {name}?")
    shot(page, "agents-reset-dialog")
    assert not (found := axe_violations(page)), describe(found)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert in_db(app, lambda db: db.exec(select(User).where(User.email == agent)).one().totp_secret)

    row.get_by_role("button", name=f"Reset two-factor of {name}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Reset two-factor").click()
    expect(page.locator("#agents-notice")).to_contain_text(f"Two-factor authentication of {name}")
    expect(row).to_contain_text("Off")
    assert in_db(
        app, lambda db: db.exec(select(User).where(User.email == agent)).one().totp_secret is None
    )
    assert in_db(
        app,
        lambda db: db.exec(select(AuditEvent).where(AuditEvent.action == "two_factor.reset")).all(),
    )


def test_an_administrator_erases_a_guests_address(page: Page, app, new_context):
    admin = create_user(app, name=f"Ada Admin {secrets.token_hex(3)}", role=Role.admin)
    guest_email = f"gina-{secrets.token_hex(3)}@example.net"

    def guest_ticket(db) -> int:
        return tickets.create_ticket(
            db,
            viewer=None,
            subject="Forget me",
            category="other",
            description=f"Gina here, {guest_email}",
            guest_name="Gina Guest",
            guest_email=guest_email,
        ).number

    number = in_db(app, guest_ticket)
    log_in(page, admin, expect_path=r"/admin/?$")
    goto(page, "/admin/agents")
    card = page.locator("#main").get_by_role("heading", name="Erase a guest's data").locator("..")
    card.get_by_label("Guest's email address").fill(guest_email.upper())
    card.get_by_role("button", name="Look up").click()
    expect(page.locator("#erase-preview")).to_contain_text("tickets 1, messages 1, files 0")
    shot(page, "agents-erase-preview")
    assert not (found := axe_violations(page)), describe(found)
    page.get_by_role("button", name="Erase this guest's data").click()
    expect(page.locator("#erase-notice")).to_contain_text("Tickets kept as Deleted customer: 1")
    shot(page, "agents-erase-done")
    ticket = in_db(app, lambda db: db.exec(select(Ticket).where(Ticket.number == number)).one())
    assert (ticket.guest_email, ticket.guest_name) == (None, "Deleted customer")
