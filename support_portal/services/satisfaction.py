"""Satisfaction surveys (CSAT, issue 16): "How did we do?" after each resolution.

A survey is created where a status changes (`tickets.set_status`), so every way to resolve a
ticket asks: an agent, the customer, auto-resolve. Reopening before an answer cancels it; it
expires SURVEY_DAYS after the resolution. The customer answers on the ticket page or through
the "resolved" email's link, whose token is signed (itsdangerous, SECRET_KEY) over the survey
id and a random nonce: the database holds only the nonce (like G1), and the token is single use
because answering is one conditional UPDATE that only a pending, unexpired survey passes, so
50 parallel answers record exactly one.

Reading a survey (the link's GET) never writes: mail scanners that open links never rate.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update
from sqlmodel import Session, col, select

from support_portal.i18n import _
from support_portal.models import (
    Rating,
    SatisfactionSurvey,
    SurveyStatus,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from support_portal.services import access, events
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, InvalidInput, NotFound
from support_portal.settings import get_settings

SURVEY_DAYS = 7
MAX_COMMENT = 2000
_SALT = "csat-survey"


class SurveyClosed(DomainError):
    """The question can no longer be answered; `state` says why."""

    message = _("This survey can no longer be answered.")

    def __init__(self, state: str) -> None:
        super().__init__(CLOSED_TEXT.get(state))
        self.state = state


CLOSED_TEXT = {
    "answered": _("Thank you: we already have your answer."),
    "expired": _("This survey has expired."),
    "cancelled": _("The ticket was reopened, so there is nothing to rate yet."),
}


@dataclass(frozen=True)
class SurveyPublic:
    """What the customer (or the link's page) sees of their own survey."""

    state: str  # "open", "answered", "expired", "cancelled" or "none"
    ticket_number: int
    rating: str = ""
    comment: str = ""
    locale: str | None = None


@dataclass(frozen=True)
class SurveyForAgent:
    state: str
    created_at: datetime
    rating: str = ""
    comment: str = ""
    answered_at: datetime | None = None
    answered_via: str = ""


# --- the one hook: every status change passes here -------------------------------------------


def on_status_change(
    db: Session, *, ticket: Ticket, previous: TicketStatus | None, status: TicketStatus
) -> None:
    """Ask on a resolution; cancel the open question when the ticket is reopened."""
    if status == previous:
        return
    if status == TicketStatus.resolved:
        _cancel_pending(db, ticket)  # one survey per resolution: the latest one asks
        now = ticket.resolved_at or utcnow()
        db.add(
            SatisfactionSurvey(
                ticket_id=ticket.id,  # type: ignore[arg-type]
                nonce=secrets.token_hex(16),
                agent_id=ticket.assignee_id,
                created_at=now,
                expires_at=now + timedelta(days=SURVEY_DAYS),
            )
        )
    elif status in (TicketStatus.open, TicketStatus.awaiting_customer):
        _cancel_pending(db, ticket)


def _cancel_pending(db: Session, ticket: Ticket) -> None:
    db.exec(  # type: ignore[call-overload]
        update(SatisfactionSurvey)
        .where(
            col(SatisfactionSurvey.ticket_id) == ticket.id,
            col(SatisfactionSurvey.status) == SurveyStatus.pending,
        )
        .values(status=SurveyStatus.cancelled)
    )


# --- tokens for the email link ---------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=_SALT)  # type: ignore[arg-type]


def token_for(survey: SatisfactionSurvey) -> str:
    return str(_serializer().dumps([survey.id, survey.nonce]))


def pending_token(db: Session, *, ticket_id: int) -> str | None:
    """The token of the ticket's open question, for the email being rendered now; None when
    there is nothing to ask any more (answered, cancelled, expired)."""
    survey = db.exec(
        select(SatisfactionSurvey).where(
            SatisfactionSurvey.ticket_id == ticket_id,
            SatisfactionSurvey.status == SurveyStatus.pending,
            col(SatisfactionSurvey.expires_at) > utcnow(),
        )
    ).first()
    return token_for(survey) if survey is not None else None


def _by_token(db: Session, token: str) -> SatisfactionSurvey:
    try:
        survey_id, nonce = _serializer().loads(str(token or "")[:200])
    except (BadSignature, ValueError, TypeError):
        raise NotFound() from None
    survey = db.get(SatisfactionSurvey, survey_id) if isinstance(survey_id, int) else None
    if survey is None or not secrets.compare_digest(str(survey.nonce), str(nonce)):
        raise NotFound()
    return survey


# --- reading and answering --------------------------------------------------------------------


def _state(survey: SatisfactionSurvey | None, now: datetime) -> str:
    if survey is None:
        return "none"
    if survey.status == SurveyStatus.pending:
        return "open" if _aware(survey.expires_at) > now else "expired"
    return str(survey.status)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _public(db: Session, survey: SatisfactionSurvey | None, ticket: Ticket, now: datetime):
    locale = ticket.locale
    if ticket.requester_id is not None:
        user = db.get(User, ticket.requester_id)
        locale = (user.locale if user else None) or locale
    return SurveyPublic(
        state=_state(survey, now),
        ticket_number=ticket.number,
        rating=str(survey.rating or "") if survey else "",
        comment=(survey.comment or "") if survey else "",
        locale=locale,
    )


def survey_by_token(db: Session, *, token: str, now: datetime | None = None) -> SurveyPublic:
    """The link's page (GET): the question, or why it is closed. Never writes."""
    survey = _by_token(db, token)
    ticket = db.get(Ticket, survey.ticket_id)
    assert ticket is not None
    return _public(db, survey, ticket, now or utcnow())


def answer_by_token(
    db: Session, *, token: str, rating: str, comment: str = "", now: datetime | None = None
) -> SurveyPublic:
    """The link's page (POST), without a login or code: the signed token is the permission,
    and it works once."""
    survey = _by_token(db, token)
    return _answer(db, survey, rating=rating, comment=comment, via="email", now=now or utcnow())


def _latest(db: Session, ticket: Ticket) -> SatisfactionSurvey | None:
    return db.exec(
        select(SatisfactionSurvey)
        .where(SatisfactionSurvey.ticket_id == ticket.id)
        .order_by(col(SatisfactionSurvey.id).desc())
        .limit(1)
    ).first()


def _own_ticket(db: Session, viewer: Viewer | None, number: int | str) -> Ticket:
    ticket = access.ticket_for(db, viewer, number)
    assert viewer is not None
    if viewer.is_agent and ticket.requester_id != viewer.user_id:
        raise NotFound()  # only the customer rates, and sees their own answer
    return ticket


def survey_for_ticket(
    db: Session, *, viewer: Viewer | None, number: int | str, now: datetime | None = None
) -> SurveyPublic:
    """The ticket page's question for its customer (or verified guest)."""
    ticket = _own_ticket(db, viewer, number)
    return _public(db, _latest(db, ticket), ticket, now or utcnow())


def answer_in_portal(
    db: Session,
    *,
    viewer: Viewer | None,
    number: int | str,
    rating: str,
    comment: str = "",
    now: datetime | None = None,
) -> SurveyPublic:
    ticket = _own_ticket(db, viewer, number)
    survey = _latest(db, ticket)
    if survey is None:
        raise SurveyClosed("cancelled")
    return _answer(db, survey, rating=rating, comment=comment, via="portal", now=now or utcnow())


def _answer(
    db: Session, survey: SatisfactionSurvey, *, rating: str, comment: str, via: str, now
) -> SurveyPublic:
    try:
        parsed = Rating(str(rating))
    except ValueError:
        raise InvalidInput(_("Choose good or bad."), field="rating") from None
    text = str(comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            _("The comment is too long (at most {n} characters)."), field="comment", n=MAX_COMMENT
        )
    # Check and record in one step (X1): only one of any number of parallel answers passes.
    result = db.exec(  # type: ignore[call-overload]
        update(SatisfactionSurvey)
        .where(
            col(SatisfactionSurvey.id) == survey.id,
            col(SatisfactionSurvey.status) == SurveyStatus.pending,
            col(SatisfactionSurvey.expires_at) > now,
        )
        .values(
            status=SurveyStatus.answered,
            rating=parsed,
            comment=text or None,
            answered_at=now,
            answered_via=via,
        )
    )
    db.refresh(survey)
    ticket = db.get(Ticket, survey.ticket_id)
    assert ticket is not None
    if result.rowcount != 1:
        raise SurveyClosed(_state(survey, now))
    events.ticket_changed(db, ticket, kind="rating")  # open agent pages show it at once
    return _public(db, survey, ticket, now)


def ratings_of(db: Session, ticket: Ticket) -> list[SurveyForAgent]:
    """Every survey of `ticket`, newest first, for a caller that has checked the agent (the
    agent page's panels, A2)."""
    now = utcnow()
    rows = db.exec(
        select(SatisfactionSurvey)
        .where(SatisfactionSurvey.ticket_id == ticket.id)
        .order_by(col(SatisfactionSurvey.id).desc())
        .limit(20)
    ).all()
    return [
        SurveyForAgent(
            state=_state(s, now),
            created_at=s.created_at,
            rating=str(s.rating or ""),
            comment=s.comment or "",
            answered_at=s.answered_at,
            answered_via=s.answered_via or "",
        )
        for s in rows
    ]
