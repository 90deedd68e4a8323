"""The webhook outbox's bookkeeping: lease due deliveries, record what the request did.

Retries back off exponentially (WEBHOOK_RETRY_BASE_SECONDS doubling, capped at
WEBHOOK_RETRY_MAX_SECONDS); a delivery fails for good after WEBHOOK_MAX_ATTEMPTS; an endpoint
is disabled after WEBHOOK_DISABLE_AFTER failures in a row (its deliveries wait until an
administrator enables it again, and every administrator gets an in-app notification).
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from support_portal.db import after_commit
from support_portal.live.hub import LiveEvent, hub
from support_portal.models import WebhookDelivery, WebhookEndpoint, utcnow
from support_portal.services import audit, notifications, webhooks
from support_portal.settings import get_settings

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
BATCH = 20


@dataclass(frozen=True)
class Due:
    id: int
    url: str
    secret: str
    event: str
    body: bytes
    delivery_key: str


@dataclass(frozen=True)
class Outcome:
    id: int
    ok: bool
    status_code: int | None = None
    error: str | None = None


def backoff(attempts: int) -> timedelta:
    settings = get_settings()
    base = settings.webhook_retry_base_seconds * (2 ** max(0, attempts - 1))
    capped = min(base, settings.webhook_retry_max_seconds)
    return timedelta(seconds=capped * (1 + random.random() * 0.1))  # noqa: S311


def _due_condition(now):
    return or_(
        and_(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now),
        and_(WebhookDelivery.status == "sending", WebhookDelivery.lease_until < now),
    )


def claim_due(db: Session, *, limit: int = BATCH) -> list[Due]:
    """Lease up to `limit` due deliveries of active endpoints (safe with several workers)."""
    now = utcnow()
    due = _due_condition(now)
    query = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
        .where(due, WebhookEndpoint.is_active == True)
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=WebhookDelivery, skip_locked=True)  # type: ignore[arg-type]
    ids = list(db.exec(query).all())
    if not ids:
        return []
    taken = set(
        db.exec(  # type: ignore[call-overload]
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(ids), due)
            .values(
                status="sending",
                lease_until=now + LEASE,
                attempts=WebhookDelivery.attempts + 1,
            )
            .returning(WebhookDelivery.id)
        ).scalars()
    )
    rows = db.exec(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
        .where(col(WebhookDelivery.id).in_(taken))
        .order_by(col(WebhookDelivery.id))
    ).all()
    return [
        Due(
            id=d.id,  # type: ignore[arg-type]
            url=e.url,
            secret=e.secret,
            event=d.event,
            body=json.dumps(d.payload, separators=(",", ":"), sort_keys=True).encode(),
            delivery_key=str(d.payload.get("id", d.id)),
        )
        for d, e in rows
    ]


def record(db: Session, outcomes: list[Outcome]) -> None:
    """Mark each delivery sent, or schedule its retry (or fail it), and keep each endpoint's
    run of failures; an endpoint past WEBHOOK_DISABLE_AFTER is disabled, audited, and the
    administrators are told. A test event (`ping`) gets one attempt and leaves the run alone.

    The run is counted, and the endpoint disabled, in single UPDATE statements: workers that
    record failures of one endpoint at the same time lose no count, and exactly one of them
    disables it (and tells the administrators once)."""
    now = utcnow()
    touched: set[int] = set()
    for outcome in outcomes:
        row = db.get(WebhookDelivery, outcome.id)
        if row is None:
            continue
        touched.add(row.endpoint_id)
        row.last_status_code = outcome.status_code
        row.lease_until = None
        if outcome.ok:
            row.status = "sent"
            row.delivered_at = now
            row.last_error = None
            if row.event != webhooks.PING:
                _endpoint_update(db, row.endpoint_id, consecutive_failures=0)
            continue
        row.last_error = (outcome.error or "")[:2000]
        if row.event == webhooks.PING:
            row.status = "failed"
            continue
        _failed(db, row, now)
    if touched:
        event = LiveEvent(topic=webhooks.LOG_TOPIC, kind="webhook")
        after_commit(db, lambda: hub.publish(event))


def _endpoint_update(db: Session, endpoint_id: int, *where, returning=None, **values):
    statement = (
        update(WebhookEndpoint)
        .where(col(WebhookEndpoint.id) == endpoint_id, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if returning is None:
        db.exec(statement)  # type: ignore[call-overload]
        return None
    return db.exec(statement.returning(returning)).first()  # type: ignore[call-overload]


def _failed(db: Session, row: WebhookDelivery, now) -> None:
    settings = get_settings()
    if row.attempts >= settings.webhook_max_attempts:
        row.status = "failed"
    else:
        row.status = "pending"
        row.next_attempt_at = now + backoff(row.attempts)
    failures = _endpoint_update(
        db,
        row.endpoint_id,
        consecutive_failures=WebhookEndpoint.consecutive_failures + 1,
        returning=WebhookEndpoint.consecutive_failures,
    )
    if failures is None or failures[0] < settings.webhook_disable_after:
        return
    disabled = _endpoint_update(
        db,
        row.endpoint_id,
        WebhookEndpoint.is_active == True,
        is_active=False,
        disabled_at=now,
        returning=WebhookEndpoint.url,
    )
    if disabled is None:
        return  # disabled already (by another worker, or an administrator)
    log.warning(
        "webhook endpoint %s disabled after %d failures in a row", row.endpoint_id, failures[0]
    )
    audit.record(
        db,
        action="webhook.disabled",
        actor_kind="system",
        detail={"endpoint_id": row.endpoint_id, "failures": failures[0]},
    )
    notifications.webhook_disabled(db, url=disabled[0])


def next_due_in(db: Session) -> float | None:
    """Seconds until the next pending delivery of an active endpoint is due (None: none)."""
    at = db.exec(
        select(WebhookDelivery.next_attempt_at)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == "pending", WebhookEndpoint.is_active == True)
        .order_by(col(WebhookDelivery.next_attempt_at))
        .limit(1)
    ).first()
    if at is None:
        return None
    return max(0.0, (at - utcnow()).total_seconds())
