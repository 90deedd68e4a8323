"""Errors as RFC 9457 problem details (`application/problem+json`) with a clear `detail`."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, PlainTextResponse

from support_portal.services.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    TicketClosed,
)

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://support-portal.invalid/problems/"

# Domain error -> (status, problem type).
_STATUS: list[tuple[type[DomainError], int, str]] = [
    (NotAuthenticated, 401, "unauthenticated"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (InvalidInput, 422, "invalid-input"),
    (RateLimited, 429, "rate-limited"),
    (TicketClosed, 409, "ticket-closed"),
    (InvalidTransition, 409, "invalid-transition"),
]


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    body: dict[str, object] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    response = JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def _detail(exc: DomainError) -> str:
    if isinstance(exc, RateLimited):
        return f"Too many requests for this token. Retry after {exc.retry_after} seconds."
    if isinstance(exc, NotAuthenticated):
        return "A valid API token is required: Authorization: Bearer <token>."
    try:
        return exc.message.format(**exc.params)
    except (KeyError, IndexError, ValueError):
        return exc.message


def domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status, kind = 400, "bad-request"
    for cls, code, name in _STATUS:
        if isinstance(exc, cls):
            status, kind = code, name
            break
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    field = exc.field if isinstance(exc, InvalidInput) else None
    return problem(
        status, _detail(exc), kind=kind, instance=request.url.path, headers=headers, field=field
    )


def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"location": ".".join(str(p) for p in err.get("loc", ())), "detail": str(err.get("msg"))}
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['location']}: {e['detail']}" for e in errors[:5])
    return problem(422, detail, kind="invalid-input", instance=request.url.path, errors=errors[:20])


def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if not request.url.path.startswith("/api/"):  # the app mounted behind us: plain text
        return PlainTextResponse(
            str(exc.detail), status_code=exc.status_code, headers=dict(exc.headers or {})
        )
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem(
        exc.status_code, detail, instance=request.url.path, headers=dict(exc.headers or {})
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
