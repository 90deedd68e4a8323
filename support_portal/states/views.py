"""View models: what the browser receives. Preformatted, and never more than the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from support_portal import i18n
from support_portal.clock import utcnow
from support_portal.routes import attachment_path, attachment_thumbnail_path
from support_portal.services.categories import display_name
from support_portal.services.dto import MessagePublic, TicketSummary


@dataclass
class TicketRow:
    number: int
    subject: str
    status: str
    category: str
    last_activity: str
    last_activity_title: str
    unread: bool
    requester_name: str = ""
    requester_email: str = ""
    is_guest: bool = False
    assignee_name: str = ""
    waiting: str = ""
    snippet_before: str = ""  # a search's matching message, around the match
    snippet_match: str = ""
    snippet_after: str = ""


@dataclass
class AttachmentView:
    id: int
    filename: str
    size_label: str
    url: str
    is_image: bool
    thumbnail_url: str = ""  # images: their small picture (none if it cannot be made)


@dataclass
class MessageView:
    id: int
    author_kind: str
    author_name: str
    body: str
    is_internal: bool
    time: str
    time_title: str
    attachments: list[AttachmentView] = field(default_factory=list)
    merged_from: int = 0  # written in ticket N, merged into this one


def size_label(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def when(
    locale: str, moment: datetime, tz: str | None, now: datetime | None = None
) -> tuple[str, str]:
    """(relative, absolute) strings for a stored timestamp."""
    now = now or utcnow()
    return i18n.format_relative(locale, moment, now), i18n.format_when(locale, moment, tz)


def ticket_row(t: TicketSummary, locale: str, tz: str | None, now: datetime) -> TicketRow:
    relative, absolute = when(locale, t.last_activity_at, tz, now)
    waiting = i18n.format_relative(locale, t.waiting_since, now) if t.waiting_since else ""
    return TicketRow(
        number=t.number,
        subject=t.subject,
        status=t.status,
        category=display_name(t.category_names, locale) or t.category,  # its name, shown
        last_activity=relative,
        last_activity_title=absolute,
        unread=t.unread,
        requester_name=t.requester_name,
        requester_email=t.requester_email,
        is_guest=t.is_guest,
        assignee_name=t.assignee_name or "",
        waiting=waiting,
        snippet_before=t.snippet.before if t.snippet else "",
        snippet_match=t.snippet.match if t.snippet else "",
        snippet_after=t.snippet.after if t.snippet else "",
    )


def message_view(m: MessagePublic, locale: str, tz: str | None, now: datetime) -> MessageView:
    relative, absolute = when(locale, m.created_at, tz, now)
    return MessageView(
        id=m.id,
        author_kind=m.author_kind,
        author_name=m.author_name,
        body=m.body,
        is_internal=m.is_internal,
        time=relative,
        time_title=absolute,
        attachments=[
            AttachmentView(
                id=a.id,
                filename=a.filename,
                size_label=size_label(a.size),
                url=attachment_path(a.id),
                is_image=a.content_type.startswith("image/"),
                thumbnail_url=(
                    attachment_thumbnail_path(a.id) if a.content_type.startswith("image/") else ""
                ),
            )
            for a in m.attachments
        ],
        merged_from=m.merged_from or 0,
    )
