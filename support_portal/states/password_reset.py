"""Forgot password (/forgot-password): the address, then the emailed code with a new password.

Both steps read the same for a known and an unknown address (P2, X4); only the email differs,
and it is the address owner's to see. The address this tab asked for stays server-side.
"""

from __future__ import annotations

import reflex as rx

from support_portal.services import codes, password_reset, sessions
from support_portal.services.errors import DomainError, InvalidInput
from support_portal.states import store
from support_portal.states.base import SessionState, call, new_login_nonce, sign_in


async def purge_ended(keys: list[str]) -> None:
    """Sessions a service ended: every tab's server-side state of each goes now (X2); their
    live pages already get nothing, since every read re-checks the session."""
    for key in keys:
        await store.purge_session_key(key)


class ForgotPasswordState(SessionState):
    step: str = "email"  # "email", then "code"
    error: str = ""
    field_errors: dict[str, str] = {}
    notice: str = ""
    requesting: bool = False
    resending: bool = False
    resetting: bool = False
    _email: str = ""  # the address this tab asked for: only it can be reset from here

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        self.step = "email"
        self.error = self.notice = ""
        self.field_errors = {}
        self._email = ""
        if viewer is not None and not viewer.is_guest:
            return rx.redirect(sessions.landing_path(self.viewer_role))

    def _show(self, exc: DomainError) -> None:
        field = getattr(exc, "field", None) if isinstance(exc, InvalidInput) else None
        if field:
            self.field_errors = {field: self._error_text(exc)}
        else:
            self.error = self._error_text(exc)

    @rx.event
    async def request_code(self, form: dict):
        if self.requesting:
            return
        self.requesting = True
        self.error = ""
        self.field_errors = {}
        yield
        try:
            started = await call(
                password_reset.start_reset,
                email=str(form.get("email", ""))[:320],
                locale=self.locale,
                ip=self._client_ip(),
            )
        except DomainError as exc:
            self._show(exc)
            self.requesting = False
            return
        self._email = started.email
        self.notice = self._t(
            "We sent an email to {email}. If an account uses this address, the email holds a "
            "6-digit code: enter it below with your new password.",
            email=started.email,
        )
        self.step = "code"
        self.requesting = False

    @rx.event
    async def resend(self):
        if self.resending or not self._email:
            return
        self.resending = True
        self.error = ""
        yield
        try:
            started = await call(
                password_reset.start_reset,
                email=self._email,
                locale=self.locale,
                ip=self._client_ip(),
            )
            self.notice = self._t("We sent a new email to {email}.", email=started.email)
        except DomainError as exc:
            self._show(exc)
        self.resending = False

    @rx.event
    async def set_password(self, form: dict):
        if self.resetting or not self._email:
            return
        self.resetting = True
        self.error = ""
        self.field_errors = {}
        yield
        nonce = new_login_nonce()
        try:
            done = await call(
                password_reset.complete_reset,
                email=self._email,
                code=codes.clean_code_input(str(form.get("code", ""))[:32]),
                password=str(form.get("password", "")),
                ip=self._client_ip(),
                binding=nonce,
            )
        except DomainError as exc:
            self._show(exc)
            self.resetting = False
            return
        await purge_ended(done.ended_sessions)
        self._email = ""
        yield sign_in(done.login_ticket, nonce, replace=True)

    @rx.event
    def start_over(self):
        self.step = "email"
        self._email = ""
        self.notice = self.error = ""
        self.field_errors = {}
