"""What every endpoint shares: the caller behind the bearer token, checked for the scope the
endpoint needs and rate-limited per token, and one transaction per service call."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator

from support_portal.db import session_scope
from support_portal.services import api_tokens
from support_portal.services.api_tokens import ApiCaller

R = TypeVar("R")

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="spt_…",
    description="A personal access token (`support-portal api-token create`).",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _authorize(credentials: HTTPAuthorizationCredentials | None, scope: str) -> ApiCaller:
    secret = credentials.credentials if credentials is not None else None
    with session_scope() as db:
        return api_tokens.authorize(db, secret=secret, scope=scope)


def read_caller(credentials: Credentials) -> ApiCaller:
    return _authorize(credentials, "read")


def write_caller(credentials: Credentials) -> ApiCaller:
    return _authorize(credentials, "write")


Reader = Annotated[ApiCaller, Depends(read_caller)]
Writer = Annotated[ApiCaller, Depends(write_caller)]


def run(fn: Callable[..., R], caller: ApiCaller, /, **kwargs: Any) -> R:
    """`fn(db, viewer=<the token's owner>, **kwargs)` in its own transaction, the way a UI
    state's `call()` runs a service (live events and emails go out after the commit)."""
    with session_scope() as db:
        return fn(db, viewer=caller.viewer, **kwargs)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Text from the client: NUL characters are refused (PostgreSQL cannot store them).
Text = Annotated[str, AfterValidator(_no_nul)]

_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Up to 64 letters, digits, `-` or `_`; the same key repeats the first "
        "result instead of acting twice.",
        max_length=64,
        pattern=_KEY.pattern,
    ),
]
