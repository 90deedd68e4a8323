"""Who may see and do what. Missing and forbidden raise the same NotFound (A1)."""

from __future__ import annotations

from sqlmodel import Session, select

from support_portal.models import Ticket
from support_portal.services import audit
from support_portal.services.dto import Viewer
from support_portal.services.errors import NotAuthenticated, NotFound, PermissionDenied


def can_view(viewer: Viewer, ticket: Ticket) -> bool:
    if viewer.is_agent:
        return True
    if viewer.is_guest:
        return ticket.guest_email is not None and ticket.guest_email == viewer.email
    return ticket.requester_id is not None and ticket.requester_id == viewer.user_id


def ticket_for(
    db: Session, viewer: Viewer | None, number: int | str, *, lock: bool = False
) -> Ticket:
    """Load a ticket the viewer may see, or raise NotFound."""
    if viewer is None:
        raise NotAuthenticated()
    try:
        value = int(str(number).strip())
    except ValueError:
        raise NotFound() from None
    query = select(Ticket).where(Ticket.number == value)
    if lock:
        query = query.with_for_update()
    ticket = db.exec(query).first()
    if ticket is None or not can_view(viewer, ticket):
        raise NotFound()
    return ticket


def require_agent(
    db: Session, viewer: Viewer | None, *, action: str, ticket_id: int | None = None
) -> Viewer:
    """Agent actions re-check the role on every call (A2); refusals are audited."""
    if viewer is None:
        raise NotAuthenticated()
    if not viewer.is_agent:
        audit.denied(
            db,
            action=action,
            actor_kind=viewer.kind.value,
            actor_id=viewer.user_id,
            reason="not an agent",
            ticket_id=ticket_id,
        )
        db.commit()
        raise PermissionDenied()
    return viewer


def require_admin(db: Session, viewer: Viewer | None, *, action: str) -> Viewer:
    viewer = require_agent(db, viewer, action=action)
    if not viewer.is_admin:
        audit.denied(
            db, action=action, actor_kind="agent", actor_id=viewer.user_id, reason="not an admin"
        )
        db.commit()
        raise PermissionDenied()
    return viewer


def require_customer(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise NotAuthenticated()
    return viewer
