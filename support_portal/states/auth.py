"""Log in, register and verify an account's email."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from support_portal import routes
from support_portal.mail.codes import send_code_email
from support_portal.mail.smtp import PermanentError, TransientError
from support_portal.services import auth, guest
from support_portal.services.errors import DomainError, EmailTaken, InvalidInput
from support_portal.states.base import SessionState, call, go


def _landing(role: str | None) -> str:
    return routes.ADMIN if role in ("agent", "admin") else routes.MY_TICKETS


class LoginState(SessionState):
    error: str = ""
    notice: str = ""
    submitting: bool = False

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        self.error = ""
        params = self.router.url.query_parameters
        self.notice = (
            self._t("Your sign-in expired. Please log in again.") if params.get("expired") else ""
        )
        if viewer is not None and not viewer.is_guest:
            return rx.redirect(self._next(viewer.role.value if viewer.role else None))

    def _next(self, role: str | None) -> str:
        requested = self.router.url.query_parameters.get("next")
        return auth.safe_next_path(requested, _landing(role))

    @rx.event
    async def login(self, form: dict):
        if self.submitting:
            return
        self.submitting = True
        self.error = ""
        yield
        email = str(form.get("email", ""))
        # Failures from many addresses slow this account down without ever locking it (X9).
        await asyncio.sleep(await call(auth.login_delay, email=email))
        try:
            user = await call(
                auth.authenticate,
                email=email,
                password=str(form.get("password", "")),
                ip=self._client_ip(),
            )
            ticket = await call(
                auth.create_login_ticket, user_id=user.id, next_path=self._next(user.role)
            )
        except DomainError as exc:
            self.error = self._error_text(exc)
            self.submitting = False
            return
        self.submitting = False
        yield go(f"{routes.AUTH_SESSION}?ticket={quote(ticket)}")


class RegisterState(SessionState):
    error: str = ""
    email_taken: bool = False  # the error offers a link to log in
    field_errors: dict[str, str] = {}
    submitting: bool = False

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        self.error = ""
        self.field_errors = {}
        if viewer is not None and not viewer.is_guest:
            return rx.redirect(routes.MY_TICKETS)

    @rx.event
    async def register(self, form: dict):
        if self.submitting:
            return
        self.submitting = True
        self.error = ""
        self.email_taken = False
        self.field_errors = {}
        yield
        try:
            user = await call(
                auth.create_user,
                name=str(form.get("name", "")),
                email=str(form.get("email", "")),
                password=str(form.get("password", "")),
                locale=self.locale,
            )
            ticket = await call(
                auth.create_login_ticket, user_id=user.id, next_path=routes.VERIFY_EMAIL
            )
        except InvalidInput as exc:
            if exc.field:
                self.field_errors = {exc.field: self._error_text(exc)}
            else:
                self.error = self._error_text(exc)
            self.submitting = False
            return
        except DomainError as exc:
            self.error = self._error_text(exc)
            self.email_taken = isinstance(exc, EmailTaken)
            self.submitting = False
            return
        self.submitting = False
        yield go(f"{routes.AUTH_SESSION}?ticket={quote(ticket)}")


class VerifyEmailState(SessionState):
    """Email verification for accounts: the same code step guests use (issue 5)."""

    error: str = ""
    notice: str = ""
    sending: bool = False
    verifying: bool = False
    code_sent: bool = False
    claimed: int = -1

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        self.error = self.notice = ""
        self.claimed = -1
        if viewer is None or viewer.is_guest:
            return self._login_redirect()

    @rx.event
    async def send_code(self):
        if self.sending:
            return
        self.sending = True
        self.error = ""
        yield
        viewer = await self._viewer()
        try:
            sent = await call(guest.send_account_code, viewer=viewer, ip=self._client_ip())
            await send_code_email(
                to_email=sent.email,
                to_name=None,  # not verified yet: nothing typed at registration goes out
                code=sent.code,
                number=None,
                locale=self.locale,
            )
            self.code_sent = True
            self.notice = self._t("We sent a 6-digit code to {email}.", email=sent.email)
        except DomainError as exc:
            self.error = self._error_text(exc)
        except (TransientError, PermanentError):
            self.error = self._t("We could not send the email right now. Try again in a minute.")
        self.sending = False

    @rx.event
    async def verify(self, form: dict):
        if self.verifying:
            return
        self.verifying = True
        self.error = ""
        yield
        viewer = await self._viewer()
        try:
            code = guest.clean_code_input(str(form.get("code", "")))
            self.claimed = await call(
                guest.verify_account_code, viewer=viewer, code=code, ip=self._client_ip()
            )
            self.email_verified = True
            self.notice = self._t("Your email address is verified.")
        except DomainError as exc:
            self.error = self._error_text(exc)
        self.verifying = False
