"""Personal access tokens for the REST API (agents and admins only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from support_portal.models.base import utcnow


class ApiToken(SQLModel, table=True):
    """A bearer token. Only the SHA-256 of the (256-bit random) secret is stored; the secret
    is shown once, when the token is created."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user", "user_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # The first characters of the secret, shown in lists so an owner can tell tokens apart.
    prefix: str = Field(max_length=16)
    # "read" or "read write".
    scopes: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
