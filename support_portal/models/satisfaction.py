"""Satisfaction surveys (CSAT, issue 16): one per resolution of a ticket."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from support_portal.models.base import enum_type, utcnow


class SurveyStatus(StrEnum):
    pending = "pending"  # asked, not answered yet (expired when past expires_at)
    answered = "answered"
    cancelled = "cancelled"  # the ticket was reopened before an answer


class Rating(StrEnum):
    good = "good"
    bad = "bad"


def _where(condition: str) -> dict:
    return {"postgresql_where": text(condition), "sqlite_where": text(condition)}


class SatisfactionSurvey(SQLModel, table=True):
    """ "How did we do?", asked when a ticket is resolved. The email link's token is signed over
    the id and `nonce`: the database alone cannot produce a working link (like G1)."""

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (
        # At most one open question per ticket, whatever races (one survey per resolution).
        Index("uq_surveys_one_pending", "ticket_id", unique=True, **_where("status = 'pending'")),
        Index("ix_surveys_ticket", "ticket_id", "id"),
        # Reports: CSAT by week of the answer.
        Index(
            "ix_surveys_answered",
            "answered_at",
            "agent_id",
            "rating",
            "ticket_id",
            **_where("status = 'answered'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id")
    status: SurveyStatus = Field(default=SurveyStatus.pending, sa_type=enum_type(SurveyStatus, 16))
    nonce: str = Field(max_length=64)
    # The agent the ticket was assigned to when it was resolved (reports by agent).
    agent_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    rating: Rating | None = Field(default=None, sa_type=enum_type(Rating, 8))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_at: datetime | None = None
    answered_via: str | None = Field(default=None, max_length=16)  # "portal" or "email"
