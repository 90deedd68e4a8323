"""Every limit holds when 50 clients hit it at once, on SQLite and on PostgreSQL (X1, G6, P3).

Each test fires 50 threads at the service, each in its own transaction as a request would be
(`states.base.call` runs a service the same way), released together by a barrier, and counts
what got through: exactly the limit, never more.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import func, select

from support_portal import db as db_module
from support_portal.cli import migrate
from support_portal.db import session_scope
from support_portal.models import GuestChallenge, OutboxEmail, RateEvent, Role, Ticket
from support_portal.services import auth, codes, guest, guest_links, tickets
from support_portal.services.errors import DomainError, InvalidCredentials, RateLimited
from support_portal.settings import Settings

pytestmark = pytest.mark.integration

CLIENTS = 50
PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database of each kind, the app's engine pointing at it."""
    if request.param == "postgresql":
        pg_server = request.getfixturevalue("pg_server")
        url = pg_server.create_database(f"throttle_{uuid.uuid4().hex[:12]}")
        monkeypatch.setattr(settings, "db_url", url)
        monkeypatch.setenv("DB_URL", url)
    assert migrate() == 0
    engine = db_module.make_engine(settings.db_url)
    db_module.set_engine(engine)
    yield request.param
    db_module.set_engine(None)
    engine.dispose()


def at_once(attempt: Callable[[int], object], clients: int = CLIENTS) -> Counter:
    """Run `attempt(i)` in `clients` threads released together; count outcomes by kind."""
    barrier = threading.Barrier(clients)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            attempt(i)
            outcome = "ok"
        except DomainError as exc:
            outcome = type(exc).__name__
        except Exception as exc:  # a database error is a failed test, not a refusal
            outcome = f"error: {exc!r}"
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def count(model, *where) -> int:
    with session_scope() as db:
        return db.exec(select(func.count()).select_from(model).where(*where)).one()


def guest_link() -> str:
    with session_scope() as db:
        created = tickets.create_ticket(
            db,
            viewer=None,
            subject="Deposit missing",
            category="deposits_withdrawals",
            description="It did not arrive.",
            guest_name="Gus Guest",
            guest_email="gus@example.net",
        )
        ticket = db.get(Ticket, created.ticket_id)
        return guest_links.link_secret(ticket)


def test_fifty_parallel_send_code_clicks_on_one_link_send_exactly_one_code(backend):
    secret = guest_link()

    def send(i: int) -> None:
        with session_scope() as db:
            guest.send_link_code(db, secret=secret, ip=f"198.51.100.{i}")

    outcomes = at_once(send)
    assert outcomes == {"ok": 1, "RateLimited": CLIENTS - 1}
    assert count(GuestChallenge) == 1


def test_without_the_cooldown_parallel_sends_stop_at_the_cap_of_three(backend, monkeypatch):
    from datetime import timedelta

    monkeypatch.setattr(codes, "RESEND_COOLDOWN", timedelta(0))
    secret = guest_link()

    def send(i: int) -> None:
        with session_scope() as db:
            guest.send_link_code(db, secret=secret, ip=f"198.51.100.{i}")

    outcomes = at_once(send)
    assert outcomes == {"ok": 3, "RateLimited": CLIENTS - 3}
    assert count(GuestChallenge) == 3


def test_fifty_parallel_wrong_passwords_reach_the_password_check_exactly_five_times(backend):
    with session_scope() as db:
        auth.create_user(
            db, name="Carol", email="carol@example.com", password=PASSWORD, email_verified=True
        )

    def login(_i: int) -> None:
        with session_scope() as db:
            auth.authenticate(db, email="carol@example.com", password="wrong", ip="203.0.113.5")

    outcomes = at_once(login)
    limit = auth.LOGIN_FAILURES_PER_ACCOUNT
    assert outcomes == {"InvalidCredentials": limit, "RateLimited": CLIENTS - limit}
    assert count(RateEvent, RateEvent.scope == "login_account") == limit


def test_the_right_password_among_fifty_parallel_guesses_never_adds_guesses(backend):
    with session_scope() as db:
        auth.create_user(
            db, name="Carol", email="carol@example.com", password=PASSWORD, email_verified=True
        )

    def login(i: int) -> None:
        with session_scope() as db:
            password = PASSWORD if i == 25 else "wrong"
            auth.authenticate(db, email="carol@example.com", password=password, ip="203.0.113.5")

    outcomes = at_once(login)
    # The right password either got in or was refused like the rest. A success starts the
    # (account, address) count afresh, as it does for one person who mistyped: so at most one
    # limit's worth of wrong guesses before it and one after, never more.
    limit = auth.LOGIN_FAILURES_PER_ACCOUNT
    assert outcomes["ok"] <= 1
    assert outcomes["InvalidCredentials"] <= limit * (1 + outcomes["ok"])
    assert sum(outcomes.values()) == CLIENTS
    assert not [key for key in outcomes if key.startswith("error")]


def test_fifty_parallel_guest_submissions_for_one_address_create_exactly_five_tickets(backend):
    def submit(i: int) -> None:
        with session_scope() as db:
            tickets.submit_ticket(
                db,
                viewer=None,
                guest_email="flood@example.net",
                guest_name="Flo Od",
                ip=f"192.0.2.{i}",
                subject=f"Request {i}",
                category="other",
                description="Please help.",
            )

    outcomes = at_once(submit)
    limit = guest.SUBMIT_PER_EMAIL[0]
    assert outcomes == {"ok": limit, "RateLimited": CLIENTS - limit}
    assert count(Ticket, Ticket.guest_email == "flood@example.net") == limit
    assert count(OutboxEmail, OutboxEmail.to_email == "flood@example.net") == limit


def test_fifty_parallel_lost_link_requests_send_exactly_the_limit(backend):
    guest_link()

    def lost(i: int) -> None:
        with session_scope() as db:
            guest.request_links(db, email="gus@example.net", ip=f"192.0.2.{i}")

    outcomes = at_once(lost)
    limit = guest.LOST_LINK_LIMIT[0]
    assert outcomes == {"ok": limit, "RateLimited": CLIENTS - limit}
    assert count(OutboxEmail, OutboxEmail.template == "guest_links") == limit


def test_a_hundred_wrong_passwords_from_one_address_never_lock_out_another(backend):
    """X9: the owner, from an address with no failures, still gets in."""
    with session_scope() as db:
        auth.create_user(
            db, name="Carol", email="carol@example.com", password=PASSWORD, email_verified=True
        )
    refused = Counter()
    for _ in range(100):
        with session_scope() as db:
            try:
                auth.authenticate(db, email="carol@example.com", password="x", ip="203.0.113.66")
            except (InvalidCredentials, RateLimited) as exc:
                refused[type(exc).__name__] += 1
    assert refused["InvalidCredentials"] == auth.LOGIN_FAILURES_PER_ACCOUNT
    with session_scope() as db:
        user = auth.authenticate(db, email="carol@example.com", password=PASSWORD, ip="192.0.2.1")
    assert user.role == Role.customer.value


def test_fifty_parallel_registrations_from_one_address_stop_at_the_limit(backend):
    from support_portal.models import PendingRegistration
    from support_portal.services import registration

    def register(i: int) -> None:
        with session_scope() as db:
            registration.start_registration(
                db,
                name=f"Reg {i}",
                email=f"reg{i}@example.com",
                password=PASSWORD,
                locale="en",
                ip="203.0.113.77",
            )

    outcomes = at_once(register)
    limit = registration.REGISTER_PER_IP[0]
    assert outcomes == {"ok": limit, "RateLimited": CLIENTS - limit}
    assert count(PendingRegistration) == limit
