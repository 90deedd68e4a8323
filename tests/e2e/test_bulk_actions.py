"""Issue 15: bulk actions in the agent queue. An agent selects a page of 20 tickets with one
checkbox (the keyboard works too) and assigns them all to herself; the summary says so and
every ticket's history records it."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import AuditEvent, Role, Ticket, User
from support_portal.services import sessions, tickets
from tests.e2e.helpers import create_user, goto, log_in

WORD = "bulkvq3"


def make_tickets(app, email: str, n: int) -> list[int]:
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            user_id = db.exec(select(User.id).where(User.email == email)).one()
            token = sessions.create_login_ticket(db, user_id=user_id)
            session_token, _, _ = sessions.exchange_login_ticket(db, token=token)
            customer = sessions.viewer_for_token(db, session_token=session_token)
            return [
                tickets.create_ticket(
                    db,
                    viewer=customer,
                    subject=f"Card {WORD} {i}",
                    category="other",
                    description="Blocked card.",
                ).number
                for i in range(n)
            ]
    finally:
        engine.dispose()


def test_a_bulk_assign_of_twenty_rows(page, app):
    numbers = make_tickets(app, create_user(app, name="Bulk Customer"), 20)
    agent_email = create_user(app, name="Bea Bulk", role=Role.agent)
    log_in(page, agent_email, expect_path=r"/admin/?$")
    goto(page, "/admin")
    page.locator("#queue-search").fill(WORD)
    page.locator("#queue-search").press("Enter")
    rows = page.locator("#queue-table .queue-row")
    expect(rows).to_have_count(20)

    # One row with the keyboard, then the whole page.
    one = page.get_by_role("checkbox", name=f"Select ticket {numbers[0]}")
    one.focus()
    page.keyboard.press("Space")
    expect(one).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("1 selected")
    page.get_by_role("checkbox", name="Select all on this page").click()
    expect(page.locator("#bulk-count")).to_have_text("20 selected")

    page.locator("#bulk-apply").click()  # "Assign" to "Me" is the bar's first choice
    expect(page.locator("#bulk-summary")).to_contain_text("Done: 20. Refused: 0.")
    expect(page.locator("#bulk-bar")).to_have_count(0)  # the selection is cleared
    page.get_by_role("tab", name=re.compile(r"^Mine")).click()
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("Bea Bulk")

    engine = app.engine()
    try:
        with session_scope(engine) as db:
            ids = db.exec(select(Ticket.id).where(Ticket.number.in_(numbers))).all()  # type: ignore[attr-defined]
            audited = db.exec(
                select(AuditEvent.ticket_id).where(
                    AuditEvent.action == "ticket.assigned",
                    AuditEvent.ticket_id.in_(ids),  # type: ignore[union-attr]
                )
            ).all()
            assert sorted(audited) == sorted(ids)
    finally:
        engine.dispose()
