"""Log in, register and verify an account's email."""

from __future__ import annotations

import asyncio

import reflex as rx

from support_portal import routes
from support_portal.services import auth, codes, guest, registration, sessions
from support_portal.services.errors import DomainError, InvalidInput
from support_portal.states.base import SessionState, call, new_login_nonce, sign_in


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
        return sessions.landing_path(role, self.router.url.query_parameters.get("next"))

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
        nonce = new_login_nonce()
        try:
            ticket = await call(
                sessions.log_in,
                email=email,
                password=str(form.get("password", "")),
                ip=self._client_ip(),
                requested_next=self.router.url.query_parameters.get("next"),
                binding=nonce,
            )
        except DomainError as exc:
            self.error = self._error_text(exc)
            self.submitting = False
            return
        self.submitting = False
        yield sign_in(ticket, nonce)


class RegisterState(SessionState):
    """Create an account: the form, then the emailed code (X4). Both steps read the same for a
    known and an unknown address; only the email differs (it is the address owner's to see)."""

    error: str = ""
    field_errors: dict[str, str] = {}
    submitting: bool = False
    step: str = "form"  # "form", then "code"
    pending_email: str = ""  # what the visitor typed; shown back on the code step
    notice: str = ""
    code_error: str = ""
    verifying: bool = False
    resending: bool = False
    _pending_id: int = 0  # this browser's registration: only it can be completed here

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        self.error = self.notice = self.code_error = ""
        self.field_errors = {}
        self.step = "form"
        self._pending_id = 0
        if viewer is not None and not viewer.is_guest:
            return rx.redirect(routes.MY_TICKETS)

    @rx.event
    async def register(self, form: dict):
        if self.submitting:
            return
        self.submitting = True
        self.error = ""
        self.field_errors = {}
        yield
        try:
            started = await call(
                registration.start_registration,
                name=str(form.get("name", "")),
                email=str(form.get("email", "")),
                password=str(form.get("password", "")),
                locale=self.locale,
                ip=self._client_ip(),
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
            self.submitting = False
            return
        self._pending_id = started.pending_id
        self.pending_email = started.email
        self.notice = self._t(
            "We sent an email to {email}. Enter the 6-digit code from it to create your account.",
            email=started.email,
        )
        self.code_error = ""
        self.step = "code"
        self.submitting = False

    @rx.event
    async def resend(self):
        if self.resending or not self._pending_id:
            return
        self.resending = True
        self.code_error = ""
        yield
        try:
            started = await call(
                registration.resend_code, pending_id=self._pending_id, ip=self._client_ip()
            )
            self.notice = self._t("We sent a new email to {email}.", email=started.email)
        except DomainError as exc:
            self.code_error = self._error_text(exc)
        self.resending = False

    @rx.event
    async def verify(self, form: dict):
        if self.verifying or not self._pending_id:
            return
        self.verifying = True
        self.code_error = ""
        yield
        nonce = new_login_nonce()
        try:
            code = codes.clean_code_input(str(form.get("code", ""))[:32])
            ticket = await call(
                registration.complete_registration,
                pending_id=self._pending_id,
                code=code,
                ip=self._client_ip(),
                binding=nonce,
            )
        except registration.RegistrationExpired as exc:
            self.step = "form"
            self.error = self._error_text(exc)
            self.verifying = False
            return
        except DomainError as exc:
            self.code_error = self._error_text(exc)
            self.verifying = False
            return
        self._pending_id = 0
        yield sign_in(ticket, nonce)

    @rx.event
    def start_over(self):
        self.step = "form"
        self._pending_id = 0
        self.notice = self.code_error = self.error = ""


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
            sent = await call(
                guest.send_account_code, viewer=viewer, ip=self._client_ip(), locale=self.locale
            )
            self.code_sent = True
            self.notice = self._t("We sent a 6-digit code to {email}.", email=sent.email)
        except DomainError as exc:
            self.error = self._error_text(exc)
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
            code = codes.clean_code_input(str(form.get("code", "")))
            self.claimed = await call(
                guest.verify_account_code, viewer=viewer, code=code, ip=self._client_ip()
            )
            self.email_verified = True
            self.notice = self._t("Your email address is verified.")
        except DomainError as exc:
            self.error = self._error_text(exc)
        self.verifying = False
