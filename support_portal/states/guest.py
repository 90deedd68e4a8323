"""Guest pages: the confirmation after submitting, the unique link with its code step, lost links.

The link secret is itself the credential for this page, so every handler re-resolves it on the
server; nothing else the browser holds is trusted. Opening the link only reads (G2): a code is
sent on the explicit "Send code" click, straight to the mail server, never through the outbox.
"""

from __future__ import annotations

import asyncio
import math
import time

import reflex as rx

from support_portal import routes
from support_portal.clock import utcnow
from support_portal.services import codes, guest
from support_portal.services.errors import EmailNotSent, InvalidInput, RateLimited
from support_portal.settings import get_settings
from support_portal.states.actions import Outcome, attempt, focus_when_ready
from support_portal.states.base import SessionState, call, new_login_nonce, sign_in

FOCUS_RESEND = focus_when_ready("#resend-code")  # once "Resend code" is enabled


class SubmittedState(SessionState):
    """/tickets/submitted/N: what a logged-out visitor sees after "Submit ticket"."""

    submitted_number: int = 0
    masked_email: str = ""  # the address this tab just submitted with, masked
    loaded: bool = False
    _sent_to: dict[int, str] = {}  # ticket number -> masked address, set by the form

    def remember(self, number: int, email: str) -> None:
        """The new-ticket form, in this tab: the page then shows where the link went."""
        self._sent_to = {number: guest.mask_email(email)}

    @rx.event
    async def load(self):
        self.loaded = False
        viewer = await self._refresh_session()
        raw = str(self.number)  # type: ignore[attr-defined]  # the route segment
        number = int(raw) if raw.isdigit() and len(raw) <= 12 else 0
        if viewer is not None and number:
            return rx.redirect(routes.ticket_path(number), replace=True)
        self.submitted_number = number
        self.masked_email = self._sent_to.get(number, "")
        self.loaded = True


class LostLinkState(SessionState):
    """ "Send me my links": the same answer whether or not the email has tickets (G8)."""

    sent: bool = False
    submitting: bool = False
    error: str = ""
    field_error: str = ""

    def _reset_form(self) -> None:
        self.sent = self.submitting = False
        self.error = self.field_error = ""

    @rx.event
    async def load(self):
        await self._refresh_session()
        self._reset_form()

    @rx.event
    def start_over(self):
        self._reset_form()

    @rx.event
    async def request_links(self, form: dict):
        if not self.submitting:
            self.field_error = ""
        done = Outcome()
        async for update in attempt(
            self,
            done,
            guest.request_links,
            busy="submitting",
            email=str(form.get("email", ""))[:320],
            ip=self._client_ip(),
        ):
            yield update
        if isinstance(done.error, InvalidInput):
            self.field_error, self.error = self.error, ""
        elif isinstance(done.error, RateLimited):  # counted alike for known and unknown addresses
            self.error = self._t(
                "You asked for links several times in a short while. Please wait {wait} and "
                "try again.",
                wait=self._wait_text(done.error.retry_after),
            )
        self.sent = done.ok


class GuestLinkState(SessionState):
    """/t/<secret>: "Send code", then "Verify", then a fresh guest session on the ticket page."""

    loaded: bool = False
    invalid: bool = False
    expired: bool = False  # valid once, but its ticket closed too long ago
    link_days: int = 0
    ticket_no: int = 0
    masked_email: str = ""
    code_sent: bool = False
    sending: bool = False
    verifying: bool = False
    needs_new_code: bool = False
    notice: str = ""
    error: str = ""
    cooldown: int = 0  # seconds until "Resend code" is allowed (the service enforces it)
    cooldown_text: str = ""
    _secret: str = ""
    _sent_for: str = ""
    _resend_at: float = 0.0
    _expires_at: float = 0.0
    _tick: int = 0
    _error_is_wait: bool = False  # the error says "wait": it goes when the countdown ends

    @rx.event
    async def load(self):
        self.loaded = False
        self.sending = self.verifying = False
        self.error = ""
        yield
        viewer = await self._refresh_session()
        secret = str(self.secret)[:200]  # type: ignore[attr-defined]  # the route segment
        lost = await self.get_state(LostLinkState)
        lost._reset_form()
        try:
            info = await call(guest.link_info, secret=secret, viewer=viewer)
        except guest.InvalidLink as exc:
            self._show_invalid(exc)
            self.loaded = True
            return
        if info.viewer_has_access:  # this browser already has a session for the ticket
            yield rx.redirect(routes.ticket_path(info.number), replace=True)
            return
        if secret != self._sent_for or time.time() >= self._expires_at:
            # Another link, or the code this tab asked for has expired: start at "Send code".
            self._sent_for = ""
            self._resend_at = self._expires_at = 0.0
            self.code_sent = self.needs_new_code = False
            self.notice = ""
        self._secret = secret
        self.invalid = self.expired = False
        self.ticket_no = info.number
        self.masked_email = info.masked_email
        self.loaded = True
        if self._resend_at > time.time():
            yield GuestLinkState.tick

    def _show_invalid(self, exc: guest.InvalidLink | None = None) -> None:
        self.invalid = True
        self.expired = isinstance(exc, guest.LinkExpired)
        self.link_days = get_settings().guest_link_days_after_close
        self._secret = self._sent_for = ""
        self.code_sent = False
        self.ticket_no = 0
        self.masked_email = self.notice = self.error = ""

    @rx.event
    async def send_code(self):
        if not self._secret:
            return
        if not self.sending:
            self._error_is_wait = False
        resend = self.code_sent
        done = Outcome()
        async for update in attempt(
            self,
            done,
            guest.send_link_code,
            busy="sending",
            secret=self._secret,
            ip=self._client_ip(),
            locale=self.locale,
        ):
            yield update
        exc = done.error
        if isinstance(exc, guest.InvalidLink):
            self._show_invalid(exc)
            return
        if isinstance(exc, RateLimited):  # the 60-second cooldown or the send caps (G6)
            self.error = self._t(
                "You can ask for a new code in {wait}.", wait=self._wait_text(exc.retry_after)
            )
            self._resend_at = time.time() + exc.retry_after
            self._error_is_wait = True
            yield GuestLinkState.tick
            return
        if isinstance(exc, EmailNotSent):  # the code was made and counts: the cooldown applies
            self._sent_for = self._secret
            self._resend_at = time.time() + codes.RESEND_COOLDOWN.total_seconds()
            yield GuestLinkState.tick
            return
        if not done.ok:
            return
        sent = done.value
        now = utcnow()
        self._sent_for = self._secret
        self._resend_at = time.time() + (sent.resend_at - now).total_seconds()
        self._expires_at = time.time() + (sent.expires_at - now).total_seconds()
        self.code_sent = True
        self.needs_new_code = False
        self.notice = (
            self._t(
                "We sent a new code to {email}. Earlier codes no longer work.",
                email=self.masked_email,
            )
            if resend
            else self._t(
                "We sent a 6-digit code to {email}. It expires in 10 minutes.",
                email=self.masked_email,
            )
        )
        yield GuestLinkState.tick

    @rx.event
    async def verify(self, form: dict):
        if not self._secret:
            return
        if not self.verifying:
            self._error_is_wait = False
        nonce = new_login_nonce()
        done = Outcome()
        async for update in attempt(
            self,
            done,
            guest.sign_in_with_code,
            busy="verifying",
            keep_busy=True,  # "Verify" stays busy while the page changes
            inputs=lambda: {"code": codes.clean_code_input(str(form.get("code", ""))[:32])},
            secret=self._secret,
            ip=self._client_ip(),
            binding=nonce,
        ):
            yield update
        exc = done.error
        if isinstance(exc, guest.InvalidLink):
            self._show_invalid(exc)
            return
        if isinstance(exc, codes.CodeRejected):
            self.error = self._rejection_text(exc)
            self.needs_new_code = exc.reason != "wrong"
            if self.needs_new_code:  # "we sent a code" is no longer the news
                self.notice = ""
                if self.cooldown == 0:  # the one thing left to do is at hand
                    yield FOCUS_RESEND
            return
        if not done.ok:
            return
        login = done.value
        # Verified: the next visit starts over, and "Verify" stays busy while the page changes.
        self._secret = self._sent_for = ""
        self._resend_at = self._expires_at = 0.0
        self._tick += 1
        self.code_sent = False
        self.notice = ""
        yield sign_in(login, nonce, replace=True)

    def _rejection_text(self, exc: codes.CodeRejected) -> str:
        text = self._t(exc.message)
        if exc.reason == "wrong" and exc.attempts_left:
            from support_portal import i18n

            text += " " + i18n.ngettext(
                self.locale, "{n} attempt left.", "{n} attempts left.", exc.attempts_left
            )
        return text

    @rx.event(background=True)
    async def tick(self):
        """Count the resend cooldown down on screen; ends with the cooldown or the page."""
        async with self:
            self._tick += 1
            generation = self._tick
        while True:
            async with self:
                if generation != self._tick or not self.router.url.path.startswith(
                    routes.GUEST_LINK.partition("[")[0]
                ):
                    return
                left = max(0, math.ceil(self._resend_at - time.time()))
                self.cooldown = left
                self.cooldown_text = self._wait_text(left) if left else ""
                if not left and self._error_is_wait:
                    self.error = ""
                    self._error_is_wait = False
                focus = not left and self.needs_new_code
            if not left:
                if focus:  # "Resend code" has just become available: take the keyboard there
                    yield FOCUS_RESEND
                return
            # Every second near the end; long waits are shown in minutes.
            await asyncio.sleep(1 if left <= 90 else min(30, left - 90))
