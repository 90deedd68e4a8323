"""A2 and A3 against the running app: handlers called by name, forms with extra fields.

A customer's session talks to the app the way an attacker would: a raw Socket.IO client on
/_event (with the customer's HttpOnly session cookie) and a raw POST to /_upload, naming the
agent ticket state's handlers directly.
"""

from __future__ import annotations

import json
import queue
import re
import uuid

import httpx
import socketio
from playwright.sync_api import Page, expect
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import Attachment, AuditEvent, Message, Role, Ticket, User
from support_portal.services.auth import SESSION_COOKIE
from support_portal.states.agent_ticket import AgentTicketState
from support_portal.states.base import SessionState
from tests.e2e.helpers import create_user, log_in, ready, reply, submit_ticket

RESPONSE_TIMEOUT = 15
NAMESPACE = "/_event"  # Reflex's Socket.IO path and namespace


def handler(state, name: str) -> str:
    """The event name the browser would send for `state.name`."""
    return f"{state.get_full_name()}.{name}"


class RawClient:
    """A Socket.IO client that sends Reflex events without a browser."""

    def __init__(self, url: str, cookie: str | None, token: str | None = None) -> None:
        """`token`: a tab's existing Reflex client token (a replay); a new one by default."""
        self.url = url
        self.cookie = cookie
        self.token = token or str(uuid.uuid4())
        self.updates: queue.Queue = queue.Queue()
        self.received: list = []  # every update, in order
        self.new_tokens: list[str] = []  # the server refused the token as a duplicate
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._on_update, namespace=NAMESPACE)
        self.sio.on("new_token", self.new_tokens.append, namespace=NAMESPACE)
        self.sio.connect(
            f"{url}?token={self.token}",
            socketio_path=NAMESPACE,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            # websocket-client sends the Origin itself
            headers={"Cookie": cookie} if cookie else {},
            wait_timeout=RESPONSE_TIMEOUT,
        )

    def _on_update(self, update) -> None:
        self.received.append(update)
        self.updates.put(update)

    def emit(self, name: str, payload: dict, path: str, **params: str) -> None:
        router_data = {"pathname": path, "asPath": path, "query": params}
        event = {"name": name, "payload": payload, "router_data": router_data}
        self.sio.emit("event", event, namespace=NAMESPACE)

    def settle(self, path: str) -> None:
        """Wait until the events sent so far are processed: events of one tab run in order,
        so the answer to a harmless marker event comes after theirs."""
        marker = "Pacific/Chatham"
        self.emit(handler(SessionState, "set_browser_prefs"), {"prefs": {"tz": marker}}, path)
        while True:
            update = self.updates.get(timeout=RESPONSE_TIMEOUT)
            if marker in json.dumps(update):
                return

    def upload(self, name: str, files: list[tuple[str, bytes]], **args: object) -> str:
        """What the browser's Send does: POST /_upload naming the handler, with its args (and,
        like the browser, the session cookie: uploads to session-only handlers need it)."""
        response = httpx.post(
            f"{self.url}/_upload",
            headers={
                "Reflex-Client-Token": self.token,
                "Reflex-Event-Handler": name,
                "Cookie": self.cookie or "",
            },
            files=[("files", (filename, data, "text/plain")) for filename, data in files],
            data={"__reflex_event_args": json.dumps(args)} if args else None,
            timeout=RESPONSE_TIMEOUT,
        )
        response.raise_for_status()
        return response.text

    def close(self) -> None:
        self.sio.disconnect()


def session_cookie(page: Page) -> str:
    value = next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    return f"{SESSION_COOKIE}={value}"


def test_a_customer_calling_agent_handlers_by_name_is_refused_and_logged(page, app):
    log_in(page, create_user(app, name="Mallory Customer"))
    number = submit_ticket(
        page, subject="Please resolve me", category="Other", description="Nothing to see"
    )
    path = f"/admin/tickets/{number}"
    client = RawClient(app.url, session_cookie(page))
    try:
        state = AgentTicketState
        client.emit(handler(state, "load"), {}, path, number=str(number))
        client.emit(handler(state, "change_status"), {"action": "resolve"}, path)
        client.emit(handler(state, "change_status"), {"action": "close"}, path)
        client.emit(handler(state, "assign_to_me"), {}, path)
        client.emit(handler(state, "assign_to"), {"value": "1"}, path)
        client.emit(handler(state, "set_internal_mode"), {"on": True}, path)
        client.settle(path)
        answer = client.upload(
            handler(state, "send_with_files"),
            [("note.txt", b"a note")],
            form={"body": "Mallory's internal note", "key": "k-mallory"},
        )
        assert "You are not allowed to do that." in answer
    finally:
        client.close()

    engine = app.engine()
    try:
        with session_scope(engine) as db:
            mallory = db.exec(select(User).where(User.name == "Mallory Customer")).one()
            ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
            assert (ticket.status, ticket.assignee_id) == ("open", None)
            messages = db.exec(select(Message).where(Message.ticket_id == ticket.id)).all()
            assert [(m.author_kind, m.is_internal) for m in messages] == [("customer", False)]
            assert db.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).all() == []
            denied = set(
                db.exec(
                    select(AuditEvent.action).where(
                        AuditEvent.actor_id == mallory.id,
                        AuditEvent.action.startswith("denied."),  # type: ignore[attr-defined]
                    )
                ).all()
            )
            assert {
                "denied.customer_info",  # the page load
                "denied.resolve",
                "denied.close",
                "denied.assign",
                "denied.reply",  # the note: internal mode stayed off, and the reply was refused
            } <= denied
    finally:
        engine.dispose()


def add_fields(page: Page, fields: dict[str, str]) -> None:
    """Extra inputs in the reply form, as a tampering client would send them."""
    page.evaluate(
        """fields => {
            const form = document.getElementById('reply-form');
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement('input');
                input.type = 'hidden';
                input.name = name;
                input.value = value;
                form.appendChild(input);
            }
        }""",
        fields,
    )


def test_extra_author_and_internal_fields_in_a_reply_are_ignored(page, app, new_context):
    agent_email = create_user(app, name="Ivy Inspector", role=Role.agent)
    log_in(page, create_user(app, name="Tess Tamper"))
    number = submit_ticket(page, subject="Tampered", category="Other", description="Hello")

    engine = app.engine()
    try:
        with session_scope(engine) as db:
            agent_id = db.exec(select(User.id).where(User.email == agent_email)).one()
        add_fields(page, {"author_id": str(agent_id), "is_internal": "true", "internal": "1"})
        reply(page, "Customer text with forged fields")

        agent = new_context().new_page()
        log_in(agent, agent_email, expect_path=r"/admin/?$")
        agent.goto(f"/admin/tickets/{number}")
        ready(agent)
        expect(agent.locator(".message-body")).to_have_count(2)
        add_fields(agent, {"is_internal": "true", "internal": "true", "author_id": "1"})
        before = agent.locator(".message").count()
        agent.get_by_label("Reply", exact=True).fill("A public answer despite the fields")
        agent.get_by_role("button", name="Send", exact=True).click()
        expect(agent.locator(".message")).to_have_count(before + 1)
        expect(agent.locator(".internal-note")).to_have_count(0)
        expect(page.locator(".message-body").filter(has_text="despite the fields")).to_be_visible()

        with session_scope(engine) as db:
            ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
            tess = db.exec(select(User).where(User.name == "Tess Tamper")).one()
            rows = db.exec(
                select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
            ).all()
            assert [(m.author_kind, m.author_id, m.is_internal) for m in rows] == [
                ("customer", tess.id, False),
                ("customer", tess.id, False),
                ("agent", agent_id, False),
            ]
    finally:
        engine.dispose()


def test_after_an_agent_logs_out_the_next_person_in_that_tab_gets_no_agent_data(
    page, app, new_context
):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Nina Next"))
    number = submit_ticket(customer, subject="Shared computer", category="Other", description="x")
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(str(p))))

    log_in(page, create_user(app, name="Otis Outgoing", role=Role.agent), expect_path=r"/admin/?$")
    page.goto(f"/admin/tickets/{number}")
    ready(page)
    page.locator("#internal-toggle").click()
    page.get_by_label("Reply", exact=True).fill("Note 5KQ9 for the team only")
    page.get_by_role("button", name="Add internal note", exact=True).click()
    expect(page.locator(".internal-note")).to_have_count(1)

    page.locator("#account-menu").click()
    page.locator("#logout").click()
    page.wait_for_url(re.compile(r"/login"))
    after_logout = len(frames)
    log_in(page, create_user(app, name="Nina Next Door"))  # the next person, same tab
    assert len(frames) > after_logout
    assert not [frame for frame in frames[after_logout:] if "5KQ9" in frame]
