"""Webhook endpoints registered by administrators, and the deliveries to them (an outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from support_portal.models.base import utcnow


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    # The HMAC key: the server signs with it, so it is kept (like SMTP_PASSWORD), never shown
    # again after it is created.
    secret: str = Field(max_length=128)
    events: str = Field(max_length=255)  # space-separated event names
    is_active: bool = True
    consecutive_failures: int = 0
    disabled_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: written in the event's transaction, sent by the worker."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoints.id", index=True)
    event: str = Field(max_length=48)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending, sending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
