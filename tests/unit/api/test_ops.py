"""/metrics (loopback or METRICS_TOKEN only) and /readyz (database, Redis when configured)."""

from __future__ import annotations

from starlette.testclient import TestClient

from support_portal.db import session_scope
from support_portal.services import outbox
from support_portal.settings import get_settings
from tests.api_helpers import bearer
from tests.mailbox import free_port


def local_client(api: TestClient) -> TestClient:
    return TestClient(api.app, client=("127.0.0.1", 40000), raise_server_exceptions=False)


def test_metrics_are_hidden_from_remote_callers_without_the_token(api, monkeypatch):
    assert api.get("/metrics").status_code == 404  # the test client is not loopback
    local = local_client(api)
    assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    monkeypatch.setattr(get_settings(), "metrics_token", "s3cret-metrics-token")
    assert api.get("/metrics", headers=bearer("wrong")).status_code == 404
    assert api.get("/metrics", headers=bearer("s3cret-metrics-token")).status_code == 200


def test_metrics_count_requests_and_show_the_outbox_backlog(api, agent_token):
    with session_scope() as db:
        outbox.enqueue(db, to_email="x@example.com", template="agent_replied", params={})
    api.get("/api/v1/me", headers=bearer(agent_token))
    api.get("/api/v1/me")
    api.get("/files/5")  # the portal's own routes count by area, not by path
    text = local_client(api).get("/metrics").text
    assert 'route="/files/*"' in text and 'route="/files/5"' not in text
    assert (
        'support_portal_http_requests_total{method="GET",route="/api/v1/me",status="200"}'
    ) in text
    assert 'route="/api/v1/me",status="401"' in text
    assert 'support_portal_outbox_emails{status="pending"} 1.0' in text
    assert "support_portal_outbox_oldest_age_seconds" in text
    assert 'support_portal_webhook_deliveries{status="pending"} 0.0' in text
    assert "support_portal_webhook_oldest_age_seconds 0.0" in text
    assert "support_portal_live_subscriptions 0.0" in text
    assert 'support_portal_http_request_duration_seconds_bucket{le="0.005",route=' in text


def test_readyz_checks_the_database_and_redis_when_configured(api, monkeypatch):
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}
    monkeypatch.setattr(get_settings(), "redis_url", f"redis://127.0.0.1:{free_port()}/0")
    down = api.get("/readyz")
    assert down.status_code == 503
    assert down.json()["checks"] == {"database": "ok", "redis": "unavailable"}


def test_readyz_fails_when_the_database_does_not_answer(api, monkeypatch, tmp_path):
    from support_portal import db as db_module

    broken = db_module.make_engine(f"sqlite:///{tmp_path}/missing/dir/x.db")
    monkeypatch.setattr(db_module, "_engine", broken)
    (tmp_path / "missing" / "dir").rmdir()
    response = api.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
