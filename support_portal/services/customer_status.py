"""A customer (or verified guest) resolves or closes their own ticket (issue 14): the same
workflow rules, audit and notifications as when an agent does it."""

from __future__ import annotations

from sqlmodel import Session

from support_portal.i18n import _
from support_portal.models import NotificationEvent, utcnow
from support_portal.services import access, audit, events, notifications, workflow
from support_portal.services.conversation import ticket_detail
from support_portal.services.dto import TicketDetail, Viewer
from support_portal.services.errors import InvalidInput, PermissionDenied
from support_portal.services.tickets import set_status

ACTIONS = {
    "resolve": (workflow.Action.resolve, NotificationEvent.resolved),
    "close": (workflow.Action.close, NotificationEvent.closed),
}


def change_own_status(
    db: Session, *, viewer: Viewer | None, number: int | str, action: str
) -> TicketDetail:
    """ "Mark as resolved" (from open or waiting for them) and "Close" (from resolved). Returns
    the ticket as it is now; InvalidTransition when the workflow does not allow it."""
    if action not in ACTIONS:
        raise InvalidInput(_("Unknown action."))
    ticket = access.ticket_for(db, viewer, number)
    assert viewer is not None
    if viewer.is_agent:  # agents change statuses from the dashboard, with its audit
        raise PermissionDenied()
    parsed, event = ACTIONS[action]
    previous = ticket.status
    new_status = workflow.next_status(ticket.status, parsed)
    set_status(ticket, new_status)
    ticket.waiting_since = None
    ticket.last_activity_at = utcnow()
    audit.record(
        db,
        action="ticket.status",
        ticket_id=ticket.id,
        actor_id=viewer.user_id,
        actor_kind=viewer.kind.value if viewer.is_guest else "customer",
        detail={"from": str(previous), "to": str(new_status), "by_customer": True},
    )
    notifications.on_ticket_event(db, ticket=ticket, event=event)
    events.ticket_changed(db, ticket, kind="status")
    return ticket_detail(db, ticket)
