"""Notifications, the mail outbox, guest verification and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from support_portal.models.base import enum_type, utcnow
from support_portal.models.enums import NotificationEvent, OutboxStatus


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user", "user_id", "id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    # None for a notification about the portal itself (a webhook was disabled).
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    event: NotificationEvent = Field(sa_type=enum_type(NotificationEvent, 32))
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    detail: str | None = Field(default=None, max_length=2000)  # e.g. the webhook's URL
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "event", name="uq_pref_user_event"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    event: NotificationEvent = Field(sa_type=enum_type(NotificationEvent, 32))
    email_enabled: bool = True


class OutboxEmail(SQLModel, table=True):
    """An email to send. Rendered at send time, so the table never holds a guest link."""

    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_email: str = Field(max_length=254)
    to_name: str | None = Field(default=None, max_length=120)
    template: str = Field(max_length=32)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    locale: str = Field(default="en", max_length=16)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    message_id_header: str = Field(max_length=255, unique=True)
    status: OutboxStatus = Field(default=OutboxStatus.pending, sa_type=enum_type(OutboxStatus, 16))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class GuestChallenge(SQLModel, table=True):
    """A one-time email code for a guest link; only its hash is stored."""

    __tablename__ = "guest_challenges"
    __table_args__ = (Index("ix_guest_challenges_ticket", "ticket_id", "email", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    email: str = Field(max_length=254)
    purpose: str = Field(default="guest_link", max_length=32)
    code_hash: str = Field(max_length=128)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    voided_at: datetime | None = None
    ip: str | None = Field(default=None, max_length=64)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_ticket", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    actor_kind: str = Field(max_length=16)
    action: str = Field(max_length=48)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ip: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
