"""Issue 15: an administrator renames a tag on every ticket at once, then merges it into
another after a confirmation that says how many tickets it touches; the queue's tag filter
finds every ticket under the new name. An agent who is not an administrator gets nothing."""

from __future__ import annotations

import os
import secrets

from playwright.sync_api import expect
from sqlmodel import col, select

from support_portal.db import session_scope
from support_portal.models import AuditEvent, Role, User
from support_portal.services import sessions, ticket_tags, tickets
from tests.e2e.helpers import create_user, goto, log_in

SUFFIX = secrets.token_hex(3)
TYPO, RIGHT, TARGET = f"refnd-{SUFFIX}", f"refund-{SUFFIX}", f"billing-{SUFFIX}"


def viewer_for(db, email: str):
    user_id = db.exec(select(User.id).where(User.email == email)).one()
    token = sessions.create_login_ticket(db, user_id=user_id)
    session_token, _, _ = sessions.exchange_login_ticket(db, token=token)
    return sessions.viewer_for_token(db, session_token=session_token)


def tagged_tickets(app, customer_email: str, agent_email: str, plan) -> list[int]:
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            customer, agent = viewer_for(db, customer_email), viewer_for(db, agent_email)
            numbers = []
            for i, tags in enumerate(plan):
                number = tickets.create_ticket(
                    db,
                    viewer=customer,
                    subject=f"Refund {SUFFIX} {i}",
                    category="other",
                    description="Money back please.",
                ).number
                for tag in tags:
                    ticket_tags.add_tag(db, viewer=agent, number=number, tag=tag)
                numbers.append(number)
            return numbers
    finally:
        engine.dispose()


def row(page, tag: str):
    return page.locator("#tag-table .tag-row").filter(has=page.locator(".tag-name", has_text=tag))


def test_an_admin_renames_a_tag_then_merges_it_and_the_queue_follows(page, app):
    customer = create_user(app, name="Rita Refund")
    agent = create_user(app, name="Tom Tagger", role=Role.agent)
    admin = create_user(app, name="Ada Tagadmin", role=Role.admin)
    numbers = tagged_tickets(app, customer, agent, [(TYPO,), (TYPO, TARGET), (TARGET,)])

    log_in(page, admin, expect_path=r"/admin/?$")
    page.locator("#admin-nav").get_by_role("link", name="Tags", exact=True).click()
    page.wait_for_url("**/admin/tags")
    page.locator("#tag-search").fill(SUFFIX)
    page.locator("#tag-search").press("Enter")
    expect(page.locator("#tag-table .tag-name")).to_have_text([TARGET, TYPO])
    expect(row(page, TYPO).locator(".tag-count")).to_have_text("2")

    # Rename with the keyboard: the input takes the focus, Enter saves.
    page.get_by_role("button", name=f"Rename {TYPO}").click()
    name = page.locator("#tag-rename-input")
    expect(name).to_be_focused()
    name.fill(f"  Refund-{SUFFIX} ")
    name.press("Enter")
    expect(page.locator("#tags-notice")).to_contain_text(f"Renamed “{TYPO}” to “{RIGHT}”")
    expect(page.locator("#tag-table .tag-name")).to_have_text([TARGET, RIGHT])

    # Renaming into an existing tag asks first; Cancel changes nothing.
    page.get_by_role("button", name=f"Rename {RIGHT}").click()
    page.locator("#tag-rename-input").fill(TARGET)
    page.locator("#tag-rename-input").press("Enter")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"This merges “{RIGHT}” into “{TARGET}” (2 tickets).")
    page.locator("#tag-merge-cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#tag-rename-input")).to_be_focused()  # back to the name, unchanged
    expect(page.locator("#tag-table .tag-row")).to_have_count(2)
    expect(row(page, TARGET).locator(".tag-count")).to_have_text("2")

    page.locator("#tag-rename-input").press("Enter")
    expect(dialog).to_be_visible()
    page.locator("#tag-merge-confirm").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#tags-notice")).to_contain_text(f"Merged “{RIGHT}” into “{TARGET}”")
    expect(page.locator("#tag-table .tag-name")).to_have_text([TARGET])
    expect(row(page, TARGET).locator(".tag-count")).to_have_text("3")

    goto(page, "/admin")
    page.locator("#queue-search").fill(f"tag:{TARGET}")
    page.locator("#queue-search").press("Enter")
    rows = page.locator("#queue-table .queue-row")
    expect(rows).to_have_count(3)
    shown = sorted(int(rows.nth(i).get_attribute("data-number") or 0) for i in range(3))
    assert shown == sorted(numbers)

    engine = app.engine()
    try:
        with session_scope(engine) as db:
            done = db.exec(
                select(AuditEvent.action, AuditEvent.detail)
                .where(AuditEvent.action.in_(("tag.renamed", "tag.merged")))  # type: ignore[attr-defined]
                .order_by(col(AuditEvent.id))  # in the order they happened
            ).all()
            mine = [(a, d) for a, d in done if SUFFIX in str(d.get("from"))]
            assert mine == [
                ("tag.renamed", {"from": TYPO, "to": RIGHT, "count": 2}),
                ("tag.merged", {"from": RIGHT, "to": TARGET, "count": 2}),
            ]
    finally:
        engine.dispose()


def test_an_admin_deletes_a_tag_after_confirming_on_a_phone(page, app):
    customer = create_user(app, name="Dan Delete")
    agent = create_user(app, name="Tia Tagger", role=Role.agent)
    admin = create_user(app, name="Ava Tagadmin", role=Role.admin)
    doomed = f"spam-{secrets.token_hex(3)}"
    tagged_tickets(app, customer, agent, [(doomed,), (doomed,)])

    page.set_viewport_size({"width": 390, "height": 844})  # on a phone
    log_in(page, admin, expect_path=r"/admin/?$")
    goto(page, "/admin/tags")
    page.locator("#tag-search").fill(doomed)
    page.locator("#tag-search").press("Enter")
    expect(page.locator("#tag-table .tag-row")).to_have_count(1)
    page.get_by_role("button", name=f"Rename {doomed}").click()  # the widest the row gets
    expect(page.locator("#tag-rename-input")).to_be_focused()
    if os.environ.get("SP_TAG_SHOT"):
        page.screenshot(path=os.environ["SP_TAG_SHOT"], full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name=f"Delete {doomed}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Delete the tag “{doomed}”?")
    expect(dialog).to_contain_text("It is taken off 2 tickets.")
    page.locator("#tag-delete-confirm").click()
    expect(page.locator("#tags-notice")).to_contain_text(f"Deleted the tag “{doomed}”")
    expect(page.locator(".empty-state")).to_contain_text(f"No tag matches “{doomed}”")


def test_an_agent_who_is_not_an_admin_is_refused(page, app):
    log_in(page, create_user(app, name="Nia Notadmin", role=Role.agent), expect_path=r"/admin/?$")
    expect(page.locator("#admin-nav").get_by_role("link", name="Tags", exact=True)).to_have_count(0)
    goto(page, "/admin/tags")
    expect(page.locator("#admin-only")).to_have_text("Only administrators can manage tags.")
    expect(page.locator("#tag-admin")).to_have_count(0)


def test_a_customer_gets_the_not_found_page(page, app):
    log_in(page, create_user(app, name="Cid Customer"))
    goto(page, "/admin/tags")
    expect(page.locator("#not-found")).to_be_visible()
    expect(page.locator("#tag-admin")).to_have_count(0)
