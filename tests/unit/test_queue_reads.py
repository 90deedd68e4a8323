"""Open queue pages woken together are answered in one read, each as if alone (A2, A4)."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from support_portal.models import AuditEvent, Role
from support_portal.services import agent_queue, queue_reads, sessions
from support_portal.services.errors import InvalidInput, PermissionDenied
from support_portal.services.queue_reads import QueueRequest, QueueUpdate
from tests.unit.conftest import make_viewer, session_token_for
from tests.unit.test_agent import board  # noqa: F401  (fixture)


def token_of(db: Session, user_id: int) -> str:
    return session_token_for(db, user_id=user_id)


def alone(db: Session, request: QueueRequest):
    """What the page would get from the two calls it makes on its own."""
    viewer = sessions.viewer_for_token(db, session_token=request.session_token)
    page = agent_queue.queue(
        db,
        viewer=viewer,
        view=request.view,
        search=request.search,
        sort=request.sort,
        cursor=request.cursor or None,
    )
    return viewer, page, agent_queue.view_counts(db, viewer=viewer)


def test_every_page_gets_what_it_would_get_alone(db, agent, board):  # noqa: F811
    ines = make_viewer(db, name="Ines", email="ines@support.test", role=Role.agent)
    mine, hers = token_of(db, agent.user_id), token_of(db, ines.user_id)
    requests = [
        QueueRequest(mine, "unassigned"),
        QueueRequest(mine, "mine"),
        QueueRequest(hers, "mine"),
        QueueRequest(hers, "unassigned"),
        QueueRequest(mine, "all", sort="priority"),
        QueueRequest(hers, "all", search="Theirs"),
        QueueRequest(mine, "all", sort="waiting"),
    ]
    answers = queue_reads.queue_updates(db, requests=requests)
    for request, answer in zip(requests, answers, strict=True):
        viewer, page, counts = alone(db, request)
        assert isinstance(answer, QueueUpdate)
        assert answer.viewer == viewer
        assert answer.page == page
        assert answer.counts == counts


def test_an_ended_session_and_a_customer_get_nothing(db, agent, alice, board):  # noqa: F811
    ended = token_of(db, agent.user_id)
    sessions.revoke_session(db, session_token=ended)
    customer = token_of(db, alice.user_id)
    answers = queue_reads.queue_updates(
        db,
        requests=[
            QueueRequest(ended, "unassigned"),
            QueueRequest(customer, "unassigned"),
            QueueRequest(None, "unassigned"),
            QueueRequest(token_of(db, agent.user_id), "unassigned"),
        ],
    )
    assert answers[0] is None and answers[2] is None
    assert isinstance(answers[1], PermissionDenied)
    assert isinstance(answers[3], QueueUpdate)
    refused = db.exec(select(AuditEvent).where(AuditEvent.action == "denied.queue")).all()
    assert [e.actor_id for e in refused] == [alice.user_id]  # the refusal is audited (A2)


def test_a_bad_page_request_is_that_page_s_error_only(db, agent, board):  # noqa: F811
    token = token_of(db, agent.user_id)
    answers = queue_reads.queue_updates(
        db,
        requests=[
            QueueRequest(token, "everything"),
            QueueRequest(token, "all", cursor="not a cursor"),
            QueueRequest(token, "all"),
        ],
    )
    assert isinstance(answers[0], InvalidInput)
    assert isinstance(answers[1], InvalidInput)
    assert isinstance(answers[2], QueueUpdate) and len(answers[2].page.items) == 6


def test_the_mine_counts_stop_at_the_cap(db, agent, board, monkeypatch):  # noqa: F811
    monkeypatch.setattr(agent_queue, "COUNT_CAP", 1)
    first = make_viewer(db, name="Ines", email="ines@support.test", role=Role.agent)
    answers = queue_reads.queue_updates(
        db,
        requests=[
            QueueRequest(token_of(db, first.user_id), "all"),
            QueueRequest(token_of(db, agent.user_id), "all"),
        ],
    )
    assert [a.counts["mine"] for a in answers] == [0, 2]  # 2 = COUNT_CAP + 1: "more than 1"
    assert answers[1].counts == agent_queue.view_counts(db, viewer=agent)


@pytest.mark.parametrize("pages", [1, 50])
def test_fifty_pages_of_the_same_view_cost_what_one_does(db, engine, agent, board, pages):  # noqa: F811
    tokens = [token_of(db, agent.user_id) for _ in range(pages)]
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        answers = queue_reads.queue_updates(
            db, requests=[QueueRequest(t, "unassigned") for t in tokens]
        )
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert all(isinstance(a, QueueUpdate) for a in answers)
    assert len(statements) <= 6  # sessions, the page (tickets, summaries), the counts
