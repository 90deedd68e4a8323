"""What the webhooks page and a "webhook disabled" notification receive: plain, translated."""

from __future__ import annotations

from datetime import timedelta

from support_portal.models import utcnow
from support_portal.services.notifications import NotificationPublic
from support_portal.services.webhook_admin import DeliveryPublic
from support_portal.services.webhooks import EndpointPublic
from support_portal.states.notice_views import notification_view
from support_portal.states.webhook_views import delivery_view, endpoint_view

NOW = utcnow()


def endpoint(**changes) -> EndpointPublic:
    values = {
        "id": 3,
        "url": "https://crm.example.com/in",
        "events": ["ticket.created", "ticket.agent_replied"],
        "is_active": True,
        "consecutive_failures": 0,
        "created_at": NOW,
    }
    return EndpointPublic(**(values | changes))


def test_an_endpoint_shows_its_events_in_words_and_why_it_is_off():
    view = endpoint_view(endpoint(), locale="cs", tz="UTC")
    assert (view.status, view.events) == ("active", "Tiket vytvořen, Agent odpověděl")
    off = endpoint_view(endpoint(is_active=False, consecutive_failures=2), locale="en", tz=None)
    assert off.status == "disabled" and off.failures == 2
    failing = endpoint_view(endpoint(is_active=False, auto_disabled=True), locale="en", tz=None)
    assert failing.status == "failing"


def test_a_delivery_shows_the_status_code_or_the_error_and_the_next_attempt():
    base = dict(id=1, event="ping", attempts=1, created_at=NOW - timedelta(minutes=2),
                delivered_at=None, next_attempt_at=None)  # fmt: skip
    sent = delivery_view(
        DeliveryPublic(status="sent", status_code=204, error="", **base),
        locale="en",
        tz=None,
        now=NOW,
    )
    assert (sent.event, sent.result, sent.time, sent.next_attempt) == (
        "Test event", "204", "2 minutes ago", ""
    )  # fmt: skip
    waiting = DeliveryPublic(
        status="pending", status_code=None, error="ConnectError",
        **(base | {"event": "ticket.created", "next_attempt_at": NOW + timedelta(minutes=5)}),
    )  # fmt: skip
    view = delivery_view(waiting, locale="en", tz=None, now=NOW)
    assert (view.event, view.result, view.next_attempt) == (
        "Ticket created", "ConnectError", "in 5 minutes"
    )  # fmt: skip


def test_a_webhook_notification_opens_the_webhooks_page_and_names_the_url():
    told = NotificationPublic(
        id=9,
        event="webhook_disabled",
        ticket_number=0,
        ticket_subject="",
        created_at=NOW,
        read=False,
        for_agent=True,
        detail="https://crm.example.com/in",
    )
    view = notification_view(told, agent=True, locale="en", tz="UTC", now=NOW)
    assert view.href == "/admin/webhooks" and view.ticket_number == 0
    assert view.subject == "https://crm.example.com/in"
