"""`/api/v1`: tickets, their messages and attachments, and customers, for agents' tokens.

Each endpoint makes one service call, the one the agent dashboard makes for the same action.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import FileResponse

from support_portal import routes
from support_portal.api import schemas
from support_portal.api.deps import IdempotencyKey, Reader, Text, Writer, run
from support_portal.api.problems import MEDIA_TYPE
from support_portal.db import session_scope
from support_portal.services import agent, agent_queue, api_tickets, attachments, conversation
from support_portal.services import tickets as ticket_service
from support_portal.services.errors import InvalidInput, NotFound

MAX_ID = 2**31 - 1  # INTEGER columns: a larger number names no row
Number = Annotated[int, Path(ge=1, le=MAX_ID, description="The ticket's number")]
PROBLEM = {"content": {MEDIA_TYPE: {"schema": {"type": "object"}}}}
ERRORS: dict[int | str, dict] = {
    code: {"description": text, **PROBLEM}
    for code, text in (
        (400, "The body is not JSON"),
        (401, "No valid token (missing, unknown, expired or revoked)"),
        (403, "The token lacks the scope, or its owner may not do this"),
        (404, "No such ticket, message or attachment"),
        (409, "Not possible in the ticket's status"),
        (422, "Invalid input"),
        (429, "Rate limit reached; see Retry-After"),
    )
}

router = APIRouter(prefix=routes.API_V1, responses=ERRORS)


@router.get("/me", response_model=schemas.Me, tags=["tokens"])
def me(caller: Reader) -> schemas.Me:
    """The token's owner and scopes."""
    v = caller.viewer
    return schemas.Me(
        user_id=v.user_id or 0,
        name=v.name,
        email=v.email,
        role=str(v.role),
        token_id=caller.token_id,
        scopes=sorted(caller.scopes),
    )


def _checked_cursor(cursor: str | None) -> str | None:
    """A cursor this API handed out (the queue's formats), else 422 before any query."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        *_, at_text, id_text = raw.split("|")
        if id_text and not (id_text.isascii() and id_text.isdigit() and int(id_text) <= MAX_ID):
            raise ValueError(id_text)
        if at_text:
            datetime.fromisoformat(at_text)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput("This page link is no longer valid.") from None
    return cursor


@router.get("/tickets", response_model=schemas.TicketPage, tags=["tickets"])
def list_tickets(
    caller: Reader,
    view: Literal[agent_queue.VIEWS] = "all",  # type: ignore[valid-type]
    search: Annotated[Text, Query(max_length=100)] = "",
    sort: Literal["activity", "waiting"] = "activity",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> schemas.TicketPage:
    """The agents' queue: the same views, search and order as the dashboard, keyset pages."""
    page = run(
        agent_queue.queue,
        caller,
        view=view,
        search=search,
        sort=sort,
        cursor=_checked_cursor(cursor),
        limit=limit,
    )
    return schemas.TicketPage(
        items=[schemas.TicketItem.of(t) for t in page.items], next_cursor=page.next_cursor
    )


@router.post("/tickets", status_code=201, response_model=schemas.CreatedTicket, tags=["tickets"])
def create_ticket(
    body: schemas.NewTicket,
    caller: Writer,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> schemas.CreatedTicket:
    """Open a ticket for the customer with this email, or for a guest (then `name` is needed
    and the guest gets the usual email with their link)."""
    created = run(
        api_tickets.open_for_requester,
        caller,
        email=body.email,
        name=body.name,
        subject=body.subject,
        category=body.category,
        description=body.description,
        fields=body.fields,
        idempotency_key=idempotency_key,
    )
    if not created.created:
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"{routes.API_V1}/tickets/{created.number}"
    return schemas.CreatedTicket(number=created.number, created=created.created)


@router.get("/tickets/{number}", response_model=schemas.Ticket, tags=["tickets"])
def get_ticket(number: Number, caller: Reader) -> schemas.Ticket:
    return schemas.Ticket.of(run(api_tickets.ticket, caller, number=number))


@router.get("/tickets/{number}/messages", response_model=schemas.MessagePage, tags=["messages"])
def list_messages(
    number: Number,
    caller: Reader,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Messages after this id")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> schemas.MessagePage:
    """Messages oldest first, internal notes included; page with `after`."""
    items = run(conversation.list_messages, caller, number=number, after_id=after, limit=limit)
    next_after = items[-1].id if len(items) == limit else None
    return schemas.MessagePage(items=[schemas.Message.of(m) for m in items], next_after=next_after)


def _message(
    caller: Writer, number: int, body: str, key: str | None, **flags: bool
) -> schemas.Message:
    message = run(agent.agent_reply, caller, number=number, body=body, idempotency_key=key, **flags)
    return schemas.Message.of(message)


@router.post(
    "/tickets/{number}/replies", status_code=201, response_model=schemas.Message, tags=["messages"]
)
def reply(
    number: Number, body: schemas.NewReply, caller: Writer, idempotency_key: IdempotencyKey = None
) -> schemas.Message:
    """A public reply: the customer is notified (in the app, by email, live on an open page)."""
    return _message(caller, number, body.body, idempotency_key, request_info=body.request_info)


@router.post(
    "/tickets/{number}/notes", status_code=201, response_model=schemas.Message, tags=["messages"]
)
def internal_note(
    number: Number, body: schemas.NewMessage, caller: Writer, idempotency_key: IdempotencyKey = None
) -> schemas.Message:
    """An internal note: agents only, never shown to the customer."""
    return _message(caller, number, body.body, idempotency_key, internal=True)


@router.post("/tickets/{number}/status", response_model=schemas.StatusResult, tags=["tickets"])
def change_status(
    number: Number, body: schemas.StatusChange, caller: Writer
) -> schemas.StatusResult:
    """Resolve, close or reopen."""
    status = run(agent.change_status, caller, number=number, action=body.action)
    return schemas.StatusResult(status=status)


@router.put("/tickets/{number}/assignee", response_model=schemas.Ticket, tags=["tickets"])
def assign(number: Number, body: schemas.Assignment, caller: Writer) -> schemas.Ticket:
    run(agent.assign, caller, number=number, assignee_id=body.assignee_id)
    return schemas.Ticket.of(run(api_tickets.ticket, caller, number=number))


@router.get(
    "/attachments/{attachment_id}",
    response_class=FileResponse,
    tags=["messages"],
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(attachment_id: Annotated[int, Path(ge=1, le=MAX_ID)], caller: Reader) -> Response:
    """The file, after the same access check as the portal's download link (A1, C2)."""
    with session_scope() as db:
        row = ticket_service.attachment_for_download(
            db, viewer=caller.viewer, attachment_id=attachment_id
        )
        storage_name, filename, content_type = row.storage_name, row.filename, row.content_type
    try:  # an image without its metadata (EXIF GPS...), like the portal's link
        data = attachments.served_bytes(storage_name, content_type)
    except FileNotFoundError:
        raise NotFound() from None
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_") or "file"
    response = Response(data, media_type=content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.get("/customers", response_model=schemas.Customer, tags=["customers"])
def customer_by_email(
    email: Annotated[Text, Query(max_length=254)], caller: Reader
) -> schemas.Customer:
    """A customer account, or a guest who has opened tickets, by email."""
    return schemas.Customer.of(run(api_tickets.customer_by_email, caller, email=email))
