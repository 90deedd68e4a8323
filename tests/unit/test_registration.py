"""Creating an account: the same answer for known and unknown addresses, the account only after
the emailed code, in the browser that asked for it (X4, P2)."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, func, select

from support_portal.models import GuestChallenge, PendingRegistration, Role, Ticket, User
from support_portal.services import auth, codes, registration, sessions, tickets
from support_portal.services.errors import InvalidInput, RateLimited
from tests.fakes import code_sent

PASSWORD = "correct horse battery"


def start(db: Session, email: str = "rita@example.com", *, ip: str | None = "192.0.2.1", **kw):
    return registration.start_registration(
        db,
        name=kw.get("name", "Rita Reg"),
        email=email,
        password=kw.get("password", PASSWORD),
        locale=kw.get("locale", "en"),
        ip=ip,
    )


def complete(db: Session, started, code: str | None = None, **kw) -> str:
    return registration.complete_registration(
        db,
        pending_id=kw.get("pending_id", started.pending_id),
        code=code if code is not None else code_sent(db),
        ip=None,
        binding="browser-nonce",
    )


def users(db: Session) -> int:
    return db.exec(select(func.count()).select_from(User)).one()


def test_a_new_address_gets_a_code_and_no_account_exists_before_it_is_entered(db, mails):
    started = start(db)
    code = code_sent(db)
    assert [(m.kind, m.to_email) for m in mails.sent] == [("code", "rita@example.com")]
    assert len(code) == 6 and code.isdigit()
    assert users(db) == 0
    # The pending registration keeps a hash, never the password.
    pending = db.get(PendingRegistration, started.pending_id)
    assert PASSWORD not in pending.password_hash


def test_the_code_creates_a_verified_account_and_a_login_ticket_bound_to_the_browser(db):
    started = start(db)
    ticket = complete(db, started)
    user = db.exec(select(User)).one()
    assert user.email == "rita@example.com"
    assert user.email_verified and user.role == Role.customer
    assert auth.authenticate(db, email="rita@example.com", password=PASSWORD, ip=None)
    token, _, next_path = sessions.exchange_login_ticket(db, token=ticket, binding="browser-nonce")
    assert next_path == "/tickets"
    assert sessions.viewer_for_token(db, session_token=token).user_id == user.id
    assert db.exec(select(func.count()).select_from(PendingRegistration)).one() == 0


def test_a_known_address_gets_the_same_answer_and_a_notice_instead_of_a_code(db, mails):
    auth.create_user(db, name="Kim Known", email="kim@example.com", password="the owners one")
    started = start(db, "kim@example.com")
    db.commit()
    assert [(m.kind, m.to_email) for m in mails.sent] == [("account_exists", "kim@example.com")]
    assert set(vars(started)) == set(vars(start(db, "new@example.com")))  # the page: the same
    # Even a right guess of the code nobody got cannot make a second account or change the first.
    issued = db.exec(select(GuestChallenge).where(GuestChallenge.email == "kim@example.com")).one()
    with pytest.raises(codes.CodeRejected):
        complete(db, started, "000000")
    assert issued.used_at is None
    assert users(db) == 1
    assert auth.authenticate(db, email="kim@example.com", password="the owners one", ip=None)


def test_a_wrong_code_is_refused_and_five_burn_it(db):
    started = start(db)
    right = code_sent(db)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(codes.MAX_ATTEMPTS - 1):
        with pytest.raises(codes.CodeRejected) as refused:
            complete(db, started, wrong)
        assert refused.value.reason == "wrong"
    with pytest.raises(codes.CodeRejected) as refused:
        complete(db, started, wrong)
    assert refused.value.reason == "burned"
    with pytest.raises(codes.CodeRejected):
        complete(db, started, right)
    assert users(db) == 0


def test_only_the_browser_that_registered_can_finish_with_its_own_details(db, clock):
    """An attacker who registers the victim's address later cannot make the victim's code
    create an account with the attacker's password."""
    victim = start(db, password="the victims passphrase")
    clock.advance(seconds=codes.RESEND_COOLDOWN.total_seconds() + 1)
    attacker = start(db, password="the attackers passphrase", ip="203.0.113.9")
    # The victim's mailbox got the newest code; the victim's browser finishes its own pending.
    complete(db, attacker, code_sent(db), pending_id=victim.pending_id)
    assert auth.authenticate(
        db, email="rita@example.com", password="the victims passphrase", ip=None
    )


def test_the_account_takes_over_the_guest_tickets_of_its_address(db):
    tickets.create_ticket(
        db,
        viewer=None,
        subject="Fees",
        category="other",
        description="Why a fee?",
        guest_name="Rita",
        guest_email="rita@example.com",
    )
    complete(db, start(db))
    user = db.exec(select(User)).one()
    assert db.exec(select(Ticket.requester_id)).one() == user.id


def test_an_expired_registration_says_so(db, clock):
    started = start(db)
    clock.advance(hours=25)
    with pytest.raises(registration.RegistrationExpired):
        complete(db, started)
    with pytest.raises(registration.RegistrationExpired):
        registration.resend_code(db, pending_id=started.pending_id, ip=None)


def test_registrations_are_capped_per_address_and_per_email(db, clock):
    limit = registration.REGISTER_PER_IP[0]
    for n in range(limit):
        start(db, f"user{n}@example.com", ip="198.51.100.7")
    with pytest.raises(RateLimited):
        start(db, "one.more@example.com", ip="198.51.100.7")
    start(db, "one.more@example.com", ip="198.51.100.8")  # another address may


def test_the_form_is_checked_before_anything_is_kept(db):
    with pytest.raises(InvalidInput) as bad:
        start(db, password="short")
    assert bad.value.field == "password"
    with pytest.raises(InvalidInput):
        start(db, "not-an-email")
    assert db.exec(select(func.count()).select_from(PendingRegistration)).one() == 0


@pytest.mark.real_hashing
def test_known_and_unknown_addresses_take_similar_time(db, clock):
    """P2 / X4: the gap must not reveal whether the address has an account."""
    auth.create_user(db, name="Kim Known", email="kim@example.com", password="the owners one")

    def timed(email: str) -> float:
        clock.advance(hours=2)  # past every cap and cooldown of the previous round
        began = time.perf_counter()
        start(db, email, ip=None)
        return time.perf_counter() - began

    timed("nobody@example.com")  # warm up
    known, unknown = [], []
    for _ in range(12):  # interleaved, so a busy machine slows both paths alike
        known.append(timed("kim@example.com"))
        unknown.append(timed("nobody@example.com"))
    # The fastest run of each path is its intrinsic cost; medians swing with machine load. A
    # leak would be one path skipping the password hash: a gap as large as the hash itself.
    fastest = min(min(known), min(unknown))
    assert abs(min(known) - min(unknown)) < max(0.050, 0.3 * fastest)


def test_known_and_unknown_addresses_do_the_same_work(db, monkeypatch, mails):
    """The timing above, without the clock: one hash, one pending row, one code, one email."""
    from support_portal.services import security

    hashed = []
    real_hash = security.hash_password
    monkeypatch.setattr(registration, "hash_password", lambda p: hashed.append(p) or real_hash(p))
    auth.create_user(db, name="Kim Known", email="kim@example.com", password="the owners one")
    start(db, "kim@example.com")
    start(db, "nobody@example.com")
    db.commit()
    assert len(hashed) == 2
    assert db.exec(select(func.count()).select_from(PendingRegistration)).one() == 2
    assert db.exec(select(func.count()).select_from(GuestChallenge)).one() == 2
    assert [m.to_email for m in mails.sent] == ["kim@example.com", "nobody@example.com"]
