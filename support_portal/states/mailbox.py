"""/dev/mailbox: the mail the built-in catcher received (development only).

It shows every guest link and code, so it opens only for a direct local browser or an
administrator (web/dev_access.py); every handler checks that again, since any client can call
a handler by name.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from support_portal import routes
from support_portal.clock import utcnow
from support_portal.live.hub import LiveEvent
from support_portal.services import caught_mail
from support_portal.services.dto import Viewer
from support_portal.settings import get_settings
from support_portal.states.live import LivePageState
from support_portal.states.notice_views import MailRow, TextPiece, linkify, mail_row
from support_portal.web import dev_access

POLL_SECONDS = 2.0
LIST_LIMIT = 200


class MailboxState(LivePageState):
    visible: bool = False  # False: the page says "not found"
    enabled: bool = False
    mails: list[MailRow] = []
    selected: str = ""
    subject: str = ""
    sender: str = ""
    recipient: str = ""
    received: str = ""
    text_pieces: list[TextPiece] = []
    has_html: bool = False
    loaded: bool = False
    refreshing: bool = False
    error: str = ""
    _signature: str = ""

    def _may_read(self, viewer: Viewer | None) -> bool:
        """Re-checked by every handler: a direct local browser, or an administrator."""
        allowed = dev_access.may_read_mailbox(
            peer=self.router.session.client_ip,
            header_names=self.router.headers.raw_headers.keys(),
            viewer=viewer,
        )
        if not allowed:
            self._hide()
        return allowed

    def _hide(self) -> None:
        self._unselect()
        self.visible = self.enabled = False
        self.mails = []
        self.error = ""
        self._signature = ""

    async def _allowed(self) -> bool:
        return self._may_read(await self._viewer()) and get_settings().mail_catcher_enabled

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        self.error = ""
        if not self._may_read(viewer):
            self.loaded = True
            return
        self.visible = True
        self.enabled = get_settings().mail_catcher_enabled
        if not self.enabled:
            self.loaded = True
            return
        await self._scan(force=True)
        wanted = self.router.url.query_parameters.get("m", "")
        if wanted:
            await self._select(wanted)
        elif self.selected and all(m.name != self.selected for m in self.mails):
            self._unselect()
        self.loaded = True
        self._begin_live()
        yield MailboxState.live_loop

    @rx.event(background=True)
    async def live_loop(self):
        await self._run_live()

    # The folder is checked every 2 s while the page is open (a development tool).
    def _live_interval(self) -> float:
        return POLL_SECONDS

    def _live_needs_viewer(self) -> bool:
        return False

    async def _on_live(self, loop, viewer: Viewer | None, page, events: list[LiveEvent]) -> bool:
        if not self._may_read(viewer):
            return False  # ends this loop
        await self._scan()  # the mail folder, not the database
        return True

    async def _scan(self, *, force: bool = False) -> None:
        signature = await asyncio.to_thread(caught_mail.signature)
        if signature == self._signature and not force:
            return
        self._signature = signature
        found = await asyncio.to_thread(caught_mail.list_mail, LIST_LIMIT)
        now = utcnow()
        self.mails = [mail_row(m, locale=self.locale, tz=self._tz(), now=now) for m in found]

    async def _select(self, name: str) -> None:
        mail = await asyncio.to_thread(caught_mail.read_mail, str(name))
        if mail is None:
            self._unselect()
            self.error = self._t("That email is no longer in the mailbox.")
            return
        self.selected = mail.name
        self.subject = mail.subject
        self.sender = mail.sender
        self.recipient = mail.to
        self.received = mail_row(mail, locale=self.locale, tz=self._tz(), now=utcnow()).time_title
        self.text_pieces = linkify(mail.text)
        self.has_html = bool(mail.html)
        self.error = ""

    def _unselect(self) -> None:
        self.selected = self.subject = self.sender = self.recipient = self.received = ""
        self.text_pieces = []
        self.has_html = False

    @rx.event
    async def select(self, name: str):
        if await self._allowed():
            await self._select(name)

    @rx.event
    def close_detail(self):
        self._unselect()

    @rx.event
    async def refresh(self):
        if not await self._allowed():
            return
        self.refreshing = True
        yield
        await self._scan(force=True)
        self.refreshing = False

    @rx.event
    async def clear_mailbox(self):
        if not await self._allowed():
            return
        await asyncio.to_thread(caught_mail.clear)
        self._unselect()
        await self._scan(force=True)
        yield rx.toast.success(self._t("The mailbox is empty now."))

    @rx.var
    def html_src(self) -> str:
        if not (self.selected and self.has_html):
            return ""
        return routes.mailbox_html_path(self.selected)
