"""The outbox sender: claims due rows, sends them over MAIL_CONNECTIONS reused connections,
records results.

Delivery is at-least-once (R2, R3): a row is claimed with a lease (mail/claim.py); if the
sender dies after the server accepted the mail but before the row is marked sent (a few
milliseconds later, mail/pool.py), the lease expires and the row is sent again with the same
Message-ID. 4xx and connection errors retry with capped exponential backoff; 5xx marks the row
failed, visible to admins. One ticket's emails to one address keep their order.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import update
from sqlmodel import Session, col, select

from support_portal.db import session_scope
from support_portal.live.hub import hub
from support_portal.mail import account_render, render
from support_portal.mail.claim import BATCH, LEASE, claim_due, defer_behind_siblings
from support_portal.mail.pool import Claimed, MailerPool, Outcome
from support_portal.mail.smtp import PermanentError
from support_portal.models import OutboxEmail, OutboxStatus, Ticket, utcnow
from support_portal.routes import csat_url, ticket_url
from support_portal.services import guest_links, satisfaction
from support_portal.services.outbox import OUTBOX_TOPIC, mail_domain
from support_portal.settings import Settings, get_settings

log = logging.getLogger(__name__)
__all__ = ["BATCH", "LEASE", "Claimed", "OutboxSender", "claim_due", "load_claimed"]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(24):06x}"


def backoff(attempts: int, settings: Settings) -> timedelta:
    base = settings.mail_retry_base_seconds * (2 ** max(0, attempts - 1))
    capped = min(base, settings.mail_retry_max_seconds)
    return timedelta(seconds=capped * (1 + random.random() * 0.1))  # noqa: S311


def render_row(db: Session, row: OutboxEmail) -> EmailMessage:
    ticket = db.get(Ticket, row.ticket_id) if row.ticket_id else None
    params = row.params or {}
    if row.template == "guest_links":
        tickets = db.exec(
            select(Ticket).where(col(Ticket.id).in_(params.get("ticket_ids", [])))
        ).all()
        # An expired link is issued anew: this is how a guest gets back into an old ticket.
        links = [(t.number, guest_links.fresh_link_for(t)) for t in tickets if t.guest_link_nonce]
        rendered = render.links_email(locale=row.locale, links=links)
        references = None
    elif row.template in account_render.NOTICES:
        rendered = account_render.account_notice_email(
            row.template, locale=row.locale, name=row.to_name, params=params
        )
        references = None
    else:
        if ticket is None:
            raise PermanentError("ticket no longer exists")
        link = guest_links.link_for(ticket) if params.get("guest") else ticket_url(ticket.number)
        survey = (
            satisfaction.pending_token(db, ticket_id=ticket.id)  # type: ignore[arg-type]
            if row.template == "resolved"
            else None
        )
        rendered = render.ticket_email(
            row.template,
            locale=row.locale,
            number=ticket.number,
            name=row.to_name,
            link=link,
            survey_url=csat_url(survey) if survey else "",
        )
        references = f"<ticket-{ticket.number}@{mail_domain()}>"
    return render.build_message(
        rendered,
        to_email=row.to_email,
        to_name=row.to_name,
        message_id=row.message_id_header,
        references=references,
    )


def load_claimed(db: Session, ids: list[int]) -> list[Claimed]:
    rows = db.exec(select(OutboxEmail).where(col(OutboxEmail.id).in_(ids))).all()
    # One query for the batch's tickets; render_row's db.get then finds them in the session
    # (whose identity map holds objects weakly: keep the list until the rows are rendered).
    ticket_ids = {row.ticket_id for row in rows if row.ticket_id is not None}
    tickets = db.exec(select(Ticket).where(col(Ticket.id).in_(ticket_ids))).all()
    out = []
    for row in rows:
        try:
            message, error = render_row(db, row), None
        except Exception as exc:  # a row that cannot be rendered must not block the rest
            log.exception("cannot render outbox row %s", row.id)
            message, error = None, f"render: {exc}"
        thread = (row.to_email, row.ticket_id)
        out.append(Claimed(id=row.id, message=message, error=error, thread=thread))  # type: ignore[arg-type]
    del tickets
    return out


def record_results(
    db: Session,
    *,
    sent: list[int],
    retry: dict[int, str],
    failed: dict[int, str],
    settings: Settings,
    released: list[int] | None = None,
) -> None:
    now = utcnow()
    if sent:
        db.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id).in_(sent))
            .values(status=OutboxStatus.sent, sent_at=now, lease_until=None, last_error=None)
        )
    for row_id, error in retry.items():
        row = db.get(OutboxEmail, row_id)
        if row is None:
            continue
        row.attempts += 1
        row.last_error = error[:2000]
        row.lease_until = None
        if row.attempts >= settings.mail_max_attempts:
            row.status = OutboxStatus.failed
        else:
            row.status = OutboxStatus.pending
            row.next_attempt_at = now + backoff(row.attempts, settings)
    for row_id, error in failed.items():
        row = db.get(OutboxEmail, row_id)
        if row is None:
            continue
        row.attempts += 1
        row.status = OutboxStatus.failed
        row.last_error = error[:2000]
        row.lease_until = None
    # Never tried (behind a sibling that waits for its retry): back in the queue, behind it.
    defer_behind_siblings(db, released or [])


def next_due_in(db: Session) -> float | None:
    nxt = db.exec(
        select(OutboxEmail.next_attempt_at)
        .where(OutboxEmail.status == OutboxStatus.pending)
        .order_by(col(OutboxEmail.next_attempt_at))
        .limit(1)
    ).first()
    lease = db.exec(
        select(OutboxEmail.lease_until)
        .where(OutboxEmail.status == OutboxStatus.sending)
        .order_by(col(OutboxEmail.lease_until))
        .limit(1)
    ).first()
    candidates = [t for t in (nxt, lease) if t is not None]
    if not candidates:
        return None
    return max(0.0, (min(candidates) - utcnow()).total_seconds())


class OutboxSender:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        worker: str | None = None,
        batch: int = BATCH,
        connections: int | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.worker = worker or worker_name()
        self.batch = batch
        self.mailer = MailerPool.of(self.settings, connections or self.settings.mail_connections)

    async def run_once(self) -> int:
        """Send every due row; returns how many were sent."""
        total = 0
        while True:
            ids = await asyncio.to_thread(self._claim)
            if not ids:
                return total
            batch = await asyncio.to_thread(self._load, ids)
            outcome = await self._deliver(batch)
            total += len(outcome.sent)
            if outcome.retry and not outcome.sent:
                return total  # the server is down: wait for the backoff

    async def _deliver(self, batch: list[Claimed]) -> Outcome:
        """Send over the pool; each result is written as soon as it is known."""
        return await self.mailer.deliver(batch, self._write)

    def _write(self, outcome: Outcome) -> None:
        self._record(outcome.sent, outcome.retry, outcome.failed, outcome.released)

    def _claim(self) -> list[int]:
        with session_scope() as db:
            return claim_due(db, worker=self.worker, limit=self.batch)

    def _load(self, ids: list[int]) -> list[Claimed]:
        with session_scope() as db:
            return load_claimed(db, ids)

    def _record(self, sent, retry, failed, released=None) -> None:
        with session_scope() as db:
            record_results(
                db, sent=sent, retry=retry, failed=failed, released=released,
                settings=self.settings,
            )  # fmt: skip

    def _next_due(self) -> float | None:
        with session_scope() as db:
            return next_due_in(db)

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        with hub.subscribe(OUTBOX_TOPIC) as sub:
            while not stop.is_set():
                try:
                    await self.run_once()
                    wait = await asyncio.to_thread(self._next_due)
                except Exception:
                    log.exception("outbox sender loop failed; retrying shortly")
                    wait = 5.0
                timeout = 30.0 if wait is None else min(max(wait, 0.05), 30.0)
                if not await sub.wait(timeout):
                    await self.mailer.close()  # idle: do not hold the connection open
        await self.mailer.close()
