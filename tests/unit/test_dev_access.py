"""Who may read the development mailbox: the address and header checks (item 10)."""

from __future__ import annotations

import pytest

from support_portal.models import Role, SessionKind
from support_portal.services.dto import Viewer
from support_portal.web import dev_access


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "::ffff:127.0.0.1"])
def test_loopback_addresses(host):
    assert dev_access.is_loopback(host)


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "192.168.1.5", "203.0.113.7", "::ffff:10.0.0.1", "localhost", "", None]
)
def test_other_addresses_are_not_loopback(host):
    assert not dev_access.is_loopback(host)


@pytest.mark.parametrize(
    "headers",
    [["X-Forwarded-For"], ["forwarded"], ["x-real-ip"], ["Via"], ["host", "x-forwarded-for"]],
)
def test_a_proxied_request_from_loopback_is_not_direct(headers):
    assert not dev_access.is_direct_local("127.0.0.1", headers)
    assert dev_access.is_direct_local("127.0.0.1", ["host", "cookie", "user-agent"])


def viewer(role: Role | None, kind: SessionKind = SessionKind.user) -> Viewer:
    return Viewer(kind=kind, session_id=1, name="x", email="x@example.com", user_id=1, role=role)


def test_only_administrators_read_it_from_elsewhere():
    remote = {"peer": "203.0.113.7", "header_names": ["host"]}
    assert dev_access.may_read_mailbox(**remote, viewer=viewer(Role.admin))
    for other in (None, viewer(Role.agent), viewer(Role.customer), viewer(None, SessionKind.guest)):
        assert not dev_access.may_read_mailbox(**remote, viewer=other)
    assert dev_access.may_read_mailbox(peer="127.0.0.1", header_names=["host"], viewer=None)
