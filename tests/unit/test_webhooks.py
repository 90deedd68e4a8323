"""Webhooks: which events write deliveries (in the event's transaction), the signature, and
the refusal of private and local targets (SSRF)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import WebhookDelivery
from support_portal.services import agent as agent_service
from support_portal.services import api_tokens, tickets, webhooks
from support_portal.services.errors import InvalidInput
from support_portal.settings import get_settings
from tests.api_helpers import customer_ticket, make_token, make_user


@pytest.fixture
def allow_private(monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
def test_private_and_local_targets_are_refused(url):
    with pytest.raises(InvalidInput) as refused:
        webhooks.check_target(url)
    assert refused.value.message == "Webhooks may not target private or local addresses."


@pytest.mark.parametrize(
    "url", ["ftp://93.184.216.34/x", "http:///nohost", "http://user:pw@93.184.216.34/", "x" * 10]
)
def test_only_plain_http_and_https_urls_are_taken(url):
    with pytest.raises(InvalidInput):
        webhooks.check_target(url)


def test_a_public_address_passes_and_private_ones_pass_only_when_allowed(monkeypatch):
    assert webhooks.check_target("https://93.184.216.34/hook") == "https://93.184.216.34/hook"
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)
    assert webhooks.check_target("http://127.0.0.1:9/hook") == "http://127.0.0.1:9/hook"


def test_the_signature_is_an_hmac_of_timestamp_and_body():
    header = webhooks.sign("whsec_abc", 1_700_000_000, b'{"a":1}')
    expected = hmac.new(b"whsec_abc", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def deliveries() -> list[tuple[int, str]]:
    with session_scope() as db:
        rows = db.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        return [(row.endpoint_id, row.event) for row in rows]


def test_ticket_events_write_deliveries_for_the_endpoints_that_want_them(engine, allow_private):
    with session_scope() as db:
        every = webhooks.add_endpoint(db, url="http://127.0.0.1:9/a", events=list(webhooks.EVENTS))
        created_only = webhooks.add_endpoint(
            db, url="http://127.0.0.1:9/b", events=["ticket.created"]
        )
    a, b = every.endpoint.id, created_only.endpoint.id
    assert every.secret.startswith("whsec_") and every.secret != created_only.secret
    make_user("agnes@support.test")
    number = customer_ticket()
    with session_scope() as db:
        viewer = api_tokens.authenticate(db, secret=make_token("agnes@support.test")).viewer
    with session_scope() as db:
        agent_service.agent_reply(db, viewer=viewer, number=number, body="Note", internal=True)
    with session_scope() as db:
        agent_service.agent_reply(db, viewer=viewer, number=number, body="Reply")
    with session_scope() as db:
        agent_service.assign(db, viewer=viewer, number=number, assignee_id=None)
    with session_scope() as db:
        agent_service.change_status(db, viewer=viewer, number=number, action="resolve")
    assert deliveries() == [
        (a, "ticket.created"),
        (b, "ticket.created"),
        (a, "ticket.agent_replied"),  # the internal note and the assignment send nothing
        (a, "ticket.status_changed"),
    ]
    with session_scope() as db:
        payload = db.exec(select(WebhookDelivery)).first().payload
    assert payload["ticket"] == {"number": number, "status": "open"}
    assert set(payload) == {"id", "event", "created_at", "ticket", "message_id"}


def test_a_customer_reply_is_its_own_event_and_a_rollback_sends_nothing(engine, allow_private):
    with session_scope() as db:
        webhooks.add_endpoint(db, url="http://127.0.0.1:9/a", events=["ticket.customer_replied"])
    number = customer_ticket()
    from support_portal.models import User
    from support_portal.services import sessions

    with session_scope() as db:
        cara = db.exec(select(User).where(User.email == "cara@example.com")).one()
        token = sessions.exchange_login_ticket(
            db, token=sessions.create_login_ticket(db, user_id=cara.id)
        )[0]
        customer = sessions.viewer_for_token(db, session_token=token)
    with pytest.raises(RuntimeError), session_scope() as db:
        tickets.add_customer_reply(db, viewer=customer, number=number, body="Lost")
        raise RuntimeError("the transaction fails after the reply")
    assert deliveries() == []
    with session_scope() as db:
        tickets.add_customer_reply(db, viewer=customer, number=number, body="Still there?")
    assert [event for _, event in deliveries()] == ["ticket.customer_replied"]


def test_disabled_endpoints_get_no_new_deliveries(engine, allow_private):
    with session_scope() as db:
        endpoint = webhooks.add_endpoint(db, url="http://127.0.0.1:9/a", events=["ticket.created"])
        webhooks.set_active(db, endpoint_id=endpoint.endpoint.id, active=False)
    customer_ticket()
    assert deliveries() == []


def test_unknown_events_are_refused(engine, allow_private):
    with session_scope() as db, pytest.raises(InvalidInput):
        webhooks.add_endpoint(db, url="http://127.0.0.1:9/a", events=["ticket.deleted"])


def test_the_cli_adds_lists_disables_and_enables_endpoints(engine, allow_private, capsys):
    from support_portal import cli

    argv = ["webhook", "add", "--url", "http://127.0.0.1:9/hook", "--event", "ticket.created"]
    assert cli.main(argv) == 0
    secret = next(w for w in capsys.readouterr().out.split() if w.startswith("whsec_"))
    assert cli.main(["webhook", "list"]) == 0
    listing = capsys.readouterr().out
    assert "http://127.0.0.1:9/hook" in listing and "active" in listing and secret not in listing
    assert cli.main(["webhook", "disable", "--id", "1"]) == 0
    assert cli.main(["webhook", "list"]) == 0
    assert "disabled" in capsys.readouterr().out
    assert cli.main(["webhook", "enable", "--id", "1"]) == 0
    get_settings().webhook_allow_private = False
    assert cli.main(["webhook", "add", "--url", "http://10.0.0.1/", "--event", "x"]) == 1
