"""Security-bar promises seen from the browser and over HTTP: C1, C2, C3, P3, P4/A6, R1."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import Attachment, Message, Ticket
from tests.e2e.helpers import (
    create_user,
    goto,
    log_in,
    reply,
    submit_ticket,
    unique_email,
)

XSS = [
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(2)>",
    "[x](javascript:alert(3))",
    "<script>alert(4)</script>",
]


def http_get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def session_cookie(context) -> str:
    cookie = next(c for c in context.cookies() if c["name"] == "sp_session")
    return f"sp_session={cookie['value']}"


def test_script_payloads_render_as_text_everywhere(page, app, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, create_user(app, name="<img src=x onerror=alert(9)> Mallory"))
    evil_file = tmp_path / "<img src=x onerror=alert(5)>.txt"
    evil_file.write_text("log line\n")
    number = submit_ticket(
        page, subject=XSS[0], category="Other", description="\n".join(XSS), files=[str(evil_file)]
    )
    reply(page, XSS[1])
    expect(page.locator("#ticket-subject")).to_have_text(XSS[0])
    expect(page.locator(".message-body").first).to_contain_text("<svg onload=alert(2)>")
    expect(page.locator(".attachment-name")).to_have_text("<img src=x onerror=alert(5)>.txt")
    goto(page, "/tickets")
    expect(page.locator(".ticket-subject")).to_have_text([XSS[0]])
    goto(page, f"/tickets/{number}")
    assert page.locator("img[src=x], svg[onload], a[href^=javascript]").count() == 0
    assert dialogs == []


def test_attachments_are_served_only_to_the_owner_with_safe_headers(
    page, app, tmp_path, new_context
):
    log_in(page, create_user(app, name="Olivia Owner"))
    document = tmp_path / "statement.pdf"
    document.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    number = submit_ticket(
        page,
        subject="Statement",
        category="Account",
        description="See attached",
        files=[str(document)],
    )
    with session_scope(engine := app.engine()) as db:
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        row = db.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).one()
        attachment_id, storage_name = row.id, row.storage_name
    engine.dispose()

    status, headers, body = http_get(
        f"{app.url}/files/{attachment_id}", session_cookie(page.context)
    )
    assert status == 200
    assert body.startswith(b"%PDF-")
    assert headers["content-disposition"].startswith("attachment;")
    assert headers["x-content-type-options"] == "nosniff"

    # No cookie, someone else's cookie, and the public upload paths: all "not found".
    assert http_get(f"{app.url}/files/{attachment_id}")[0] == 404
    other = new_context().new_page()
    log_in(other, create_user(app, name="Eve Other"))
    assert http_get(f"{app.url}/files/{attachment_id}", session_cookie(other.context))[0] == 404
    assert (
        http_get(f"{app.url}/files/{attachment_id + 1000}", session_cookie(page.context))[0] == 404
    )
    for public in (
        f"/_upload/{storage_name}",
        "/_upload/statement.pdf",
        f"/uploaded_files/{storage_name}",
        f"/data/uploads/{storage_name}",
    ):
        assert http_get(app.url + public)[0] == 404, public


def test_a_renamed_executable_is_refused_with_a_clear_message(page, app, tmp_path):
    log_in(page, create_user(app, name="Rene Renamed"))
    fake = tmp_path / "invoice.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    goto(page, "/tickets/new")
    page.locator("#main").get_by_label("Subject").fill("Invoice")
    page.locator("#category").click()
    page.get_by_role("option", name="Account").click()
    page.locator("#main").get_by_label("Description").fill("attached")
    # The drop area is one named control for keyboards and screen readers.
    expect(page.locator("#main").get_by_role("button", name="Attach files")).to_have_count(1)
    page.locator("#ticket-files input[type=file]").set_input_files(str(fake))
    page.locator("#main").get_by_role("button", name="Submit ticket").click()
    expect(page.locator("#ticket-error")).to_contain_text("invoice.pdf is not an allowed file type")
    assert re.search(r"/tickets/new", page.url)


def test_logout_ends_the_session_on_the_server(page, app, browser):
    email = create_user(app, name="Lou Logout")
    log_in(page, email)
    number = submit_ticket(page, subject="Before logout", category="Other", description="x")
    copied = session_cookie(page.context)
    page.locator("#account-menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))
    assert not [c for c in page.context.cookies() if c["name"] == "sp_session"]

    # The old cookie value, replayed by another client, is anonymous now (P4, A6).
    replay = browser.new_context(base_url=app.url)
    name, value = copied.split("=", 1)
    replay.add_cookies([{"name": name, "value": value, "url": app.url}])
    stolen = replay.new_page()
    stolen.goto(f"/tickets/{number}")
    stolen.wait_for_url(re.compile(r"/login\?next="))
    replay.close()


def test_repeated_wrong_passwords_are_refused_with_the_wait_time(page, app):
    email = create_user(app, name="Tom Throttle")
    goto(page, "/login")
    main = page.locator("#main")
    for attempt in range(6):
        main.get_by_label("Email").fill(email)
        main.get_by_label("Password").fill(f"wrong password {attempt}")
        main.get_by_role("button", name="Log in").click()
        expect(page.locator("#login-error")).to_be_visible()
        expect(main.get_by_role("button", name="Log in")).to_be_enabled()
    expect(page.locator("#login-error")).to_contain_text(re.compile(r"wait \d+ minutes?"))
    # The right password is refused too while the account is throttled.
    main.get_by_label("Password").fill("correct horse battery staple")
    main.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_contain_text("Too many attempts")


@pytest.mark.parametrize("reloads", [10])
def test_double_click_and_reconnects_create_one_message(page, app, reloads):
    log_in(page, create_user(app, name="Dora Double"))
    number = submit_ticket(page, subject="Double", category="Other", description="first")
    page.get_by_label("Reply").fill("only once")
    page.locator("#send-button").dblclick()
    expect(page.locator(".message-body")).to_have_text(["first", "only once"])
    for _ in range(reloads):
        page.reload()
        page.wait_for_selector("#page-ready", state="attached")
    expect(page.locator(".message-body")).to_have_text(["first", "only once"])
    with session_scope(engine := app.engine()) as db:
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        bodies = db.exec(select(Message.body).where(Message.ticket_id == ticket.id)).all()
    engine.dispose()
    assert sorted(bodies) == ["first", "only once"]


def test_unique_email_helper_is_unique():
    assert unique_email() != unique_email()
