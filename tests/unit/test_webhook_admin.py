"""The webhooks page's services: administrators only (A2), the secret shown once, clear errors,
a test event through the same outbox, and administrators told when an endpoint is disabled."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.models import AuditEvent, Role, WebhookDelivery
from support_portal.services import notifications, webhook_admin, webhook_deliveries, webhooks
from support_portal.services.errors import InvalidInput, NotFound, PermissionDenied
from support_portal.settings import get_settings
from tests.unit.conftest import make_viewer

URL = "http://127.0.0.1:9/hook"


@pytest.fixture
def allow_private(monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)


@pytest.fixture
def admin(db):
    return make_viewer(db, name="Ada Admin", email="ada@support.test", role=Role.admin)


def register(db, admin, url=URL, events=("ticket.created",)) -> webhook_admin.Registered:
    done = webhook_admin.register(db, viewer=admin, url=url, events=list(events))
    db.commit()
    return done


def test_agents_and_customers_cannot_see_or_change_webhooks(db, agent, alice, admin):
    for viewer in (agent, alice):
        with pytest.raises(PermissionDenied):
            webhook_admin.show(db, viewer=viewer)
        with pytest.raises(PermissionDenied):
            webhook_admin.register(db, viewer=viewer, url=URL, events=["ticket.created"])
    denied = db.exec(select(AuditEvent).where(AuditEvent.action == "denied.webhook.add")).all()
    assert len(denied) == 2 and {d.actor_id for d in denied} == {agent.user_id, alice.user_id}


def test_the_secret_is_returned_once_and_never_listed(db, admin, allow_private):
    done = register(db, admin)
    assert done.secret.startswith("whsec_")
    [endpoint] = done.page.endpoints
    assert endpoint.url == URL and endpoint.events == ["ticket.created"] and endpoint.is_active
    assert done.secret not in repr(webhook_admin.show(db, viewer=admin))
    added = db.exec(select(AuditEvent).where(AuditEvent.action == "webhook.added")).one()
    assert added.actor_id == admin.user_id


@pytest.mark.parametrize(
    ("url", "events", "field", "message"),
    [
        ("ftp://example.com/x", ["ticket.created"], "url", "Enter an http or https URL."),
        ("not a url", ["ticket.created"], "url", "Enter an http or https URL."),
        (URL, ["ticket.created"], "url", "Webhooks may not target private or local addresses."),
        ("http://93.184.216.34/x", [], "events", "Choose the events to send."),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_on_its_field(
    db, admin, url, events, field, message
):
    with pytest.raises(InvalidInput) as refused:
        webhook_admin.register(db, viewer=admin, url=url, events=events)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_disable_enable_and_delete(db, admin, allow_private):
    endpoint_id = register(db, admin).endpoint_id
    page = webhook_admin.set_active(db, viewer=admin, endpoint_id=endpoint_id, active=False)
    assert not page.endpoints[0].is_active and not page.endpoints[0].auto_disabled
    page = webhook_admin.set_active(db, viewer=admin, endpoint_id=endpoint_id, active=True)
    assert page.endpoints[0].is_active
    webhook_admin.send_test(db, viewer=admin, endpoint_id=endpoint_id)
    page = webhook_admin.delete(
        db, viewer=admin, endpoint_id=endpoint_id, log_endpoint_id=endpoint_id
    )
    assert page.endpoints == [] and page.log_endpoint_id == 0
    assert db.exec(select(WebhookDelivery)).all() == []
    with pytest.raises(NotFound):
        webhook_admin.delete(db, viewer=admin, endpoint_id=endpoint_id)


def test_a_test_event_is_a_signed_ping_through_the_outbox_that_wakes_the_sender(
    db, admin, allow_private, published
):
    endpoint_id = register(db, admin).endpoint_id
    published.clear()
    page = webhook_admin.send_test(db, viewer=admin, endpoint_id=endpoint_id)
    assert page.log_endpoint_id == endpoint_id
    [ping] = page.log
    assert (ping.event, ping.status, ping.attempts) == ("ping", "pending", 0)
    assert published == []  # only after the commit
    db.commit()
    assert [e.topic for e in published] == [webhooks.SENDER_TOPIC]
    [due] = webhook_deliveries.claim_due(db)
    assert due.event == "ping" and b'"event":"ping"' in due.body


def test_a_disabled_endpoint_gets_no_test_event(db, admin, allow_private):
    endpoint_id = register(db, admin).endpoint_id
    webhook_admin.set_active(db, viewer=admin, endpoint_id=endpoint_id, active=False)
    with pytest.raises(InvalidInput) as refused:
        webhook_admin.send_test(db, viewer=admin, endpoint_id=endpoint_id)
    assert refused.value.message == "Enable the webhook before sending a test event."


def test_a_failed_ping_is_not_retried_and_does_not_count_towards_disabling(
    db, admin, allow_private, monkeypatch
):
    monkeypatch.setattr(get_settings(), "webhook_disable_after", 1)
    endpoint_id = register(db, admin).endpoint_id
    webhook_admin.send_test(db, viewer=admin, endpoint_id=endpoint_id)
    db.commit()
    [due] = webhook_deliveries.claim_due(db)
    webhook_deliveries.record(db, [webhook_deliveries.Outcome(id=due.id, ok=False, error="x")])
    db.commit()
    page = webhook_admin.show(db, viewer=admin, log_endpoint_id=endpoint_id)
    assert page.log[0].status == "failed" and page.log[0].next_attempt_at is None
    assert page.endpoints[0].is_active and page.endpoints[0].consecutive_failures == 0


def test_administrators_are_told_when_failures_disable_an_endpoint(
    db, admin, agent, allow_private, monkeypatch, published
):
    monkeypatch.setattr(get_settings(), "webhook_disable_after", 2)
    other_admin = make_viewer(db, name="Otto", email="otto@support.test", role=Role.admin)
    endpoint_id = register(db, admin).endpoint_id
    endpoint = db.get(webhooks.WebhookEndpoint, endpoint_id)
    for _ in range(2):
        db.add(webhooks.WebhookDelivery(endpoint_id=endpoint_id, event="ticket.created"))
    db.commit()
    outcomes = [
        webhook_deliveries.Outcome(id=d.id, ok=False, status_code=500, error="HTTP 500")
        for d in webhook_deliveries.claim_due(db)
    ]
    published.clear()
    webhook_deliveries.record(db, outcomes)
    db.commit()
    db.refresh(endpoint)
    assert not endpoint.is_active
    page = webhook_admin.show(db, viewer=admin, log_endpoint_id=endpoint_id)
    assert page.endpoints[0].auto_disabled
    assert [(d.status, d.status_code) for d in page.log] == [("pending", 500)] * 2
    for viewer in (admin, other_admin):
        [told] = notifications.list_for(db, viewer=viewer)
        assert (told.event, told.detail, told.ticket_number, told.read) == (
            "webhook_disabled",
            URL,
            0,
            False,
        )
    assert notifications.list_for(db, viewer=agent) == []  # agents cannot act on it
    topics = {e.topic for e in published}
    assert webhooks.LOG_TOPIC in topics and f"user:{admin.user_id}" in str(topics)
    told = notifications.list_for(db, viewer=admin)[0]
    assert notifications.mark_one_read(db, viewer=other_admin, notification_id=told.id) == 0
    assert notifications.mark_one_read(db, viewer=admin, notification_id=told.id) == 1
    assert notifications.unread_count(db, viewer=admin) == 0
    assert notifications.unread_count(db, viewer=other_admin) == 1
