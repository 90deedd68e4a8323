"""A real SMTP server (aiosmtpd) for tests, collecting every message it receives."""

from __future__ import annotations

import re
import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collector:
    def __init__(self, box: SmtpServer) -> None:
        self.box = box

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.box.lock:
            self.box.connections += 1  # a client greets once per connection
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.box.reply is not None:
            return self.box.reply
        for address in envelope.rcpt_tos:
            if address.lower() in self.box.refuse:
                return self.box.refuse[address.lower()]
        raw = envelope.original_content or envelope.content
        message = BytesParser(policy=policy.default).parsebytes(raw)
        with self.box.lock:
            self.box.raw.append(raw)
            self.box.recipients.append(list(envelope.rcpt_tos))
            self.box.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    """Start with `.start()`; `.reply = "451 try later"` makes it refuse every message,
    `.refuse["bob@example.com"] = "451 try later"` only those to that address."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.recipients: list[list[str]] = []  # the envelope's RCPT TO of each message
        self.lock = threading.Lock()
        self.reply: str | None = None
        self.refuse: dict[str, str] = {}  # recipient address -> the reply to its messages
        self.connections = 0
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.raw.clear()
            self.recipients.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(
        self, address: str, *, count: int = 1, timeout: float = 15.0, subject_contains: str = ""
    ) -> list[EmailMessage]:
        """Poll (the mail arrives from another process) until `count` messages match."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.to(address) if subject_contains in str(m["Subject"])]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                subjects = [str(m["Subject"]) for m in self.messages]
                raise AssertionError(f"no mail for {address} ({subjects})")
            time.sleep(0.05)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text_of(message))


def code_in(message: EmailMessage) -> str:
    match = re.search(r"\b(\d{6})\b", text_of(message))
    assert match, "no 6-digit code in the email"
    return match.group(1)
