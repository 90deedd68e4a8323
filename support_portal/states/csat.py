"""The "How did we do?" question on the customer's ticket page (CSAT, issue 16).

Its own small state, loaded when the card appears (the ticket is resolved or closed): only the
customer's own survey of this ticket reaches it; agents' views of ratings live in
`agent_csat` (A5).
"""

from __future__ import annotations

import reflex as rx

from support_portal.services import satisfaction
from support_portal.services.errors import DomainError
from support_portal.states.actions import Outcome, attempt
from support_portal.states.base import SessionState, call


class CsatState(SessionState):
    csat_state: str = ""  # "open", "answered", "expired", "cancelled", "none"; "" not loaded
    csat_rating: str = ""  # the customer's own answer, once given
    csat_comment: str = ""
    csat_choice: str = ""  # "good" / "bad" picked in the form, before sending
    csat_error: str = ""
    csat_sending: bool = False
    csat_thanks: bool = False  # answered on this page just now
    _csat_number: int = 0

    def _show(self, survey: satisfaction.SurveyPublic) -> None:
        self.csat_state = survey.state
        self.csat_rating = survey.rating
        self.csat_comment = survey.comment

    @rx.event
    async def load_survey(self, number: int):
        """The card appeared: read this ticket's question (reads only, never answers)."""
        self.csat_state = self.csat_error = self.csat_choice = ""
        self.csat_thanks = False
        self._csat_number = int(number) if str(number).isdigit() else 0
        viewer = await self._viewer()
        if viewer is None or not self._csat_number:
            return
        try:
            survey = await call(
                satisfaction.survey_for_ticket, viewer=viewer, number=self._csat_number
            )
        except DomainError:
            return  # not this viewer's ticket (or an agent): nothing to ask
        self._show(survey)

    @rx.event
    def choose(self, rating: str):
        if rating in ("good", "bad"):
            self.csat_choice = rating
            self.csat_error = ""

    @rx.event
    async def answer(self, form: dict):
        comment = str(form.get("comment", "") if isinstance(form, dict) else "")
        done = Outcome()
        async for update in attempt(
            self,
            done,
            satisfaction.answer_in_portal,
            busy="csat_sending",
            error="csat_error",
            viewer=True,
            number=self._csat_number,
            rating=self.csat_choice,
            comment=comment[: satisfaction.MAX_COMMENT + 1],
        ):
            yield update
        if done.ok:
            self._show(done.value)
            self.csat_thanks = True
        elif isinstance(done.error, satisfaction.SurveyClosed):
            self.csat_state = done.error.state
