"""What the agent's ticket page shows beside the conversation: the customer, the history, the
assignee and the agents, and the one call a live wake-up of that page makes (A2: agents only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from support_portal.models import AuditEvent, Role, Ticket, TicketStatus, User
from support_portal.services import (
    access,
    agents,
    field_values,
    live_reads,
    macros,
    satisfaction,
    service_levels,
    sessions,
    ticket_fields,
    ticket_tags,
)
from support_portal.services.agent import assign, change_status, ticket_for_agent
from support_portal.services.agents import AgentPublic
from support_portal.services.conversation import ticket_detail
from support_portal.services.dto import TicketDetail, TicketSummary, Viewer
from support_portal.services.field_values import FieldValuePublic
from support_portal.services.guest import revoke_link
from support_portal.services.satisfaction import SurveyForAgent
from support_portal.services.ticket_lists import summary


@dataclass(frozen=True)
class HistoryEntry:
    action: str
    actor_name: str
    created_at: datetime
    detail: dict


@dataclass(frozen=True)
class CustomerInfo:
    name: str
    email: str
    has_account: bool
    email_verified: bool
    other_tickets: list[TicketSummary]
    has_guest_link: bool = False  # emails to the guest carry a link an agent can revoke


def history(db: Session, *, viewer: Viewer | None, number: int | str) -> list[HistoryEntry]:
    viewer, ticket = ticket_for_agent(db, viewer, number, "history")
    return _history_of(db, ticket)


# Built once: a new alias per call made ~300 objects in reference cycles (its column proxies)
# for the garbage collector on every agent page's live wake-up (docs/benchmarks.md).
_ACTOR = aliased(User, name="actor")


def _history_of(db: Session, ticket: Ticket) -> list[HistoryEntry]:
    rows = db.exec(
        select(AuditEvent, _ACTOR.name)
        .join(_ACTOR, _ACTOR.id == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.ticket_id == ticket.id, ~col(AuditEvent.action).startswith("message."))
        .order_by(col(AuditEvent.id).asc())
    ).all()
    names = _agent_names(db)
    entries = []
    for event, actor_name in rows:
        detail = dict(event.detail or {})
        if "assignee_id" in detail:
            detail["assignee_name"] = names.get(detail["assignee_id"], "")
        entries.append(
            HistoryEntry(
                action=event.action,
                actor_name=actor_name or _unnamed_actor(event.actor_kind, ticket),
                created_at=event.created_at,
                detail=detail,
            )
        )
    return entries


def _unnamed_actor(kind: str | None, ticket: Ticket) -> str:
    """Who did it when no user row names them; the state translates "System" and "Customer"."""
    if kind == "system":
        return "System"
    if kind == "guest" and ticket.guest_name:
        return ticket.guest_name
    return "Customer"


def customer_info(db: Session, *, viewer: Viewer | None, number: int | str) -> CustomerInfo:
    viewer, ticket = ticket_for_agent(db, viewer, number, "customer_info")
    return _customer_info_of(db, ticket)


def _customer_info_of(db: Session, ticket: Ticket) -> CustomerInfo:
    if ticket.requester_id is not None:
        user = db.get(User, ticket.requester_id)
        assert user is not None
        name, email, verified = user.name, user.email, user.email_verified
        others = select(Ticket).where(Ticket.requester_id == user.id)
    else:
        name, email = ticket.guest_name or "", ticket.guest_email or ""
        others = select(Ticket).where(Ticket.guest_email == ticket.guest_email)
        # A guest proves the address with a one-time code from the ticket's link.
        verified = (
            db.exec(
                select(AuditEvent.id)
                .join(Ticket, col(Ticket.id) == AuditEvent.ticket_id)
                .where(AuditEvent.action == "guest.verified", Ticket.guest_email == email)
                .limit(1)
            ).first()
            is not None
        )
    rows = db.exec(
        others.where(Ticket.id != ticket.id).order_by(col(Ticket.last_activity_at).desc()).limit(10)
    ).all()
    return CustomerInfo(
        name=name,
        email=email,
        has_account=ticket.requester_id is not None,
        email_verified=verified,
        other_tickets=[summary(t) for t in rows],
        has_guest_link=bool(ticket.guest_email and ticket.guest_link_nonce),
    )


def _agent_names(db: Session) -> dict[int, str]:
    return dict(
        db.exec(
            select(User.id, User.name).where(col(User.role).in_([Role.agent, Role.admin]))
        ).all()
    )


@dataclass(frozen=True)
class DueTimes:
    """The ticket's service-level due times (issue 16), for agents only (A5)."""

    reply_due_at: datetime | None = None  # a waiting customer's promised reply
    resolution_due_at: datetime | None = None  # while in progress, when a policy sets one


def due_times(ticket: Ticket) -> DueTimes:
    in_progress = ticket.status in (TicketStatus.open, TicketStatus.awaiting_customer)
    return DueTimes(
        reply_due_at=service_levels.reply_due(ticket),
        resolution_due_at=ticket.resolution_due_at if in_progress else None,
    )


@dataclass(frozen=True)
class AgentPageUpdate:
    conversation: live_reads.ConversationUpdate
    customer: CustomerInfo
    history: list[HistoryEntry]
    assignee_id: int | None
    agents: list[AgentPublic]
    priority: str = "normal"
    tags: tuple[str, ...] = ()
    known_tags: tuple[str, ...] = ()  # the tags in use, most used first (suggestions)
    fields: tuple[FieldValuePublic, ...] = ()  # every custom field, agent-only ones too
    due: DueTimes = DueTimes()
    ratings: tuple[SurveyForAgent, ...] = ()  # the customer's answers to "How did we do?"


def page_update(
    db: Session, *, session_token: str | None, number: int | str, after_id: int
) -> AgentPageUpdate | None:
    """The panels and what is new on the ticket, for an agent whose session is re-read here
    (A4). None when the session has ended; PermissionDenied for anyone but an agent (A2),
    NotFound when the ticket is gone."""
    viewer = sessions.viewer_for_token(db, session_token=session_token)
    if viewer is None:
        return None
    viewer = access.require_agent(db, viewer, action="ticket_live_update")
    ticket = access.ticket_for(db, viewer, number)
    update = live_reads.update_for(db, viewer=viewer, number=ticket.number, after_id=after_id)
    return AgentPageUpdate(
        conversation=update,
        customer=_customer_info_of(db, ticket),
        history=_history_of(db, ticket),
        assignee_id=ticket.assignee_id,
        agents=agents.list_agents(db, viewer=viewer, include_inactive=True),
        priority=ticket_tags.PRIORITIES[ticket.priority],
        tags=tuple(ticket_tags.tags_of(db, ticket)),
        known_tags=tuple(ticket_tags.suggest(db, viewer=viewer, limit=50)),
        fields=field_values.agent_values(db, ticket),
        due=due_times(ticket),
        ratings=tuple(satisfaction.ratings_of(db, ticket)),
    )


@dataclass(frozen=True)
class AgentPanels:
    """What the agent's ticket page shows beside the messages."""

    detail: TicketDetail
    customer: CustomerInfo
    history: list[HistoryEntry]
    assignee_id: int | None
    agents: list[AgentPublic]
    priority: str = "normal"
    tags: tuple[str, ...] = ()
    known_tags: tuple[str, ...] = ()  # the tags in use, most used first (suggestions)
    fields: tuple[FieldValuePublic, ...] = ()  # every custom field, agent-only ones too
    due: DueTimes = DueTimes()
    ratings: tuple[SurveyForAgent, ...] = ()  # the customer's answers to "How did we do?"


def panels(db: Session, *, viewer: Viewer | None, number: int | str) -> AgentPanels:
    """The ticket's header and the customer, history and assignment panels, in one read (A2:
    PermissionDenied for anyone but an agent, NotFound for no such ticket)."""
    viewer, ticket = ticket_for_agent(db, viewer, number, "customer_info")
    return AgentPanels(
        detail=ticket_detail(db, ticket),
        customer=_customer_info_of(db, ticket),
        history=_history_of(db, ticket),
        assignee_id=ticket.assignee_id,
        agents=agents.list_agents(db, viewer=viewer, include_inactive=True),
        priority=ticket_tags.PRIORITIES[ticket.priority],
        tags=tuple(ticket_tags.tags_of(db, ticket)),
        known_tags=tuple(ticket_tags.suggest(db, viewer=viewer, limit=50)),
        fields=field_values.agent_values(db, ticket),
        due=due_times(ticket),
        ratings=tuple(satisfaction.ratings_of(db, ticket)),
    )


# The actions of the agent's ticket page, by the name the page gives them.
ACTIONS: dict[str, Callable[..., object]] = {
    "status": change_status,
    "assign": assign,
    "revoke_link": revoke_link,
    "priority": ticket_tags.set_priority,
    "add_tag": ticket_tags.add_tag,
    "remove_tag": ticket_tags.remove_tag,
    "set_fields": ticket_fields.set_fields,
}


def act(
    db: Session, *, viewer: Viewer | None, number: int | str, do: str, **kwargs: Any
) -> AgentPanels:
    """One action of the agent's ticket page (audited and notified by the action itself), then
    the panels as it left them, in one transaction."""
    ACTIONS[do](db, viewer=viewer, number=number, **kwargs)
    return panels(db, viewer=viewer, number=number)


@dataclass(frozen=True)
class MacroOutcome:
    applied: macros.MacroApplied
    panels: AgentPanels


def apply_macro(
    db: Session, *, viewer: Viewer | None, number: int | str, macro_id: int
) -> MacroOutcome:
    """A macro applied from the ticket page (macros.apply), then the panels as it left them, in
    one transaction."""
    applied = macros.apply(db, viewer=viewer, number=number, macro_id=macro_id)
    return MacroOutcome(applied=applied, panels=panels(db, viewer=viewer, number=number))
