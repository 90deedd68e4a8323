"""The webhooks page (/admin/webhooks): administrators register, enable, disable and delete
endpoints, read an endpoint's delivery log and send it a test event.

Every call re-checks the administrator role (A2) and returns the page as it is after the action
(one transaction, one call). The secret leaves the service only once, when it is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from support_portal.models import WebhookDelivery
from support_portal.services import access, webhooks
from support_portal.services.dto import Viewer
from support_portal.services.webhooks import EndpointPublic

LOG_SIZE = 25


@dataclass(frozen=True)
class DeliveryPublic:
    id: int
    event: str
    status: str  # pending, sending, sent, failed
    attempts: int
    status_code: int | None
    error: str
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None  # when it is waiting for a retry


@dataclass(frozen=True)
class WebhooksPage:
    endpoints: list[EndpointPublic]
    log_endpoint_id: int  # 0: no log open (or its endpoint is gone)
    log: list[DeliveryPublic]


@dataclass(frozen=True)
class Registered:
    endpoint_id: int
    secret: str  # shown once
    page: WebhooksPage


def _delivery(row: WebhookDelivery) -> DeliveryPublic:
    return DeliveryPublic(
        id=row.id,  # type: ignore[arg-type]
        event=row.event,
        status=row.status,
        attempts=row.attempts,
        status_code=row.last_status_code,
        error=row.last_error or "",
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
    )


def _page(db: Session, log_endpoint_id: int) -> WebhooksPage:
    endpoints = webhooks.list_endpoints(db)
    if not any(e.id == log_endpoint_id for e in endpoints):
        return WebhooksPage(endpoints=endpoints, log_endpoint_id=0, log=[])
    rows = db.exec(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == log_endpoint_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(LOG_SIZE)
    ).all()
    return WebhooksPage(
        endpoints=endpoints, log_endpoint_id=log_endpoint_id, log=[_delivery(r) for r in rows]
    )


def show(db: Session, *, viewer: Viewer | None, log_endpoint_id: int = 0) -> WebhooksPage:
    """The endpoints, and the latest deliveries to one of them when `log_endpoint_id` is set."""
    access.require_admin(db, viewer, action="webhook.view")
    return _page(db, log_endpoint_id)


def register(db: Session, *, viewer: Viewer | None, url: str, events: list[str]) -> Registered:
    """A new endpoint (the URL is checked: http(s), and not private unless allowed)."""
    viewer = access.require_admin(db, viewer, action="webhook.add")
    new = webhooks.add_endpoint(db, url=url, events=events, actor_id=viewer.user_id)
    return Registered(endpoint_id=new.endpoint.id, secret=new.secret, page=_page(db, 0))


def set_active(
    db: Session, *, viewer: Viewer | None, endpoint_id: int, active: bool, log_endpoint_id: int = 0
) -> WebhooksPage:
    viewer = access.require_admin(db, viewer, action="webhook.set_active")
    webhooks.set_active(db, endpoint_id=endpoint_id, active=active, actor_id=viewer.user_id)
    return _page(db, log_endpoint_id)


def delete(
    db: Session, *, viewer: Viewer | None, endpoint_id: int, log_endpoint_id: int = 0
) -> WebhooksPage:
    viewer = access.require_admin(db, viewer, action="webhook.delete")
    webhooks.delete_endpoint(db, endpoint_id=endpoint_id, actor_id=viewer.user_id)
    db.flush()
    return _page(db, log_endpoint_id)


def send_test(db: Session, *, viewer: Viewer | None, endpoint_id: int) -> WebhooksPage:
    """Queue a signed `ping` to the endpoint; the page shows that endpoint's log."""
    access.require_admin(db, viewer, action="webhook.test")
    webhooks.enqueue_ping(db, endpoint_id=endpoint_id)
    db.flush()
    return _page(db, endpoint_id)
