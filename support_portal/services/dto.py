"""Plain data handed from services to states and pages. Never table rows, never hashes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from support_portal.models import Role, SessionKind


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a logged-in user or a verified guest. Built from the server-side session."""

    kind: SessionKind
    session_id: int
    name: str
    email: str
    user_id: int | None = None
    role: Role | None = None
    locale: str | None = None
    timezone: str | None = None
    email_verified: bool = False
    two_factor: bool = False

    @property
    def is_guest(self) -> bool:
        return self.kind == SessionKind.guest

    @property
    def is_agent(self) -> bool:
        return self.role in (Role.agent, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


@dataclass(frozen=True)
class UserPublic:
    id: int
    email: str
    name: str
    role: str
    email_verified: bool
    is_active: bool
    locale: str | None = None


@dataclass(frozen=True)
class AttachmentPublic:
    id: int
    filename: str
    size: int
    content_type: str


@dataclass(frozen=True)
class MessagePublic:
    id: int
    author_kind: str
    author_name: str
    body: str
    is_internal: bool
    created_at: datetime
    attachments: list[AttachmentPublic] = field(default_factory=list)
    merged_from: int | None = None  # "from ticket N": written in a ticket merged into this one


@dataclass(frozen=True)
class Snippet:
    """Where a search matched a ticket's message: the text around the match."""

    before: str
    match: str  # the words found, highlighted
    after: str
    is_note: bool = False  # an internal note (only agents' searches read them)


@dataclass(frozen=True)
class TicketSummary:
    id: int
    number: int
    subject: str
    category: str
    status: str
    last_activity_at: datetime
    created_at: datetime
    unread: bool = False
    requester_name: str = ""
    requester_email: str = ""
    is_guest: bool = False
    assignee_name: str | None = None
    waiting_since: datetime | None = None
    priority: str = ""  # agents' lists only
    reply_due_at: datetime | None = None  # agents' lists only: the reply promised by then
    snippet: Snippet | None = None  # a search's matching message
    category_names: dict[str, str] = field(default_factory=dict)  # locale -> the category's name


@dataclass(frozen=True)
class TicketDetail:
    id: int
    number: int
    subject: str
    category: str
    status: str
    created_at: datetime
    last_activity_at: datetime
    is_guest: bool
    requester_name: str
    follow_up_of_number: int | None = None
    follow_up_numbers: list[int] = field(default_factory=list)
    reply_due_at: datetime | None = None  # the reply the waiting customer was promised
    merged_into_number: int | None = None  # this ticket was merged into that one
    category_names: dict[str, str] = field(default_factory=dict)  # locale -> the category's name
    fields: tuple = ()  # field_values.FieldValuePublic: only those the customer may see (A5)


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    prev_cursor: str | None = None
