"""The audit trail: who did what, when."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from support_portal.models import AuditEvent

log = logging.getLogger("support_portal.audit")


def record(
    db: Session,
    *,
    action: str,
    actor_kind: str,
    actor_id: int | None = None,
    ticket_id: int | None = None,
    detail: dict | None = None,
    ip: str | None = None,
    at: datetime | None = None,
) -> None:
    db.add(
        AuditEvent(
            **({"created_at": at} if at is not None else {}),
            action=action,
            actor_kind=actor_kind,
            actor_id=actor_id,
            ticket_id=ticket_id,
            detail=detail or {},
            ip=(ip or "")[:64] or None,
        )
    )


def denied(
    db: Session,
    *,
    action: str,
    actor_kind: str,
    actor_id: int | None,
    reason: str,
    ticket_id: int | None = None,
) -> None:
    """Log a refused privileged action (A2). Caller commits (or uses a separate scope)."""
    log.warning("denied %s for %s %s: %s", action, actor_kind, actor_id, reason)
    record(
        db,
        action=f"denied.{action}",
        actor_kind=actor_kind,
        actor_id=actor_id,
        ticket_id=ticket_id,
        detail={"reason": reason},
    )
