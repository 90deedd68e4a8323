"""Customer ratings on the agent's ticket page (CSAT, issue 16): agent-only data, in the agent
page's state only, read by the same call that re-checks the viewer is an agent (A2, A5)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from support_portal import i18n
from support_portal.clock import utcnow
from support_portal.i18n import _
from support_portal.services import agent_page, satisfaction

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


class TicketRatings(rx.State, mixin=True):
    """The customer's ratings of the ticket, read with the agent page's panels (so live: an
    answer wakes the page like a reply does)."""

    ratings: list[RatingView] = []

    def _show_ratings(self, found: agent_page.AgentPanels | agent_page.AgentPageUpdate) -> None:
        now = utcnow()
        self._put(ratings=[self._rating_view(r, now) for r in found.ratings])  # type: ignore[attr-defined]

    def _forget_ratings(self) -> None:
        self.ratings = []

    def _rating_view(self, r: satisfaction.SurveyForAgent, now) -> RatingView:
        moment = r.answered_at or r.created_at
        if r.state == "answered":
            label = self._t("Good") if r.rating == "good" else self._t("Bad")  # type: ignore[attr-defined]
        else:
            label = self._t(STATE_LABELS.get(r.state, r.state))  # type: ignore[attr-defined]
        return RatingView(
            rating=r.rating if r.state == "answered" else "",
            label=label,
            comment=r.comment,
            time=i18n.format_relative(self.locale, moment, now),  # type: ignore[attr-defined]
            time_title=i18n.format_when(self.locale, moment, self._tz()),  # type: ignore[attr-defined]
        )
