"""The development mailbox (/dev/mailbox): what the built-in mail catcher received.

Plain file reads, no transaction: callers run them in a worker thread.
"""

from __future__ import annotations

from support_portal.mail.catcher import CaughtMail, clear, list_mail, mailbox_dir, read_mail

__all__ = ["CaughtMail", "clear", "list_mail", "read_mail", "signature"]


def signature() -> str:
    """Cheap change check: the names of the caught files (no parsing)."""
    return "|".join(sorted(p.name for p in mailbox_dir().glob("*.eml")))
