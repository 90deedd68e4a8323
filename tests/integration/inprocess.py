"""The real ASGI app (Reflex, our routes and middleware) in this process, without a browser.

The app is built once per test session the way the second e2e instance starts it (backend only,
no frontend build), in its own throwaway web folder. Each test then runs its lifespan (event
processor, mail services) against the test's own migrated database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import anyio
import pytest
from starlette.testclient import TestClient

from support_portal.services import sessions
from support_portal.services.auth import SESSION_COOKIE
from tests.mailbox import free_port

GUEST_FORM = {
    "name": "Gina Guest",
    "email": "gina@example.com",
    "subject": "Cannot log in",
    "category": "other",
    "description": "Please help",
}


@pytest.fixture(scope="session")
def portal_asgi(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REFLEX_WEB_WORKDIR", str(tmp_path_factory.mktemp("web")))
        mp.setenv("REFLEX_ENV_MODE", "prod")
        mp.setenv("__REFLEX_SKIP_COMPILE", "1")
        from support_portal import support_portal as portal

        yield portal.app()


@pytest.fixture
def client(portal_asgi, engine, settings, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setattr(settings, "mail_catcher_port", free_port())
    with TestClient(portal_asgi, raise_server_exceptions=False) as test_client:
        yield test_client


def upload_handler(state_name: str, method: str) -> str:
    """The event name the browser sends in `Reflex-Event-Handler`."""
    from support_portal.states.agent_ticket import AgentTicketState
    from support_portal.states.base import SessionState
    from support_portal.states.conversation import ConversationState
    from support_portal.states.new_ticket import NewTicketState

    states = {
        "new_ticket": NewTicketState,
        "conversation": ConversationState,
        "admin_ticket": AgentTicketState,
        "session": SessionState,
    }
    return f"{states[state_name].get_full_name()}.{method}"


def session_cookie(engine, email: str = "carl@example.com") -> str:
    """A logged-in customer's session cookie (as the login's HTTP route would set it)."""
    from support_portal import db as db_module
    from support_portal.services import auth

    with db_module.session_scope(engine) as db:
        user = auth.create_user(
            db, name="Carl Customer", email=email, password="correct horse battery",
            email_verified=True,
        )  # fmt: skip
        ticket = sessions.create_login_ticket(db, user_id=user.id)
        token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
    return f"{SESSION_COOKIE}={token}"


def multipart(
    files: list[tuple[str, bytes]], args: dict | None = None, boundary: str = "testboundary"
) -> tuple[bytes, str]:
    """A body the way the browser's upload client builds it: the arguments first, then files."""
    out = b""
    if args is not None:
        name = '"__reflex_event_args"'
        out += f"--{boundary}\r\nContent-Disposition: form-data; name={name}\r\n\r\n".encode()
        out += json.dumps(args).encode() + b"\r\n"
    for filename, data in files:
        out += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


@dataclass
class RawAnswer:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    received: int = 0  # body bytes the app pulled from the client
    receive_calls: int = 0

    @property
    def detail(self) -> str:
        return json.loads(self.body)["detail"]


def raw_post(
    client: TestClient,
    path: str,
    headers: dict[str, str],
    body_chunks,
    *,
    timeout: float = 60,
    hangs_up: bool = True,
) -> RawAnswer:
    """POST straight to the ASGI app, feeding the body lazily from `body_chunks` (an iterator),
    and recording how much of it the app asked for before it answered (then the client hangs
    up, as one reading the answer does, unless `hangs_up` is false)."""
    answer = RawAnswer()
    chunks = iter(body_chunks)
    pending: list[bytes] = []
    done = anyio.Event()
    body_over = False

    async def receive():
        nonlocal body_over
        if done.is_set() and hangs_up:  # the client read the answer and hung up
            return {"type": "http.disconnect"}
        if body_over:  # like a server: nothing more until the client goes away
            await done.wait()
            return {"type": "http.disconnect"}
        answer.receive_calls += 1
        chunk = pending.pop() if pending else next(chunks, None)
        if chunk is None:
            body_over = True
            return {"type": "http.request", "body": b"", "more_body": False}
        following = next(chunks, None)
        if following is not None:
            pending.append(following)
        answer.received += len(chunk)
        body_over = following is None
        return {"type": "http.request", "body": chunk, "more_body": not body_over}

    async def send(message):
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")
            if not message.get("more_body", False):
                done.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }

    async def run():
        with anyio.fail_after(timeout):
            await client.app(scope, receive, send)
        done.set()

    assert client.portal is not None
    client.portal.call(run)
    return answer
