"""Webhooks: endpoints administrators register, and the deliveries a ticket event writes.

A delivery is written in the same transaction as the event it reports (like an outbox email),
so an event that rolls back sends nothing and one that commits is delivered (at least once) by
`webhooks.sender`. Targets on loopback, private, link-local or otherwise non-public addresses
are refused unless WEBHOOK_ALLOW_PRIVATE=true (server-side request forgery); the check runs
when the endpoint is registered and again before every request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

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
from support_portal.settings import get_settings

EVENTS = (
    "ticket.created",
    "ticket.customer_replied",
    "ticket.agent_replied",
    "ticket.status_changed",
)
SIGNATURE_HEADER = "X-Support-Portal-Signature"
MAX_URL = 2000


@dataclass(frozen=True)
class EndpointPublic:
    id: int
    url: str
    events: list[str]
    is_active: bool
    consecutive_failures: int


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: EndpointPublic
    secret: str  # shown once


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    ip = mapped or ip
    return ip.is_global and not ip.is_multicast


def check_target(url: str) -> str:
    """The URL if it may be called: http(s), a host, and (unless WEBHOOK_ALLOW_PRIVATE) every
    address the host resolves to is public. InvalidInput otherwise."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput("Enter an http or https URL.", field="url") from None
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("Enter an http or https URL.", field="url")
    if parts.username or parts.password:
        raise InvalidInput("Enter an http or https URL.", field="url")
    if get_settings().webhook_allow_private:
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise InvalidInput("The webhook's host does not resolve.", field="url") from None
    if not infos or not all(_public_address(str(info[4][0])) for info in infos):
        raise InvalidInput("Webhooks may not target private or local addresses.", field="url")
    return url


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
    )


def add_endpoint(db: Session, *, url: str, events: list[str]) -> NewEndpoint:
    """Register an endpoint (the administrator's command line); its secret is shown once."""
    row = WebhookEndpoint(
        url=check_target(url), secret="whsec_" + new_token(24), events=_clean_events(events)
    )
    db.add(row)
    db.flush()
    audit.record(db, action="webhook.added", actor_kind="system", detail={"endpoint_id": row.id})
    return NewEndpoint(endpoint=_public(row), secret=row.secret)


def list_endpoints(db: Session) -> list[EndpointPublic]:
    rows = db.exec(select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))).all()
    return [_public(row) for row in rows]


def set_active(db: Session, *, endpoint_id: int, active: bool) -> None:
    """Disable, or enable again (which clears the run of failures)."""
    row = db.get(WebhookEndpoint, endpoint_id)
    if row is None:
        raise NotFound()
    row.is_active = active
    if active:
        row.consecutive_failures = 0
        row.disabled_at = None
    else:
        row.disabled_at = utcnow()


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
