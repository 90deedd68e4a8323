"""Every /api/v1 endpoint, through the same service calls as the agent dashboard: the same
rows, audit events, notifications, outbox emails and live events."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.live.hub import AGENTS_TOPIC, ticket_topic, user_topic
from support_portal.models import (
    AuditEvent,
    Message,
    Notification,
    OutboxEmail,
    Role,
    Ticket,
    TicketStatus,
    User,
)
from support_portal.services import agent as agent_service
from support_portal.services import api_tokens, attachments, tickets
from tests.api_helpers import bearer, customer_ticket, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20


def ticket_row(number: int) -> Ticket:
    with session_scope() as db:
        return db.exec(select(Ticket).where(Ticket.number == number)).one()


def rows(model, *where) -> list:
    with session_scope() as db:
        return list(db.exec(select(model).where(*where)).all())


def test_me_names_the_owner_and_scopes(api, agent_token):
    body = api.get("/api/v1/me", headers=bearer(agent_token)).json()
    assert body["email"] == "agnes@support.test" and body["role"] == "agent"
    assert body["scopes"] == ["read", "write"]


def test_the_ticket_list_is_the_queue_with_its_views_and_keyset_cursor(api, agent_token):
    numbers = [customer_ticket(subject=f"Problem {i}") for i in range(5)]
    seen, cursor = [], None
    while True:
        params = {"view": "all", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.get("/api/v1/tickets", params=params, headers=bearer(agent_token)).json()
        seen += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(numbers))  # newest activity first, each ticket once
    first = api.get("/api/v1/tickets", params={"search": "Problem 3"}, headers=bearer(agent_token))
    assert [t["number"] for t in first.json()["items"]] == [numbers[3]]
    item = first.json()["items"][0]
    assert item["requester_email"] == "cara@example.com" and item["status"] == "open"
    mine = api.get("/api/v1/tickets", params={"view": "mine"}, headers=bearer(agent_token))
    assert mine.json()["items"] == []
    waiting = api.get("/api/v1/tickets", params={"sort": "waiting"}, headers=bearer(agent_token))
    assert [t["number"] for t in waiting.json()["items"]] == numbers  # longest waiting first


@pytest.mark.parametrize("cursor", ["garbage!", "MjAyMC0wMS0wMXw5OTk5OTk5OTk5OTk5OTk", "fA"])
def test_a_forged_cursor_is_a_422_problem(api, agent_token, cursor):
    response = api.get("/api/v1/tickets", params={"cursor": cursor}, headers=bearer(agent_token))
    assert response.status_code == 422
    assert response.json()["detail"] == "This page link is no longer valid."


def test_get_a_ticket_and_missing_ones_are_404(api, agent_token):
    number = customer_ticket()
    body = api.get(f"/api/v1/tickets/{number}", headers=bearer(agent_token)).json()
    assert body["subject"] == "Deposit missing" and body["requester_email"] == "cara@example.com"
    assert body["assignee_id"] is None
    missing = api.get("/api/v1/tickets/12345678", headers=bearer(agent_token))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"] == "We could not find that ticket."


def test_a_reply_does_what_the_dashboards_reply_does(api, agent_token, published):
    number = customer_ticket()
    ticket = ticket_row(number)
    published.clear()
    response = api.post(
        f"/api/v1/tickets/{number}/replies", json={"body": "Found it."}, headers=bearer(agent_token)
    )
    assert response.status_code == 201, response.text
    message = response.json()
    assert message["body"] == "Found it." and message["author_kind"] == "agent"
    assert not message["is_internal"]
    after = ticket_row(number)
    assert after.status == TicketStatus.open and after.assignee_id is not None  # auto-assigned
    assert after.last_agent_reply_at is not None and after.waiting_since is None
    assert [e.action for e in rows(AuditEvent, AuditEvent.ticket_id == ticket.id)][-2:] == [
        "message.reply",
        "ticket.assigned",
    ]
    assert rows(
        Notification, Notification.ticket_id == ticket.id, Notification.event == "agent_replied"
    )
    assert rows(OutboxEmail, OutboxEmail.template == "agent_replied")
    api_events = {(e.topic, e.kind, e.message_id) for e in published}
    # The UI's path (the dashboard's state calls this service) publishes the same events.
    published.clear()
    with session_scope() as db:
        viewer = api_tokens.authenticate(db, secret=agent_token).viewer
        ui = agent_service.agent_reply(db, viewer=viewer, number=number, body="Again.")
    ui_events = {(e.topic, e.kind, e.message_id) for e in published}
    assert {(t, k) for t, k, _ in api_events} == {(t, k) for t, k, _ in ui_events}
    assert (ticket_topic(ticket.id), "message", message["id"]) in api_events
    assert (user_topic(ticket.requester_id), "message", message["id"]) in api_events
    assert (AGENTS_TOPIC, "message", message["id"]) in api_events
    assert ui.id != message["id"]


def test_the_same_idempotency_key_replays_the_reply(api, agent_token):
    number = customer_ticket()
    headers = bearer(agent_token) | {"Idempotency-Key": "reply-7f3a"}
    first = api.post(f"/api/v1/tickets/{number}/replies", json={"body": "One."}, headers=headers)
    again = api.post(f"/api/v1/tickets/{number}/replies", json={"body": "One."}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(rows(Message, Message.author_kind == "agent")) == 1
    assert len(rows(OutboxEmail, OutboxEmail.template == "agent_replied")) == 1
    bad = api.post(
        f"/api/v1/tickets/{number}/replies",
        json={"body": "x"},
        headers=bearer(agent_token) | {"Idempotency-Key": "no spaces allowed"},
    )
    assert bad.status_code == 422


def test_request_info_and_internal_notes(api, agent_token, published):
    number = customer_ticket()
    ask = api.post(
        f"/api/v1/tickets/{number}/replies",
        json={"body": "Which account?", "request_info": True},
        headers=bearer(agent_token),
    )
    assert ask.status_code == 201
    assert rows(OutboxEmail, OutboxEmail.template == "info_requested")
    published.clear()
    emails = len(rows(OutboxEmail))
    note = api.post(
        f"/api/v1/tickets/{number}/notes", json={"body": "VIP"}, headers=bearer(agent_token)
    )
    assert note.status_code == 201 and note.json()["is_internal"]
    assert len(rows(OutboxEmail)) == emails  # nobody is emailed about a note
    ticket = ticket_row(number)
    assert {e.topic for e in published} >= {ticket_topic(ticket.id), AGENTS_TOPIC}
    messages = api.get(f"/api/v1/tickets/{number}/messages", headers=bearer(agent_token)).json()
    assert [m["body"] for m in messages["items"]] == ["Please help.", "Which account?", "VIP"]


def test_messages_page_oldest_first_with_after(api, agent_token):
    number = customer_ticket()
    for i in range(4):
        api.post(
            f"/api/v1/tickets/{number}/notes", json={"body": f"n{i}"}, headers=bearer(agent_token)
        )
    bodies, after = [], 0
    while after is not None:
        page = api.get(
            f"/api/v1/tickets/{number}/messages",
            params={"after": after, "limit": 2},
            headers=bearer(agent_token),
        ).json()
        bodies += [m["body"] for m in page["items"]]
        after = page["next_after"]
    assert bodies == ["Please help.", "n0", "n1", "n2", "n3"]


def test_status_changes_notify_like_the_dashboard(api, agent_token):
    number = customer_ticket()
    url = f"/api/v1/tickets/{number}/status"
    resolved = api.post(url, json={"action": "resolve"}, headers=bearer(agent_token))
    assert resolved.json() == {"status": "resolved"}
    assert rows(OutboxEmail, OutboxEmail.template == "resolved")
    closed = api.post(url, json={"action": "close"}, headers=bearer(agent_token))
    assert closed.json() == {"status": "closed"}
    reply = api.post(
        f"/api/v1/tickets/{number}/replies", json={"body": "x"}, headers=bearer(agent_token)
    )
    assert reply.status_code == 409 and reply.json()["detail"]
    bad = api.post(url, json={"action": "delete"}, headers=bearer(agent_token))
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_assign_to_an_agent_or_nobody_but_never_a_customer(api, agent_token):
    number = customer_ticket()
    bert = make_user("bert@support.test")
    url = f"/api/v1/tickets/{number}/assignee"
    body = api.put(url, json={"assignee_id": bert}, headers=bearer(agent_token)).json()
    assert body["assignee_id"] == bert and body["assignee_name"] == "Bert"
    assert (
        api.put(url, json={"assignee_id": None}, headers=bearer(agent_token)).json()["assignee_id"]
        is None
    )
    cara = rows(User, User.email == "cara@example.com")[0].id
    refused = api.put(url, json={"assignee_id": cara}, headers=bearer(agent_token))
    assert refused.status_code == 422 and refused.json()["detail"] == "Choose an active agent."
    assert [e.action for e in rows(AuditEvent, AuditEvent.action == "ticket.assigned")] == [
        "ticket.assigned"
    ] * 2


def test_open_a_ticket_for_a_customer_and_for_a_guest_with_replay(api, agent_token, published):
    make_user("cara@example.com", role=Role.customer)
    body = {"email": "Cara@Example.com", "subject": "Call me", "category": "account",
            "description": "Phoned in."}  # fmt: skip
    headers = bearer(agent_token) | {"Idempotency-Key": "crm-1"}
    first = api.post("/api/v1/tickets", json=body, headers=headers)
    assert first.status_code == 201 and first.json()["created"]
    assert first.headers["location"] == f"/api/v1/tickets/{first.json()['number']}"
    again = api.post("/api/v1/tickets", json=body, headers=headers)
    assert again.json() == {"number": first.json()["number"], "created": False}
    assert again.headers["idempotent-replayed"] == "true"
    ticket = ticket_row(first.json()["number"])
    assert ticket.requester_id is not None and ticket.guest_email is None
    assert rows(OutboxEmail, OutboxEmail.to_email == "cara@example.com")
    assert any(e.kind == "created" for e in published)
    assert rows(AuditEvent, AuditEvent.action == "ticket.opened_for")
    guest = api.post(
        "/api/v1/tickets",
        json=body | {"email": "gus@example.net", "name": "Gus Guest"},
        headers=bearer(agent_token),
    )
    assert guest.status_code == 201
    guest_ticket = ticket_row(guest.json()["number"])
    assert guest_ticket.guest_email == "gus@example.net" and guest_ticket.guest_name == "Gus Guest"
    assert rows(OutboxEmail, OutboxEmail.to_email == "gus@example.net")
    nameless = api.post(
        "/api/v1/tickets", json=body | {"email": "x@example.net"}, headers=bearer(agent_token)
    )
    assert nameless.status_code == 422
    for_agent = api.post(
        "/api/v1/tickets", json=body | {"email": "agnes@support.test"}, headers=bearer(agent_token)
    )
    assert for_agent.status_code == 422 and for_agent.json()["field"] == "email"


def test_attachments_download_after_the_access_check(api, agent_token, uploads):
    make_user("cara@example.com", role=Role.customer)
    with session_scope() as db:
        from support_portal.models import SessionKind
        from support_portal.services.dto import Viewer

        cara = db.exec(select(User).where(User.email == "cara@example.com")).one()
        viewer = Viewer(kind=SessionKind.user, session_id=1, name="Cara", email=cara.email,
                        user_id=cara.id, role=cara.role)  # fmt: skip
        tickets.create_ticket(
            db, viewer=viewer, subject="Screenshot", category="other", description="See file.",
            files=[attachments.IncomingFile("shot.png", PNG)],
        )  # fmt: skip
    number = ticket_row_by_subject("Screenshot")
    messages = api.get(f"/api/v1/tickets/{number}/messages", headers=bearer(agent_token)).json()
    [file] = messages["items"][0]["attachments"]
    assert file["filename"] == "shot.png" and file["url"] == f"/api/v1/attachments/{file['id']}"
    response = api.get(file["url"], headers=bearer(agent_token))
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-disposition"].startswith('attachment; filename="shot.png"')
    assert response.headers["x-content-type-options"] == "nosniff"
    assert api.get(file["url"]).status_code == 401
    assert api.get("/api/v1/attachments/999999", headers=bearer(agent_token)).status_code == 404


def ticket_row_by_subject(subject: str) -> int:
    return rows(Ticket, Ticket.subject == subject)[0].number


def test_customers_by_email(api, agent_token):
    customer_ticket()
    body = api.get(
        "/api/v1/customers", params={"email": "CARA@example.com"}, headers=bearer(agent_token)
    ).json()
    assert body["has_account"] and body["name"] == "Cara" and body["ticket_count"] == 1
    assert body["open_ticket_count"] == 1
    api.post(
        "/api/v1/tickets",
        json={"email": "gus@example.net", "name": "Gus", "subject": "s", "category": "other",
              "description": "d"},
        headers=bearer(agent_token),
    )  # fmt: skip
    gus = api.get(
        "/api/v1/customers", params={"email": "gus@example.net"}, headers=bearer(agent_token)
    )
    assert gus.json()["has_account"] is False and gus.json()["name"] == "Gus"
    for email in ("nobody@example.com", "agnes@support.test", "not an email"):
        response = api.get(
            "/api/v1/customers", params={"email": email}, headers=bearer(agent_token)
        )
        assert response.status_code == 404


def test_unknown_paths_and_methods_under_api_are_problems(api, agent_token):
    missing = api.get("/api/v1/nothing", headers=bearer(agent_token))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = api.delete("/api/v1/tickets", headers=bearer(agent_token))
    assert wrong.status_code == 405 and "GET" in wrong.headers["allow"]


def test_bad_json_is_a_422_problem_naming_the_field(api, agent_token):
    number = customer_ticket()
    response = api.post(
        f"/api/v1/tickets/{number}/replies",
        json={"body": "x", "is_internal": True},  # A3: no client-chosen flags
        headers=bearer(agent_token),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.is_internal"
    nul = api.post(
        f"/api/v1/tickets/{number}/replies", json={"body": "a\x00b"}, headers=bearer(agent_token)
    )
    assert nul.status_code == 422


def test_the_openapi_document_and_docs_are_served(api):
    spec = api.get("/api/openapi.json").json()
    assert "/api/v1/tickets/{number}/replies" in spec["paths"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "swagger" in api.get("/api/docs").text.lower()


def test_a_ticket_opened_through_the_api_gives_the_categorys_required_fields(api, agent_token):
    from support_portal.services import categories, custom_fields, sessions
    from tests.unit.conftest import session_token_for

    admin_id = make_user("ada@support.test", role=Role.admin)
    with session_scope() as db:
        deposits = next(c for c in categories.offered(db) if c.key == "deposits_withdrawals")
        token = session_token_for(db, user_id=admin_id)
        viewer = sessions.viewer_for_token(db, session_token=token)
        custom_fields.save_field(
            db, viewer=viewer, category_id=deposits.id, labels={"en": "Transaction ID"},
            kind="short_text", required=True,
        )  # fmt: skip
    body = {"email": "gus@example.net", "name": "Gus", "subject": "Deposit",
            "category": "deposits_withdrawals", "description": "Phoned in."}  # fmt: skip
    refused = api.post("/api/v1/tickets", json=body, headers=bearer(agent_token))
    assert refused.status_code == 422 and refused.json()["field"] == "fields.transaction_id"
    unknown = api.post(
        "/api/v1/tickets", json=body | {"category": "nope"}, headers=bearer(agent_token)
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "category"
    created = api.post(
        "/api/v1/tickets",
        json=body | {"fields": {"transaction_id": "0x9f2c"}},
        headers=bearer(agent_token),
    )
    assert created.status_code == 201
