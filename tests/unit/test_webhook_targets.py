"""DNS pinning for webhook targets, with a fake resolver: the host is resolved once, every
address it resolves to must be public (unless WEBHOOK_ALLOW_PRIVATE), and the request is aimed
at the address that was checked, with the name kept for the Host header and TLS."""

from __future__ import annotations

import pytest

from support_portal.services import webhook_targets
from support_portal.services.errors import InvalidInput
from support_portal.settings import get_settings


class FakeResolver:
    """Answers from a table, one answer per call (the last repeats), and counts the calls."""

    def __init__(self, **answers: list[list[str]]) -> None:
        self.answers = {host.replace("_", "."): list(a) for host, a in answers.items()}
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in self.answers:
            raise OSError("no such host")
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def allow_private(monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)


def test_the_request_goes_to_the_checked_address_with_the_name_in_host_and_tls():
    resolve = FakeResolver(hooks_example_com=[["93.184.216.34", "2606:2800:220:1::1"]])
    target = webhook_targets.pin("https://hooks.example.com/in?x=1", resolve=resolve)
    assert target.url == "https://93.184.216.34:443/in?x=1"
    assert target.host == "hooks.example.com"
    assert target.server_name == "hooks.example.com"
    assert resolve.calls == [("hooks.example.com", 443)]


def test_an_explicit_port_stays_in_the_host_header_and_ipv6_gets_brackets():
    resolve = FakeResolver(hooks_example_com=[["2606:2800:220:1::1"]])
    target = webhook_targets.pin("http://hooks.example.com:8080", resolve=resolve)
    assert target.url == "http://[2606:2800:220:1::1]:8080/"
    assert target.host == "hooks.example.com:8080" and target.server_name is None


def test_one_private_address_among_public_ones_refuses_the_host():
    resolve = FakeResolver(hooks_example_com=[["93.184.216.34", "10.0.0.7"]])
    with pytest.raises(InvalidInput) as refused:
        webhook_targets.pin("https://hooks.example.com/", resolve=resolve)
    assert refused.value.message == "Webhooks may not target private or local addresses."
    assert refused.value.field == "url"


def test_a_rebinding_name_cannot_reach_an_internal_host():
    """The first answer is public, every later one loopback: each check resolves once and the
    connection uses that same answer, so no request is ever aimed at the later address."""
    resolve = FakeResolver(rebind_test=[["93.184.216.34"], ["127.0.0.1"]])
    first = webhook_targets.pin("http://rebind.test/hook", resolve=resolve)
    assert first.address == "93.184.216.34" and len(resolve.calls) == 1
    with pytest.raises(InvalidInput):
        webhook_targets.pin("http://rebind.test/hook", resolve=resolve)  # the next request


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fe80::1%eth0", "100.64.0.1"]
)
def test_names_that_resolve_to_internal_addresses_are_refused(address):
    resolve = FakeResolver(internal_test=[[address]])
    with pytest.raises(InvalidInput):
        webhook_targets.check_target("http://internal.test/", resolve=resolve)


def test_a_name_that_does_not_resolve_is_a_clear_error():
    with pytest.raises(InvalidInput) as refused:
        webhook_targets.pin("https://nowhere.test/", resolve=FakeResolver())
    assert refused.value.message == "The webhook's host does not resolve."


def test_literal_addresses_need_no_lookup():
    resolve = FakeResolver()
    assert webhook_targets.pin("http://93.184.216.34/x", resolve=resolve).address == (
        "93.184.216.34"
    )
    assert resolve.calls == []


def test_with_private_targets_allowed_the_address_is_still_pinned(allow_private):
    resolve = FakeResolver(receiver_test=[["127.0.0.1"], ["10.9.9.9"]])
    target = webhook_targets.pin("http://receiver.test:8123/hook", resolve=resolve)
    assert target.url == "http://127.0.0.1:8123/hook" and target.host == "receiver.test:8123"


def test_the_installed_resolver_is_used_and_can_be_restored():
    resolve = FakeResolver(hooks_example_com=[["93.184.216.34"]])
    webhook_targets.use_resolver(resolve)
    try:
        assert webhook_targets.check_target(" https://hooks.example.com/a ") == (
            "https://hooks.example.com/a"
        )
    finally:
        webhook_targets.use_resolver(None)
    assert resolve.calls == [("hooks.example.com", 443)]
    assert webhook_targets._resolver is webhook_targets.system_resolve
