"""The service-level due times on the agent's ticket page (issue 16): agent-only values, so they
live only in the agent page's state (A5), refreshed with its panels, live."""

from __future__ import annotations

import reflex as rx

from support_portal.clock import utcnow
from support_portal.services import agent_page
from support_portal.states.agent_views import due_text


class TicketDue(rx.State, mixin=True):
    reply_due: str = ""  # "due in 2 hours" / "overdue 35 minutes"; "" when nobody waits on us
    reply_late: bool = False
    resolution_due: str = ""  # "" without a resolution target, or once resolved
    resolution_late: bool = False

    def _show_due(self, found: agent_page.AgentPanels | agent_page.AgentPageUpdate) -> None:
        now, locale = utcnow(), self.locale  # type: ignore[attr-defined]
        reply, resolution = found.due.reply_due_at, found.due.resolution_due_at
        self._put(  # type: ignore[attr-defined]
            reply_due=due_text(reply, locale, now),
            reply_late=bool(reply and now > reply),
            resolution_due=due_text(resolution, locale, now),
            resolution_late=bool(resolution and now > resolution),
        )

    def _forget_due(self) -> None:
        self.reply_due = self.resolution_due = ""
        self.reply_late = self.resolution_late = False
