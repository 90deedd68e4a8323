"""Forgot password (/forgot-password): the address, then the emailed code with a new password.

Both steps read the same for a known and an unknown address (P2, X4); only the email differs,
and it is the address owner's to see. The address this tab asked for stays server-side.
"""

from __future__ import annotations

import reflex as rx

from support_portal.services import codes, password_reset, sessions
from support_portal.states import store
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import SessionState, new_login_nonce, sign_in


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

    @rx.event
    async def request_code(self, form: dict):
        done = Outcome()
        async for update in attempt(
            self,
            done,
            password_reset.start_reset,
            busy="requesting",
            field_errors="field_errors",
            email=str(form.get("email", ""))[:320],
            locale=self.locale,
            ip=self._client_ip(),
        ):
            yield update
        if done.ok:
            self._email = done.value.email
            self.notice = self._t(
                "We sent an email to {email}. If an account uses this address, the email holds "
                "a 6-digit code: enter it below with your new password.",
                email=done.value.email,
            )
            self.step = "code"

    @rx.event
    async def resend(self):
        if not self._email:
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            password_reset.start_reset,
            busy="resending",
            email=self._email,
            locale=self.locale,
            ip=self._client_ip(),
        ):
            yield update
        if done.ok:
            self.notice = self._t("We sent a new email to {email}.", email=done.value.email)

    @rx.event
    async def set_password(self, form: dict):
        if not self._email:
            return
        nonce = new_login_nonce()
        done = Outcome()
        async for update in attempt(
            self,
            done,
            password_reset.complete_reset,
            busy="resetting",
            field_errors="field_errors",
            keep_busy=True,  # the page changes
            inputs=lambda: {"code": codes.clean_code_input(str(form.get("code", ""))[:32])},
            email=self._email,
            password=str(form.get("password", "")),
            ip=self._client_ip(),
            binding=nonce,
        ):
            yield update
        if done.ok:
            await purge_ended(done.value.ended_sessions)
            self._email = ""
            yield sign_in(done.value.login_ticket, nonce, replace=True)

    @rx.event
    def start_over(self):
        self.step = "email"
        self._email = ""
        self.notice = self.error = ""
        self.field_errors = {}
