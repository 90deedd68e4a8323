"""One reusable SMTP connection (aiosmtplib) and the classification of its failures."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
from aiosmtplib import errors

from support_portal.settings import Settings, get_settings


class TransientError(Exception):
    """Worth retrying later: 4xx replies, refused or dropped connections, timeouts."""


class PermanentError(Exception):
    """Will not work by retrying: 5xx replies."""


def smtp_target(settings: Settings) -> tuple[str, int]:
    if settings.smtp_host:
        return settings.smtp_host, settings.smtp_port
    return "127.0.0.1", settings.mail_catcher_port


class Mailer:
    """Keeps one connection open across sends and reconnects when it drops."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._client: aiosmtplib.SMTP | None = None
        self.connections_opened = 0

    async def _connect(self) -> aiosmtplib.SMTP:
        host, port = smtp_target(self.settings)
        security = self.settings.smtp_security if self.settings.smtp_host else "none"
        client = aiosmtplib.SMTP(
            hostname=host,
            port=port,
            timeout=self.settings.smtp_timeout,
            use_tls=security == "tls",
            start_tls=security == "starttls",
            username=self.settings.smtp_username or None,
            password=self.settings.smtp_password or None,
        )
        await client.connect()
        self.connections_opened += 1
        return client

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    async def send(self, message: EmailMessage) -> None:
        reused = self.connected
        try:
            await self._send(message)
        except TransientError:
            if not reused or self.connected:
                raise
            await self._send(message)  # the server dropped an idle connection: one fresh try

    async def _send(self, message: EmailMessage) -> None:
        try:
            if not self.connected:
                self._client = await self._connect()
            await self._client.send_message(message)  # type: ignore[union-attr]
        except errors.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise _classify(min(codes) if codes else 550, str(exc)) from exc
        except errors.SMTPResponseException as exc:
            if isinstance(exc, errors.SMTPServerDisconnected):
                await self.close()
                raise TransientError(str(exc)) from exc
            raise _classify(exc.code, exc.message) from exc
        except (TimeoutError, errors.SMTPException, OSError) as exc:
            await self.close()
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (TimeoutError, errors.SMTPException, OSError):
                client.close()

    async def __aenter__(self) -> Mailer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _classify(code: int, text: str) -> Exception:
    if 400 <= code < 500 or code < 0:
        return TransientError(f"{code} {text}")
    return PermanentError(f"{code} {text}")


async def send_now(message: EmailMessage, settings: Settings | None = None) -> None:
    """Send one message on its own connection (verification codes, which never hit the DB)."""
    async with Mailer(settings) as mailer:
        await mailer.send(message)
