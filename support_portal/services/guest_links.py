"""Guest links (G1): `PUBLIC_URL/t/<number>-<mac>`.

The mac is an HMAC under SECRET_KEY over the ticket id, the guest's email and a per-ticket
random nonce (128 bits from `secrets`). The database holds only the nonce, so a dump cannot
produce a link; rotating the nonce revokes every link sent so far.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from support_portal.models import Ticket
from support_portal.routes import guest_link_url
from support_portal.settings import get_settings


def new_nonce() -> str:
    return secrets.token_hex(16)


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
