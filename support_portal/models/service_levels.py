"""Service-level policies and the opening hours their targets count in (issue 16).

A policy's scope is a category key ("" for every category) and a priority (-1 for every
priority): sentinels rather than NULLs, so that one unique constraint holds on both databases
(NULLs never collide in a unique index). Targets are business minutes; None: no target here,
the broader policy's (or the REPLY_TARGET_HOURS default) applies.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from support_portal.models.base import utcnow

ANY_CATEGORY = ""
ANY_PRIORITY = -1


class SlaPolicy(SQLModel, table=True):
    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("category", "priority", name="uq_sla_policies_scope"),)

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(default=ANY_CATEGORY, max_length=32)
    priority: int = ANY_PRIORITY
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class BusinessCalendar(SQLModel, table=True):
    """The one row of opening hours (id 1); without it, the BUSINESS_HOURS settings apply."""

    __tablename__ = "business_calendar"

    id: int = Field(default=1, primary_key=True)
    timezone: str = Field(max_length=64)
    hours: str = Field(max_length=400)  # "mon-fri 09:00-17:00; sat 10:00-12:00" or "24/7"
    holidays: str = Field(default="", max_length=4000)  # ISO dates separated by commas
    updated_at: datetime = Field(default_factory=utcnow)
