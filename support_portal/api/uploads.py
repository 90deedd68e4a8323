"""`/api/v1`: a reply or an internal note with files, as `multipart/form-data`.

The files go through the same service call as the dashboard's composer, so the same limits and
checks apply (C3): MAX_ATTACHMENTS_PER_MESSAGE files of at most MAX_ATTACHMENT_BYTES each, an
allowed type whose content matches its name. Before the body is read the token is checked
(the Writer dependency) and a declared size past what those limits allow is refused (413);
a body without `Content-Length` is refused (411), so nothing unbounded is ever parsed. Form
parts are spooled to temporary files by the parser (in memory up to 1 MB each).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from support_portal import routes
from support_portal.api import schemas
from support_portal.api.deps import IdempotencyKey, Writer, run
from support_portal.api.tickets import ERRORS, PROBLEM, Number
from support_portal.services import agent
from support_portal.services.attachments import IncomingFile
from support_portal.services.inputs import MAX_BODY
from support_portal.settings import get_settings

FORM_OVERHEAD = 64 * 1024  # part headers and boundaries, and the body text (MAX_BODY)
TRUE, FALSE = ("true", "1", "on", "yes"), ("false", "0", "off", "no", "")

router = APIRouter(
    prefix=routes.API_V1,
    responses={
        **ERRORS,
        411: {"description": "No Content-Length header", **PROBLEM},
        413: {"description": "Larger than the attachment limits allow", **PROBLEM},
        415: {"description": "Not multipart/form-data", **PROBLEM},
    },
)


def _form_schema(*, request_info: bool) -> dict[str, Any]:
    settings = get_settings()
    properties: dict[str, Any] = {
        "body": {
            "type": "string",
            "maxLength": MAX_BODY,
            "description": "The text (may be empty when files are attached)",
        },
        "files": {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": settings.max_attachments_per_message,
            "description": "png, jpg, gif, webp, pdf, txt, csv or log; at most "
            f"{settings.max_attachment_bytes // (1024 * 1024)} MB each",
        },
    }
    if request_info:
        properties["request_info"] = {"type": "boolean", "default": False}
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


def _limit() -> int:
    settings = get_settings()
    return settings.max_attachments_per_message * settings.max_attachment_bytes + FORM_OVERHEAD


def _refuse(status: int, detail: str) -> HTTPException:
    return HTTPException(status_code=status, detail=detail)


async def _read_form(request: Request, *, fields: set[str]) -> dict[str, Any]:
    """The form's `body`, `files` (and `request_info`), read within the limits."""
    settings = get_settings()
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("multipart/form-data"):
        raise _refuse(415, "Send the message as multipart/form-data.")
    length = request.headers.get("content-length", "")
    if not (length.isascii() and length.isdigit()):
        raise _refuse(411, "Send a Content-Length header.")
    if int(length) > _limit():
        raise _refuse(
            413,
            f"At most {settings.max_attachments_per_message} files of "
            f"{settings.max_attachment_bytes // (1024 * 1024)} MB each can be attached.",
        )
    form = await request.form(
        max_files=settings.max_attachments_per_message + 1,  # one more: the service says why
        max_fields=len(fields) + 1,
        max_part_size=4 * MAX_BODY + 1024,
    )
    try:
        unknown = sorted(set(form.keys()) - fields)
        if unknown:
            raise _refuse(422, f"Unknown field: {unknown[0]}.")
        text = form.get("body", "")
        flag = form.get("request_info", "")
        if not isinstance(text, str) or not isinstance(flag, str):
            raise _refuse(422, "body and request_info are text fields.")
        if "\x00" in text or len(text) > MAX_BODY:
            raise _refuse(422, f"body must be at most {MAX_BODY} characters, without NUL.")
        if flag.strip().lower() not in TRUE + FALSE:
            raise _refuse(422, "request_info must be true or false.")
        files = []
        for part in form.getlist("files"):
            if not isinstance(part, UploadFile):
                raise _refuse(422, "files must be file parts.")
            # One byte past the limit is enough for the service to refuse the file by size.
            data = await part.read(settings.max_attachment_bytes + 1)
            files.append(IncomingFile(filename=part.filename or "", data=data))
        return {
            "body": text,
            "files": files,
            "request_info": flag.strip().lower() in TRUE,
        }
    finally:
        await form.close()


async def _post(caller, number: int, form: dict[str, Any], key: str | None, **flags: bool):
    message = await run_in_threadpool(
        run,
        agent.agent_reply,
        caller,
        number=number,
        body=form["body"],
        files=form["files"],
        idempotency_key=key,
        **flags,
    )
    return schemas.Message.of(message)


@router.post(
    "/tickets/{number}/replies/with-files",
    status_code=201,
    response_model=schemas.Message,
    tags=["messages"],
    openapi_extra=_form_schema(request_info=True),
)
async def reply_with_files(
    number: Number, request: Request, caller: Writer, idempotency_key: IdempotencyKey = None
) -> schemas.Message:
    """A public reply with files (`multipart/form-data`: `body`, `files`, `request_info`)."""
    form = await _read_form(request, fields={"body", "files", "request_info"})
    return await _post(caller, number, form, idempotency_key, request_info=form["request_info"])


@router.post(
    "/tickets/{number}/notes/with-files",
    status_code=201,
    response_model=schemas.Message,
    tags=["messages"],
    openapi_extra=_form_schema(request_info=False),
)
async def note_with_files(
    number: Number, request: Request, caller: Writer, idempotency_key: IdempotencyKey = None
) -> schemas.Message:
    """An internal note with files (`multipart/form-data`: `body`, `files`)."""
    form = await _read_form(request, fields={"body", "files"})
    return await _post(caller, number, form, idempotency_key, internal=True)
