"""Verification codes go straight to the mail server, never through the outbox (G3)."""

from __future__ import annotations

import asyncio
from email.utils import make_msgid

from support_portal.mail import account_render, render
from support_portal.mail.smtp import PermanentError, TransientError, send_now
from support_portal.services.mailer import MailerError
from support_portal.services.outbox import mail_domain


async def send_code_email(
    *, to_email: str, to_name: str | None, code: str, number: int | None, locale: str
) -> None:
    """Raises mail.smtp.TransientError / PermanentError when the server does not take it."""
    rendered = render.code_email(locale=locale, code=code, number=number, name=to_name)
    message = render.build_message(
        rendered, to_email=to_email, to_name=to_name, message_id=make_msgid(domain=mail_domain())
    )
    await send_now(message)


async def send_account_exists_email(*, to_email: str, locale: str) -> None:
    """Someone tried to create an account with an address that has one (X4): sent instead of
    a code, so the page can answer the same for known and unknown addresses."""
    rendered = render.account_exists_email(locale=locale)
    message = render.build_message(
        rendered, to_email=to_email, to_name=None, message_id=make_msgid(domain=mail_domain())
    )
    await send_now(message)


async def send_account_email(rendered: render.Rendered, *, to_email: str) -> None:
    """A reset code, or the answer to a reset for an address without an account."""
    message = render.build_message(
        rendered, to_email=to_email, to_name=None, message_id=make_msgid(domain=mail_domain())
    )
    await send_now(message)


class SmtpMailer:
    """The mailer the app installs (services.mailer): sends each email now, over SMTP, from
    the worker thread that committed the transaction (its own event loop)."""

    def code(
        self, *, to_email: str, to_name: str | None, code: str, number: int | None, locale: str
    ) -> None:
        self._run(
            send_code_email(
                to_email=to_email, to_name=to_name, code=code, number=number, locale=locale
            )
        )

    def account_exists(self, *, to_email: str, locale: str) -> None:
        self._run(send_account_exists_email(to_email=to_email, locale=locale))

    def reset_code(self, *, to_email: str, code: str, locale: str) -> None:
        rendered = account_render.reset_code_email(locale=locale, code=code)
        self._run(send_account_email(rendered, to_email=to_email))

    def no_account(self, *, to_email: str, locale: str) -> None:
        rendered = account_render.no_account_email(locale=locale)
        self._run(send_account_email(rendered, to_email=to_email))

    @staticmethod
    def _run(coroutine) -> None:
        try:
            asyncio.run(coroutine)
        except (TransientError, PermanentError) as exc:
            raise MailerError(str(exc)) from exc
