"""Issue 14: axe-core on every page, as customer, guest and agent, at desktop and phone sizes,
in English and Czech. Any serious or critical violation fails.

One app and one browser for the whole run; one browser context per person and language, the
viewport changed in place. The data (users, tickets, a guest's link) is made through the
services, the sessions are set as the HttpOnly cookie an HTTP route would set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from unittest import mock

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser, BrowserContext, Page
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import Role, Ticket, User
from support_portal.services import (
    agent,
    categories,
    custom_fields,
    guest_links,
    sessions,
    ticket_tags,
    tickets,
)
from support_portal.services.auth import SESSION_COOKIE
from tests.e2e.helpers import create_user, goto

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LOCALES = {"en": "en-US", "cs": "cs-CZ"}
FAILING = {"serious", "critical"}


@dataclass
class World:
    """What the pages show: per language a customer, an agent and a guest with their tickets."""

    sessions: dict[tuple[str, str], str] = field(default_factory=dict)  # (who, locale) -> token
    numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    guest_links: dict[str, str] = field(default_factory=dict)  # locale -> /t/... path


def _session_for(db, *, user_id: int | None = None, guest_email: str | None = None) -> str:
    token = sessions.create_login_ticket(db, user_id=user_id, guest_email=guest_email)
    session_token, _, _ = sessions.exchange_login_ticket(db, token=token)
    return session_token


def _link_secret(app, engine, ticket_id: int) -> str:
    """The guest link the confirmation email carries (signed with the app's key)."""
    app_settings = SimpleNamespace(secret_key=app.env["SECRET_KEY"])
    with (
        session_scope(engine) as db,
        mock.patch.object(guest_links, "get_settings", lambda: app_settings),
    ):
        return guest_links.link_secret(db.get(Ticket, ticket_id))


def _field_category(app, engine) -> str:
    """A category with a custom field of every kind, so the forms and panels show them."""
    email = create_user(app, name="Ida Admin", role=Role.admin)
    with session_scope(engine) as db:
        admin = sessions.viewer_for_token(
            db,
            session_token=_session_for(
                db, user_id=db.exec(select(User.id).where(User.email == email)).one()
            ),
        )
        added = categories.save_category(
            db, viewer=admin, names={"en": "Card payments", "cs": "Platby kartou"}
        )
        for label, kind, visible, editable in (
            ("Card reference", "short_text", True, True),
            ("What happened", "long_text", True, True),
            ("Amount", "number", True, True),
            ("Card type", "dropdown", True, True),
            ("Payment date", "date", True, True),
            ("Reviewed", "checkbox", True, False),
            ("Risk score", "number", False, False),
        ):
            custom_fields.save_field(
                db, viewer=admin, category_id=added.id, labels={"en": label, "cs": label},
                kind=kind, options=["Debit", "Credit"], required=kind == "short_text",
                customer_visible=visible, customer_editable=editable,
            )  # fmt: skip
    return added.key


def _make_world(app) -> World:
    world = World()
    engine = app.engine()
    try:
        card_category = _field_category(app, engine)
        for locale in LOCALES:
            customer_email = create_user(app, name=f"Cora Customer {locale}")
            agent_email = create_user(app, name=f"Adam Admin {locale}", role=Role.admin)
            guest_email = f"guest-{locale}-{customer_email.split('@')[0]}@example.com"
            with session_scope(engine) as db:
                for email in (customer_email, agent_email):
                    db.exec(select(User).where(User.email == email)).one().locale = locale
            with session_scope(engine) as db:
                users = {
                    u.email: u.id
                    for u in db.exec(
                        select(User).where(User.email.in_([customer_email, agent_email]))  # type: ignore[attr-defined]
                    )
                }
                customer_token = _session_for(db, user_id=users[customer_email])
                agent_token = _session_for(db, user_id=users[agent_email])
                customer = sessions.viewer_for_token(db, session_token=customer_token)
                new = tickets.create_ticket(
                    db,
                    viewer=customer,
                    subject="Withdrawal stuck",
                    category=card_category,
                    description="My withdrawal has been pending for three days.",
                    locale=locale,
                    fields={
                        "card_reference": "CR-1",
                        "amount": "12,5",
                        "card_type": "Debit",
                        "payment_date": "2026-12-01",
                    },
                )
                guest = tickets.create_ticket(
                    db,
                    viewer=None,
                    guest_name="Gita Guest",
                    guest_email=guest_email,
                    subject="Card blocked",
                    category="account",
                    description="My card was blocked.",
                    locale=locale,
                )
            with session_scope(engine) as db:
                admin = sessions.viewer_for_token(db, session_token=agent_token)
                agent.agent_reply(
                    db, viewer=admin, number=new.number, body="We are looking into it."
                )
                ticket_tags.add_tag(db, viewer=admin, number=new.number, tag="withdrawal")
                guest_token = _session_for(db, guest_email=guest_email)
            world.sessions.update(
                {("customer", locale): customer_token, ("agent", locale): agent_token}
            )
            world.sessions[("guest", locale)] = guest_token
            world.numbers[("customer", locale)] = new.number
            world.numbers[("guest", locale)] = guest.number
            world.guest_links[locale] = f"/t/{_link_secret(app, engine, guest.ticket_id)}"
    finally:
        engine.dispose()
    return world


@pytest.fixture(scope="module")
def world(app) -> World:
    return _make_world(app)


def pages_for(who: str, locale: str, world: World) -> list[str]:
    if who == "anonymous":
        number = world.numbers[("guest", locale)]
        return ["/", "/login", "/register", "/forgot-password", "/tickets/new",
                world.guest_links[locale], "/t", f"/tickets/submitted/{number}"]  # fmt: skip
    if who == "guest":
        return [f"/tickets/{world.numbers[('guest', locale)]}", "/tickets"]
    if who == "customer":
        number = world.numbers[("customer", locale)]
        return ["/", "/tickets", "/tickets/new", f"/tickets/{number}", "/notifications",
                "/settings/notifications", "/settings/account"]  # fmt: skip
    number = world.numbers[("customer", locale)]
    return ["/admin", f"/admin/tickets/{number}", "/admin/agents", "/admin/outbox",
            "/admin/replies", "/admin/api-tokens", "/admin/webhooks", "/admin/categories",
            "/admin/tags", "/admin/reports", "/admin/service-levels",
            "/settings/account"]  # fmt: skip


def context_for(browser: Browser, app, world: World, who: str, locale: str) -> BrowserContext:
    """A browser context in `locale` with `who`'s session cookie (none for "anonymous")."""
    context = browser.new_context(
        base_url=app.url, locale=LOCALES[locale], timezone_id="Europe/Prague"
    )
    if who != "anonymous":
        context.add_cookies(
            [
                {
                    "name": SESSION_COOKIE,
                    "value": world.sessions[(who, locale)],
                    "url": app.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
    return context


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in FAILING]


def code_step_violations(page: Page) -> list[dict]:
    """The guest link page once a code was sent: the code field and the resend countdown."""
    page.locator("#send-code").click()
    page.locator("#resend-code").wait_for()
    return axe_violations(page)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:4]]
        summary = (v["nodes"][0].get("failureSummary") or "").replace("\n", " ")[:240]
        lines.append(f"  {v['id']} ({v['impact']}) x{len(v['nodes'])}: {targets} {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("locale", list(LOCALES))
def test_every_page_passes_axe_for_every_kind_of_visitor(
    browser: Browser, app, world: World, locale: str
):
    failures: list[str] = []
    for who in ("anonymous", "guest", "customer", "agent"):
        context = context_for(browser, app, world, who, locale)
        page = context.new_page()
        try:
            for size, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                for path in pages_for(who, locale, world):
                    goto(page, path)
                    found = axe_violations(page)
                    if found:
                        failures.append(f"{who} {locale} {size} {path}:\n{describe(found)}")
                    if path.startswith("/t/") and size == "desktop":
                        found = code_step_violations(page)
                        if found:
                            failures.append(f"{who} {locale} code step:\n{describe(found)}")
        finally:
            context.close()
    assert not failures, "axe found serious or critical violations:\n" + "\n".join(failures)


def test_axe_reports_an_unnamed_control(browser: Browser, app):
    """The check itself works: a button without a name on a real page is reported."""
    page = browser.new_page(base_url=app.url)
    try:
        goto(page, "/login")
        page.evaluate(
            "document.querySelector('#main').appendChild(document.createElement('button'))"
        )
        ids = [v["id"] for v in axe_violations(page)]
        assert "button-name" in ids, json.dumps(ids)
    finally:
        page.close()
