"""View models for the notification, mailbox and outbox pages: preformatted, no Reflex."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from support_portal import i18n, routes
from support_portal.services.caught_mail import CaughtMail
from support_portal.services.notifications import NotificationPublic
from support_portal.services.outbox_admin import OutboxRowPublic
from support_portal.states.views import when

_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}'\""


@dataclass
class NotificationView:
    id: int
    event: str
    ticket_number: int
    subject: str
    time: str
    time_title: str
    read: bool
    href: str


@dataclass
class PreferenceView:
    event: str
    email: bool


@dataclass
class TextPiece:
    """A run of plain text, or a link when `href` is set."""

    text: str
    href: str = ""


@dataclass
class MailRow:
    name: str
    subject: str
    recipient: str
    time: str
    time_title: str


@dataclass
class OutboxRowView:
    id: int
    status: str
    to_email: str
    template: str
    ticket_number: int
    ticket_href: str
    attempts: int
    last_error: str
    next_attempt: str
    next_attempt_title: str
    created: str


def notification_view(
    n: NotificationPublic, *, agent: bool, locale: str, tz: str | None, now: datetime
) -> NotificationView:
    relative, absolute = when(locale, n.created_at, tz, now)
    opens_admin = agent or n.for_agent
    if not n.ticket_number:  # about the portal itself: a webhook was disabled
        href = routes.ADMIN_WEBHOOKS
    elif opens_admin:
        href = routes.agent_ticket_path(n.ticket_number)
    else:
        href = routes.ticket_path(n.ticket_number)
    return NotificationView(
        id=n.id,
        event=n.event,
        ticket_number=n.ticket_number,
        subject=n.ticket_subject or n.detail,
        time=relative,
        time_title=absolute,
        read=n.read,
        href=href,
    )


def linkify(text: str) -> list[TextPiece]:
    """Split plain text into text and http(s) links, so the mailbox can make links clickable."""
    pieces: list[TextPiece] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if match.start() > position:
            pieces.append(TextPiece(text[position : match.start()]))
        pieces.append(TextPiece(url, href=url))
        position = match.start() + len(url)
    if position < len(text):
        pieces.append(TextPiece(text[position:]))
    return pieces


def mail_row(mail: CaughtMail, *, locale: str, tz: str | None, now: datetime) -> MailRow:
    relative, absolute = when(locale, mail.received_at, tz, now)
    return MailRow(
        name=mail.name, subject=mail.subject, recipient=mail.to, time=relative, time_title=absolute
    )


def outbox_row(
    row: OutboxRowPublic, *, locale: str, tz: str | None, now: datetime
) -> OutboxRowView:
    created, _ = when(locale, row.created_at, tz, now)
    next_relative = next_absolute = ""
    if row.next_attempt_at is not None:
        if row.next_attempt_at <= now:
            next_relative = i18n.gettext(locale, "now")
        else:
            next_relative = i18n.format_relative(locale, row.next_attempt_at, now)
        next_absolute = i18n.format_when(locale, row.next_attempt_at, tz)
    return OutboxRowView(
        id=row.id,
        status=row.status,
        to_email=row.to_email,
        template=row.template,
        ticket_number=row.ticket_number or 0,
        ticket_href=routes.agent_ticket_path(row.ticket_number) if row.ticket_number else "",
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt=next_relative,
        next_attempt_title=next_absolute,
        created=created,
    )
