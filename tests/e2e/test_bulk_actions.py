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


def make_tickets(app, email: str, n: int, word: str = WORD) -> list[int]:
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
                    subject=f"Card {word} {i}",
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


def test_a_customer_calling_macro_and_bulk_handlers_by_name_gets_nothing(page, app):
    from support_portal.services import macro_actions, saved_replies
    from support_portal.states.agent_bulk import BulkState
    from support_portal.states.macros import MacroMenuState
    from tests.e2e.test_agent_handlers_security import RawClient, handler, session_cookie

    admin_email = create_user(app, name="Mia Macro Admin", role=Role.admin)
    customer_email = create_user(app, name="Mallory Bulk")
    (number,) = make_tickets(app, customer_email, 1)
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            user_id = db.exec(select(User.id).where(User.email == admin_email)).one()
            token = sessions.create_login_ticket(db, user_id=user_id)
            session_token, _, _ = sessions.exchange_login_ticket(db, token=token)
            admin = sessions.viewer_for_token(db, session_token=session_token)
            macro_id = saved_replies.save_reply(
                db,
                viewer=admin,
                title="Secret macro zz8k",
                texts={"en": "Closing this."},
                shared=True,
                actions=macro_actions.clean(status="close"),
            ).id
    finally:
        engine.dispose()

    log_in(page, customer_email)
    path = f"/admin/tickets/{number}"
    client = RawClient(app.url, session_cookie(page))
    try:
        client.emit(handler(MacroMenuState, "open_macros"), {"is_open": True}, path)
        client.emit(handler(MacroMenuState, "apply_macro"), {"macro_id": macro_id}, path)
        client.emit(handler(BulkState, "toggle"), {"number": number, "checked": True}, "/admin")
        client.emit(handler(BulkState, "set_action"), {"action": "macro"}, "/admin")
        client.emit(handler(BulkState, "apply"), {"form": {"value_macro": str(macro_id)}}, "/admin")
        client.settle("/admin")
    finally:
        client.close()
    assert "zz8k" not in str(client.received)

    engine = app.engine()
    try:
        with session_scope(engine) as db:
            ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
            assert ticket.status == "open"
            mallory = db.exec(select(User.id).where(User.email == customer_email)).one()
            denied = set(
                db.exec(
                    select(AuditEvent.action).where(
                        AuditEvent.actor_id == mallory,
                        AuditEvent.action.startswith("denied."),  # type: ignore[attr-defined]
                    )
                ).all()
            )
            assert {"denied.saved_replies.list", "denied.bulk.options", "denied.bulk.apply"} <= (
                denied
            )
    finally:
        engine.dispose()


def test_closing_in_bulk_asks_first_and_cancel_changes_nothing(page, app):
    numbers = make_tickets(app, create_user(app, name="Close Customer"), 3, word="bulkclose5t")
    log_in(page, create_user(app, name="Cleo Closer", role=Role.agent), expect_path=r"/admin/?$")
    goto(page, "/admin")
    page.locator("#queue-search").fill("bulkclose5t")
    page.locator("#queue-search").press("Enter")
    for number in numbers:
        page.get_by_role("checkbox", name=f"Select ticket {number}").click()
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    page.locator("#bulk-action").click()
    page.get_by_role("option", name="Change status").click()
    page.locator("#bulk-value_status").click()
    page.get_by_role("option", name="Close").click()

    def statuses() -> set[str]:
        engine = app.engine()
        try:
            with session_scope(engine) as db:
                query = select(Ticket.status).where(Ticket.number.in_(numbers))  # type: ignore[attr-defined]
                return {str(s) for s in db.exec(query).all()}
        finally:
            engine.dispose()

    page.locator("#bulk-apply").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Close 3 tickets?")
    expect(dialog).to_contain_text("Customers can no longer reply to a closed ticket")
    page.keyboard.press("Escape")  # the same as Cancel
    expect(dialog).to_have_count(0)
    expect(page.locator("#bulk-count")).to_have_text("3 selected")  # still selected
    assert statuses() == {"open"}

    page.locator("#bulk-apply").click()
    expect(dialog).to_be_visible()
    page.locator("#bulk-close-cancel").click()
    expect(dialog).to_have_count(0)
    assert statuses() == {"open"}

    page.locator("#bulk-apply").click()
    page.locator("#bulk-close-confirm").click()
    expect(page.locator("#bulk-summary")).to_contain_text("Done: 3. Refused: 0.")
    expect(dialog).to_have_count(0)
    assert statuses() == {"closed"}

    # Other bulk actions stay one click: resolving asks nothing.
    more = make_tickets(app, create_user(app, name="Resolve Customer"), 1, word="bulkresolve5t")
    goto(page, "/admin")
    page.locator("#queue-search").fill("bulkresolve5t")
    page.locator("#queue-search").press("Enter")
    page.get_by_role("checkbox", name=f"Select ticket {more[0]}").click()
    page.locator("#bulk-action").click()
    page.get_by_role("option", name="Change status").click()
    page.locator("#bulk-apply").click()  # "Resolve" is the status select's first choice
    expect(page.locator("#bulk-summary")).to_contain_text("Done: 1.")
    expect(dialog).to_have_count(0)
