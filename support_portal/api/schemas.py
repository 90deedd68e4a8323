"""Request and response bodies of the REST API (the OpenAPI document is built from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from support_portal import routes
from support_portal.api.deps import Text
from support_portal.services.api_tickets import ApiTicket, CustomerRecord
from support_portal.services.dto import MessagePublic, TicketSummary
from support_portal.services.inputs import MAX_BODY, MAX_SUBJECT


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketItem(BaseModel):
    number: int
    subject: str
    category: str
    status: str
    created_at: datetime
    last_activity_at: datetime
    requester_name: str
    requester_email: str
    is_guest: bool
    assignee_name: str | None
    waiting_since: datetime | None

    @classmethod
    def of(cls, t: TicketSummary) -> TicketItem:
        return cls(
            number=t.number,
            subject=t.subject,
            category=t.category,
            status=t.status,
            created_at=t.created_at,
            last_activity_at=t.last_activity_at,
            requester_name=t.requester_name,
            requester_email=t.requester_email,
            is_guest=t.is_guest,
            assignee_name=t.assignee_name,
            waiting_since=t.waiting_since,
        )


class TicketPage(BaseModel):
    items: list[TicketItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last")


class Ticket(BaseModel):
    number: int
    subject: str
    category: str
    status: str
    created_at: datetime
    last_activity_at: datetime
    is_guest: bool
    requester_name: str
    requester_email: str
    assignee_id: int | None
    assignee_name: str | None
    follow_up_of_number: int | None
    follow_up_numbers: list[int]

    @classmethod
    def of(cls, t: ApiTicket) -> Ticket:
        d = t.detail
        return cls(
            number=d.number,
            subject=d.subject,
            category=d.category,
            status=d.status,
            created_at=d.created_at,
            last_activity_at=d.last_activity_at,
            is_guest=d.is_guest,
            requester_name=d.requester_name,
            requester_email=t.requester_email,
            assignee_id=t.assignee_id,
            assignee_name=t.assignee_name,
            follow_up_of_number=d.follow_up_of_number,
            follow_up_numbers=list(d.follow_up_numbers),
        )


class Attachment(BaseModel):
    id: int
    filename: str
    size: int
    content_type: str
    url: str


class Message(BaseModel):
    id: int
    author_kind: str
    author_name: str
    body: str
    is_internal: bool
    created_at: datetime
    attachments: list[Attachment]

    @classmethod
    def of(cls, m: MessagePublic) -> Message:
        return cls(
            id=m.id,
            author_kind=m.author_kind,
            author_name=m.author_name,
            body=m.body,
            is_internal=m.is_internal,
            created_at=m.created_at,
            attachments=[
                Attachment(
                    id=a.id,
                    filename=a.filename,
                    size=a.size,
                    content_type=a.content_type,
                    url=f"{routes.API_V1}/attachments/{a.id}",
                )
                for a in m.attachments
            ],
        )


class MessagePage(BaseModel):
    items: list[Message]
    next_after: int | None = Field(description="Pass as `after` for the next page; null: last")


class NewTicket(Strict):
    email: Text = Field(max_length=254, description="The customer's (or guest's) email")
    name: Text | None = Field(
        default=None, max_length=120, description="The guest's name (when no account has the email)"
    )
    subject: Text = Field(max_length=MAX_SUBJECT)
    category: str = Field(max_length=32, description="An active category's key, e.g. `other`")
    description: Text = Field(max_length=MAX_BODY)
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="The category's custom fields a customer fills in, by key "
        '(e.g. `{"transaction_id": "0x9f2c"}`); required ones must be given',
    )


class CreatedTicket(BaseModel):
    number: int
    created: bool = Field(description="False when the Idempotency-Key repeated an earlier call")


class NewMessage(Strict):
    body: Text = Field(max_length=MAX_BODY)


class NewReply(NewMessage):
    request_info: bool = Field(
        default=False, description="Ask the customer for more information (status: awaiting)"
    )


class StatusChange(Strict):
    action: Literal["resolve", "close", "reopen"]


class StatusResult(BaseModel):
    status: str


class Assignment(Strict):
    assignee_id: int | None = Field(ge=1, le=2**31 - 1, description="An agent's id; null: nobody")


class Customer(BaseModel):
    email: str
    name: str
    has_account: bool
    user_id: int | None
    email_verified: bool
    is_active: bool
    created_at: datetime | None
    ticket_count: int
    open_ticket_count: int

    @classmethod
    def of(cls, c: CustomerRecord) -> Customer:
        return cls(**c.__dict__)


class Me(BaseModel):
    user_id: int
    name: str
    email: str
    role: str
    token_id: int
    scopes: list[str]
