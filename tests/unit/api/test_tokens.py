"""Personal access tokens: agents and admins only, shown once, stored hashed, scoped, expiring,
revocable; the API refuses anything else with 401/403 problem details."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from support_portal import cli
from support_portal.db import session_scope
from support_portal.models import ApiToken, AuditEvent, Message, Role, User, utcnow
from support_portal.services import api_tokens
from support_portal.services.errors import InvalidInput, PermissionDenied
from tests.api_helpers import bearer, customer_ticket, make_token, make_user
from tests.unit.conftest import make_viewer

PROBLEM = "application/problem+json"


def test_a_token_is_shown_once_and_only_its_hash_is_stored(engine):
    make_user("agnes@support.test")
    with session_scope() as db:
        new = api_tokens.create_token_for_email(
            db, email="agnes@support.test", name="CRM sync", scopes=["read"], days=30
        )
    assert new.secret.startswith("spt_") and len(new.secret) > 40
    with session_scope() as db:
        row = db.exec(select(ApiToken)).one()
        listed = api_tokens.list_all_tokens(db)
    assert row.token_hash != new.secret and new.secret not in repr(row.__dict__)
    assert row.token_hash == api_tokens.token_hash(new.secret)
    assert listed[0].prefix == new.secret[:12] and listed[0].scopes == ["read"]
    assert "secret" not in listed[0].__dict__
    assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)


def test_customers_hold_no_tokens(engine, db):
    customer = make_viewer(db, email="cara@example.com")
    db.commit()
    with session_scope() as s, pytest.raises(PermissionDenied):
        api_tokens.create_token(s, viewer=customer, name="mine", scopes=["read"])
    with session_scope() as s, pytest.raises(InvalidInput):
        api_tokens.create_token_for_email(s, email="cara@example.com", name="x", scopes=["read"])
    with session_scope() as s:
        assert s.exec(select(ApiToken)).all() == []


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "delete"]])
def test_only_read_and_write_scopes_exist(engine, scopes):
    make_user("agnes@support.test")
    with session_scope() as db, pytest.raises(InvalidInput):
        api_tokens.create_token_for_email(db, email="agnes@support.test", name="x", scopes=scopes)


def test_a_write_token_also_reads(engine):
    make_user("agnes@support.test")
    with session_scope() as db:
        new = api_tokens.create_token_for_email(
            db, email="agnes@support.test", name="x", scopes=["write"]
        )
    assert new.token.scopes == ["read", "write"]


def test_an_agent_revokes_only_their_own_tokens_and_an_admin_any(engine, db):
    agnes = make_viewer(db, email="agnes@support.test", role=Role.agent)
    bert = make_viewer(db, name="Bert", email="bert@support.test", role=Role.agent)
    ada = make_viewer(db, name="Ada", email="ada@support.test", role=Role.admin)
    db.commit()
    with session_scope() as s:
        token_id = api_tokens.create_token(s, viewer=agnes, name="a", scopes=["read"]).token.id
    from support_portal.services.errors import NotFound

    with session_scope() as s, pytest.raises(NotFound):
        api_tokens.revoke_token(s, viewer=bert, token_id=token_id)
    with session_scope() as s:
        assert [t.id for t in api_tokens.list_tokens(s, viewer=bert)] == []
        assert [t.id for t in api_tokens.list_tokens(s, viewer=ada)] == [token_id]
        api_tokens.revoke_token(s, viewer=ada, token_id=token_id)
    with session_scope() as s:
        assert s.get(ApiToken, token_id).revoked_at is not None
        actions = s.exec(select(AuditEvent.action)).all()
    assert "api_token.created" in actions and "api_token.revoked" in actions


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"] and body["title"]
    return body


def test_no_token_or_an_unknown_one_is_401_with_a_bearer_challenge(api):
    for headers in ({}, bearer("spt_unknown"), {"Authorization": "Basic eDp5"}):
        response = api.get("/api/v1/tickets", headers=headers)
        body = problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "Authorization: Bearer" in body["detail"]


def test_expired_and_revoked_tokens_are_401(api, agent_token):
    assert api.get("/api/v1/me", headers=bearer(agent_token)).status_code == 200
    with session_scope() as db:
        row = db.exec(select(ApiToken)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    problem(api.get("/api/v1/me", headers=bearer(agent_token)), 401)
    with session_scope() as db:
        row = db.exec(select(ApiToken)).one()
        row.expires_at = None
        api_tokens.revoke_token_by_id(db, token_id=row.id)
    problem(api.get("/api/v1/me", headers=bearer(agent_token)), 401)


@pytest.mark.parametrize("change", ["deactivated", "demoted"])
def test_a_token_dies_with_its_owners_agent_role(api, agent_token, change):
    with session_scope() as db:
        user = db.exec(select(User).where(User.email == "agnes@support.test")).one()
        if change == "deactivated":
            user.is_active = False
        else:
            user.role = Role.customer
    problem(api.get("/api/v1/tickets", headers=bearer(agent_token)), 401)


def test_a_read_token_cannot_write_and_the_refusal_is_audited(api, engine):
    make_user("agnes@support.test")
    secret = make_token("agnes@support.test", scopes=("read",))
    number = customer_ticket()
    assert api.get(f"/api/v1/tickets/{number}", headers=bearer(secret)).status_code == 200
    calls = [
        ("post", f"/api/v1/tickets/{number}/replies", {"body": "Hi"}),
        ("post", f"/api/v1/tickets/{number}/notes", {"body": "Hi"}),
        ("post", f"/api/v1/tickets/{number}/status", {"action": "resolve"}),
        ("put", f"/api/v1/tickets/{number}/assignee", {"assignee_id": None}),
        (
            "post",
            "/api/v1/tickets",
            {"email": "x@example.com", "name": "X", "subject": "s", "category": "other",
             "description": "d"},
        ),
    ]  # fmt: skip
    for method, path, body in calls:
        body = problem(getattr(api, method)(path, json=body, headers=bearer(secret)), 403)
        assert "read scope" in body["detail"]
    with session_scope() as db:
        assert len(db.exec(select(Message)).all()) == 1  # the customer's first message only
        denied = db.exec(select(AuditEvent).where(AuditEvent.action == "denied.api.write")).all()
    assert len(denied) == len(calls)


def test_the_rate_limit_answers_429_with_retry_after(api, agent_token, monkeypatch):
    from support_portal.settings import get_settings

    monkeypatch.setattr(get_settings(), "api_rate_limit_per_minute", 3)
    for _ in range(3):
        assert api.get("/api/v1/me", headers=bearer(agent_token)).status_code == 200
    response = api.get("/api/v1/me", headers=bearer(agent_token))
    problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 61
    other = make_token("agnes@support.test")  # the limit is per token
    assert api.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_last_used_is_recorded(api, agent_token):
    with session_scope() as db:
        assert db.exec(select(ApiToken)).one().last_used_at is None
    api.get("/api/v1/me", headers=bearer(agent_token))
    with session_scope() as db:
        assert db.exec(select(ApiToken)).one().last_used_at is not None


def test_the_cli_creates_lists_and_revokes_tokens(engine, capsys):
    make_user("ada@support.test", role=Role.admin)
    argv = ["api-token", "create", "--email", "ada@support.test", "--name", "CRM", "--scope"]
    assert cli.main([*argv, "read", "--scope", "write", "--days", "7"]) == 0
    out = capsys.readouterr().out
    secret = next(word for word in out.split() if word.startswith("spt_"))
    with session_scope() as db:
        assert api_tokens.authenticate(db, secret=secret).scopes == {"read", "write"}
        token_id = db.exec(select(ApiToken.id)).one()
    assert cli.main(["api-token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "CRM" in listing and secret not in listing and secret[:12] in listing
    assert cli.main(["api-token", "revoke", "--id", str(token_id)]) == 0
    with session_scope() as db:
        assert db.get(ApiToken, token_id).revoked_at is not None
    assert cli.main([*argv, "read", "--email", "nobody@example.com"]) == 1
