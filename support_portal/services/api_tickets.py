"""What the REST API reads and does beyond the agent dashboard's own calls: a ticket with its
people, a ticket opened for a customer or guest, a customer looked up by email.

Agents only (A2). Opening a ticket goes through `tickets.create_ticket`, so the audit trail,
the notifications, the emails and the live events are the ones the new-ticket form makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from support_portal.models import Role, SessionKind, Ticket, User
from support_portal.services import access, audit, conversation, tickets
from support_portal.services.auth import normalize_email
from support_portal.services.dto import TicketDetail, Viewer
from support_portal.services.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class ApiTicket:
    detail: TicketDetail
    requester_email: str
    assignee_id: int | None
    assignee_name: str | None


@dataclass(frozen=True)
class CustomerRecord:
    email: str
    name: str
    has_account: bool
    user_id: int | None
    email_verified: bool
    is_active: bool
    created_at: datetime | None
    ticket_count: int
    open_ticket_count: int


def ticket(db: Session, *, viewer: Viewer | None, number: int | str) -> ApiTicket:
    viewer = access.require_agent(db, viewer, action="api.ticket")
    row = access.ticket_for(db, viewer, number)
    requester = db.get(User, row.requester_id) if row.requester_id else None
    assignee = db.get(User, row.assignee_id) if row.assignee_id else None
    return ApiTicket(
        detail=conversation.ticket_detail(db, row),
        requester_email=requester.email if requester else (row.guest_email or ""),
        assignee_id=row.assignee_id,
        assignee_name=assignee.name if assignee else None,
    )


def open_for_requester(
    db: Session,
    *,
    viewer: Viewer | None,
    email: str,
    name: str | None,
    subject: str,
    category: str,
    description: str,
    idempotency_key: str | None = None,
    fields: dict[str, str] | None = None,
) -> tickets.NewTicket:
    """A ticket opened by an agent for the customer with this email, or for a guest when no
    account has it (the guest then gets the usual email with their link). The same idempotency
    key for the same requester returns the first ticket (`created` False)."""
    viewer = access.require_agent(db, viewer, action="api.ticket_create")
    address = normalize_email(email)
    user = db.exec(select(User).where(User.email == address)).first()
    if user is not None:
        if user.role != Role.customer or not user.is_active:
            raise InvalidInput("Tickets are opened for active customers only.", field="email")
        requester = Viewer(
            kind=SessionKind.user,
            session_id=0,
            user_id=user.id,
            role=user.role,
            name=user.name,
            email=user.email,
            locale=user.locale,
            email_verified=user.email_verified,
        )
        created = tickets.create_ticket(
            db,
            viewer=requester,
            subject=subject,
            category=category,
            description=description,
            idempotency_key=idempotency_key,
            locale=user.locale,
            fields=fields,
        )
    else:
        created = tickets.create_ticket(
            db,
            viewer=None,
            subject=subject,
            category=category,
            description=description,
            idempotency_key=idempotency_key,
            fields=fields,
            guest_name=name or "",
            guest_email=address,
        )
    if created.created:
        audit.record(
            db,
            action="ticket.opened_for",
            ticket_id=created.ticket_id,
            actor_id=viewer.user_id,
            actor_kind="agent",
            detail={"via": "api"},
        )
    return created


def customer_by_email(db: Session, *, viewer: Viewer | None, email: str) -> CustomerRecord:
    """A customer account, or a guest who has opened tickets, by email; NotFound otherwise
    (agents and unknown addresses alike)."""
    access.require_agent(db, viewer, action="api.customer")
    try:
        address = normalize_email(email)
    except InvalidInput:
        raise NotFound() from None
    user = db.exec(select(User).where(User.email == address)).first()
    if user is not None and user.role != Role.customer:
        raise NotFound()
    owned = Ticket.requester_id == user.id if user is not None else Ticket.guest_email == address
    total, active = db.exec(
        select(
            func.count(col(Ticket.id)), func.count(col(Ticket.id)).filter(Ticket.is_active)
        ).where(owned)
    ).one()
    if user is None and total == 0:
        raise NotFound()
    if user is not None:
        return CustomerRecord(
            email=user.email,
            name=user.name,
            has_account=True,
            user_id=user.id,
            email_verified=user.email_verified,
            is_active=user.is_active,
            created_at=user.created_at,
            ticket_count=total,
            open_ticket_count=active,
        )
    latest = db.exec(
        select(Ticket.guest_name).where(owned).order_by(col(Ticket.id).desc()).limit(1)
    ).first()
    return CustomerRecord(
        email=address,
        name=latest or "",
        has_account=False,
        user_id=None,
        email_verified=False,
        is_active=True,
        created_at=None,
        ticket_count=total,
        open_ticket_count=active,
    )
