"""Fakes the services are wired to in tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Sent:
    kind: str  # "code", "account_exists", "reset_code" or "no_account"
    to_email: str
    code: str | None = None
    number: int | None = None
    locale: str = "en"


@dataclass
class FakeMailer:
    """Keeps what the services asked to send at once (codes, notices)."""

    sent: list[Sent] = field(default_factory=list)
    fail: bool = False

    def code(
        self, *, to_email: str, to_name: str | None, code: str, number: int | None, locale: str
    ) -> None:
        self._send(Sent("code", to_email, code=code, number=number, locale=locale))

    def account_exists(self, *, to_email: str, locale: str) -> None:
        self._send(Sent("account_exists", to_email, locale=locale))

    def reset_code(self, *, to_email: str, code: str, locale: str) -> None:
        self._send(Sent("reset_code", to_email, code=code, locale=locale))

    def no_account(self, *, to_email: str, locale: str) -> None:
        self._send(Sent("no_account", to_email, locale=locale))

    def _send(self, sent: Sent) -> None:
        from support_portal.services.mailer import MailerError

        if self.fail:
            raise MailerError("the mail server is down")
        self.sent.append(sent)

    def last_code(self, to_email: str | None = None) -> str:
        codes = [
            s.code
            for s in self.sent
            if s.kind in ("code", "reset_code") and to_email in (None, s.to_email)
        ]
        assert codes, f"no code was sent to {to_email}"
        return codes[-1]  # type: ignore[return-value]


def code_sent(db) -> str:
    """Commit (the mailer sends after commit) and return the last code the services sent."""
    from support_portal.services import mailer

    db.commit()
    return mailer.installed().last_code()
