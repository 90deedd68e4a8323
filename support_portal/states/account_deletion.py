"""The account page's "Delete my account": the password, then everything personal is erased by
the service and every session of the account ends. Each tab of those sessions loses its
server-side state at once (X2); this one leaves through the logout route to the login page."""

from __future__ import annotations

import json
from urllib.parse import quote

import reflex as rx

from support_portal import routes
from support_portal.rules import MAX_PASSWORD_LENGTH
from support_portal.services import gdpr, sessions
from support_portal.states import store
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import SessionState
from support_portal.states.password_reset import purge_ended

DELETED_PATH = f"{routes.LOGIN}?deleted=1"


class AccountDeletionState(SessionState):
    confirming: bool = False  # the password form is open
    deleting: bool = False
    error: str = ""
    field_errors: dict[str, str] = {}

    @rx.event
    def open_form(self):
        self.confirming = True
        self.error = ""
        self.field_errors = {}

    @rx.event
    def cancel(self):
        self.confirming = False
        self.error = ""
        self.field_errors = {}

    @rx.event
    async def delete(self, form: dict):
        token = self._session_token()
        done = Outcome()
        async for update in attempt(
            self,
            done,
            gdpr.delete_account,
            busy="deleting",
            field_errors="field_errors",
            viewer=True,
            keep_busy=True,  # the page goes
            password=str(form.get("password", ""))[:MAX_PASSWORD_LENGTH],
            ip=self._client_ip(),
        ):
            yield update
        if not done.ok:
            return
        own = sessions.session_key(token)
        await purge_ended([key for key in done.value if key != own])
        await store.purge_session(token, current=self)
        # Like "Log out": a POST from this page drops the cookie, then the login page says why.
        target = f"{routes.AUTH_LOGOUT}?next={quote(DELETED_PATH, safe='/')}"
        yield rx.call_script(
            "window.sessionStorage.removeItem('token');"
            "const form = document.createElement('form'); form.method = 'post';"
            f"form.action = {json.dumps(target)}; document.body.appendChild(form); form.submit()"
        )
