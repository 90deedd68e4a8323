"""Fifty workers recording failures of one endpoint at once, on SQLite and PostgreSQL: no
failure is lost from its run, the endpoint is disabled exactly once, and each administrator
is told exactly once."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import AuditEvent, Notification, Role, WebhookDelivery, WebhookEndpoint
from support_portal.services import webhook_deliveries, webhooks
from tests.api_helpers import make_user
from tests.integration.test_throttle_concurrency import (
    CLIENTS,
    at_once,
    backend,  # noqa: F401  (both databases)
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("backend")]


def test_concurrent_failures_disable_the_endpoint_once_and_tell_each_admin_once(
    settings, monkeypatch
):
    monkeypatch.setattr(settings, "webhook_allow_private", True)
    monkeypatch.setattr(settings, "webhook_disable_after", 10)
    admins = [make_user(f"admin{i}@support.test", role=Role.admin) for i in range(2)]
    make_user("agent@support.test", role=Role.agent)
    with session_scope() as db:
        endpoint_id = webhooks.add_endpoint(
            db, url="http://127.0.0.1:9/hook", events=["ticket.created"]
        ).endpoint.id
        for _ in range(CLIENTS):
            db.add(WebhookDelivery(endpoint_id=endpoint_id, event="ticket.created"))
    with session_scope() as db:
        ids = list(db.exec(select(WebhookDelivery.id).order_by(WebhookDelivery.id)).all())

    def fail(i: int) -> None:
        outcome = webhook_deliveries.Outcome(id=ids[i], ok=False, status_code=503, error="503")
        with session_scope() as db:
            webhook_deliveries.record(db, [outcome])

    outcomes = at_once(fail)
    assert outcomes == {"ok": CLIENTS}, outcomes
    with session_scope() as db:
        endpoint = db.get(WebhookEndpoint, endpoint_id)
        assert not endpoint.is_active and endpoint.consecutive_failures == CLIENTS
        disabled = db.exec(select(AuditEvent).where(AuditEvent.action == "webhook.disabled"))
        assert len(disabled.all()) == 1
        told = db.exec(select(Notification.user_id).where(Notification.event == "webhook_disabled"))
        assert sorted(told.all()) == sorted(admins)
