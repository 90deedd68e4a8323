"""Administrators erase a guest's address on request (GDPR): look it up, see what would go,
confirm. The service re-checks the administrator on both steps (A2); the guest's open pages
lose their server-side state at once (X2)."""

from __future__ import annotations

import reflex as rx

from support_portal.services import gdpr
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import SessionState
from support_portal.states.password_reset import purge_ended


class GuestErasureState(SessionState):
    step: str = ""  # "" (the address), then "confirm"
    address: str = ""  # as the administrator typed it, for the confirmation
    tickets: int = 0
    messages: int = 0
    files: int = 0
    error: str = ""
    field_errors: dict[str, str] = {}
    notice: str = ""
    looking: bool = False
    erasing: bool = False

    @rx.event
    async def look_up(self, form: dict):
        address = str(form.get("email", ""))[:320].strip()
        self.notice = ""
        done = Outcome()
        async for update in attempt(
            self,
            done,
            gdpr.preview_guest_erasure,
            busy="looking",
            viewer=True,
            field_errors="field_errors",
            email=address,
        ):
            yield update
        if done.ok:
            self.address = address
            found = done.value
            self.tickets, self.messages, self.files = (
                found.tickets,
                found.messages,
                found.attachments,
            )
            self.step = "confirm"

    @rx.event
    def cancel(self):
        self.step = self.address = self.error = ""
        self.field_errors = {}

    @rx.event
    async def erase(self):
        if self.step != "confirm" or not self.address:
            return
        done = Outcome()
        async for update in attempt(
            self, done, gdpr.erase_guest, busy="erasing", viewer=True, email=self.address
        ):
            yield update
        if not done.ok:
            return
        await purge_ended(done.value.ended_sessions)
        erased = done.value.erased
        self.notice = self._t(
            "Erased. Tickets kept as Deleted customer: {tickets}; messages removed: "
            "{messages}; files removed: {files}.",
            tickets=erased.tickets,
            messages=erased.messages,
            files=erased.attachments,
        )
        self.step = self.address = ""
