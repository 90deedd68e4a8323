"""Issue 8: the customer journey once in Czech, from the browser's Accept-Language."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import User
from tests.e2e.helpers import PASSWORD, ready, unique_email
from tests.e2e.test_agent_dashboard import compose
from tests.e2e.test_live_updates import open_as_agent
from tests.mailbox import code_in


def test_a_czech_customer_registers_submits_and_gets_the_reply_in_czech(
    browser, app, page, new_context
):
    context = browser.new_context(base_url=app.url, locale="cs-CZ", timezone_id="Europe/Prague")
    customer = context.new_page()
    email = unique_email("jana")

    customer.goto("/register")
    ready(customer)
    main = customer.locator("#main")
    expect(main.get_by_role("heading", name="Vytvořit účet")).to_be_visible()
    expect(customer.locator("html")).to_have_attribute("lang", "cs")  # for screen readers
    main.get_by_label("Jméno").fill("Jana Nováková")
    main.get_by_label("E-mail").fill(email)
    main.get_by_label("Heslo").fill(PASSWORD)
    main.get_by_role("button", name="Vytvořit účet").click()
    expect(customer.locator("#register-notice")).to_contain_text(f"Poslali jsme e-mail na {email}")
    [mail] = app.smtp.wait_for(email)
    assert '<html lang="cs">' in mail.get_body(preferencelist=("html",)).get_content()
    main.get_by_label("Ověřovací kód").fill(code_in(mail))
    main.get_by_role("button", name="Vytvořit účet").click()
    customer.wait_for_url(re.compile(r"/tickets/?$"))
    ready(customer)
    expect(customer.get_by_role("heading", name="Moje tikety")).to_be_visible()
    expect(customer.get_by_text("Nemáte žádné otevřené tikety.")).to_be_visible()

    customer.goto("/tickets/new")
    ready(customer)
    main = customer.locator("#main")
    main.get_by_label("Předmět").fill("Nedorazil vklad")
    customer.locator("#category").click()
    customer.get_by_role("option", name="Vklady a výběry").click()
    main.get_by_label("Popis").fill("Poslala jsem 0,5 ETH před dvěma hodinami.")
    main.get_by_role("button", name="Odeslat tiket").click()
    customer.wait_for_url(re.compile(r"/tickets/\d+/?$"))
    ready(customer)
    number = int(re.search(r"/tickets/(\d+)", customer.url).group(1))  # type: ignore[union-attr]
    expect(customer.locator(".status-badge")).to_have_text("Otevřené")
    expect(customer.get_by_text(f"Tiket {number}")).to_be_visible()
    expect(customer.get_by_role("button", name="Odeslat")).to_be_visible()

    # The account remembers the language: its emails are Czech.
    engine = app.engine()
    with session_scope(engine) as db:
        assert db.exec(select(User.locale).where(User.email == email)).one() == "cs"
    engine.dispose()

    open_as_agent(page, app, number, name="Czech Agent")
    try:
        compose(page, "Prosím pošlete snímek obrazovky.", "Send and request more information")
    except AssertionError:
        page.screenshot(path="/tmp/pw/czech-agent.png", full_page=True)
        raise
    expect(customer.locator(".status-badge")).to_have_text("Čeká na vaši odpověď")
    # The subject says what happened (issue 14), in the customer's language.
    [mail] = app.smtp.wait_for(email, subject_contains="více informací")
    assert str(mail["Subject"]) == f"K tiketu {number} potřebujeme více informací"

    customer.get_by_label("Odpověď").fill("Posílám.")
    customer.get_by_role("button", name="Odeslat").click()
    expect(customer.locator(".message-body")).to_have_count(3)
    expect(customer.locator(".status-badge")).to_have_text("Otevřené")

    # The switcher changes the language at once, also of what the server formatted (times).
    expect(customer.locator(".message-time").first).to_have_text(re.compile(r"před|právě"))
    customer.locator("#language-switcher").click()
    customer.get_by_role("option", name="English").click()
    expect(customer.locator(".status-badge")).to_have_text("Open")
    expect(customer.locator("html")).to_have_attribute("lang", "en")
    expect(customer.locator(".message-time").first).to_have_text(re.compile(r"ago|just now"))
    context.close()
