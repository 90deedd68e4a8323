"""The account page's email change: the new address and the current password, then the code
sent to the new address. The new address this tab asked for stays server-side until the code
confirms it (services.email_change)."""

from __future__ import annotations

import reflex as rx

from support_portal.services import email_change
from support_portal.services.errors import NotAuthenticated
from support_portal.states.account import AccountState
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import SessionState


class EmailChangeState(SessionState):
    step: str = ""  # "" (closed), "form", then "code"
    error: str = ""
    field_errors: dict[str, str] = {}
    notice: str = ""
    done: str = ""
    sending: bool = False
    resending: bool = False
    confirming: bool = False
    _new_email: str = ""

    def _clear(self) -> None:
        self.error = self.notice = self.done = ""
        self.field_errors = {}

    @rx.event
    def open_form(self):
        self._clear()
        self.step = "form"
        self._new_email = ""

    @rx.event
    def cancel(self):
        self._clear()
        self.step = ""
        self._new_email = ""

    @rx.event
    async def send_code(self, form: dict):
        if not self.sending:
            self._clear()
        done = Outcome()
        async for update in self._attempt(
            done,
            email_change.start_change,
            busy="sending",
            new_email=str(form.get("new_email", ""))[:320],
            password=str(form.get("current_password", "")),
        ):
            yield update
        if done.ok:
            self._new_email = done.value.new_email
            self.notice = self._t(
                "We sent an email to {email}. Enter the 6-digit code from it to confirm the new "
                "address.",
                email=done.value.new_email,
            )
            self.step = "code"

    @rx.event
    async def resend(self):
        if not self._new_email:
            return
        done = Outcome()
        async for update in self._attempt(
            done, email_change.resend_code, busy="resending", new_email=self._new_email
        ):
            yield update
        if done.ok:
            self.notice = self._t("We sent a new email to {email}.", email=done.value.new_email)

    @rx.event
    async def confirm(self, form: dict):
        if not self._new_email:
            return
        done = Outcome()
        async for update in self._attempt(
            done,
            email_change.confirm_change,
            busy="confirming",
            new_email=self._new_email,
            code=str(form.get("code", ""))[:32],
        ):
            yield update
        if not done.ok:
            return
        new_email = done.value
        account = await self.get_state(AccountState)
        account.email = new_email
        self.viewer_email = new_email
        self._new_email = ""
        self.step = ""
        self.notice = ""
        self.done = self._t("Your email address is now {email}.", email=new_email)

    async def _attempt(self, done: Outcome, use_case, **kwargs):
        """One step: the session re-read (ended, now or meanwhile: to the login page), field
        errors under their field."""
        async for update in attempt(
            self,
            done,
            use_case,
            viewer=True,
            field_errors="field_errors",
            ip=self._client_ip(),
            **kwargs,
        ):
            yield update
        if isinstance(done.error, NotAuthenticated):
            self.error = ""
            yield self._login_redirect()
