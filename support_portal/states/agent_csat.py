"""Customer ratings on the agent's ticket page (CSAT, issue 16): agent-only data, loaded into
this state only after the service has checked the viewer is an agent (A2, A5)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from support_portal import i18n
from support_portal.clock import utcnow
from support_portal.i18n import _
from support_portal.services import satisfaction
from support_portal.services.errors import DomainError
from support_portal.states.base import SessionState, call

STATE_LABELS = {
    "open": _("Asked, no answer yet"),
    "expired": _("Not answered in time"),
    "cancelled": _("Cancelled: the ticket was reopened"),
}


@dataclass
class RatingView:
    rating: str  # "good", "bad" or "" (not answered)
    label: str
    comment: str
    time: str
    time_title: str


class AgentCsatState(SessionState):
    ratings: list[RatingView] = []
    ratings_loaded: bool = False

    @rx.event
    async def load_ratings(self, number: int):
        self.ratings, self.ratings_loaded = [], False
        viewer = await self._viewer()
        if viewer is None or not str(number).isdigit():
            return
        try:
            rows = await call(satisfaction.for_agent, viewer=viewer, number=int(number))
        except DomainError:
            return  # not an agent (refused and logged by the service), or no such ticket
        now = utcnow()
        self.ratings = [self._view(r, now) for r in rows]
        self.ratings_loaded = True

    def _view(self, r: satisfaction.SurveyForAgent, now) -> RatingView:
        moment = r.answered_at or r.created_at
        if r.state == "answered":
            label = self._t("Good") if r.rating == "good" else self._t("Bad")
        else:
            label = self._t(STATE_LABELS.get(r.state, r.state))
        return RatingView(
            rating=r.rating if r.state == "answered" else "",
            label=label,
            comment=r.comment,
            time=i18n.format_relative(self.locale, moment, now),
            time_title=i18n.format_when(self.locale, moment, self._tz()),
        )
