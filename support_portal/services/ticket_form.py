"""The new-ticket form's fields onto the use case (tickets.submit_ticket)."""

from __future__ import annotations

from sqlmodel import Session

from support_portal.services import tickets
from support_portal.services.dto import Viewer


def submit_form(db: Session, *, viewer: Viewer | None, form: dict, **kwargs) -> tickets.NewTicket:
    """The form's fields onto the use case: a guest (or a verified guest, who keeps their own
    address) also gives a name and an email."""
    anonymous = viewer is None or viewer.is_guest
    return tickets.submit_ticket(
        db,
        viewer=viewer,
        guest_name=str(form.get("name", "")) if anonymous else None,
        guest_email=str(form.get("email", "")) if anonymous else None,
        subject=str(form.get("subject", "")),
        description=str(form.get("description", "")),
        idempotency_key=str(form.get("key", "")) or None,
        **kwargs,
    )
