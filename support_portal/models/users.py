from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from support_portal.models.base import enum_type, utcnow
from support_portal.models.enums import Role, SessionKind


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: Role = Field(default=Role.customer, sa_type=enum_type(Role, 16), index=True)
    email_verified: bool = False
    is_active: bool = True
    locale: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    # Two-factor authentication (agents): the TOTP secret, and the last time step a code was
    # accepted in (a code is good once).
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_last_step: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None


class AuthSession(SQLModel, table=True):
    """A server-side session. The browser holds only a random id; we keep its hash."""

    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    kind: SessionKind = Field(sa_type=enum_type(SessionKind, 16))
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    guest_email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    idle_minutes: int
    revoked_at: datetime | None = None
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=255)


class LoginTicket(SQLModel, table=True):
    """A one-time, short-lived token exchanged by an HTTP route for the HttpOnly cookie."""

    __tablename__ = "login_tickets"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    kind: SessionKind = Field(sa_type=enum_type(SessionKind, 16))
    user_id: int | None = Field(default=None, foreign_key="users.id")
    guest_email: str | None = Field(default=None, max_length=254)
    next_path: str = Field(default="/", max_length=512)
    # Hash of the nonce cookie of the browser that started the login (X5).
    binding_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class RateEvent(SQLModel, table=True):
    """One attempt counted by a throttle (login tries, code sends, guest submissions)."""

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_scope_key_time", "scope", "key", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=32)
    key: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class PendingRegistration(SQLModel, table=True):
    """A registration waiting for its emailed code (X4). The account exists only once the code
    is entered, in the browser that submitted the form; until then no login is possible."""

    __tablename__ = "pending_registrations"
    __table_args__ = (Index("ix_pending_registrations_email", "email", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    locale: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
