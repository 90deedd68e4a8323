"""The API inside the real app (Reflex and our routes behind it, as `rx.App` mounts it): it
answers under /api, the portal keeps its own paths, and an API reply wakes the customer's open
page the way a dashboard reply does (the hub event the page's live loop waits on)."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.live.hub import hub, ticket_topic, user_topic
from support_portal.models import Role, Ticket
from tests.api_helpers import bearer, customer_ticket, make_token, make_user

pytestmark = pytest.mark.integration


@pytest.fixture
def token(engine) -> str:
    make_user("agnes@support.test", role=Role.agent)
    return make_token("agnes@support.test")


def test_the_api_lives_under_api_and_the_portal_keeps_its_paths(client, token):
    assert client.get("/api/v1/me", headers=bearer(token)).json()["email"] == "agnes@support.test"
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-frame-options"] == "DENY"  # the portal's security headers
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Support portal API"
    assert client.get("/api/docs").status_code == 200
    missing = client.get("/api/v2/anything")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert client.get("/healthz").text == "ok"  # the portal's own routes, behind the API
    assert client.get("/readyz").json()["status"] == "ready"
    assert client.get("/files/1").status_code == 404  # the portal's download: no session


async def test_an_api_reply_wakes_the_customers_open_page(client, token):
    number = customer_ticket()
    with session_scope() as db:
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    # What the customer's open pages wait on: the conversation its ticket's topic, the
    # ticket list and the bell the customer's own topic (states/conversation.py, tickets.py).
    expected_topics = {ticket_topic(ticket.id), user_topic(ticket.requester_id)}
    with hub.subscribe(*expected_topics) as page:
        response = await asyncio.to_thread(
            client.post,
            f"/api/v1/tickets/{number}/replies",
            json={"body": "It has arrived."},
            headers=bearer(token),
        )
        assert response.status_code == 201
        message_id = response.json()["id"]
        seen: set = set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while not expected_topics <= {t for t, k, m in seen if k == "message"}:
            assert loop.time() < deadline, f"no live event for the reply: {seen}"
            seen |= {(e.topic, e.kind, e.message_id) for e in await page.wait(timeout=1)}
    assert (ticket_topic(ticket.id), "message", message_id) in seen
    assert (user_topic(ticket.requester_id), "message", message_id) in seen
