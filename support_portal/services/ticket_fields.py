"""Agents edit a ticket's custom fields (issue 15): every field, agent-only ones included (A2).
Each changed value is audited; the ticket's open pages wake up (a customer's page shows only
the fields visible to them, A5)."""

from __future__ import annotations

from sqlmodel import Session

from support_portal.models import utcnow
from support_portal.services import audit, events, field_values
from support_portal.services.agent import ticket_for_agent
from support_portal.services.dto import Viewer

AUDIT_TEXT = 200  # a long text is recorded in the history up to this many characters


def set_fields(
    db: Session, *, viewer: Viewer | None, number: int | str, values: dict[str, str]
) -> int:
    """Save the agent's field form: `values` by field key (a field left out keeps its value).
    Returns how many values changed."""
    viewer, ticket = ticket_for_agent(db, viewer, number, "set_fields")
    raw = {str(k)[:40]: str(v) for k, v in (values if isinstance(values, dict) else {}).items()}
    fields = [f for f in field_values.agent_fields(db, ticket) if f.key in raw]
    old = field_values.stored(db, ticket.id)  # type: ignore[arg-type]
    new = field_values.check(fields, raw, old=old)
    changed = 0
    for item in fields:
        before, after = old.get(item.id), new.get(item.id)  # type: ignore[arg-type]
        if before == after:
            continue
        field_values.write(db, ticket_id=ticket.id, item=item, value=after)  # type: ignore[arg-type]
        audit.record(
            db,
            action="ticket.field",
            ticket_id=ticket.id,
            actor_id=viewer.user_id,
            actor_kind="agent",
            detail={
                "field": item.key,
                "label": item.labels.get("en", item.key),
                "labels": dict(item.labels),  # the history shows it in the agent's language
                "from": field_values.canonical(item.kind, before)[:AUDIT_TEXT],
                "to": field_values.canonical(item.kind, after)[:AUDIT_TEXT],
            },
        )
        changed += 1
    if changed:
        ticket.updated_at = utcnow()
        events.ticket_changed(db, ticket, kind="fields")
    return changed
