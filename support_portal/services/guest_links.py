"""Guest links (G1): `PUBLIC_URL/t/<number>-<mac>`.

The mac is an HMAC under SECRET_KEY over the ticket id, the guest's email and a per-ticket
random nonce (128 bits from `secrets`). The database holds only the nonce, so a dump cannot
produce a link; rotating the nonce revokes every link sent so far.

The nonce also records when it was issued (`<hex>.<unix seconds>`, covered by the mac), so a
link can expire: GUEST_LINK_DAYS_AFTER_CLOSE days after the ticket closed, or after the link
was issued if that came later (a link sent again for a closed ticket). A reopened ticket's
link works again. Nonces from before this format count as issued when the ticket was created.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from support_portal.models import Ticket, TicketStatus, utcnow
from support_portal.routes import guest_link_url
from support_portal.settings import get_settings


def new_nonce(now: datetime | None = None) -> str:
    return f"{secrets.token_hex(16)}.{int((now or utcnow()).timestamp())}"


def issued_at(nonce: str | None) -> datetime | None:
    """When the current link was issued (None for a nonce without the time)."""
    _, sep, seconds = (nonce or "").rpartition(".")
    if not sep or not seconds.isdigit():
        return None
    return datetime.fromtimestamp(int(seconds), UTC)


def expires_at(ticket: Ticket) -> datetime | None:
    """When the link stops working; None while the ticket is not closed."""
    if ticket.status != TicketStatus.closed or ticket.closed_at is None:
        return None
    start = ticket.closed_at
    issued = issued_at(ticket.guest_link_nonce)
    if issued is not None and issued > start:
        start = issued
    return start + timedelta(days=get_settings().guest_link_days_after_close)


def is_expired(ticket: Ticket, *, now: datetime | None = None) -> bool:
    end = expires_at(ticket)
    return end is not None and end <= (now or utcnow())


def rotate(ticket: Ticket, *, now: datetime | None = None) -> None:
    """A new link; every link sent so far stops working at once."""
    ticket.guest_link_nonce = new_nonce(now)


def fresh_link_for(ticket: Ticket, *, now: datetime | None = None) -> str:
    """The ticket's link, issued anew when the current one has expired ("Lost your link?")."""
    if is_expired(ticket, now=now):
        rotate(ticket, now=now)
    return link_for(ticket)


def _mac(ticket_id: int, email: str, nonce: str) -> str:
    key = get_settings().secret_key.encode()  # type: ignore[union-attr]
    digest = hmac.new(key, f"guest-link:{ticket_id}:{email}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def link_secret(ticket: Ticket) -> str:
    assert ticket.id is not None and ticket.guest_email and ticket.guest_link_nonce
    return f"{ticket.number}-{_mac(ticket.id, ticket.guest_email, ticket.guest_link_nonce)}"


def link_for(ticket: Ticket) -> str:
    return guest_link_url(link_secret(ticket))


def parse(secret: str) -> tuple[int, str] | None:
    """Split a link secret into (ticket number, mac) without trusting either."""
    number, sep, mac = (secret or "").partition("-")
    if not sep or not number.isdigit() or len(number) > 12 or not (20 <= len(mac) <= 64):
        return None
    return int(number), mac


def matches(ticket: Ticket, mac: str) -> bool:
    if ticket.id is None or not ticket.guest_email or not ticket.guest_link_nonce:
        return False
    expected = _mac(ticket.id, ticket.guest_email, ticket.guest_link_nonce)
    return hmac.compare_digest(expected.encode(), mac.encode())
