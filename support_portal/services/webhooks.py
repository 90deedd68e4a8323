"""Webhooks: endpoints administrators register, and the deliveries a ticket event writes.

A delivery is written in the same transaction as the event it reports (like an outbox email),
so an event that rolls back sends nothing and one that commits is delivered (at least once) by
`webhook_sender`. Targets on loopback, private, link-local or otherwise non-public addresses
are refused unless WEBHOOK_ALLOW_PRIVATE=true (server-side request forgery, webhook_targets);
the check runs when the endpoint is registered and again before every request, against the
address the request then connects to.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from support_portal.db import after_commit
from support_portal.live.hub import LiveEvent, hub
from support_portal.models import (
    AuthorKind,
    Message,
    Ticket,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from support_portal.services import audit
from support_portal.services.errors import InvalidInput, NotFound
from support_portal.services.security import new_token
from support_portal.services.webhook_targets import check_target
from support_portal.settings import get_settings

EVENTS = (
    "ticket.created",
    "ticket.customer_replied",
    "ticket.agent_replied",
    "ticket.status_changed",
)
PING = "ping"  # the "Send test event" button's event: one attempt, no retries
SIGNATURE_HEADER = "X-Support-Portal-Signature"
SENDER_TOPIC = "webhook-sender"  # wakes the sender (a test event was queued)
LOG_TOPIC = "webhook-log"  # a delivery was attempted: the webhooks page re-reads


@dataclass(frozen=True)
class EndpointPublic:
    id: int
    url: str
    events: list[str]
    is_active: bool
    consecutive_failures: int
    auto_disabled: bool = False  # disabled by its run of failures, not by an administrator
    created_at: datetime | None = None
    disabled_at: datetime | None = None


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: EndpointPublic
    secret: str  # shown once


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _clean_events(events: list[str]) -> str:
    chosen = {e.strip() for e in events if e and e.strip()}
    if not chosen or not chosen <= set(EVENTS):
        raise InvalidInput("Choose the events to send.", field="events")
    return " ".join(e for e in EVENTS if e in chosen)


def _public(row: WebhookEndpoint) -> EndpointPublic:
    return EndpointPublic(
        id=row.id,  # type: ignore[arg-type]
        url=row.url,
        events=row.events.split(),
        is_active=row.is_active,
        consecutive_failures=row.consecutive_failures,
        auto_disabled=not row.is_active
        and row.consecutive_failures >= get_settings().webhook_disable_after,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


def _actor(actor_id: int | None) -> dict:
    return {"actor_kind": "agent", "actor_id": actor_id} if actor_id else {"actor_kind": "system"}


def add_endpoint(
    db: Session, *, url: str, events: list[str], actor_id: int | None = None
) -> NewEndpoint:
    """Register an endpoint (an administrator, on the page or the command line); its secret
    is shown once."""
    row = WebhookEndpoint(
        url=check_target(url), secret="whsec_" + new_token(24), events=_clean_events(events)
    )
    db.add(row)
    db.flush()
    audit.record(db, action="webhook.added", detail={"endpoint_id": row.id}, **_actor(actor_id))
    return NewEndpoint(endpoint=_public(row), secret=row.secret)


def list_endpoints(db: Session) -> list[EndpointPublic]:
    rows = db.exec(select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))).all()
    return [_public(row) for row in rows]


def _endpoint(db: Session, endpoint_id: int) -> WebhookEndpoint:
    row = db.get(WebhookEndpoint, endpoint_id)
    if row is None:
        raise NotFound("This webhook no longer exists.")
    return row


def set_active(db: Session, *, endpoint_id: int, active: bool, actor_id: int | None = None) -> None:
    """Disable, or enable again (which clears the run of failures)."""
    row = _endpoint(db, endpoint_id)
    row.is_active = active
    if active:
        row.consecutive_failures = 0
        row.disabled_at = None
    else:
        row.disabled_at = utcnow()
    action = "webhook.enabled" if active else "webhook.disabled"
    audit.record(db, action=action, detail={"endpoint_id": row.id}, **_actor(actor_id))


def delete_endpoint(db: Session, *, endpoint_id: int, actor_id: int | None = None) -> None:
    """Remove an endpoint and its delivery log (waiting deliveries are dropped)."""
    row = _endpoint(db, endpoint_id)
    db.exec(delete(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == row.id))  # type: ignore[call-overload]
    db.delete(row)
    audit.record(
        db, action="webhook.deleted", detail={"endpoint_id": endpoint_id}, **_actor(actor_id)
    )


def enqueue_ping(db: Session, *, endpoint_id: int) -> None:
    """A signed `ping` delivery through the same outbox, sent as soon as this commits."""
    row = _endpoint(db, endpoint_id)
    if not row.is_active:
        raise InvalidInput("Enable the webhook before sending a test event.")
    now = utcnow()
    payload = {"id": uuid.uuid4().hex, "event": PING, "created_at": now.isoformat()}
    db.add(
        WebhookDelivery(
            endpoint_id=row.id,  # type: ignore[arg-type]
            event=PING,
            payload=payload,
            next_attempt_at=now,
            created_at=now,
        )
    )
    after_commit(db, lambda: hub.publish(LiveEvent(topic=SENDER_TOPIC, kind=PING)))


def _event_for(db: Session, kind: str, message_id: int | None) -> str | None:
    if kind == "created":
        return "ticket.created"
    if kind == "status":
        return "ticket.status_changed"
    if kind == "message" and message_id is not None:
        message = db.get(Message, message_id)
        if message is None or message.is_internal:
            return None  # internal notes never leave the portal
        if message.author_kind == AuthorKind.customer:
            return "ticket.customer_replied"
        return "ticket.agent_replied"
    return None


def on_ticket_changed(db: Session, ticket: Ticket, *, kind: str, message_id: int | None) -> None:
    """Write a delivery for every active endpoint that wants this event (same transaction)."""
    event = _event_for(db, kind, message_id)
    if event is None:
        return
    endpoints = db.exec(select(WebhookEndpoint).where(WebhookEndpoint.is_active == True)).all()
    wanted = [e for e in endpoints if event in e.events.split()]
    if not wanted:
        return
    now = utcnow()
    for endpoint in wanted:
        db.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,  # type: ignore[arg-type]
                event=event,
                payload={
                    "id": uuid.uuid4().hex,
                    "event": event,
                    "created_at": now.isoformat(),
                    # Notification-only, like the emails: the receiver reads the rest through
                    # the REST API with its own token.
                    "ticket": {"number": ticket.number, "status": str(ticket.status)},
                    "message_id": message_id,
                },
                next_attempt_at=now,
                created_at=now,
            )
        )
