"""Two-factor authentication on the account page (agents): set up with a QR code, recovery
codes shown once, turn off with the password."""

from __future__ import annotations

import base64

import reflex as rx

from support_portal.services import two_factor
from support_portal.services.errors import InvalidInput
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import SessionState, call


class TwoFactorState(SessionState):
    enabled: bool = False
    codes_left: int = 0
    setting_up: bool = False  # the QR code is shown, waiting for the first code
    qr_src: str = ""  # a data: URL of the SVG
    secret_text: str = ""  # the secret in groups of four, for typing it in
    recovery_codes: list[str] = []  # shown once, right after setting up
    error: str = ""
    notice: str = ""
    busy: bool = False
    _secret: str = ""

    @rx.event
    async def load(self):
        viewer = await self._viewer()
        self.setting_up, self.recovery_codes, self.error, self.notice = False, [], "", ""
        self._secret = self.qr_src = self.secret_text = ""
        if viewer is None or not viewer.is_agent:
            return
        self.enabled = viewer.two_factor
        if not self.enabled and self.router.url.query_parameters.get("setup") == "two-factor":
            self.notice = self._t(
                "Your team requires two-factor authentication: set it up to reach the dashboard."
            )
        self.codes_left = (
            await call(two_factor.recovery_codes_left, viewer=viewer) if self.enabled else 0
        )

    @rx.event
    async def begin(self):
        done = Outcome()
        async for update in attempt(self, done, two_factor.start, busy="busy", viewer=True):
            yield update
        if done.ok:
            found: two_factor.Enrolment = done.value
            self._secret = found.secret
            self.secret_text = " ".join(found.secret[i : i + 4] for i in range(0, 32, 4))
            svg = base64.b64encode(found.qr_svg.encode()).decode()
            self.qr_src = f"data:image/svg+xml;base64,{svg}"
            self.setting_up = True
            yield rx.set_focus("totp-confirm-code")

    @rx.event
    async def confirm(self, form: dict):
        if not self._secret:
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            two_factor.confirm,
            busy="busy",
            viewer=True,
            secret=self._secret,
            code=str(form.get("code", ""))[:32],
        ):
            yield update
        if done.ok:
            self.recovery_codes = done.value
            self.enabled, self.codes_left, self.setting_up = True, len(done.value), False
            self._secret = self.qr_src = self.secret_text = ""
            self.notice = self._t("Two-factor authentication is on.")

    @rx.event
    async def turn_off(self, form: dict):
        done = Outcome()
        async for update in attempt(
            self,
            done,
            two_factor.disable,
            busy="busy",
            viewer=True,
            password=str(form.get("password", ""))[:1024],
        ):
            yield update
        if isinstance(done.error, InvalidInput):
            self.error = self._t("The password is not right.")
        if done.ok:
            self.enabled, self.codes_left, self.recovery_codes = False, 0, []
            self.notice = self._t("Two-factor authentication is off.")
