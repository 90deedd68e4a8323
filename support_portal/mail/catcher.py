"""The built-in mail catcher for development: a real SMTP server (aiosmtpd) on loopback.

Every message it receives is written as an `.eml` file under MAILBOX_DIR and shown at
/dev/mailbox. It never runs when SMTP_HOST is set or APP_ENV=prod.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller

from support_portal.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaughtMail:
    name: str
    subject: str
    to: str
    sender: str
    received_at: datetime
    text: str
    html: str
    headers: list[tuple[str, str]]


def mailbox_dir(settings: Settings | None = None) -> Path:
    path = Path((settings or get_settings()).mailbox_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


class _Handler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server, session, envelope) -> str:
        name = f"{time.time_ns()}-{secrets.token_hex(4)}.eml"
        tmp = self.directory / (name + ".tmp")
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(self.directory / name)
        return "250 Message accepted for delivery"


class MailCatcher:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.controller: Controller | None = None

    def start(self) -> bool:
        if not self.settings.mail_catcher_enabled:
            return False
        handler = _Handler(mailbox_dir(self.settings))
        controller = Controller(handler, hostname="127.0.0.1", port=self.settings.mail_catcher_port)
        try:
            controller.start()
        except (OSError, RuntimeError) as exc:  # another worker already runs it
            log.info("mail catcher not started here: %s", exc)
            return False
        self.controller = controller
        log.info("mail catcher listening on 127.0.0.1:%s", self.settings.mail_catcher_port)
        return True

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _parse(path: Path) -> CaughtMail:
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(path.read_bytes())  # type: ignore[assignment]
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    return CaughtMail(
        name=path.name,
        subject=str(msg.get("Subject", "")),
        to=str(msg.get("To", "")),
        sender=str(msg.get("From", "")),
        received_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
        headers=[(k, str(v)) for k, v in msg.items()],
    )


def list_mail(limit: int = 100, settings: Settings | None = None) -> list[CaughtMail]:
    files = sorted(mailbox_dir(settings).glob("*.eml"), reverse=True)[:limit]
    return [_parse(path) for path in files]


def read_mail(name: str, settings: Settings | None = None) -> CaughtMail | None:
    if not name.endswith(".eml") or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = mailbox_dir(settings) / name
    return _parse(path) if path.is_file() else None


def clear(settings: Settings | None = None) -> None:
    for path in mailbox_dir(settings).glob("*.eml"):
        path.unlink(missing_ok=True)
