"""Satisfaction surveys (CSAT, issue 16): asked on every resolution, cancelled by a reopen,
expired after 7 days, answered once; reading never records; the email's link token works once
and only for its own survey."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from support_portal.models import OutboxEmail, SatisfactionSurvey, SurveyStatus, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import agent_page, customer_status, reminders, satisfaction, tickets
from support_portal.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.unit.conftest import guest_viewer

GUS = "gus@example.net"


def open_ticket(db, viewer, **kw) -> int:
    return tickets.create_ticket(
        db, viewer=viewer, subject="Help", category="other", description="Please", **kw
    ).number


def resolved_by_agent(db, customer, agent) -> int:
    number = open_ticket(db, customer)
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    return number


def surveys(db, number) -> list[SatisfactionSurvey]:
    ticket_id = db.exec(select(Ticket.id).where(Ticket.number == number)).one()
    query = select(SatisfactionSurvey).where(SatisfactionSurvey.ticket_id == ticket_id)
    return list(db.exec(query.order_by(SatisfactionSurvey.id)))


def token(db, number) -> str:
    return satisfaction.token_for(surveys(db, number)[-1])


def test_resolving_asks_once_and_the_customer_sees_the_question(db, alice, agent):
    number = resolved_by_agent(db, alice, agent)
    [survey] = surveys(db, number)
    assert survey.status == SurveyStatus.pending
    assert survey.expires_at - survey.created_at == timedelta(days=7)
    seen = satisfaction.survey_for_ticket(db, viewer=alice, number=number)
    assert (seen.state, seen.rating) == ("open", "")


def test_every_way_to_resolve_asks(db, alice, agent, clock):
    by_customer = open_ticket(db, alice)
    customer_status.change_own_status(db, viewer=alice, number=by_customer, action="resolve")
    assert len(surveys(db, by_customer)) == 1

    waiting = open_ticket(db, alice)
    agent_service.agent_reply(db, viewer=agent, number=waiting, body="Which?", request_info=True)
    clock.advance(days=3, hours=1)
    reminders.run_due(db, now=clock.now())
    clock.advance(days=7, hours=1)
    assert reminders.run_due(db, now=clock.now())["resolved"] == [waiting]
    assert [s.status for s in surveys(db, waiting)] == [SurveyStatus.pending]


def test_opening_the_question_never_records_an_answer(db, alice, agent):
    number = resolved_by_agent(db, alice, agent)
    link = token(db, number)
    for _ in range(5):  # a mail scanner, the customer, a preview: reads only
        assert satisfaction.survey_by_token(db, token=link).state == "open"
        satisfaction.survey_for_ticket(db, viewer=alice, number=number)
    [survey] = surveys(db, number)
    assert survey.status == SurveyStatus.pending and survey.rating is None


def test_reopening_before_an_answer_cancels_the_question(db, alice, agent):
    number = resolved_by_agent(db, alice, agent)
    link = token(db, number)
    tickets.add_customer_reply(db, viewer=alice, number=number, body="Still broken.")
    assert [s.status for s in surveys(db, number)] == [SurveyStatus.cancelled]
    assert satisfaction.survey_for_ticket(db, viewer=alice, number=number).state == "cancelled"
    with pytest.raises(satisfaction.SurveyClosed) as refused:
        satisfaction.answer_by_token(db, token=link, rating="good")
    assert refused.value.state == "cancelled"
    # Resolved again: a new question, one per resolution; the old link stays dead.
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    assert [s.status for s in surveys(db, number)] == [
        SurveyStatus.cancelled,
        SurveyStatus.pending,
    ]
    with pytest.raises(satisfaction.SurveyClosed):
        satisfaction.answer_by_token(db, token=link, rating="good")
    assert satisfaction.answer_by_token(db, token=token(db, number), rating="good").state == (
        "answered"
    )


def test_an_agent_reopening_or_asking_again_cancels_too(db, alice, agent):
    number = resolved_by_agent(db, alice, agent)
    agent_service.change_status(db, viewer=agent, number=number, action="reopen")
    assert surveys(db, number)[-1].status == SurveyStatus.cancelled
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    agent_service.agent_reply(db, viewer=agent, number=number, body="One more?", request_info=True)
    assert [s.status for s in surveys(db, number)] == [SurveyStatus.cancelled] * 2


def test_closing_a_resolved_ticket_keeps_the_question(db, alice, agent):
    number = resolved_by_agent(db, alice, agent)
    agent_service.change_status(db, viewer=agent, number=number, action="close")
    assert satisfaction.survey_for_ticket(db, viewer=alice, number=number).state == "open"


def test_the_question_expires_after_seven_days(db, alice, agent):
    number = resolved_by_agent(db, alice, agent)
    created = surveys(db, number)[0].created_at
    link = token(db, number)
    late = created + timedelta(days=7, seconds=1)
    assert satisfaction.survey_by_token(db, token=link, now=late).state == "expired"
    with pytest.raises(satisfaction.SurveyClosed) as refused:
        satisfaction.answer_by_token(db, token=link, rating="good", now=late)
    assert refused.value.state == "expired"
    in_time = created + timedelta(days=6, hours=23)
    answered = satisfaction.answer_by_token(db, token=link, rating="bad", now=in_time)
    assert answered.state == "answered"


def test_a_guest_answers_once_through_the_link_without_a_code(db, agent):
    number = open_ticket(db, None, guest_name="Gus", guest_email=GUS)
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    link = token(db, number)
    answered = satisfaction.answer_by_token(db, token=link, rating="bad", comment=" Too slow. ")
    assert (answered.state, answered.rating, answered.comment) == ("answered", "bad", "Too slow.")
    with pytest.raises(satisfaction.SurveyClosed) as again:
        satisfaction.answer_by_token(db, token=link, rating="good")
    assert again.value.state == "answered"
    [survey] = surveys(db, number)
    assert (survey.rating, survey.answered_via) == ("bad", "email")
    # The portal, for the verified guest, shows the answer and refuses a second one.
    guest = guest_viewer(db, GUS)
    assert satisfaction.survey_for_ticket(db, viewer=guest, number=number).rating == "bad"
    with pytest.raises(satisfaction.SurveyClosed):
        satisfaction.answer_in_portal(db, viewer=guest, number=number, rating="good")


def test_a_forged_or_altered_token_opens_nothing(db, alice, agent):
    number = resolved_by_agent(db, alice, agent)
    link = token(db, number)
    survey = surveys(db, number)[0]
    for bad in ("", "x", link[:-2] + ("AA" if not link.endswith("AA") else "BB"), link + "x"):
        with pytest.raises(NotFound):
            satisfaction.survey_by_token(db, token=bad)
    # Signed with the right key but the wrong nonce (a database dump's id alone is not enough).
    forged = satisfaction._serializer().dumps([survey.id, "0" * 32])
    with pytest.raises(NotFound):
        satisfaction.answer_by_token(db, token=forged, rating="good")
    assert link not in str([s.model_dump() for s in surveys(db, number)])


def test_answers_are_checked(db, alice, agent):
    number = resolved_by_agent(db, alice, agent)
    with pytest.raises(InvalidInput):
        satisfaction.answer_in_portal(db, viewer=alice, number=number, rating="meh")
    with pytest.raises(InvalidInput):
        satisfaction.answer_in_portal(
            db, viewer=alice, number=number, rating="good", comment="x" * 2001
        )
    assert surveys(db, number)[0].status == SurveyStatus.pending
    done = satisfaction.answer_in_portal(
        db, viewer=alice, number=number, rating="good", comment="Quick, thanks"
    )
    assert (done.state, done.rating, done.comment) == ("answered", "good", "Quick, thanks")


def test_only_the_tickets_customer_rates_and_only_agents_read_ratings(db, alice, bob, agent):
    number = resolved_by_agent(db, alice, agent)
    with pytest.raises(NotFound):
        satisfaction.survey_for_ticket(db, viewer=bob, number=number)
    with pytest.raises(NotFound):
        satisfaction.answer_in_portal(db, viewer=bob, number=number, rating="bad")
    with pytest.raises(NotFound):  # an agent does not rate for the customer
        satisfaction.answer_in_portal(db, viewer=agent, number=number, rating="good")
    with pytest.raises(PermissionDenied):  # the ratings come with the agent page's panels
        agent_page.panels(db, viewer=alice, number=number)
    satisfaction.answer_in_portal(db, viewer=alice, number=number, rating="good", comment="Ok")
    [seen] = agent_page.panels(db, viewer=agent, number=number).ratings
    assert (seen.state, seen.rating, seen.comment, seen.answered_via) == (
        "answered",
        "good",
        "Ok",
        "portal",
    )


def test_the_resolved_email_carries_the_question_while_it_is_open(db, agent):
    from support_portal.mail.sender import render_row

    number = open_ticket(db, None, guest_name="Gus", guest_email=GUS)
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    db.flush()
    row = db.exec(select(OutboxEmail).where(OutboxEmail.template == "resolved")).one()
    text = render_row(db, row).get_body(("plain",)).get_content()
    link = token(db, number)
    assert f"/rate/{link}?rating=good" in text and f"/rate/{link}?rating=bad" in text
    satisfaction.answer_by_token(db, token=link, rating="good")
    assert "/rate/" not in render_row(db, row).get_body(("plain",)).get_content()
