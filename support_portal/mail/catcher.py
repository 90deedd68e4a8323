"""The built-in mail catcher for development: a real SMTP server (aiosmtpd) on loopback.

Every message it receives is written as an `.eml` file under MAILBOX_DIR and shown at
/dev/mailbox. It never runs when SMTP_HOST is set or APP_ENV=prod.
"""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from support_portal.services.caught_mail import (
    CaughtMail,
    clear,
    list_mail,
    mailbox_dir,
    read_mail,
)
from support_portal.settings import Settings, get_settings

__all__ = ["CaughtMail", "MailCatcher", "clear", "list_mail", "mailbox_dir", "read_mail"]

log = logging.getLogger(__name__)


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
