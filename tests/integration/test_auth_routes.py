"""The HTTP routes that set and drop the session cookie, against a migrated database (X5, P4).

A login ticket works only in the browser whose page set the nonce cookie it is bound to; logout
is a same-site POST, so neither a cross-site link nor a cross-site form ends a session.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from support_portal import routes
from support_portal.db import session_scope
from support_portal.services import auth, sessions
from support_portal.web.routes import build_routes_app

pytestmark = pytest.mark.integration

NONCE = "nonce-of-the-browser-that-logged-in"


@pytest.fixture
def client(engine) -> TestClient:
    return TestClient(build_routes_app(), base_url="http://portal.test", follow_redirects=False)


@pytest.fixture
def ticket(alice) -> str:
    with session_scope() as db:
        return sessions.create_login_ticket(
            db, user_id=alice.user_id, next_path="/tickets", binding=NONCE
        )


def signed_in(client: TestClient, ticket: str, nonce: str | None) -> str | None:
    """Open the exchange link as a browser with (or without) the nonce cookie; the session
    cookie it got, if any."""
    if nonce is not None:
        client.cookies.set(auth.LOGIN_NONCE_COOKIE, nonce, path=routes.AUTH_SESSION)
    response = client.get(routes.AUTH_SESSION, params={"ticket": ticket})
    assert response.status_code == 303
    return response.cookies.get(auth.SESSION_COOKIE)


def test_the_browser_that_started_the_login_gets_the_session(client, ticket):
    session = signed_in(client, ticket, NONCE)
    assert session
    with session_scope() as db:
        assert sessions.viewer_for_token(db, session_token=session).email == "alice@example.com"


def test_a_ticket_opened_in_a_browser_without_the_nonce_logs_nobody_in(client, ticket):
    assert signed_in(client, ticket, None) is None
    response = client.get(routes.AUTH_SESSION, params={"ticket": ticket})
    assert response.headers["location"].startswith(routes.LOGIN)


def test_a_ticket_opened_with_another_browsers_nonce_logs_nobody_in(client, ticket):
    assert signed_in(client, ticket, "the-victims-own-nonce") is None
    # The refused attempt did not spend the ticket for its owner... nor did it grant anything.
    fresh = TestClient(build_routes_app(), base_url="http://portal.test", follow_redirects=False)
    assert signed_in(fresh, ticket, NONCE)


def session_for(alice) -> str:
    with session_scope() as db:
        ticket = sessions.create_login_ticket(db, user_id=alice.user_id)
        token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
    return token


def still_valid(token: str) -> bool:
    with session_scope() as db:
        return sessions.viewer_for_token(db, session_token=token) is not None


def test_a_cross_site_get_does_not_log_out(client, alice):
    token = session_for(alice)
    client.cookies.set(auth.SESSION_COOKIE, token)
    response = client.get(routes.AUTH_LOGOUT, headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 405
    assert still_valid(token)


@pytest.mark.parametrize(
    "headers",
    [{"sec-fetch-site": "cross-site"}, {"origin": "https://evil.test"}, {"origin": "null"}],
)
def test_a_cross_site_post_does_not_log_out(client, alice, headers):
    token = session_for(alice)
    client.cookies.set(auth.SESSION_COOKIE, token)
    response = client.post(routes.AUTH_LOGOUT, headers=headers)
    assert response.status_code == 403
    assert still_valid(token)


def test_a_same_site_post_logs_out_and_drops_the_cookie(client, alice):
    token = session_for(alice)
    client.cookies.set(auth.SESSION_COOKIE, token)
    response = client.post(
        routes.AUTH_LOGOUT,
        headers={"sec-fetch-site": "same-origin", "origin": "http://portal.test"},
    )
    assert response.status_code == 303
    assert not still_valid(token)
    assert 'sp_session=""' in response.headers["set-cookie"]
