"""The account page's email change: the new address and the current password, then the code
sent to the new address. The new address this tab asked for stays server-side until the code
confirms it (services.email_change)."""

from __future__ import annotations

import reflex as rx

from support_portal.services import email_change
from support_portal.services.errors import DomainError, InvalidInput, NotAuthenticated
from support_portal.states.account import AccountState
from support_portal.states.base import SessionState, call


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

    def _show(self, exc: DomainError) -> None:
        if isinstance(exc, InvalidInput) and exc.field:
            self.field_errors = {exc.field: self._error_text(exc)}
        else:
            self.error = self._error_text(exc)

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
        if self.sending:
            return
        self.sending = True
        self._clear()
        yield
        try:
            started = await call(
                email_change.start_change,
                viewer=await self._viewer(),
                new_email=str(form.get("new_email", ""))[:320],
                password=str(form.get("current_password", "")),
                ip=self._client_ip(),
            )
        except NotAuthenticated:  # the session ended meanwhile
            yield self._login_redirect()
            return
        except DomainError as exc:
            self._show(exc)
            self.sending = False
            return
        self._new_email = started.new_email
        self.notice = self._t(
            "We sent an email to {email}. Enter the 6-digit code from it to confirm the new "
            "address.",
            email=started.new_email,
        )
        self.step = "code"
        self.sending = False

    @rx.event
    async def resend(self):
        if self.resending or not self._new_email:
            return
        self.resending = True
        self.error = ""
        yield
        try:
            started = await call(
                email_change.resend_code,
                viewer=await self._viewer(),
                new_email=self._new_email,
                ip=self._client_ip(),
            )
            self.notice = self._t("We sent a new email to {email}.", email=started.new_email)
        except NotAuthenticated:  # the session ended meanwhile
            yield self._login_redirect()
            return
        except DomainError as exc:
            self._show(exc)
        self.resending = False

    @rx.event
    async def confirm(self, form: dict):
        if self.confirming or not self._new_email:
            return
        self.confirming = True
        self.error = ""
        self.field_errors = {}
        yield
        try:
            new_email = await call(
                email_change.confirm_change,
                viewer=await self._viewer(),
                new_email=self._new_email,
                code=str(form.get("code", ""))[:32],
                ip=self._client_ip(),
            )
        except NotAuthenticated:  # the session ended meanwhile
            yield self._login_redirect()
            return
        except DomainError as exc:
            self._show(exc)
            self.confirming = False
            return
        account = await self.get_state(AccountState)
        account.email = new_email
        self.viewer_email = new_email
        self._new_email = ""
        self.step = ""
        self.notice = ""
        self.done = self._t("Your email address is now {email}.", email=new_email)
        self.confirming = False
