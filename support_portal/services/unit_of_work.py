"""Running a use case from the UI: one transaction per call, off the event loop.

A state handler makes one `await call(use_case, ...)`; the service function gets the session
and the transaction commits when it returns (rolls back when it raises). The database work runs
in a worker thread, so the event loop that serves every open page never waits on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from support_portal.db import session_scope

R = TypeVar("R")


async def call(fn: Callable[..., R], /, **kwargs: Any) -> R:
    """Run `fn(db, **kwargs)` in its own transaction, off the event loop."""

    def run() -> R:
        with session_scope() as db:
            return fn(db, **kwargs)

    return await asyncio.to_thread(run)


async def in_db(fn: Callable[[Session], R]) -> R:
    """Run `fn(db)` in its own transaction, off the event loop: for a live page's re-read that
    combines a few read-only service calls (the session, then what is new) in one transaction."""

    def run() -> R:
        with session_scope() as db:
            return fn(db)

    return await asyncio.to_thread(run)
