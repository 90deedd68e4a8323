"""The built-in mail catcher (/dev/mailbox): a real SMTP server writing .eml files."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.responses import PlainTextResponse

from support_portal import db as db_module
from support_portal.mail import catcher
from support_portal.mail.sender import OutboxSender
from support_portal.models import Role
from support_portal.services import sessions
from support_portal.states.notice_views import linkify
from support_portal.web.dev_access import mailbox_guard
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
        f"New reply on your support ticket {number}",  # newest first
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


# Who may read it (item 10): a direct local browser or an administrator; everyone else, 404.

REMOTE = ("203.0.113.7", 50000)
LOCAL = ("127.0.0.1", 50000)
PROXIED = [{"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=203.0.113.7"},
           {"X-Real-IP": "203.0.113.7"}, {"X-Forwarded-For": "127.0.0.1"}]  # fmt: skip


def client_from(peer: tuple[str, int], app=None, **kw) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app or build_routes_app(), client=peer)
    return httpx.AsyncClient(transport=transport, base_url="http://portal.test", **kw)


def session_cookie(engine, viewer_email: str, role) -> dict[str, str]:
    from support_portal.services.auth import SESSION_COOKIE
    from tests.integration.conftest import make_viewer

    viewer = make_viewer(engine, name="Someone", email=viewer_email, role=role)
    with db_module.session_scope(engine) as db:
        ticket = sessions.create_login_ticket(db, user_id=viewer.user_id)
        token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
    return {SESSION_COOKIE: token}


@pytest.fixture
def caught(running_catcher, settings, alice) -> str:
    open_ticket(alice)
    asyncio.run(_send_all(settings))
    [mail] = catcher.list_mail(settings=settings)
    return mail.name


async def _send_all(settings) -> None:
    sender = OutboxSender(settings)
    await sender.run_once()
    await sender.mailer.close()


def test_the_html_route_answers_only_direct_local_browsers_and_admins(caught, engine):
    async def status(peer, headers=None, cookies=None) -> int:
        async with client_from(peer, headers=headers, cookies=cookies) as client:
            return (await client.get(f"/dev/mailbox/html/{caught}")).status_code

    async def run():
        assert await status(LOCAL) == 200
        assert await status(("::1", 50000)) == 200
        assert await status(REMOTE) == 404
        for headers in PROXIED:  # through a reverse proxy on this machine
            assert await status(LOCAL, headers) == 404, headers
        admin = session_cookie(engine, "ada@support.test", Role.admin)
        agent = session_cookie(engine, "agnes2@support.test", Role.agent)
        customer = session_cookie(engine, "cid@example.com", Role.customer)
        assert await status(REMOTE, cookies=admin) == 200
        assert await status(LOCAL, PROXIED[0], cookies=admin) == 200
        assert await status(REMOTE, cookies=agent) == 404
        assert await status(REMOTE, cookies=customer) == 404

    asyncio.run(run())


def test_the_mailbox_page_itself_is_not_found_for_anyone_else(settings, engine):
    async def page_app(scope, receive, send):
        await PlainTextResponse("the mailbox page")(scope, receive, send)

    app = mailbox_guard(page_app)

    async def get(peer, path="/dev/mailbox", headers=None, cookies=None):
        async with client_from(peer, app, headers=headers, cookies=cookies) as client:
            return await client.get(path)

    async def run():
        for path in ("/dev/mailbox", "/dev/mailbox/", "/dev/mailbox/html/x.eml"):
            assert (await get(LOCAL, path)).text == "the mailbox page"
            response = await get(REMOTE, path)
            assert response.status_code == 404 and "mailbox" not in response.text
            assert (await get(LOCAL, path, PROXIED[1])).status_code == 404
        assert (await get(REMOTE, "/login")).status_code == 200  # other pages: untouched
        admin = session_cookie(engine, "ada@support.test", Role.admin)
        assert (await get(REMOTE, cookies=admin)).text == "the mailbox page"

    asyncio.run(run())


def mailbox_state(headers: dict[str, str], ip: str):
    """The page's Reflex state as a browser with these handshake headers and address gets it."""
    from reflex import constants
    from reflex.istate.data import RouterData
    from reflex.state import State

    from support_portal.states.mailbox import MailboxState

    state = State(_reflex_internal_init=True)
    for part in MailboxState.get_full_name().split(".")[1:]:
        state = state.substates[part]
    state.router = RouterData.from_router_data({
        constants.RouteVar.HEADERS: {"host": "portal.test", **headers},
        constants.RouteVar.CLIENT_IP: ip,
        constants.RouteVar.PATH: "/dev/mailbox",
        constants.RouteVar.ORIGIN: "/dev/mailbox",
    })  # fmt: skip
    return state


async def run_event(state, name: str, *args) -> None:
    """Call a handler by name, as any client can (the handler must check by itself)."""
    from support_portal.states.mailbox import MailboxState

    result = getattr(MailboxState, name).fn(state, *args)
    if hasattr(result, "__aiter__"):
        async for _ in result:
            pass
    elif asyncio.iscoroutine(result):
        await result


def test_the_mailbox_state_shows_and_does_nothing_for_anyone_else(caught, settings, engine):
    admin = session_cookie(engine, "ada@support.test", Role.admin)
    cookie = "; ".join(f"{k}={v}" for k, v in admin.items())

    async def run():
        local = mailbox_state({}, "127.0.0.1")
        await run_event(local, "load")
        assert local.visible and [m.name for m in local.mails] == [caught]

        for headers, ip in [({}, REMOTE[0]), ({"x-forwarded-for": "203.0.113.7"}, "127.0.0.1"),
                            ({"forwarded": "for=1.2.3.4"}, "127.0.0.1")]:  # fmt: skip
            state = mailbox_state(headers, ip)
            await run_event(state, "load")
            assert state.loaded and state.mails == []
            assert not state.visible
            for name, args in [("select", (caught,)), ("refresh", ()), ("clear_mailbox", ())]:
                await run_event(state, name, *args)
                assert state.mails == [] and state.subject == "" and state.text_pieces == []
            assert [m.name for m in catcher.list_mail(settings=settings)] == [caught]

        # An administrator reads it from anywhere.
        remote_admin = mailbox_state({"cookie": cookie}, REMOTE[0])
        await run_event(remote_admin, "load")
        assert remote_admin.visible and [m.name for m in remote_admin.mails] == [caught]
        await run_event(remote_admin, "select", caught)
        assert remote_admin.subject.startswith("Your support ticket")

    asyncio.run(run())
