"""The development mailbox (/dev/mailbox): what the built-in mail catcher received, read back
from its folder. Plain file reads, no transaction: callers run them in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from support_portal.settings import Settings, get_settings


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


def signature() -> str:
    """Cheap change check: the names of the caught files (no parsing)."""
    return "|".join(sorted(p.name for p in mailbox_dir().glob("*.eml")))
