"""The customer's (or verified guest's) ticket page."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.services import customer_status, guest
from support_portal.services.errors import DomainError, NotAuthenticated, NotFound
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import call
from support_portal.states.conversation import ConversationState


class TicketState(ConversationState):
    changing_status: str = ""  # "resolve" or "close" while it runs
    status_error: str = ""
    status_notice: str = ""
    revoking_link: bool = False
    link_notice: str = ""
    link_error: str = ""

    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if viewer is None:
            yield self._login_redirect()
            return
        number = str(self.number)  # type: ignore[attr-defined]  # the route segment
        self.link_notice = self.link_error = ""
        self.revoking_link = False
        if viewer.is_agent:
            yield rx.redirect(
                routes.agent_ticket_path(int(number)) if number.isdigit() else routes.AGENT_QUEUE
            )
            return
        if await self._resume(viewer, number):
            await self._update_presence()
            yield TicketState.watch

    @rx.event
    async def revoke_link(self):
        """A verified guest replaces the ticket's link; the new one goes to their address."""
        if self.revoking_link:
            return
        viewer = await self._viewer()  # re-read the session: any client can call this (A6)
        if viewer is None:
            yield self._login_redirect()
            return
        self.revoking_link = True
        self.link_notice = self.link_error = ""
        yield
        try:
            masked = await call(
                guest.revoke_link,
                viewer=viewer,
                number=self.ticket_number,
                ip=self._client_ip(),
            )
            self.link_notice = self._t(
                "Done: the old link no longer works. We emailed a new link to {email}.",
                email=masked,
            )
        except (NotFound, NotAuthenticated):
            self.link_error = self._t("We could not find that ticket.")
        except DomainError as exc:
            self.link_error = self._error_text(exc)
        self.revoking_link = False

    @rx.event
    async def change_status(self, action: str):
        """The customer's own "Mark as resolved" and "Close"."""
        action = str(action)
        if action not in ("resolve", "close"):
            return
        done = Outcome()
        async for update in attempt(
            self,
            done,
            customer_status.change_own_status,
            busy="changing_status",
            busy_value=action,
            error="status_error",
            viewer=True,
            number=self.ticket_number,
            action=action,
        ):
            yield update
        if done.ok:
            self._apply_detail(done.value)
            self.status_notice = (
                self._t("Marked as resolved. If the problem comes back, reply below.")
                if action == "resolve"
                else self._t("The ticket is closed.")
            )

    @rx.var
    def is_closed(self) -> bool:
        return self.status == "closed"

    @rx.var
    def follow_up_href(self) -> str:
        return f"{routes.NEW_TICKET}?follow_up={self.ticket_number}&category={self.category}"
