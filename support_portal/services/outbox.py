"""Writing emails into the outbox, in the caller's transaction (R1, R2)."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from support_portal.db import after_commit
from support_portal.live.hub import LiveEvent, hub
from support_portal.models import OutboxEmail
from support_portal.settings import get_settings

OUTBOX_TOPIC = "outbox"


def mail_domain() -> str:
    sender = get_settings().mail_from
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rpartition("@")[2] or "localhost"


def enqueue(
    db: Session,
    *,
    to_email: str,
    template: str,
    to_name: str | None = None,
    ticket_id: int | None = None,
    user_id: int | None = None,
    locale: str | None = None,
    params: dict | None = None,
) -> OutboxEmail:
    email = OutboxEmail(
        to_email=to_email,
        to_name=to_name,
        template=template,
        ticket_id=ticket_id,
        user_id=user_id,
        locale=locale or get_settings().default_locale,
        params=params or {},
        message_id_header=f"<{uuid.uuid4().hex}@{mail_domain()}>",
    )
    db.add(email)
    after_commit(db, wake_sender)
    return email


def wake_sender() -> None:
    hub.publish(LiveEvent(topic=OUTBOX_TOPIC, kind="outbox"))
