"""Where a webhook may go: the URL check, and DNS pinning against server-side request forgery.

The host is resolved once per request. Unless WEBHOOK_ALLOW_PRIVATE=true, every address it
resolves to must be public (not loopback, private, link-local, shared, reserved or multicast),
and the request then connects to one of exactly those addresses: the URL carries the address,
the `Host` header and (for https) the TLS server name carry the name, so the certificate is
still checked against the name. A DNS answer that changes between the check and the connection
(rebinding) therefore cannot steer the request to an internal host.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from support_portal.services.errors import InvalidInput
from support_portal.settings import get_settings

MAX_URL = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}

Resolver = Callable[[str, int], list[str]]


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (the operating system's resolver)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


_resolver: Resolver = system_resolve


def use_resolver(resolver: Resolver | None) -> None:
    """Replace the resolver (tests); None restores the system's."""
    global _resolver
    _resolver = resolver or system_resolve


@dataclass(frozen=True)
class Target:
    """A checked request target: connect to `url` (the address), send `host` as the Host
    header, and for https verify the certificate for `server_name`."""

    url: str
    host: str
    server_name: str | None
    address: str


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return ip.is_global and not ip.is_multicast


def _parse(url: str) -> tuple[str, SplitResult, int]:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:
        raise InvalidInput("Enter an http or https URL.", field="url") from None
    if len(url) > MAX_URL or parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InvalidInput("Enter an http or https URL.", field="url")
    if parts.username or parts.password:
        raise InvalidInput("Enter an http or https URL.", field="url")
    return url, parts, port


def _addresses(host: str, port: int, resolve: Resolver) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]  # a literal address needs no lookup
    except ValueError:
        pass
    try:
        return list(resolve(host, port))
    except (OSError, UnicodeError):
        raise InvalidInput("The webhook's host does not resolve.", field="url") from None


def pin(url: str, *, resolve: Resolver | None = None) -> Target:
    """Resolve the URL's host once, check every address, and aim the request at the first."""
    url, parts, port = _parse(url)
    host = parts.hostname or ""
    addresses = _addresses(host, port, resolve or _resolver)
    if not addresses:
        raise InvalidInput("The webhook's host does not resolve.", field="url")
    if not get_settings().webhook_allow_private and not all(is_public(a) for a in addresses):
        raise InvalidInput("Webhooks may not target private or local addresses.", field="url")
    address = addresses[0].split("%", 1)[0]
    literal = f"[{address}]" if ":" in address else address
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(
        url=f"{parts.scheme}://{literal}:{port}{path}",
        host=parts.netloc,
        server_name=host if parts.scheme == "https" else None,
        address=address,
    )


def check_target(url: str, *, resolve: Resolver | None = None) -> str:
    """The URL (trimmed) if it may be called now; InvalidInput naming the `url` field if not."""
    pin(url, resolve=resolve)
    return _parse(url)[0]
