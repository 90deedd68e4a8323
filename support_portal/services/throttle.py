"""Sliding-window counters in the database, shared by every worker."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, delete, func, select

from support_portal.models import RateEvent, utcnow
from support_portal.services.errors import RateLimited
from support_portal.settings import get_settings


def check(
    db: Session, *, scope: str, key: str, limit: int, window: timedelta, record: bool = True
) -> None:
    """Raise RateLimited when `key` already had `limit` events within `window`.

    Per-address limits (scopes ending in "_ip") scale with RATE_LIMIT_IP_FACTOR, for sites
    where many customers share one address (a company proxy) and for test suites.
    """
    if scope.endswith("_ip"):
        limit = max(1, round(limit * get_settings().rate_limit_ip_factor))
    now = utcnow()
    since = now - window
    count, oldest = db.exec(
        select(func.count(RateEvent.id), func.min(RateEvent.created_at)).where(
            RateEvent.scope == scope, RateEvent.key == key, RateEvent.created_at > since
        )
    ).one()
    if count >= limit:
        retry_after = (oldest + window - now).total_seconds() if oldest else window.total_seconds()
        raise RateLimited(retry_after=int(retry_after) + 1)
    if record:
        db.add(RateEvent(scope=scope, key=key, created_at=now))
        db.flush()


def hit(db: Session, *, scope: str, key: str) -> None:
    db.add(RateEvent(scope=scope, key=key))
    db.flush()


def clear(db: Session, *, scope: str, key: str) -> None:
    db.exec(delete(RateEvent).where(RateEvent.scope == scope, RateEvent.key == key))


def prune(db: Session, *, older_than: timedelta = timedelta(days=2)) -> int:
    result = db.exec(delete(RateEvent).where(RateEvent.created_at < utcnow() - older_than))
    return result.rowcount or 0
