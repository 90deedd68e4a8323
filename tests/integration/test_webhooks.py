"""Webhook deliveries against a real HTTP server the test starts on loopback: signed requests,
retries with growing delays while the receiver is down and each event exactly once when it
comes back, endpoints disabled after failures in a row, redirects not followed, and targets
checked again at send time, against the address the connection then uses (DNS pinning, with a
fake resolver). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from support_portal import webhook_sender
from support_portal.db import session_scope
from support_portal.models import AuditEvent, WebhookDelivery, WebhookEndpoint, utcnow
from support_portal.services import webhook_targets, webhooks
from tests.api_helpers import customer_ticket
from tests.integration.test_throttle_concurrency import backend  # noqa: F401  (both databases)
from tests.webhook_receiver import Receiver, self_signed

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("backend")]


@pytest.fixture
def hook_settings(settings, monkeypatch):
    monkeypatch.setattr(settings, "webhook_allow_private", True)  # the receiver is on loopback
    monkeypatch.setattr(settings, "webhook_timeout", 3.0)
    monkeypatch.setattr(settings, "webhook_retry_base_seconds", 10.0)
    monkeypatch.setattr(settings, "webhook_retry_max_seconds", 1000.0)
    monkeypatch.setattr(settings, "webhook_disable_after", 3)
    return settings


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def register(url: str) -> tuple[int, str]:
    with session_scope() as db:
        new = webhooks.add_endpoint(db, url=url, events=list(webhooks.EVENTS))
        return new.endpoint.id, new.secret


def send() -> int:
    return asyncio.run(webhook_sender.run_once())


def rows() -> list[WebhookDelivery]:
    with session_scope() as db:
        return list(db.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all())


def make_due() -> None:
    with session_scope() as db:
        for row in db.exec(select(WebhookDelivery)).all():
            row.next_attempt_at = utcnow() - timedelta(seconds=1)


def test_a_delivery_is_signed_and_verifies(hook_settings, receiver):
    _, secret = register(receiver.url)
    number = customer_ticket()
    assert send() == 1
    [(headers, body)] = receiver.requests
    assert headers["X-Support-Portal-Event"] == "ticket.created"
    # What a receiver does (docs/api.md): recompute the HMAC of "t.body", compare, check age.
    fields = dict(part.split("=", 1) for part in headers["X-Support-Portal-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(fields["v1"], expected.hexdigest())
    assert abs(int(fields["t"]) - utcnow().timestamp()) < 60
    payload = json.loads(body)
    assert payload["event"] == "ticket.created" and payload["ticket"]["number"] == number
    assert headers["X-Support-Portal-Delivery"] == payload["id"]
    [row] = rows()
    assert row.status == "sent" and row.last_status_code == 200 and row.attempts == 1
    assert send() == 0 and len(receiver.requests) == 1


def test_a_down_receiver_gets_retries_with_growing_delays_then_each_event_once(hook_settings):
    down = Receiver()  # nothing listens on its port yet
    register(down.url)
    customer_ticket(subject="One")
    customer_ticket(subject="Two")
    delays = []
    for attempt in (1, 2, 3):
        before = utcnow()
        assert send() == 0
        batch = rows()
        assert [r.attempts for r in batch] == [attempt, attempt]
        assert all(r.status == "pending" and r.last_error for r in batch)
        delays.append(min((r.next_attempt_at - before).total_seconds() for r in batch))
        make_due()
        with session_scope() as db:  # keep the endpoint enabled for this test
            db.exec(select(WebhookEndpoint)).one().consecutive_failures = 0
    assert 9 <= delays[0] <= 12 and delays[1] >= 1.7 * delays[0] and delays[2] >= 1.7 * delays[1]
    up = Receiver(port=down.port).start()
    try:
        assert send() == 2
        assert send() == 0
        make_due()
        assert send() == 0
        ids = [json.loads(body)["id"] for _, body in up.requests]
        assert len(ids) == 2 and len(set(ids)) == 2  # each event exactly once
        assert [r.status for r in rows()] == ["sent", "sent"]
    finally:
        up.stop()


def test_an_endpoint_is_disabled_after_failures_in_a_row(hook_settings, receiver):
    receiver.status = 500
    endpoint_id, _ = register(receiver.url)
    for _ in range(3):
        customer_ticket()
    assert send() == 0
    assert len(receiver.requests) == 3
    with session_scope() as db:
        endpoint = db.get(WebhookEndpoint, endpoint_id)
        assert not endpoint.is_active and endpoint.consecutive_failures == 3
        assert db.exec(select(AuditEvent).where(AuditEvent.action == "webhook.disabled")).all()
    make_due()
    customer_ticket()  # a disabled endpoint gets no new deliveries and no retries
    assert send() == 0 and len(receiver.requests) == 3
    receiver.status = 200
    with session_scope() as db:
        webhooks.set_active(db, endpoint_id=endpoint_id, active=True)
    make_due()
    assert send() == 3  # the waiting ones go out once it is enabled again


def test_redirects_are_not_followed(hook_settings, receiver):
    elsewhere = Receiver().start()
    try:
        receiver.status, receiver.location = 302, elsewhere.url
        register(receiver.url)
        customer_ticket()
        assert send() == 0
        assert elsewhere.requests == [] and len(receiver.requests) == 1
        [row] = rows()
        assert row.status == "pending" and row.last_status_code == 302
    finally:
        elsewhere.stop()


def test_the_target_is_checked_again_before_each_request(hook_settings, receiver):
    register(receiver.url)
    customer_ticket()
    hook_settings.webhook_allow_private = False
    assert send() == 0
    assert receiver.requests == []
    [row] = rows()
    assert row.last_error.startswith("refused")


async def test_the_app_worker_sends_a_new_event_at_once(hook_settings, receiver):
    """The in-app worker wakes on the ticket event (after its commit), not on its idle timer."""
    register(receiver.url)
    stop = asyncio.Event()
    worker = asyncio.create_task(webhook_sender.run_forever(stop))
    try:
        await asyncio.sleep(0.2)  # the worker has looked once and is waiting
        started = asyncio.get_running_loop().time()
        await asyncio.to_thread(customer_ticket)
        while not receiver.requests:
            assert asyncio.get_running_loop().time() - started < 5, "not sent within 5 s"
            await asyncio.sleep(0.05)
        assert webhook_sender.IDLE_WAIT > 5
    finally:
        stop.set()
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


class Rebinding:
    """A fake DNS: each name answers from its list, one answer per lookup (the last repeats)."""

    def __init__(self, **answers: list[str]) -> None:
        self.answers = {name.replace("_", "."): list(a) for name, a in answers.items()}
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        queue = self.answers[host]
        return [queue.pop(0) if len(queue) > 1 else queue[0]]


@pytest.fixture
def fake_dns():
    def install(resolver: Rebinding) -> Rebinding:
        webhook_targets.use_resolver(resolver)
        return resolver

    yield install
    webhook_targets.use_resolver(None)


def test_the_request_connects_to_the_address_the_check_resolved(hook_settings, receiver, fake_dns):
    """The name is looked up once per request and the connection goes to that answer: the
    receiver (on 127.0.0.1) gets the request although the name means nothing to the system's
    resolver, and the Host header still carries the name."""
    dns = fake_dns(Rebinding(hooks_receiver_test=["127.0.0.1", "127.0.0.2"]))
    url = f"http://hooks.receiver.test:{receiver.port}/hook"
    register(url)
    dns.answers["hooks.receiver.test"] = ["127.0.0.1", "127.0.0.2"]  # the lookup at send time
    dns.lookups.clear()
    customer_ticket()
    assert send() == 1
    [(headers, _)] = receiver.requests
    assert headers["Host"] == f"hooks.receiver.test:{receiver.port}"
    assert dns.lookups == ["hooks.receiver.test"]


def test_a_name_rebound_to_loopback_after_registration_is_refused(
    hook_settings, receiver, fake_dns
):
    hook_settings.webhook_allow_private = False
    fake_dns(Rebinding(hooks_example_com=["93.184.216.34", "127.0.0.1"]))
    register(f"http://hooks.example.com:{receiver.port}/hook")  # public when checked
    customer_ticket()
    assert send() == 0
    assert receiver.requests == []
    [row] = rows()
    assert row.last_error == "refused: Webhooks may not target private or local addresses."


@pytest.mark.parametrize(
    ("certificate_for", "delivered"), [("hooks.tls.test", 1), ("other.test", 0)]
)
def test_https_goes_to_the_checked_address_and_verifies_the_certificate_for_the_name(
    hook_settings, fake_dns, monkeypatch, tmp_path, certificate_for, delivered
):
    """The connection goes to the pinned address, while TLS sends the name (SNI) and checks
    the certificate against it: a certificate for another name is refused."""
    server_tls, client_tls = self_signed(tmp_path, certificate_for)
    receiver = Receiver(tls=server_tls).start()
    try:
        client = functools.partial(httpx.AsyncClient, verify=client_tls)
        monkeypatch.setattr(webhook_sender.httpx, "AsyncClient", client)
        fake_dns(Rebinding(hooks_tls_test=["127.0.0.1"]))
        register(f"https://hooks.tls.test:{receiver.port}/hook")
        customer_ticket()
        assert send() == delivered
        assert len(receiver.requests) == delivered
        if not delivered:
            assert rows()[0].last_error == "ConnectError"
    finally:
        receiver.stop()
