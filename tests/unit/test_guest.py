"""Guest access: the unguessable link and one-time email codes (G1-G9)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, SQLModel, func, select

from support_portal import db as db_module
from support_portal.models import GuestChallenge, LoginTicket, OutboxEmail, Ticket, User
from support_portal.services import (
    auth,
    conversation,
    guest,
    guest_links,
    sessions,
    ticket_lists,
    tickets,
)
from support_portal.services import codes as code_service
from support_portal.services.codes import CodeRejected
from support_portal.services.errors import InvalidInput, NotAuthenticated, NotFound, RateLimited
from support_portal.services.guest import InvalidLink
from tests.fakes import code_sent
from tests.unit.conftest import guest_viewer, session_token_for

GUS = "gus@example.net"


def guest_ticket(db: Session, email: str = GUS, subject: str = "Card blocked") -> Ticket:
    number = tickets.create_ticket(
        db,
        viewer=None,
        subject=subject,
        category="security",
        description="My card was blocked after a login from Lisbon",
        guest_name="Gus Guest",
        guest_email=email,
    ).number
    return db.exec(select(Ticket).where(Ticket.number == number)).one()


def database_text(db: Session) -> str:
    """Every value in every table, as text: what a database dump would reveal."""
    db.flush()
    values = []
    for table in SQLModel.metadata.sorted_tables:
        for row in db.connection().execute(table.select()):
            values += [json.dumps(v) if isinstance(v, dict | list) else str(v) for v in row]
    return "\n".join(values)


def string_values(db: Session) -> list[str]:
    """Every text value in the database (numbers and timestamps left out)."""
    db.flush()
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for row in db.connection().execute(table.select()):
            found += [json.dumps(v) if isinstance(v, dict | list) else v for v in row
                      if isinstance(v, str | dict | list)]  # fmt: skip
    return found


def row_count(db: Session) -> int:
    db.flush()
    return sum(
        db.connection().execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    )


@pytest.fixture
def ticket(db) -> Ticket:
    return guest_ticket(db)


@pytest.fixture
def secret(ticket) -> str:
    return guest_links.link_secret(ticket)


@pytest.fixture
def codes(monkeypatch):
    """Known codes, handed out in order, so tests never depend on a random collision."""
    issued = iter(["111111", "222222", "333333", "444444", "555555", "666666"])
    monkeypatch.setattr(code_service, "new_code", lambda: next(issued))


def send(db: Session, secret: str, clock=None, ip: str | None = None) -> str:
    guest.send_link_code(db, secret=secret, ip=ip)
    code = code_sent(db)
    if clock is not None:
        clock.advance(seconds=code_service.RESEND_COOLDOWN.total_seconds() + 1)
    return code


def rejection(db: Session, secret: str, code: str) -> CodeRejected:
    with pytest.raises(CodeRejected) as refused:
        guest.verify_link_code(db, secret=secret, code=code, ip=None)
    return refused.value


# G1: the link


def test_ten_thousand_links_are_all_distinct():
    links = {
        guest_links.link_secret(
            Ticket(id=n, number=10_000_000 + n, subject="s", category="other",
                   guest_email="same@example.net", guest_link_nonce=guest_links.new_nonce())
        )
        for n in range(10_000)
    }  # fmt: skip
    assert len(links) == 10_000


def test_the_same_ticket_gets_a_new_unrelated_link_with_each_nonce():
    def link() -> str:
        return guest_links.link_secret(
            Ticket(id=1, number=12345678, subject="s", category="other",
                   guest_email=GUS, guest_link_nonce=guest_links.new_nonce())
        )  # fmt: skip

    assert len({link() for _ in range(10_000)}) == 10_000


def test_the_link_carries_at_least_128_bits_of_secret(secret, ticket):
    number, _, mac = secret.partition("-")
    assert number == str(ticket.number)
    assert len(mac) * 6 >= 256  # an HMAC-SHA256 in URL-safe base64
    assert len(ticket.guest_link_nonce) * 4 >= 128


def test_the_link_opens_its_ticket(db, ticket, secret):
    assert guest.resolve_link(db, secret=secret).id == ticket.id
    assert guest_links.link_for(ticket) == f"http://portal.test/t/{secret}"


def test_a_link_is_bound_to_its_ticket_and_email(db, ticket, secret):
    other = guest_ticket(db, email="other@example.net")
    mac = secret.partition("-")[2]
    assert guest_links.matches(ticket, mac)
    assert not guest_links.matches(other, mac)
    ticket.guest_email = "attacker@evil.test"
    assert not guest_links.matches(ticket, mac)


def test_a_tampered_mac_is_rejected(db, secret):
    number, _, mac = secret.partition("-")
    flipped = ("A" if mac[5] != "A" else "B").join((mac[:5], mac[6:]))
    for tampered in (f"{number}-{flipped}", f"{number}-{mac[:-1]}", f"{number}-{mac}x"):
        with pytest.raises(InvalidLink):
            guest.resolve_link(db, secret=tampered)


def test_another_tickets_number_with_this_mac_is_rejected(db, secret):
    other = guest_ticket(db, email=GUS)
    mac = secret.partition("-")[2]
    with pytest.raises(InvalidLink):
        guest.resolve_link(db, secret=f"{other.number}-{mac}")


@pytest.mark.parametrize(
    "secret",
    ["", "-", "12345678", "12345678-", "abc-" + "x" * 43, "1" * 13 + "-" + "x" * 43,
     "12345678-short", "12345678-" + "x" * 65, "99999999-" + "x" * 43],
)  # fmt: skip
def test_malformed_or_unknown_links_are_rejected_alike(db, ticket, secret):
    with pytest.raises(InvalidLink):
        guest.resolve_link(db, secret=secret)


def test_rotating_the_nonce_revokes_every_earlier_link(db, ticket, secret):
    guest.rotate_link(db, ticket=ticket)
    with pytest.raises(InvalidLink):
        guest.resolve_link(db, secret=secret)
    assert guest.resolve_link(db, secret=guest_links.link_secret(ticket)).id == ticket.id


def test_the_database_never_holds_the_link_secret(db, ticket, secret):
    guest.send_link_code(db, secret=secret, ip="192.0.2.1")
    guest.request_links(db, email=GUS, ip="192.0.2.1")
    dump = database_text(db)
    assert db.exec(select(func.count()).select_from(OutboxEmail)).one() == 2
    assert secret.partition("-")[2] not in dump
    assert guest_links.link_for(ticket) not in dump


def test_the_link_alone_reveals_only_the_number_and_a_masked_email(db, ticket, secret):
    info = guest.link_info(db, secret=secret)
    assert (info.number, info.masked_email) == (ticket.number, "g***@example.net")
    shown = " ".join(str(v) for v in vars(info).values())
    for private in ("Card blocked", "Lisbon", "Gus Guest", GUS):
        assert private not in shown


# G2: opening the link changes nothing


def test_opening_the_link_five_times_writes_nothing_and_sends_nothing(db, ticket, secret):
    before = row_count(db)
    for _ in range(5):
        guest.link_info(db, secret=secret)
    assert row_count(db) == before
    assert db.exec(select(func.count()).select_from(GuestChallenge)).one() == 0


# G3: the code


def test_codes_are_six_digits_with_leading_zeros_kept():
    samples = [code_service.new_code() for _ in range(2000)]
    assert all(len(code) == 6 and code.isdigit() for code in samples)
    assert any(code.startswith("0") for code in samples)
    assert len(set(samples)) > 1900


def test_codes_come_from_the_secrets_module(monkeypatch):
    asked = []
    monkeypatch.setattr(code_service.secrets, "randbelow", lambda n: asked.append(n) or 42)
    assert code_service.new_code() == "000042"
    assert asked == [1_000_000]


def test_the_code_is_stored_only_as_a_keyed_hash(db, ticket, secret):
    guest.send_link_code(db, secret=secret, ip=None)
    code = code_sent(db)
    challenge = db.exec(select(GuestChallenge)).one()
    assert len(challenge.code_hash) == 64
    assert code not in challenge.code_hash
    assert not any(code in value for value in string_values(db))


def test_sending_a_code_reports_where_and_until_when(db, ticket, secret):
    sent = guest.send_link_code(db, secret=secret, ip=None)
    assert (sent.email, sent.number) == (GUS, ticket.number)
    assert sent.expires_at - sent.resend_at == code_service.CODE_TTL - code_service.RESEND_COOLDOWN


# G4: expiry


def test_the_right_code_after_ten_minutes_and_one_second_is_expired(db, secret, clock):
    code = send(db, secret)
    clock.advance(minutes=10, seconds=1)
    refused = rejection(db, secret, code)
    assert refused.reason == "expired"
    assert str(refused) == "This code has expired. Request a new code."


def test_the_right_code_just_before_ten_minutes_still_works(db, ticket, secret, clock):
    code = send(db, secret)
    clock.advance(minutes=9, seconds=59)
    assert guest.verify_link_code(db, secret=secret, code=code, ip=None) == (GUS, ticket.number)


def test_a_code_typed_with_spaces_is_accepted(db, ticket, secret):
    code = send(db, secret)
    spaced = f" {code[:3]} {code[3:]} "
    assert guest.verify_link_code(db, secret=secret, code=spaced, ip=None)[1] == ticket.number


# G5: single use, newest only, never across tickets


def test_a_code_works_only_once(db, secret):
    code = send(db, secret)
    guest.verify_link_code(db, secret=secret, code=code, ip=None)
    db.commit()
    assert rejection(db, secret, code).reason == "used"


def test_a_code_replayed_from_a_second_browser_is_rejected(db, engine, secret):
    code = send(db, secret)
    guest.verify_link_code(db, secret=secret, code=code, ip=None)
    db.commit()
    with Session(engine) as second_browser:
        assert rejection(second_browser, secret, code).reason == "used"


def test_a_new_code_voids_the_previous_one(db, secret, clock, codes):
    first = send(db, secret, clock)
    second = send(db, secret, clock)
    assert rejection(db, secret, first).reason == "wrong"
    guest.verify_link_code(db, secret=secret, code=second, ip=None)
    voided = db.exec(select(GuestChallenge).order_by(GuestChallenge.id)).first()
    assert voided.voided_at is not None


def test_a_code_for_one_ticket_fails_on_another(db, ticket, secret, codes):
    other_secret = guest_links.link_secret(guest_ticket(db, email=GUS))
    code_for_x = send(db, secret)
    send(db, other_secret)
    assert rejection(db, other_secret, code_for_x).reason == "wrong"


def test_verifying_before_any_code_was_sent_asks_for_one(db, secret):
    assert rejection(db, secret, "123456").reason == "missing"


# G6: attempts and sending caps


def test_five_wrong_codes_burn_the_code_so_the_right_one_then_fails(db, secret, codes):
    code = send(db, secret)
    left = [rejection(db, secret, "999999").attempts_left for _ in range(4)]
    assert left == [4, 3, 2, 1]
    fifth = rejection(db, secret, "999999")
    assert (fifth.reason, fifth.attempts_left) == ("burned", 0)
    refused = rejection(db, secret, code)
    assert refused.reason == "burned"
    assert str(refused) == "Too many wrong attempts. Request a new code."


@pytest.mark.parametrize("garbage", ["", "12345", "1234567", "abcdef", "12345a"])
def test_malformed_codes_count_as_wrong_attempts(db, secret, garbage, codes):
    send(db, secret)
    assert rejection(db, secret, garbage).reason == "wrong"
    assert db.exec(select(GuestChallenge.attempts)).one() == 1


def test_a_fresh_code_after_burning_works(db, ticket, secret, clock, codes):
    send(db, secret, clock)
    for _ in range(code_service.MAX_ATTEMPTS):
        rejection(db, secret, "999999")
    code = send(db, secret, clock)
    assert guest.verify_link_code(db, secret=secret, code=code, ip=None)[1] == ticket.number


def test_a_second_send_within_a_minute_is_refused_with_the_wait(db, secret):
    send(db, secret)
    with pytest.raises(RateLimited) as limited:
        send(db, secret)
    assert 55 <= limited.value.retry_after <= 61


def test_the_fourth_send_within_fifteen_minutes_is_refused_with_the_wait(db, secret, clock):
    for _ in range(3):
        send(db, secret, clock)
    with pytest.raises(RateLimited) as limited:
        send(db, secret)
    assert 0 < limited.value.retry_after <= 15 * 60
    assert db.exec(select(func.count()).select_from(GuestChallenge)).one() == 3


def test_sends_are_capped_at_ten_a_day_per_ticket(db, secret, clock):
    for n in range(10):
        send(db, secret, clock)
        if n % 3 == 2:
            clock.advance(minutes=15)
    with pytest.raises(RateLimited):
        send(db, secret)
    clock.advance(hours=24)
    send(db, secret)


def test_sends_from_one_ip_are_capped_across_tickets(db, clock):
    secrets_ = [guest_links.link_secret(guest_ticket(db, email=f"g{n}@example.net"))
                for n in range(4)]  # fmt: skip
    for link in secrets_[:3]:
        for _ in range(3):
            send(db, link, clock, ip="203.0.113.5")
    with pytest.raises(RateLimited):
        send(db, secrets_[3], ip="203.0.113.5")
    send(db, secrets_[3], ip="198.51.100.7")


# G7: the attempt counter cannot be raced


def test_fifty_concurrent_wrong_codes_never_spend_more_than_five_attempts(tmp_path):
    engine = db_module.make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    SQLModel.metadata.create_all(engine)
    try:
        with Session(engine) as setup:
            ticket = guest_ticket(setup)
            secret = guest_links.link_secret(ticket)
            guest.send_link_code(setup, secret=secret, ip=None)
            code = code_sent(setup)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        start = threading.Barrier(50)

        def guess(_: int) -> str:
            with Session(engine) as browser:
                start.wait()
                try:
                    guest.verify_link_code(browser, secret=secret, code=wrong, ip=None)
                except CodeRejected as refused:
                    return refused.reason
                return "accepted"

        with ThreadPoolExecutor(max_workers=50) as pool:
            reasons = list(pool.map(guess, range(50)))

        assert set(reasons) <= {"wrong", "burned"}  # never accepted, never an error
        # A guess that spent an early attempt may still report "burned": by the time it
        # re-reads the counter, the other guesses have used up the rest.
        assert reasons.count("wrong") <= code_service.MAX_ATTEMPTS - 1
        with Session(engine) as after:
            assert after.exec(select(GuestChallenge.attempts)).one() == code_service.MAX_ATTEMPTS
            assert rejection(after, secret, code).reason == "burned"
    finally:
        engine.dispose()


# G8: no address enumeration


def test_asking_for_lost_links_looks_the_same_for_known_and_unknown_emails(db, ticket):
    assert guest.request_links(db, email=GUS, ip="192.0.2.1") is None
    assert guest.request_links(db, email="nobody@example.net", ip="192.0.2.1") is None
    sent = db.exec(select(OutboxEmail).where(OutboxEmail.template == "guest_links")).all()
    assert [(e.to_email, e.params) for e in sent] == [
        (GUS, {"ticket_ids": [ticket.id], "guest": True})
    ]


def test_lost_link_requests_take_similar_time_for_known_and_unknown_emails(db, ticket, monkeypatch):
    """G8: 100 runs each; the medians differ by less than 50 ms."""
    import statistics
    import time

    monkeypatch.setattr(guest, "LOST_LINK_LIMIT", (10_000, guest.LOST_LINK_LIMIT[1]))

    def timed(email: str) -> float:
        start = time.perf_counter()
        assert guest.request_links(db, email=email, ip=None) is None
        return time.perf_counter() - start

    known, unknown = [], []
    for _ in range(100):
        known.append(timed(GUS))
        unknown.append(timed("nobody@example.net"))
    db.rollback()
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.050


def test_lost_link_requests_are_capped_alike_for_known_and_unknown_emails(db, ticket):
    for email in (GUS, "nobody@example.net"):
        for _ in range(3):
            guest.request_links(db, email=email, ip=None)
        with pytest.raises(RateLimited):
            guest.request_links(db, email=email, ip=None)


def test_lost_links_for_an_account_owned_ticket_are_not_sent(db, alice):
    tickets.create_ticket(
        db, viewer=alice, subject="Mine", category="other", description="x", guest_email=GUS
    )
    guest.request_links(db, email="alice@example.com", ip=None)
    assert db.exec(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.template == "guest_links")).one() == 0  # fmt: skip


# G9: what a verified guest may see


def test_a_verified_guest_sees_tickets_of_their_email_only(db, ticket):
    stranger = guest_ticket(db, email="stranger@example.net")
    gus = guest_viewer(db, GUS)
    assert conversation.detail(db, viewer=gus, number=ticket.number).subject == "Card blocked"
    with pytest.raises(NotFound):
        conversation.detail(db, viewer=gus, number=stranger.number)
    assert [t.number for t in ticket_lists.list_tickets(db, viewer=gus).items] == [ticket.number]


def test_a_guest_session_for_the_links_email_opens_the_ticket_without_a_code(db, secret):
    assert guest.link_info(db, secret=secret, viewer=guest_viewer(db, GUS)).viewer_has_access


def test_no_session_or_another_emails_session_must_still_verify(db, secret):
    assert not guest.link_info(db, secret=secret).viewer_has_access
    other = guest_viewer(db, "stranger@example.net")
    assert not guest.link_info(db, secret=secret, viewer=other).viewer_has_access


def test_the_right_code_signs_in_a_fresh_guest_session_that_opens_the_ticket(db, ticket, secret):
    earlier = guest_viewer(db, GUS)
    code = send(db, secret)
    login = guest.sign_in_with_code(db, secret=secret, code=code, ip=None)
    session_token, _, next_path = sessions.exchange_login_ticket(db, token=login)
    viewer = sessions.viewer_for_token(db, session_token=session_token)
    assert next_path == f"/tickets/{ticket.number}"
    assert (viewer.kind.value, viewer.email) == ("guest", GUS)
    assert viewer.session_id != earlier.session_id
    assert conversation.detail(db, viewer=viewer, number=ticket.number).number == ticket.number


def test_a_refused_code_hands_out_no_login_ticket(db, secret, codes):
    send(db, secret)
    with pytest.raises(CodeRejected):
        guest.sign_in_with_code(db, secret=secret, code="999999", ip=None)
    assert db.exec(select(func.count()).select_from(LoginTicket)).one() == 0


def test_a_guest_reply_is_signed_with_the_guest_name_and_no_account(db, ticket):
    reply = tickets.add_customer_reply(
        db, viewer=guest_viewer(db, GUS), number=ticket.number, body="Any news?"
    )
    assert (reply.author_kind, reply.author_name) == ("customer", "Gus Guest")


# Accounts: the same code verifies an email and claims its guest tickets


def test_verifying_an_account_email_claims_that_emails_guest_tickets(db, ticket):
    guest_ticket(db, email="someone-else@example.net")
    user = auth.create_user(db, name="Gus", email=GUS, password="correct horse battery")
    viewer = sessions.viewer_for_token(db, session_token=session_token_for(db, user_id=user.id))
    sent = guest.send_account_code(db, viewer=viewer, ip=None)
    assert sent.number is None
    code = code_sent(db)
    assert guest.verify_account_code(db, viewer=viewer, code=code, ip=None) == 1
    assert db.get(User, user.id).email_verified
    assert [t.number for t in ticket_lists.list_tickets(db, viewer=viewer).items] == [ticket.number]
    assert guest.verify_account_code(db, viewer=viewer, code=code, ip=None) == 0


def test_a_wrong_account_code_claims_nothing(db, ticket, codes):
    user = auth.create_user(db, name="Gus", email=GUS, password="correct horse battery")
    viewer = guest_viewer(db, GUS)  # a guest session is not an account
    with pytest.raises(NotAuthenticated):
        guest.send_account_code(db, viewer=viewer, ip=None)
    account = sessions.viewer_for_token(db, session_token=session_token_for(db, user_id=user.id))
    guest.send_account_code(db, viewer=account, ip=None)
    with pytest.raises(CodeRejected):
        guest.verify_account_code(db, viewer=account, code="999999", ip=None)
    assert db.get(Ticket, ticket.id).requester_id is None
    assert not db.get(User, user.id).email_verified


def test_a_link_code_cannot_verify_an_account(db, secret, codes):
    user = auth.create_user(db, name="Gus", email=GUS, password="correct horse battery")
    account = sessions.viewer_for_token(db, session_token=session_token_for(db, user_id=user.id))
    link_code = send(db, secret)
    with pytest.raises(CodeRejected):
        guest.verify_account_code(db, viewer=account, code=link_code, ip=None)


def test_the_masked_email_keeps_only_the_first_letter_and_the_domain():
    assert guest.mask_email("alice@example.com") == "a***@example.com"


# Guest submissions


def test_guest_submissions_are_capped_per_email_and_per_ip(db):
    for _ in range(5):
        guest.check_submission_caps(db, email=GUS, ip=None)
    with pytest.raises(RateLimited):
        guest.check_submission_caps(db, email=GUS, ip=None)
    for n in range(10):
        guest.check_submission_caps(db, email=f"g{n}@example.net", ip="203.0.113.5")
    with pytest.raises(RateLimited):
        guest.check_submission_caps(db, email="fresh@example.net", ip="203.0.113.5")


@pytest.mark.parametrize(
    ("name", "email", "field"),
    [("", GUS, "name"), ("Gus", "not-an-email", "email"), ("Gus", "", "email")],
)
def test_a_guest_ticket_needs_a_name_and_a_valid_email(db, name, email, field):
    with pytest.raises(InvalidInput) as refused:
        tickets.create_ticket(
            db, viewer=None, subject="Help", category="other", description="x",
            guest_name=name, guest_email=email,
        )  # fmt: skip
    assert refused.value.field == field


def test_a_guest_ticket_gets_its_own_random_link_nonce(db):
    first, second = guest_ticket(db), guest_ticket(db)
    assert first.guest_link_nonce != second.guest_link_nonce
    assert first.requester_id is None and first.guest_email == GUS


# The code leaves the service only through the mailer, after commit (architecture, G3)


def test_the_code_leaves_the_service_only_through_the_mailer(db, secret, mails):
    sent = guest.send_link_code(db, secret=secret, ip=None, locale="cs")
    assert mails.sent == []  # nothing goes out before the transaction commits
    db.commit()
    [mail] = mails.sent
    assert (mail.kind, mail.to_email, mail.locale) == ("code", GUS, "cs")
    assert mail.code not in repr(sent)


def test_with_the_mail_server_down_send_code_says_so(engine, secret, mails):
    from support_portal.db import session_scope
    from support_portal.services.errors import EmailNotSent

    mails.fail = True
    with pytest.raises(EmailNotSent), session_scope(engine) as db:
        guest.send_link_code(db, secret=secret, ip=None)
