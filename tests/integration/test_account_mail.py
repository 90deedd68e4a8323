"""Account emails through a real SMTP server: the reset and email-change codes are read from
the emails, no secret is in any subject, and the notices arrive through the outbox (G3, R4,
X8)."""

from __future__ import annotations

import asyncio

import pytest

from support_portal.db import session_scope
from support_portal.mail.codes import SmtpMailer
from support_portal.mail.sender import OutboxSender
from support_portal.services import auth, mailer, password_reset
from tests.integration.conftest import MAIL_FROM, PUBLIC_URL, use_smtp
from tests.mailbox import code_in, links_in, text_of

pytestmark = pytest.mark.integration
NEW = "a brand new passphrase"


def in_thread(fn, **kwargs):
    """Run a use case as the app does: in a worker thread, which sends the code itself."""

    def run():
        with session_scope() as db:
            return fn(db, **kwargs)

    return asyncio.to_thread(run)


@pytest.fixture
def smtp_mailer(monkeypatch, settings, smtp):
    use_smtp(monkeypatch, settings, smtp)
    mailer.install(SmtpMailer())
    yield smtp
    mailer.install(None)


async def test_the_code_from_the_email_resets_the_password_and_the_notice_follows(
    smtp_mailer, settings, engine, alice
):
    smtp = smtp_mailer
    await in_thread(password_reset.start_reset, email="alice@example.com", locale="en", ip=None)
    [mail] = smtp.to("alice@example.com")
    code = code_in(mail)
    assert mail["From"] == MAIL_FROM
    assert mail["Subject"] == "Your password reset code"
    assert code not in mail["Subject"]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert f"{PUBLIC_URL}/forgot-password" in links_in(mail)

    await in_thread(
        password_reset.complete_reset,
        email="alice@example.com",
        code=code,
        password=NEW,
        ip=None,
        binding="nonce",
    )
    assert await OutboxSender(settings, worker="it-sender").run_once() == 1
    notice = smtp.to("alice@example.com")[-1]
    assert notice["Subject"] == "The password of your support account was changed"
    assert "reset with a code" in text_of(notice)
    assert code not in text_of(notice) and NEW not in text_of(notice)
    with session_scope() as db:
        assert auth.authenticate(db, email="alice@example.com", password=NEW, ip=None)


async def test_an_unknown_address_gets_a_note_in_its_language_and_no_code(
    smtp_mailer, settings, engine
):
    smtp = smtp_mailer
    await in_thread(password_reset.start_reset, email="nobody@example.com", locale="cs", ip=None)
    [mail] = smtp.to("nobody@example.com")
    assert mail["Subject"] == "Žádost o obnovení hesla"
    assert "žádný účet" in text_of(mail)
    with pytest.raises(AssertionError):
        code_in(mail)


async def test_an_email_change_code_comes_to_the_new_address_and_the_old_one_is_told(
    smtp_mailer, settings, engine, alice
):
    from support_portal.services import email_change

    smtp = smtp_mailer
    new = "alice.new@example.org"
    await in_thread(
        email_change.start_change,
        viewer=alice,
        new_email=new,
        password="correct horse battery",
        ip=None,
    )
    [mail] = smtp.to(new)
    code = code_in(mail)
    assert code not in mail["Subject"]
    assert smtp.to("alice@example.com") == []
    await in_thread(email_change.confirm_change, viewer=alice, new_email=new, code=code, ip=None)
    assert await OutboxSender(settings, worker="it-sender").run_once() == 1
    [notice] = smtp.to("alice@example.com")
    assert notice["Subject"] == "The email address of your support account was changed"
    assert "a…@example.org" in text_of(notice) and new not in text_of(notice)


async def test_reset_requests_take_similar_time_for_known_and_unknown_addresses_over_smtp(
    smtp_mailer, settings, engine, alice, monkeypatch
):
    """G8 with the real mail path: each answer includes sending one email over SMTP."""
    import time
    from datetime import timedelta

    from support_portal.services import codes

    monkeypatch.setattr(codes, "RESEND_COOLDOWN", timedelta(0))
    monkeypatch.setattr(codes, "SEND_LIMITS", ((10_000, timedelta(minutes=15)),))

    async def timed(email: str) -> float:
        began = time.perf_counter()
        await in_thread(password_reset.start_reset, email=email, locale="en", ip=None)
        return time.perf_counter() - began

    await timed("nobody@example.com")  # warm up
    known, unknown = [], []
    for _ in range(20):  # interleaved, so a busy machine slows both paths alike
        known.append(await timed("alice@example.com"))
        unknown.append(await timed("nobody@example.com"))
    assert len(smtp_mailer.to("alice@example.com")) == 20
    # The fastest run of each path is its intrinsic cost; medians swing with machine load.
    print(f"fastest known {min(known) * 1000:.1f} ms, unknown {min(unknown) * 1000:.1f} ms")
    assert abs(min(known) - min(unknown)) < 0.050
