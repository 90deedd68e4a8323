"""Log in, register and verify an account's email."""

from __future__ import annotations

import asyncio

import reflex as rx

from support_portal import routes
from support_portal.services import auth, codes, guest, registration, sessions, two_factor
from support_portal.services.login_challenge import SecondFactorNeeded
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import SessionState, call, new_login_nonce, sign_in


class LoginState(SessionState):
    error: str = ""
    notice: str = ""
    submitting: bool = False
    step: str = "password"  # then "code" for an account with two-factor
    _challenge: str = ""
    _nonce: str = ""

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        self.error = ""
        self.step, self._challenge = "password", ""
        params = self.router.url.query_parameters
        self.notice = (
            self._t("Your sign-in expired. Please log in again.") if params.get("expired") else ""
        )
        if params.get("deleted"):
            self.notice = self._t("Your account and your personal data were deleted.")
        if viewer is not None and not viewer.is_guest:
            return rx.redirect(self._next(viewer.role.value if viewer.role else None))

    def _next(self, role: str | None) -> str:
        return sessions.landing_path(role, self.router.url.query_parameters.get("next"))

    @rx.event
    async def login(self, form: dict):
        email = str(form.get("email", ""))
        nonce = new_login_nonce()

        async def slow_down() -> None:
            # Failures from many addresses slow this account down without ever locking it (X9).
            await asyncio.sleep(await call(auth.login_delay, email=email))

        done = Outcome()
        async for update in attempt(
            self,
            done,
            sessions.log_in,
            busy="submitting",
            before=slow_down,
            email=email,
            password=str(form.get("password", "")),
            ip=self._client_ip(),
            requested_next=self.router.url.query_parameters.get("next"),
            binding=nonce,
        ):
            yield update
        if isinstance(done.value, SecondFactorNeeded):
            self.step, self._challenge, self._nonce = "code", done.value.challenge, nonce
            yield rx.set_focus("totp-code")
        elif done.ok:
            yield sign_in(done.value, nonce)

    @rx.event
    async def verify_code(self, form: dict):
        """The second step: a code from the authenticator app, or a recovery code."""
        if self.step != "code" or not self._challenge:
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            two_factor.complete_login,
            busy="submitting",
            keep_busy=True,  # the page changes
            challenge=self._challenge,
            code=str(form.get("code", ""))[:64],
            binding=self._nonce,
        ):
            yield update
        if isinstance(done.error, two_factor.LoginExpired):
            self.step, self._challenge = "password", ""
        if done.ok:
            self._challenge = ""
            yield sign_in(done.value, self._nonce)

    @rx.event
    def start_over(self):
        self.step, self._challenge, self.error = "password", "", ""


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
        done = Outcome()
        async for update in attempt(
            self,
            done,
            registration.start_registration,
            busy="submitting",
            field_errors="field_errors",  # an error shows under its field only
            name=str(form.get("name", "")),
            email=str(form.get("email", "")),
            password=str(form.get("password", "")),
            locale=self.locale,
            ip=self._client_ip(),
        ):
            yield update
        if not done.ok:
            return
        started = done.value
        self._pending_id = started.pending_id
        self.pending_email = started.email
        self.notice = self._t(
            "We sent an email to {email}. Enter the 6-digit code from it to create your account.",
            email=started.email,
        )
        self.code_error = ""
        self.step = "code"

    @rx.event
    async def resend(self):
        if not self._pending_id:
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            registration.resend_code,
            busy="resending",
            error="code_error",
            pending_id=self._pending_id,
            ip=self._client_ip(),
        ):
            yield update
        if done.ok:
            self.notice = self._t("We sent a new email to {email}.", email=done.value.email)

    @rx.event
    async def verify(self, form: dict):
        if not self._pending_id:
            return
        nonce = new_login_nonce()
        done = Outcome()
        async for update in attempt(
            self,
            done,
            registration.complete_registration,
            busy="verifying",
            error="code_error",
            keep_busy=True,  # the page changes
            inputs=lambda: {"code": codes.clean_code_input(str(form.get("code", ""))[:32])},
            pending_id=self._pending_id,
            ip=self._client_ip(),
            binding=nonce,
        ):
            yield update
        if isinstance(done.error, registration.RegistrationExpired):
            self.step = "form"
            self.error, self.code_error = self.code_error, ""
        if done.ok:
            self._pending_id = 0
            yield sign_in(done.value, nonce)

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
        done = Outcome()
        async for update in attempt(
            self,
            done,
            guest.send_account_code,
            busy="sending",
            viewer=True,
            ip=self._client_ip(),
            locale=self.locale,
        ):
            yield update
        if done.ok:
            self.code_sent = True
            self.notice = self._t("We sent a 6-digit code to {email}.", email=done.value.email)

    @rx.event
    async def verify(self, form: dict):
        done = Outcome()
        async for update in attempt(
            self,
            done,
            guest.verify_account_code,
            busy="verifying",
            viewer=True,
            inputs=lambda: {"code": codes.clean_code_input(str(form.get("code", "")))},
            ip=self._client_ip(),
        ):
            yield update
        if done.ok:
            self.claimed = done.value
            self.email_verified = True
            self.notice = self._t("Your email address is verified.")
