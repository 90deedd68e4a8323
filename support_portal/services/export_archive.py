"""What goes into a "Download my data" ZIP, and how it is written.

Only what the account may see anyway (A1, A5): its own tickets (requester), their public
messages (never internal notes), the files the customer attached, its notifications and
preferences. Each ticket comes as JSON and as a readable HTML page in which every value is
escaped (C1); the pages carry a CSP that forbids scripts, should a viewer open them in a browser.
"""

from __future__ import annotations

import html
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from support_portal import i18n
from support_portal.models import (
    Attachment,
    AuthorKind,
    AuthSession,
    Message,
    Notification,
    NotificationPreference,
    Ticket,
    User,
)
from support_portal.services import attachments, field_values

_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#1c2024}article{border-top:1px solid #ddd;padding:.75rem 0}"
    ".body{white-space:pre-wrap;overflow-wrap:anywhere}.meta{color:#60646c;font-size:.9em}"
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def account_record(db: Session, user: User) -> dict[str, Any]:
    """The account, its preferences and where it is logged in (never a hash or a secret)."""
    prefs = db.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    ).all()
    sessions = db.exec(
        select(AuthSession).where(AuthSession.user_id == user.id).order_by(col(AuthSession.id))
    ).all()
    return {
        "name": user.name,
        "email": user.email,
        "email_verified": user.email_verified,
        "role": str(user.role),
        "language": user.locale,
        "time_zone": user.timezone,
        "two_factor_enabled": bool(user.totp_secret),
        "created_at": _iso(user.created_at),
        "updated_at": _iso(user.updated_at),
        "notification_email_preferences": {str(p.event): p.email_enabled for p in prefs},
        "sessions": [
            {
                "started_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
                "ended_at": _iso(s.revoked_at),
                "ip": s.ip,
                "user_agent": s.user_agent,
            }
            for s in sessions
        ],
    }


def notifications_record(db: Session, user: User) -> list[dict[str, Any]]:
    rows = db.exec(
        select(Notification, Ticket.number)
        .join(Ticket, col(Ticket.id) == Notification.ticket_id)
        .where(Notification.user_id == user.id, Ticket.requester_id == user.id)
        .order_by(col(Notification.id))
    ).all()
    return [
        {
            "event": str(n.event),
            "ticket_number": number,
            "created_at": _iso(n.created_at),
            "read_at": _iso(n.read_at),
        }
        for n, number in rows
    ]


def ticket_ids(db: Session, user: User) -> list[int]:
    """The account's own tickets, oldest first: exactly what "My tickets" lists."""
    return list(
        db.exec(
            select(Ticket.id).where(Ticket.requester_id == user.id).order_by(col(Ticket.id))
        ).all()
    )


def ticket_record(db: Session, user: User, ticket_id: int) -> tuple[dict[str, Any], list]:
    """One ticket with its public messages, and the customer's files to copy: (record, files)
    where files are (path in the ZIP, attachment row)."""
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None and ticket.requester_id == user.id
    messages = db.exec(
        select(Message)
        .where(Message.ticket_id == ticket.id, Message.is_internal == False)
        .order_by(col(Message.id))
    ).all()
    ids = [m.id for m in messages]
    by_message: dict[int, list[Attachment]] = {}
    if ids:
        for row in db.exec(
            select(Attachment)
            .where(col(Attachment.message_id).in_(ids))
            .order_by(col(Attachment.id))
        ).all():
            by_message.setdefault(row.message_id, []).append(row)
    files: list[tuple[str, Attachment]] = []
    record_messages = []
    for m in messages:
        listed = []
        for a in by_message.get(m.id or 0, []):
            entry: dict[str, Any] = {"filename": a.filename, "size": a.size, "type": a.content_type}
            if m.author_kind == AuthorKind.customer:  # the files the customer sent
                entry["file"] = f"attachments/{ticket.number}/{a.id}-{_safe_name(a.filename)}"
                files.append((entry["file"], a))
            listed.append(entry)
        record_messages.append(
            {
                "from": str(m.author_kind),
                "author": m.author_name,
                "written_at": _iso(m.created_at),
                "text": m.body,
                "attachments": listed,
            }
        )
    record = {
        "number": ticket.number,
        "subject": ticket.subject,
        "category": str(ticket.category),
        "status": str(ticket.status),
        "created_at": _iso(ticket.created_at),
        "resolved_at": _iso(ticket.resolved_at),
        "closed_at": _iso(ticket.closed_at),
        # The form's fields the customer can see (never agents-only ones), as on the page.
        "fields": [
            {"key": f.key, "label": f.labels.get(user.locale or "en") or f.key, "value": f.value}
            for f in field_values.customer_values(db, ticket)
        ],
        "messages": record_messages,
    }
    return record, files


def _safe_name(filename: str) -> str:
    """A file name for inside the ZIP: no folders, no dots to climb with, never empty."""
    cleaned = attachments.clean_filename(filename).replace("/", "_").replace("\\", "_")
    return cleaned.lstrip(".") or "file"


def ticket_html(record: dict[str, Any], *, locale: str, tz: str | None) -> str:
    """A readable page of one ticket; every value escaped."""

    def _t(text: str, **params: object) -> str:
        return html.escape(i18n.gettext(locale, text, **params))

    def when(value: str | None) -> str:
        if not value:
            return ""
        return html.escape(i18n.format_when(locale, datetime.fromisoformat(value), tz))

    opened = i18n.format_when(locale, datetime.fromisoformat(record["created_at"]), tz)
    title = _t("Ticket {number}", number=record["number"])
    meta = _t("Opened {when}", when=opened) + " · " + _t("Status")
    parts = [
        f"<h1>{title}: {html.escape(record['subject'])}</h1>",
        f"<p class='meta'>{meta}: {html.escape(record['status'])}</p>",
    ]
    for m in record["messages"]:
        files = "".join(
            f"<li>{_file_link(a)}</li>" for a in m["attachments"]
        )  # a link only to the files in the ZIP
        parts.append(
            f"<article><p class='meta'><strong>{html.escape(m['author'])}</strong> · "
            f"{when(m['written_at'])}</p><div class='body'>{html.escape(m['text'])}</div>"
            + (f"<ul>{files}</ul>" if files else "")
            + "</article>"
        )
    return _page(title, "".join(parts), locale)


def _file_link(entry: dict[str, Any]) -> str:
    name = html.escape(entry["filename"])
    if "file" not in entry:
        return name
    return f"<a href='../{html.escape(entry['file'], quote=True)}'>{name}</a>"


def index_html(tickets: list[dict[str, Any]], *, name: str, locale: str) -> str:
    def _t(text: str, **params: object) -> str:
        return html.escape(i18n.gettext(locale, text, **params))

    rows = "".join(
        f"<li><a href='tickets/{r['number']}.html'>{r['number']}</a> "
        f"{html.escape(r['subject'])}</li>"
        for r in tickets
    )
    heading, tickets_heading = _t("Your data"), _t("Tickets")
    about = _t("account.json holds your account; notifications.json your notifications.")
    empty = _t("You have no tickets.")
    body = (
        f"<h1>{heading}</h1><p>{html.escape(name)}</p><p>{about}</p><h2>{tickets_heading}</h2>"
        + (f"<ul>{rows}</ul>" if rows else f"<p>{empty}</p>")
    )
    return _page(i18n.gettext(locale, "Your data"), body, locale)


def _page(title: str, body: str, locale: str) -> str:
    return (
        f"<!doctype html><html lang='{html.escape(locale, quote=True)}'><head>"
        "<meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{_CSP}\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def write_zip(db: Session, user: User, target: Path, *, progress: Callable[[int], None]) -> None:
    """Write the account's ZIP to `target`; `progress(percent)` after each ticket."""
    locale = i18n.normalize_locale(user.locale)
    tz = user.timezone
    ids = ticket_ids(db, user)
    listed: list[dict[str, Any]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.json", _json(account_record(db, user)))
        archive.writestr("notifications.json", _json(notifications_record(db, user)))
        for done, ticket_id in enumerate(ids, start=1):
            record, files = ticket_record(db, user, ticket_id)
            number = record["number"]
            archive.writestr(f"tickets/{number}.json", _json(record))
            archive.writestr(f"tickets/{number}.html", ticket_html(record, locale=locale, tz=tz))
            for name, row in _existing(files):
                archive.write(row, arcname=name)
            listed.append({"number": number, "subject": record["subject"]})
            progress(min(99, 5 + done * 90 // max(len(ids), 1)))
        archive.writestr("index.html", index_html(listed, name=user.name, locale=locale))


def _existing(files: list[tuple[str, Attachment]]) -> Iterator[tuple[str, Path]]:
    for name, row in files:
        path = attachments.path_for(row.storage_name)
        if path.is_file():
            yield name, path
