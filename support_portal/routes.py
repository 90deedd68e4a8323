"""Route paths and URL builders. Links in emails are built from PUBLIC_URL only (G10)."""

from __future__ import annotations

from urllib.parse import quote

from support_portal.settings import get_settings

HOME = "/"
LOGIN = "/login"
REGISTER = "/register"
VERIFY_EMAIL = "/verify-email"
MY_TICKETS = "/tickets"
NEW_TICKET = "/tickets/new"
TICKET = "/tickets/[number]"
TICKET_SUBMITTED = "/tickets/submitted/[number]"
GUEST_LINK = "/t/[secret]"
GUEST_LINK_LOST = "/t"
NOTIFICATIONS = "/notifications"
NOTIFICATION_SETTINGS = "/settings/notifications"
ADMIN = "/admin"
ADMIN_TICKET = "/admin/tickets/[number]"
ADMIN_AGENTS = "/admin/agents"
ADMIN_OUTBOX = "/admin/outbox"
DEV_MAILBOX = "/dev/mailbox"

# Plain HTTP routes (Starlette), mounted next to the Reflex app.
AUTH_SESSION = "/auth/session"
AUTH_LOGOUT = "/auth/logout"
ATTACHMENT = "/files/{attachment_id}"
DEV_MAILBOX_RAW = "/dev/mailbox/raw/{name}"


def ticket_path(number: int) -> str:
    return f"/tickets/{number}"


def admin_ticket_path(number: int) -> str:
    return f"/admin/tickets/{number}"


def attachment_path(attachment_id: int) -> str:
    return f"/files/{attachment_id}"


def login_path(next_path: str | None = None) -> str:
    return f"{LOGIN}?next={quote(next_path, safe='/')}" if next_path else LOGIN


def absolute(path: str) -> str:
    return get_settings().public_url + path


def ticket_url(number: int) -> str:
    return absolute(ticket_path(number))


def admin_ticket_url(number: int) -> str:
    return absolute(admin_ticket_path(number))


def guest_link_url(secret: str) -> str:
    return absolute(f"/t/{secret}")
