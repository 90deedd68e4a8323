"""Domain errors. Each carries a message key the UI translates; details stay server-side."""

from __future__ import annotations

from support_portal.i18n import _


class DomainError(Exception):
    message = _("Something went wrong. Please try again.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        self.message = message or self.message
        self.params = params
        super().__init__(self.message)


class NotFound(DomainError):
    """Missing and forbidden look the same to the caller (A1)."""

    message = _("We could not find that ticket.")


class PermissionDenied(DomainError):
    message = _("You are not allowed to do that.")


class NotAuthenticated(DomainError):
    message = _("Please log in to continue.")


class InvalidInput(DomainError):
    message = _("Please check the highlighted fields.")

    def __init__(self, message: str | None = None, *, field: str | None = None, **params: object):
        super().__init__(message, **params)
        self.field = field


class InvalidCredentials(DomainError):
    message = _("Email or password is incorrect.")


class EmailNotSent(DomainError):
    message = _("We could not send the email right now. Try again in a minute.")


class EmailTaken(DomainError):
    message = _("An account with this email already exists. Log in instead.")


class RateLimited(DomainError):
    message = _("Too many attempts. Please wait {wait} and try again.")

    def __init__(self, message: str | None = None, *, retry_after: int, **params: object):
        super().__init__(message, **params)
        self.retry_after = max(1, int(retry_after))


class InvalidTransition(DomainError):
    message = _("This action is not possible while the ticket is {status}.")


class TicketClosed(DomainError):
    message = _("This ticket is closed. Create a follow-up instead.")
