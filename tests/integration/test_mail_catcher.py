"""The built-in mail catcher (/dev/mailbox): a real SMTP server writing .eml files."""

from __future__ import annotations

import httpx
import pytest

from support_portal.mail import catcher
from support_portal.mail.sender import OutboxSender
from support_portal.states.notice_views import linkify
from support_portal.web.routes import build_routes_app
from tests.integration.conftest import PUBLIC_URL
from tests.integration.helpers import agent_reply, open_ticket
from tests.mailbox import free_port

pytestmark = pytest.mark.integration


def routes_client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_routes_app())
    return httpx.AsyncClient(transport=transport, base_url="http://portal.test")


@pytest.fixture
def running_catcher(monkeypatch, settings):
    """SMTP_HOST unset in development: the app's own catcher takes the mail."""
    monkeypatch.setattr(settings, "smtp_host", None)
    monkeypatch.setattr(settings, "mail_catcher_port", free_port())
    mail_catcher = catcher.MailCatcher(settings)
    assert mail_catcher.start()
    yield mail_catcher
    mail_catcher.stop()


async def test_emails_sent_without_an_smtp_host_land_in_the_mailbox(
    running_catcher, settings, alice, agent
):
    number = open_ticket(alice)
    agent_reply(agent, number, "The private answer")
    sender = OutboxSender(settings)
    assert await sender.run_once() == 2
    await sender.mailer.close()

    caught = catcher.list_mail(settings=settings)
    assert [m.subject for m in caught] == [
        f"Your support ticket {number} has been updated",  # newest first
        f"Your support ticket {number} was received",
    ]
    newest = catcher.read_mail(caught[0].name, settings=settings)
    assert newest is not None
    assert newest.to == "Alice Customer <alice@example.com>"
    assert "Our support team replied" in newest.text and "<a href=" in newest.html
    link = f"{PUBLIC_URL}/tickets/{number}"
    assert [p.href for p in linkify(newest.text) if p.href] == [link]
    assert "".join(p.text for p in linkify(newest.text)) == newest.text


async def test_a_plain_aiosmtplib_client_can_drop_mail_into_the_catcher(running_catcher, settings):
    import aiosmtplib

    await aiosmtplib.send(
        "Subject: Hello\r\nFrom: a@example.com\r\nTo: b@example.com\r\n\r\nSee https://x.test/a.\r\n",
        sender="a@example.com",
        recipients=["b@example.com"],
        hostname="127.0.0.1",
        port=settings.mail_catcher_port,
    )
    [mail] = catcher.list_mail(settings=settings)
    assert (mail.subject, mail.to) == ("Hello", "b@example.com")
    assert [p.href for p in linkify(mail.text) if p.href] == ["https://x.test/a"]
    catcher.clear(settings)
    assert catcher.list_mail(settings=settings) == []


async def test_the_html_part_is_served_sandboxed_for_the_mailbox_iframe(
    running_catcher, settings, alice
):
    open_ticket(alice)
    sender = OutboxSender(settings)
    await sender.run_once()
    await sender.mailer.close()
    [mail] = catcher.list_mail(settings=settings)

    async with routes_client() as client:
        response = await client.get(f"/dev/mailbox/html/{mail.name}")
        missing = [
            (await client.get(f"/dev/mailbox/html/{name}")).status_code
            for name in ("..%2Fsecret_key", "../x.eml", ".hidden.eml", "nope.eml")
        ]
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "sandbox" in csp and "script-src" not in csp and "frame-ancestors 'self'" in csp
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert '<base target="_blank">' in response.text
    assert response.text.index("<base") < response.text.index("<body")
    assert missing == [404] * 4


async def test_the_mailbox_is_closed_when_an_smtp_host_is_set(monkeypatch, settings):
    monkeypatch.setattr(settings, "smtp_host", "mail.example.com")
    assert not settings.mail_catcher_enabled
    assert catcher.MailCatcher(settings).start() is False
    async with routes_client() as client:
        assert (await client.get("/dev/mailbox/html/1-abc.eml")).status_code == 404
