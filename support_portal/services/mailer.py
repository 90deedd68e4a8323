"""Emails that go to the mail server at once rather than through the outbox: verification codes
(G3: the database never holds a code in plaintext) and the "you already have an account" notice
a registration sends instead of a code (X4).

The service that makes a code hands it to the mailer once its transaction has committed, so the
code never leaves the service layer. The entry module installs the SMTP mailer; tests install a
fake one that keeps what it was given.
"""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session

from support_portal.db import after_commit
from support_portal.services.errors import EmailNotSent


class Mailer(Protocol):
    """Sends at once; raises `MailerError` when the mail server does not take the email."""

    def code(
        self, *, to_email: str, to_name: str | None, code: str, number: int | None, locale: str
    ) -> None: ...

    def account_exists(self, *, to_email: str, locale: str) -> None: ...

    def reset_code(self, *, to_email: str, code: str, locale: str) -> None: ...

    def no_account(self, *, to_email: str, locale: str) -> None: ...


class MailerError(Exception):
    """The mail server refused the email or could not be reached."""


_installed: Mailer | None = None


def install(mailer: Mailer | None) -> None:
    global _installed
    _installed = mailer


def installed() -> Mailer:
    if _installed is None:
        raise RuntimeError("no mailer installed: the app's entry module installs one")
    return _installed


def send_code(
    db: Session, *, to_email: str, code: str, number: int | None, locale: str | None
) -> None:
    """Email `code` once the transaction of `db` commits. No name goes out: the address is not
    verified yet, so the email holds only the fixed template, the number and the code."""
    _after_commit(
        db,
        lambda: installed().code(
            to_email=to_email, to_name=None, code=code, number=number, locale=locale or "en"
        ),
    )


def send_account_exists(db: Session, *, to_email: str, locale: str | None) -> None:
    _after_commit(db, lambda: installed().account_exists(to_email=to_email, locale=locale or "en"))


def send_reset_code(db: Session, *, to_email: str, code: str, locale: str | None) -> None:
    """A password reset code (services.password_reset), once the transaction commits."""
    _after_commit(
        db, lambda: installed().reset_code(to_email=to_email, code=code, locale=locale or "en")
    )


def send_no_account(db: Session, *, to_email: str, locale: str | None) -> None:
    """Sent instead of a reset code to an address without an account (P2, X4)."""
    _after_commit(db, lambda: installed().no_account(to_email=to_email, locale=locale or "en"))


def _after_commit(db: Session, send) -> None:
    def run() -> None:
        try:
            send()
        except MailerError as exc:
            raise EmailNotSent() from exc

    after_commit(db, run)
