"""Issue 17, "Your data": download the data ZIP from the account page and open it (its content,
never an internal note, pages that show markup as text), and delete an account, after which no
text column of any table holds its address and its other browser has lost access."""

from __future__ import annotations

import json
import re
import secrets
import zipfile

from playwright.sync_api import Page, expect
from sqlalchemy import JSON, String, inspect, text
from sqlmodel import select

from support_portal.models import AuthorKind, Message, Ticket
from tests.e2e.helpers import PASSWORD, create_user, goto, log_in, ready, submit_ticket
from tests.e2e.test_accessibility import axe_violations, describe
from tests.e2e.test_guest_journey import in_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
XSS = "<img src=x onerror=alert(1)>"


def internal_note(app, number: int, body: str) -> None:
    def add(db) -> None:
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        db.add(
            Message(
                ticket_id=ticket.id,
                author_kind=AuthorKind.agent,
                author_name="Agnes Agent",
                body=body,
                is_internal=True,
            )
        )

    in_db(app, add)


def text_columns_holding(app, needle: str) -> list[str]:
    """Every text, varchar and JSON column of every table whose value contains `needle`."""

    def scan(db) -> list[str]:
        found = []
        inspector = inspect(db.get_bind())
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if not isinstance(column["type"], String | JSON):
                    continue
                hit = db.exec(
                    text(
                        f'SELECT 1 FROM "{table}" WHERE lower(CAST("{column["name"]}" AS TEXT)) '
                        "LIKE :needle LIMIT 1"
                    ),
                    params={"needle": f"%{needle.lower()}%"},
                ).first()
                if hit:
                    found.append(f"{table}.{column['name']}")
        return found

    return in_db(app, scan)


def test_download_my_data_and_open_the_zip(page: Page, app, tmp_path, new_context):
    name = f"Zoe Zipper {secrets.token_hex(3)}"
    email = create_user(app, name=name)
    log_in(page, email)
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(PNG)
    number = submit_ticket(
        page,
        subject=f"Withdrawal {XSS}",
        category="Deposits and withdrawals",
        description=f"My words {XSS}",
        files=[str(receipt)],
    )
    internal_note(app, number, "Internal: check this customer")

    goto(page, "/settings/account")
    card = page.locator("#your-data")
    card.get_by_role("button", name="Download my data").click()
    link = page.locator("#export-download")
    expect(link).to_be_visible(timeout=30_000)  # built in the background, progress meanwhile
    expect(page.locator("#export-ready")).to_contain_text("The link works until")
    assert not (found := axe_violations(page)), describe(found)
    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert re.fullmatch(r"my-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    archive = zipfile.ZipFile(download.path())
    names = archive.namelist()

    account = json.loads(archive.read("account.json"))
    assert (account["name"], account["email"]) == (name, email)
    ticket = json.loads(archive.read(f"tickets/{number}.json"))
    assert ticket["messages"][0]["text"] == f"My words {XSS}"
    [copied] = [n for n in names if n.startswith(f"attachments/{number}/")]
    assert archive.read(copied) == PNG
    everything = b"".join(archive.read(n) for n in names)
    assert b"Internal: check this customer" not in everything

    # The ticket's page shows the markup as text: opened in the browser, no image is made.
    html_page = archive.read(f"tickets/{number}.html").decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_page and "<img" not in html_page
    viewer = page.context.new_page()
    dialogs: list[str] = []
    viewer.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    viewer.set_content(html_page)
    expect(viewer.locator("h1")).to_contain_text(f"Withdrawal {XSS}")
    assert viewer.locator("img").count() == 0 and dialogs == []

    # Someone else's browser gets the plain "Not found" for the same link.
    href = link.get_attribute("href")
    assert href and new_context().request.get(href).status == 404


def test_delete_an_account_and_find_no_trace_of_its_email(page: Page, app, new_context):
    name = f"Dora Deleted {secrets.token_hex(3)}"
    email = create_user(app, name=name)
    log_in(page, email)
    number = submit_ticket(
        page, subject="Please forget me", category="Account", description=f"I am {name}, {email}"
    )
    elsewhere = new_context().new_page()  # the same account, open on another device
    log_in(elsewhere, email)
    assert text_columns_holding(app, email)  # the scan finds the address before

    goto(page, "/settings/account")
    card = page.locator("#your-data")
    card.get_by_role("button", name="Delete my account").click()
    card.get_by_label("Current password").fill("not my password")
    card.get_by_role("button", name="Delete my account for good").click()
    expect(card).to_contain_text("The current password is not correct")
    assert not (found := axe_violations(page)), describe(found)
    card.get_by_label("Current password").fill(PASSWORD)
    card.get_by_role("button", name="Delete my account for good").click()
    page.wait_for_url(re.compile(r"/login/?\?deleted=1"))
    ready(page)
    expect(page.locator("#main")).to_contain_text("Your account and your personal data were")

    # Its other browser has lost access: the next page it asks for is the login.
    elsewhere.reload()
    elsewhere.wait_for_url(re.compile(r"/login"))

    assert text_columns_holding(app, email) == []
    assert text_columns_holding(app, name) == []
    # The ticket stays for the company's record, without the customer.
    subject, guest_name = in_db(
        app,
        lambda db: db.exec(
            select(Ticket.subject, Ticket.guest_name).where(Ticket.number == number)
        ).one(),
    )
    assert (subject, guest_name) == ("[Removed]", "Deleted customer")

    # Nobody logs in with it any more.
    goto(page, "/login")
    main = page.locator("#main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_contain_text("Email or password is incorrect")
