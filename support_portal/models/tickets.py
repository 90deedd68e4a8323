from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from support_portal.models.base import enum_type, utcnow
from support_portal.models.enums import AuthorKind, TicketStatus


def _where(condition: str) -> dict:
    """A partial index, on both databases."""
    return {"postgresql_where": text(condition), "sqlite_where": text(condition)}


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        # "My tickets": one customer's open or closed tickets, newest activity first.
        Index("ix_tickets_requester_list", "requester_id", "is_active", "last_activity_at", "id"),
        Index("ix_tickets_guest_list", "guest_email", "is_active", "last_activity_at", "id"),
        # Agent queue views.
        Index("ix_tickets_status_list", "status", "last_activity_at", "id"),
        Index("ix_tickets_assignee_list", "assignee_id", "is_active", "last_activity_at", "id"),
        Index("ix_tickets_active_list", "is_active", "last_activity_at", "id"),
        Index("ix_tickets_activity", "last_activity_at", "id"),  # the "all" view
        Index("ix_tickets_priority_list", "priority", "last_activity_at", "id"),
        # Reports (issue 16): tickets created, and resolved, in a date range, with every column
        # a report reads (index-only scans: 1M tickets, docs/benchmarks.md).
        Index(
            "ix_tickets_created",
            "created_at",
            "category",
            "assignee_id",
            "first_response_at",
            "first_response_due_at",
            "resolved_at",
            "resolution_due_at",
        ),
        Index(
            "ix_tickets_resolved",
            "resolved_at",
            "category",
            "assignee_id",
            "created_at",
            **_where("resolved_at IS NOT NULL"),
        ),
        # The "due first" sort's first segment and the breach check: only the tickets whose
        # customer waits on a promised reply, not the history; the unassigned queue (triage)
        # has its own, as most waiting tickets are assigned.
        Index(
            "ix_tickets_reply_due",
            "reply_due_at",
            "waiting_since",
            "id",
            **_where("reply_due_at IS NOT NULL"),
        ),
        Index(
            "ix_tickets_unassigned_reply_due",
            "reply_due_at",
            "waiting_since",
            "id",
            **_where("reply_due_at IS NOT NULL AND assignee_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True, index=True)
    subject: str = Field(max_length=200)
    category: str = Field(max_length=32)  # a TicketCategory's key
    status: TicketStatus = Field(default=TicketStatus.open, sa_type=enum_type(TicketStatus, 32))
    is_active: bool = True  # open or awaiting_customer: the "Open" tab
    requester_id: int | None = Field(default=None, foreign_key="users.id")
    guest_email: str | None = Field(default=None, max_length=254)
    guest_name: str | None = Field(default=None, max_length=120)
    guest_link_nonce: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=16)
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    priority: int = 1  # PRIORITIES: 0 low, 1 normal, 2 high, 3 urgent (agents only)
    follow_up_of_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow)
    # The oldest customer message not yet answered by an agent (None: nobody is waiting).
    waiting_since: datetime | None = None
    last_agent_reply_at: datetime | None = None
    customer_read_at: datetime | None = None
    resolved_at: datetime | None = None
    first_response_at: datetime | None = None  # the first public agent reply (reports)
    first_response_due_at: datetime | None = None  # its target, in business time
    # Kept by services/service_levels.py whenever what they depend on changes (issue 16): the
    # reply a waiting customer was promised (open tickets only) and the resolution target.
    reply_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    closed_at: datetime | None = None
    message_count: int = 0
    # A duplicate merged into another ticket: its page, links and guest link lead there.
    merged_into_id: int | None = Field(default=None, foreign_key="tickets.id")


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("ticket_id", "idempotency_key", name="uq_messages_idempotency"),
        Index("ix_messages_ticket", "ticket_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id")
    author_kind: AuthorKind = Field(sa_type=enum_type(AuthorKind, 16))
    author_id: int | None = Field(default=None, foreign_key="users.id")
    author_name: str = Field(max_length=120)
    body: str = Field(sa_column=Column(Text, nullable=False))
    is_internal: bool = False
    idempotency_key: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    merged_from: int | None = None  # the number of the ticket it was written in, when merged


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    storage_name: str = Field(max_length=64, unique=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class TicketTag(SQLModel, table=True):
    """A label agents put on a ticket (never shown to customers): lowercase, trimmed."""

    __tablename__ = "ticket_tags"
    __table_args__ = (
        UniqueConstraint("ticket_id", "tag", name="uq_ticket_tag"),
        Index("ix_ticket_tags_tag", "tag", "ticket_id"),  # the queue's tag filter
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id")
    tag: str = Field(max_length=40)
