"""The customer's (or verified guest's) ticket page."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.states.conversation import ConversationState


class TicketState(ConversationState):
    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if viewer is None:
            yield self._login_redirect()
            return
        number = str(self.number)  # type: ignore[attr-defined]  # the route segment
        if viewer.is_agent:
            yield rx.redirect(
                routes.admin_ticket_path(int(number)) if number.isdigit() else routes.ADMIN
            )
            return
        if await self._resume(viewer, number):
            self._update_presence()
            yield TicketState.watch

    @rx.var
    def is_closed(self) -> bool:
        return self.status == "closed"

    @rx.var
    def follow_up_href(self) -> str:
        return f"{routes.NEW_TICKET}?follow_up={self.ticket_number}&category={self.category}"
