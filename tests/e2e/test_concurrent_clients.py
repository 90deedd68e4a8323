"""X1 against the running app: 50 raw Socket.IO clients hit one limit at the same moment.

Each client is its own browser tab as far as the app can tell (its own Reflex token), all from
one address, calling the login handler by name with a wrong password. Exactly the limit reaches
the password check; the rest are refused with the wait, and the right password that follows
from the same address is refused too.
"""

from __future__ import annotations

import json
import threading

from sqlmodel import func, select

from support_portal.db import session_scope
from support_portal.models import AuditEvent
from support_portal.services import auth
from support_portal.states.auth import LoginState
from tests.e2e.helpers import create_user
from tests.e2e.test_agent_handlers_security import RESPONSE_TIMEOUT, RawClient, handler

CLIENTS = 50


def failed_logins(app) -> int:
    engine = app.engine()
    try:
        with session_scope(engine) as db:
            return db.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "login.failed")
            ).one()
    finally:
        engine.dispose()


def answer_of(client: RawClient) -> str:
    """The login error the client's state got back (its first non-empty `error`)."""
    while True:
        update = json.dumps(client.updates.get(timeout=RESPONSE_TIMEOUT))
        if "Too many attempts" in update or "incorrect" in update:
            return "limited" if "Too many attempts" in update else "wrong"


def test_fifty_parallel_logins_reach_the_password_check_exactly_five_times(app):
    email = create_user(app, name="Paula Parallel")
    before = failed_logins(app)
    clients = [RawClient(app.url, cookie="") for _ in range(CLIENTS)]
    try:
        go = threading.Barrier(CLIENTS)
        name = handler(LoginState, "login")

        def attempt(client: RawClient) -> None:
            go.wait()
            client.emit(name, {"form": {"email": email, "password": "wrong"}}, "/login")

        threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answers = [answer_of(client) for client in clients]
    finally:
        for client in clients:
            client.close()
    limit = auth.LOGIN_FAILURES_PER_ACCOUNT
    assert answers.count("wrong") == limit
    assert answers.count("limited") == CLIENTS - limit
    assert failed_logins(app) - before == limit
