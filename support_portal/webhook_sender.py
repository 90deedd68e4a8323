"""The webhook worker: sends due deliveries, signed, one request each, redirects not followed.

Runs inside the app (a lifespan task) or as `support-portal send-webhooks [--once]`. Each
request carries `X-Support-Portal-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret,
"<t>.<body>")>` (docs/api.md shows how to verify it). The host is resolved once per request,
and the connection goes to the address that was checked (services/webhook_targets.py). Only a
2xx answer counts as delivered; a redirect, an error status, a timeout or a refused target is
retried with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import httpx

from support_portal.db import session_scope
from support_portal.live.hub import AGENTS_TOPIC, hub
from support_portal.services import webhook_deliveries, webhook_targets, webhooks
from support_portal.services.errors import InvalidInput
from support_portal.settings import get_settings

log = logging.getLogger(__name__)
IDLE_WAIT = 30.0  # seconds between looks when nothing is due (new events are picked up then)


def _claim() -> list[webhook_deliveries.Due]:
    with session_scope() as db:
        return webhook_deliveries.claim_due(db)


def _record(outcomes: list[webhook_deliveries.Outcome]) -> None:
    with session_scope() as db:
        webhook_deliveries.record(db, outcomes)


def _next_due() -> float | None:
    with session_scope() as db:
        return webhook_deliveries.next_due_in(db)


async def _send(client: httpx.AsyncClient, due: webhook_deliveries.Due):
    try:  # resolved and checked at send time, and the request goes to that very address
        target = await asyncio.to_thread(webhook_targets.pin, due.url)
    except InvalidInput as exc:
        return webhook_deliveries.Outcome(id=due.id, ok=False, error=f"refused: {exc.message}")
    headers = {
        "Host": target.host,
        "Content-Type": "application/json",
        "User-Agent": "support-portal-webhooks/1",
        "X-Support-Portal-Event": due.event,
        "X-Support-Portal-Delivery": due.delivery_key,
        webhooks.SIGNATURE_HEADER: webhooks.sign(due.secret, int(time.time()), due.body),
    }
    try:
        response = await client.post(
            target.url,
            content=due.body,
            headers=headers,
            # TLS: the server name and the certificate check use the name, not the address.
            extensions={"sni_hostname": target.server_name} if target.server_name else {},
        )
    except httpx.HTTPError as exc:
        return webhook_deliveries.Outcome(id=due.id, ok=False, error=f"{type(exc).__name__}")
    ok = 200 <= response.status_code < 300
    error = None if ok else f"HTTP {response.status_code}"
    return webhook_deliveries.Outcome(
        id=due.id, ok=ok, status_code=response.status_code, error=error
    )


async def run_once() -> int:
    """Send everything due now, batch after batch over one client; returns how many were
    delivered. Failed deliveries are rescheduled (backoff), so the loop ends."""
    delivered = 0
    timeout = httpx.Timeout(get_settings().webhook_timeout)
    async with httpx.AsyncClient(follow_redirects=False, timeout=timeout, trust_env=False) as c:
        while batch := await asyncio.to_thread(_claim):
            outcomes = await asyncio.gather(*(_send(c, due) for due in batch))
            await asyncio.to_thread(_record, list(outcomes))
            delivered += sum(1 for o in outcomes if o.ok)
    return delivered


async def run_forever(stop: asyncio.Event | None = None) -> None:
    """Send, then sleep until the next retry is due, a ticket event is published (every one
    reaches the agents' topic after its commit, so a new delivery goes out at once), or
    IDLE_WAIT passes (events published by other processes without Redis). A test event
    from the webhooks page wakes it the same way."""
    stop = stop or asyncio.Event()
    with hub.subscribe(AGENTS_TOPIC, webhooks.SENDER_TOPIC) as ticket_events:
        while not stop.is_set():
            try:
                await run_once()
                wait = await asyncio.to_thread(_next_due)
            except Exception:
                log.exception("webhook delivery failed")
                wait = IDLE_WAIT
            wait = IDLE_WAIT if wait is None else min(wait, IDLE_WAIT)
            if wait > 0 and not stop.is_set():
                await ticket_events.wait(timeout=wait)


@contextlib.asynccontextmanager
async def in_app():
    """The app's lifespan task (with MAIL_SENDER_IN_APP, like the email sender)."""
    stop = asyncio.Event()
    task = None
    if get_settings().mail_sender_in_app:
        task = asyncio.create_task(run_forever(stop))
    try:
        yield
    finally:
        stop.set()  # the task may be waiting for an event: cancelled below
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
