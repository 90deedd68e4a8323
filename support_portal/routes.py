"""Route paths and URL builders: the one place a path is spelled. Links in emails are built
from PUBLIC_URL only (G10).

The builders take a plain value, or in a page template a Reflex var (anything with
`to_string()`), so a page never spells a path by hand.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

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
ACCOUNT_SETTINGS = "/settings/account"
FORGOT_PASSWORD = "/forgot-password"  # noqa: S105  (a path)
AGENT_QUEUE = "/admin"
AGENT_TICKET = "/admin/tickets/[number]"
ADMIN_AGENTS = "/admin/agents"
ADMIN_OUTBOX = "/admin/outbox"
SAVED_REPLIES = "/admin/replies"
ADMIN_CATEGORIES = "/admin/categories"
ADMIN_SERVICE_LEVELS = "/admin/service-levels"
ADMIN_TAGS = "/admin/tags"
ADMIN_API_TOKENS = "/admin/api-tokens"
ADMIN_WEBHOOKS = "/admin/webhooks"
AGENT_REPORTS = "/admin/reports"
DEV_MAILBOX = "/dev/mailbox"

# Plain HTTP routes (Starlette), mounted next to the Reflex app.
AUTH_SESSION = "/auth/session"
AUTH_LOGOUT = "/auth/logout"
ATTACHMENT = "/files/{attachment_id}"
ATTACHMENT_THUMBNAIL = "/files/{attachment_id}/thumbnail"  # an image's, same access check
DATA_EXPORT = "/exports/{export_id}"  # "Download my data" ZIPs, for their owner only
DEV_MAILBOX_HTML = "/dev/mailbox/html/{name}"
CSAT = "/rate/{token}"  # the "How did we do?" link of a "resolved" email

# The REST API (FastAPI, support_portal/api) and the operations endpoints.
API = "/api"
API_V1 = "/api/v1"
API_DOCS = "/api/docs"
API_OPENAPI = "/api/openapi.json"
METRICS = "/metrics"
READYZ = "/readyz"


def _fill(pattern: str, value: Any) -> Any:
    """`pattern` with its one [placeholder] replaced by `value` (a value, or a page var)."""
    prefix, _, rest = pattern.partition("[")
    suffix = rest.partition("]")[2]
    if hasattr(value, "to_string"):  # a Reflex var in a page template
        return prefix + value.to_string() + suffix
    return f"{prefix}{value}{suffix}"


def ticket_path(number: Any) -> Any:
    return _fill(TICKET, number)


def submitted_path(number: Any) -> Any:
    return _fill(TICKET_SUBMITTED, number)


def my_tickets_path(tab: str = "open", search: str = "") -> str:
    """My tickets with its tab and search in the address (reload and Back keep them)."""
    query = urlencode(
        [(k, v) for k, v in (("tab", tab if tab != "open" else ""), ("q", search)) if v]
    )
    return f"{MY_TICKETS}?{query}" if query else MY_TICKETS


def agent_ticket_path(number: Any) -> Any:
    return _fill(AGENT_TICKET, number)


def attachment_path(attachment_id: int) -> str:
    return ATTACHMENT.replace("{attachment_id}", str(attachment_id))


def attachment_thumbnail_path(attachment_id: int) -> str:
    return ATTACHMENT_THUMBNAIL.replace("{attachment_id}", str(attachment_id))


def data_export_path(export_id: int) -> str:
    return DATA_EXPORT.replace("{export_id}", str(export_id))


def mailbox_html_path(name: str) -> str:
    return DEV_MAILBOX_HTML.replace("{name}", quote(name))


def is_agent_ticket_page(path: str) -> bool:
    return path.startswith(AGENT_TICKET.partition("[")[0])


def login_path(next_path: str | None = None) -> str:
    return f"{LOGIN}?next={quote(next_path, safe='/')}" if next_path else LOGIN


def absolute(path: str) -> str:
    return get_settings().public_url + path


def ticket_url(number: int) -> str:
    return absolute(ticket_path(number))


def agent_ticket_url(number: int) -> str:
    return absolute(agent_ticket_path(number))


def csat_path(token: str) -> str:
    return CSAT.replace("{token}", quote(token, safe=""))


def csat_url(token: str) -> str:
    return absolute(csat_path(token))


def guest_link_url(secret: str) -> str:
    return absolute(_fill(GUEST_LINK, secret))
