"""The agents' workspace: saved replies (issue 15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from support_portal.models.base import utcnow


class SavedReply(SQLModel, table=True):
    """A reply an agent inserts instead of typing it: shared (owner None, managed by admins) or
    one agent's own. Its text is kept per language in `saved_reply_texts`.

    A reply with actions is a macro: applying it sends the reply, then sets the status, the
    assignee, the priority and tags (each None: leave that as it is)."""

    __tablename__ = "saved_replies"
    __table_args__ = (Index("ix_saved_replies_owner", "owner_id", "title"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    owner_id: int | None = Field(default=None, foreign_key="users.id")
    usage_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    macro_status: str | None = Field(default=None, max_length=16)  # resolve, close, request_info
    macro_assign: str | None = Field(default=None, max_length=8)  # me, none
    macro_priority: str | None = Field(default=None, max_length=8)  # low .. urgent
    macro_tags: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )


class SavedReplyText(SQLModel, table=True):
    __tablename__ = "saved_reply_texts"
    __table_args__ = (UniqueConstraint("reply_id", "locale", name="uq_saved_reply_locale"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="saved_replies.id", index=True)
    locale: str = Field(max_length=16)
    body: str = Field(sa_column=Column(Text, nullable=False))
