"""The "How did we do?" link of a resolved ticket's email (CSAT, issue 16), over HTTP against a
migrated database: opening it (as a mail scanner does) records nothing, the form's POST records
one answer, and 50 parallel POSTs of the same link record exactly one, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from support_portal import routes
from support_portal.db import session_scope
from support_portal.models import SatisfactionSurvey, SurveyStatus, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import satisfaction, tickets
from support_portal.web.routes import build_routes_app
from tests.integration.test_reminder_concurrency import viewer_for
from tests.integration.test_throttle_concurrency import at_once, backend  # noqa: F401

pytestmark = pytest.mark.integration


def resolved_guest_ticket() -> str:
    """A guest's ticket an agent resolved; the path of its survey link."""
    from support_portal.models import Role

    with session_scope() as db:
        helper = viewer_for(db, f"agent{id(db)}@support.test", Role.agent)
        number = tickets.create_ticket(
            db, viewer=None, subject="Card", category="other", description="Blocked",
            guest_name="Gus", guest_email="gus@example.net",
        ).number  # fmt: skip
        agent_service.change_status(db, viewer=helper, number=number, action="resolve")
    with session_scope() as db:
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        token = satisfaction.pending_token(db, ticket_id=ticket.id)
    assert token
    return routes.csat_path(token)


def survey_rows() -> list[SatisfactionSurvey]:
    with session_scope() as db:
        return list(db.exec(select(SatisfactionSurvey)))


@pytest.fixture
def client(backend) -> TestClient:  # noqa: F811
    return TestClient(build_routes_app(), base_url="http://portal.test")


def test_opening_the_link_shows_the_question_and_records_nothing(client):
    path = resolved_guest_ticket()
    for _ in range(5):  # a mail scanner opens every link, some several times
        page = client.get(path, params={"rating": "bad"})
        assert page.status_code == 200
        assert "How did we do?" in page.text
        assert re.search(r'value="bad" required checked', page.text)
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
    [survey] = survey_rows()
    assert survey.status == SurveyStatus.pending and survey.rating is None


def test_the_form_records_one_answer_and_the_link_is_then_spent(client):
    path = resolved_guest_ticket()
    done = client.post(path, data={"rating": "good", "comment": "Fast <b>and</b> kind"})
    assert done.status_code == 200 and "Thank you for your feedback" in done.text
    [survey] = survey_rows()
    assert (survey.rating, survey.comment, survey.answered_via) == (
        "good",
        "Fast <b>and</b> kind",
        "email",
    )
    again = client.post(path, data={"rating": "bad"})
    assert again.status_code == 409 and "we already have your answer" in again.text
    assert client.get(path).text.count("<form") == 0
    assert survey_rows()[0].rating == "good"


def test_a_bad_answer_or_link_is_a_clear_page_never_an_error(client):
    path = resolved_guest_ticket()
    missing = client.post(path, data={"comment": "no choice"})
    assert missing.status_code == 400 and 'role="alert"' in missing.text
    assert "no choice" in missing.text  # the comment is kept for the second try
    for bad in (path[:-3] + "xyz", routes.csat_path("nonsense"), routes.csat_path("a" * 5000)):
        assert client.get(bad).status_code == 404
        assert client.post(bad, data={"rating": "good"}).status_code == 404
    weird = client.post(path, content=b"\xff\x00", headers={"content-type": "text/plain"})
    assert weird.status_code == 400
    assert survey_rows()[0].status == SurveyStatus.pending


def test_fifty_parallel_posts_of_one_link_record_exactly_one_answer(backend):  # noqa: F811
    path = resolved_guest_ticket()
    statuses: list[int] = []

    def post(i: int) -> None:
        with TestClient(build_routes_app(), base_url="http://portal.test") as one:
            rating = "good" if i % 2 else "bad"
            statuses.append(one.post(path, data={"rating": rating}).status_code)

    outcomes = at_once(post)
    assert outcomes == {"ok": 50}
    assert sorted(statuses) == [200] + [409] * 49
    [survey] = survey_rows()
    assert survey.status == SurveyStatus.answered
