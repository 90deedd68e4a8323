"""The agent dashboard: queues, replies, status changes, assignment and admin (A2, A3)."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlmodel import Session, select, update

from support_portal.models import AuditEvent, Message, Ticket, TicketStatus, User, utcnow
from support_portal.services import agent as agent_service
from support_portal.services import agent_page, agent_queue, agents, conversation, sessions, tickets
from support_portal.services.dto import Viewer
from support_portal.services.errors import (
    InvalidInput,
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from tests.unit.conftest import guest_viewer, make_viewer, session_token_for


def open_ticket(db: Session, viewer: Viewer | None, subject: str = "Help", **kw) -> int:
    kw.setdefault("category", "other")
    kw.setdefault("description", "Please help")
    return tickets.create_ticket(db, viewer=viewer, subject=subject, **kw).number


def guest_ticket(db: Session, subject: str = "Guest help", email: str = "gus@example.net") -> int:
    return open_ticket(db, None, subject, guest_name="Gus Guest", guest_email=email)


def queue_numbers(db: Session, viewer: Viewer, **kw) -> list[int]:
    return [t.number for t in agent_queue.queue(db, viewer=viewer, **kw).items]


def ticket_row(db: Session, number: int) -> Ticket:
    return db.exec(select(Ticket).where(Ticket.number == number)).one()


@pytest.fixture
def board(db, alice, bob, agent):
    """One ticket in every state, plus one assigned to another agent."""
    other = make_viewer(db, name="Otto Other", email="otto@support.test", role=agent.role)
    numbers = {
        "unassigned": open_ticket(db, alice, "Unassigned"),
        "mine": open_ticket(db, alice, "Mine"),
        "theirs": open_ticket(db, bob, "Theirs"),
        "awaiting": open_ticket(db, bob, "Awaiting"),
        "resolved": open_ticket(db, alice, "Resolved"),
        "closed": open_ticket(db, bob, "Closed"),
    }
    agent_service.assign(db, viewer=agent, number=numbers["mine"], assignee_id=agent.user_id)
    agent_service.assign(db, viewer=agent, number=numbers["theirs"], assignee_id=other.user_id)
    agent_service.agent_reply(
        db, viewer=agent, number=numbers["awaiting"], body="Which?", request_info=True
    )
    agent_service.change_status(db, viewer=agent, number=numbers["resolved"], action="resolve")
    agent_service.change_status(db, viewer=agent, number=numbers["closed"], action="close")
    return numbers


# Queue views


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("unassigned", {"unassigned"}),
        ("mine", {"mine", "awaiting"}),  # replying assigned "awaiting" to the agent
        ("open", {"unassigned", "mine", "theirs"}),
        ("awaiting", {"awaiting"}),
        ("resolved", {"resolved"}),
        ("closed", {"closed"}),
        ("all", {"unassigned", "mine", "theirs", "awaiting", "resolved", "closed"}),
    ],
)
def test_each_queue_view_shows_exactly_its_tickets(db, agent, board, view, expected):
    assert set(queue_numbers(db, agent, view=view)) == {board[name] for name in expected}


def test_view_counts_match_the_views(db, agent, board):
    counts = agent_queue.view_counts(db, viewer=agent)
    assert counts == {view: len(queue_numbers(db, agent, view=view)) for view in agent_queue.VIEWS}
    assert counts == {
        "unassigned": 1, "mine": 2, "open": 3, "awaiting": 1, "resolved": 1, "closed": 1,
        "all": 6,
    }  # fmt: skip


def test_view_counts_stop_at_the_cap_and_say_there_are_more(db, agent, board, monkeypatch):
    monkeypatch.setattr(agent_queue, "COUNT_CAP", 2)
    counts = agent_queue.view_counts(db, viewer=agent)
    assert counts["all"] == counts["open"] == 3  # COUNT_CAP + 1: "more than 2"
    assert (counts["mine"], counts["unassigned"]) == (2, 1)  # exact under the cap


def test_an_unknown_view_is_refused(db, agent):
    with pytest.raises(InvalidInput):
        agent_queue.queue(db, viewer=agent, view="everything")


def test_queue_rows_name_the_requester_and_the_assignee(db, agent, board):
    [row] = agent_queue.queue(db, viewer=agent, view="resolved").items
    assert (row.requester_name, row.requester_email) == ("Alice", "alice@example.com")
    [mine] = agent_queue.queue(db, viewer=agent, view="mine", search="Mine").items
    assert mine.assignee_name == "Agnes Agent"


# Search


def test_agents_find_tickets_by_customer_email_name_guest_email_subject_and_number(
    db, agent, alice, bob
):
    alices = open_ticket(db, alice, "Card declined")
    bobs = open_ticket(db, bob, "Margin call")
    guests = guest_ticket(db, email="gus@example.net")
    searches = {
        "alice@example": {alices},
        "BOB": {bobs},
        "gus@example.net": {guests},
        "Gus Guest": {guests},
        "margin": {bobs},
        f"#{alices}": {alices},
        "example": {alices, bobs, guests},
        "nobody": set(),
    }
    for text, expected in searches.items():
        assert set(queue_numbers(db, agent, view="all", search=text)) == expected, text


def test_like_wildcards_in_an_agent_search_match_only_themselves(db, agent, alice):
    wanted = open_ticket(db, alice, "50% fee")
    open_ticket(db, alice, "500 fee")
    assert queue_numbers(db, agent, view="all", search="50%") == [wanted]


# Sorting and paging


def walk(db: Session, viewer: Viewer, **kw) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = agent_queue.queue(db, viewer=viewer, cursor=cursor, **kw)
        seen += [t.number for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


def test_pages_by_activity_walk_every_ticket_once_with_identical_times(db, agent, alice):
    created = {open_ticket(db, alice, f"T{n}") for n in range(45)}
    db.exec(update(Ticket).values(last_activity_at=utcnow()))
    seen = walk(db, agent, view="all", limit=20)
    assert len(seen) == len(set(seen)) == 45
    assert set(seen) == created


@pytest.fixture(params=["24/7", "mon 09:00-09:01"])
def opening_hours(request, monkeypatch):
    """Always open (every promise its own moment), and open one minute a week (every promise
    the same moment: the longest wait decides)."""
    from support_portal.settings import get_settings

    monkeypatch.setenv("BUSINESS_HOURS", request.param)
    get_settings.cache_clear()
    yield request.param
    get_settings.cache_clear()


@pytest.fixture
def waiting_board(db, alice, agent, opening_hours):
    """Seven tickets where the customer waits (oldest first) and five answered ones."""
    start = utcnow() - timedelta(days=1)
    waiting, answered = [], []
    for n in range(12):
        number = open_ticket(db, alice, f"T{n}")
        row = ticket_row(db, number)
        row.last_activity_at = start + timedelta(minutes=n)
        if n % 2 == 0 or n == 11:
            row.waiting_since = start + timedelta(minutes=30 - n)  # later tickets waited longer
            waiting.append(number)
        else:
            row.waiting_since = None
            answered.append(number)
    db.flush()
    expected = list(reversed(waiting)) + list(reversed(answered))
    assert (len(waiting), len(answered)) == (7, 5)
    promises = {ticket_row(db, number).reply_due_at for number in waiting}
    assert len(promises) == (7 if opening_hours == "24/7" else 1)  # one moment: ties
    return expected


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 7, 12, 50])
def test_waiting_sort_puts_the_longest_waiting_first_then_the_rest_across_pages(
    db, agent, waiting_board, limit
):
    assert walk(db, agent, view="all", sort="waiting", limit=limit) == waiting_board


def test_waiting_pages_walk_every_ticket_once_with_identical_waiting_times(db, agent, alice):
    created = {open_ticket(db, alice, f"T{n}") for n in range(9)}
    db.exec(update(Ticket).values(waiting_since=utcnow() - timedelta(hours=1)))
    seen = walk(db, agent, view="all", sort="waiting", limit=2)
    assert len(seen) == len(set(seen)) == 9
    assert set(seen) == created


@pytest.mark.parametrize("view", agent_queue.NOBODY_WAITS)
def test_where_nobody_waits_the_waiting_sort_is_the_activity_sort(db, agent, board, view):
    by_waiting = walk(db, agent, view=view, sort="waiting", limit=1)
    assert by_waiting == walk(db, agent, view=view, sort="activity", limit=1)
    assert all(
        ticket_row(db, number).waiting_since is None
        for number in queue_numbers(db, agent, view=view)
    )


def test_waiting_sort_on_one_page(db, agent, waiting_board):
    assert queue_numbers(db, agent, view="all", sort="waiting", limit=50) == waiting_board


@pytest.mark.parametrize(
    "raw", [b"%%%", b"x|2024-01-01T00:00:00+00:00|1", b"w|yesterday|1", b"w|2024-01-01|one"]
)
def test_a_forged_waiting_cursor_is_refused(db, agent, raw):
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with pytest.raises(InvalidInput):
        agent_queue.queue(db, viewer=agent, view="all", sort="waiting", cursor=cursor)


# Replies, notes and status


def test_an_agent_reply_is_authored_by_the_agent_and_assigns_the_ticket(db, alice, agent):
    number = open_ticket(db, alice)
    reply = agent_service.agent_reply(db, viewer=agent, number=number, body="On it")
    assert (reply.author_kind, reply.author_name, reply.is_internal) == (
        "agent",
        "Agnes Agent",
        False,
    )
    stored = db.get(Message, reply.id)
    assert stored.author_id == agent.user_id
    row = ticket_row(db, number)
    assert row.assignee_id == agent.user_id
    assert row.waiting_since is None
    assert row.status == TicketStatus.open


def test_an_internal_note_changes_neither_status_nor_assignment_nor_waiting(db, alice, agent):
    number = open_ticket(db, alice)
    before = ticket_row(db, number).last_activity_at
    note = agent_service.agent_reply(db, viewer=agent, number=number, body="VIP", internal=True)
    assert note.is_internal
    row = ticket_row(db, number)
    assert (row.status, row.assignee_id) == (TicketStatus.open, None)
    assert row.waiting_since is not None
    assert row.last_activity_at == before


def test_an_agent_reply_key_twice_stores_one_message(db, alice, agent):
    number = open_ticket(db, alice)
    first = agent_service.agent_reply(
        db, viewer=agent, number=number, body="x", idempotency_key="a1"
    )
    again = agent_service.agent_reply(
        db, viewer=agent, number=number, body="x", idempotency_key="a1"
    )
    assert first.id == again.id
    assert len(conversation.list_messages(db, viewer=agent, number=number)) == 2


def test_a_closed_ticket_takes_internal_notes_but_not_public_replies(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="close")
    agent_service.agent_reply(db, viewer=agent, number=number, body="for the record", internal=True)
    with pytest.raises(InvalidTransition):
        agent_service.agent_reply(db, viewer=agent, number=number, body="hello")


def test_resolve_close_and_reopen_follow_the_workflow(db, alice, agent):
    number = open_ticket(db, alice)
    assert agent_service.change_status(db, viewer=agent, number=number, action="resolve") == (
        "resolved"
    )
    assert ticket_row(db, number).resolved_at is not None
    assert agent_service.change_status(db, viewer=agent, number=number, action="close") == "closed"
    assert agent_service.change_status(db, viewer=agent, number=number, action="reopen") == "open"
    row = ticket_row(db, number)
    assert row.is_active and row.waiting_since is not None and row.closed_at is None
    with pytest.raises(InvalidTransition):
        agent_service.change_status(db, viewer=agent, number=number, action="reopen")


@pytest.mark.parametrize("action", ["agent_reply", "customer_reply", "auto_close", "delete"])
def test_change_status_accepts_only_resolve_close_and_reopen(db, alice, agent, action):
    number = open_ticket(db, alice)
    with pytest.raises(InvalidInput):
        agent_service.change_status(db, viewer=agent, number=number, action=action)


def test_an_agent_asking_for_a_missing_ticket_gets_not_found(db, agent):
    with pytest.raises(NotFound):
        agent_service.agent_reply(db, viewer=agent, number=12345678, body="hello")


# Assignment


def test_tickets_are_assigned_and_unassigned(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.assign(db, viewer=agent, number=number, assignee_id=agent.user_id)
    assert queue_numbers(db, agent, view="mine") == [number]
    assert queue_numbers(db, agent, view="unassigned") == []
    agent_service.assign(db, viewer=agent, number=number, assignee_id=None)
    assert queue_numbers(db, agent, view="mine") == []
    assert queue_numbers(db, agent, view="unassigned") == [number]


def test_the_ticket_view_reads_who_the_ticket_is_assigned_to(db, alice, agent):
    number = open_ticket(db, alice)
    assert agent_service.ticket_assignee(db, viewer=agent, number=number) is None
    agent_service.assign(db, viewer=agent, number=number, assignee_id=agent.user_id)
    assert agent_service.ticket_assignee(db, viewer=agent, number=number) == agent.user_id


def test_tickets_can_be_assigned_only_to_active_agents(db, alice, agent):
    number = open_ticket(db, alice)
    with pytest.raises(InvalidInput):
        agent_service.assign(db, viewer=agent, number=number, assignee_id=alice.user_id)
    with pytest.raises(InvalidInput):
        agent_service.assign(db, viewer=agent, number=number, assignee_id=9999)
    db.get(User, agent.user_id).is_active = False
    with pytest.raises(InvalidInput):
        agent_service.assign(db, viewer=agent, number=number, assignee_id=agent.user_id)


# History and customer info


def test_history_lists_status_and_assignment_changes_but_not_messages(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.agent_reply(db, viewer=agent, number=number, body="On it")
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    tickets.add_customer_reply(db, viewer=alice, number=number, body="Not fixed")
    entries = agent_page.history(db, viewer=agent, number=number)
    assert [(e.action, e.actor_name) for e in entries] == [
        ("ticket.created", "Alice"),
        ("ticket.assigned", "Agnes Agent"),
        ("ticket.status", "Agnes Agent"),
        ("ticket.status", "Alice"),
    ]
    assert entries[1].detail["assignee_name"] == "Agnes Agent"
    assert entries[2].detail == {"from": "open", "to": "resolved"}
    assert entries[3].detail == {"from": "resolved", "to": "open"}


def test_history_calls_automatic_changes_system(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    agent_service.auto_close(db, now=utcnow() + timedelta(days=30))
    assert agent_page.history(db, viewer=agent, number=number)[-1].actor_name == "System"


def test_customer_info_for_an_account_lists_their_other_tickets(db, alice, bob, agent):
    first = open_ticket(db, alice, "First")
    second = open_ticket(db, alice, "Second")
    open_ticket(db, bob, "Bob's")
    info = agent_page.customer_info(db, viewer=agent, number=second)
    assert (info.name, info.email, info.has_account) == ("Alice", "alice@example.com", True)
    assert [t.number for t in info.other_tickets] == [first]


def test_customer_info_for_a_guest_lists_tickets_from_the_same_email(db, agent):
    first = guest_ticket(db, "First", email="gus@example.net")
    second = guest_ticket(db, "Second", email="gus@example.net")
    guest_ticket(db, "Someone else", email="other@example.net")
    info = agent_page.customer_info(db, viewer=agent, number=second)
    assert (info.name, info.email, info.has_account, info.email_verified) == (
        "Gus Guest",
        "gus@example.net",
        False,
        False,
    )
    assert [t.number for t in info.other_tickets] == [first]


def test_a_guest_who_entered_a_code_counts_as_verified_and_is_named_in_the_history(db, agent):
    from support_portal.services import guest, guest_links
    from support_portal.states.agent_views import history_text
    from tests.fakes import code_sent

    number = guest_ticket(db, email="gus@example.net")
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    secret = guest_links.link_secret(ticket)
    guest.send_link_code(db, secret=secret, ip=None)
    code = code_sent(db)
    assert not agent_page.customer_info(db, viewer=agent, number=number).email_verified
    guest.verify_link_code(db, secret=secret, code=code, ip=None)
    assert agent_page.customer_info(db, viewer=agent, number=number).email_verified
    entries = agent_page.history(db, viewer=agent, number=number)
    assert [(e.action, e.actor_name) for e in entries][-2:] == [
        ("guest.code_sent", "Gus Guest"),
        ("guest.verified", "Gus Guest"),
    ]
    assert [history_text(e, "cs") for e in entries[-2:]] == [
        "Požádal(a) o ověřovací kód",
        "Ověřil(a) e-mailovou adresu kódem",
    ]


# Agents only (A2)


AGENT_CALLS = {
    "queue": lambda db, v, n: agent_queue.queue(db, viewer=v),
    "view_counts": lambda db, v, n: agent_queue.view_counts(db, viewer=v),
    "reply": lambda db, v, n: agent_service.agent_reply(db, viewer=v, number=n, body="x"),
    "internal_note": lambda db, v, n: agent_service.agent_reply(
        db, viewer=v, number=n, body="x", internal=True
    ),
    "request_info": lambda db, v, n: agent_service.agent_reply(
        db, viewer=v, number=n, body="x", request_info=True
    ),
    "resolve": lambda db, v, n: agent_service.change_status(
        db, viewer=v, number=n, action="resolve"
    ),
    "close": lambda db, v, n: agent_service.change_status(db, viewer=v, number=n, action="close"),
    "assign": lambda db, v, n: agent_service.assign(db, viewer=v, number=n, assignee_id=1),
    "ticket_assignee": lambda db, v, n: agent_service.ticket_assignee(db, viewer=v, number=n),
    "history": lambda db, v, n: agent_page.history(db, viewer=v, number=n),
    "customer_info": lambda db, v, n: agent_page.customer_info(db, viewer=v, number=n),
    "list_agents": lambda db, v, n: agents.list_agents(db, viewer=v),
    "add_agent": lambda db, v, n: agents.add_agent(
        db, viewer=v, name="Mallory", email="mallory@evil.test", password="long enough pw"
    ),
    "set_agent_active": lambda db, v, n: agents.set_agent_active(
        db, viewer=v, agent_id=1, active=True
    ),
}


AUDITED_AS = {"view_counts": "queue"}  # the counts belong to the queue page


@pytest.mark.parametrize("action", list(AGENT_CALLS))
def test_a_customer_calling_an_agent_action_is_denied_and_logged(db, alice, action):
    number = open_ticket(db, alice)
    db.commit()
    with pytest.raises(PermissionDenied):
        AGENT_CALLS[action](db, alice, number)
    db.rollback()  # the caller's transaction fails; the denial is still on record
    denial = db.exec(select(AuditEvent).where(AuditEvent.action.startswith("denied."))).one()
    assert denial.action == f"denied.{AUDITED_AS.get(action, action)}"
    assert (denial.actor_kind, denial.actor_id) == ("user", alice.user_id)
    row = ticket_row(db, number)
    assert (row.status, row.assignee_id, row.message_count) == (TicketStatus.open, None, 1)


@pytest.mark.parametrize("action", list(AGENT_CALLS))
def test_a_guest_calling_an_agent_action_is_denied_and_logged(db, action):
    number = guest_ticket(db, email="gus@example.net")
    gus = guest_viewer(db, "gus@example.net")
    with pytest.raises(PermissionDenied):
        AGENT_CALLS[action](db, gus, number)
    denial = db.exec(select(AuditEvent).where(AuditEvent.action.startswith("denied."))).one()
    assert (denial.action, denial.actor_kind, denial.actor_id) == (
        f"denied.{AUDITED_AS.get(action, action)}",
        "guest",
        None,
    )


@pytest.mark.parametrize("action", list(AGENT_CALLS))
def test_no_viewer_at_all_must_log_in(db, alice, action):
    number = open_ticket(db, alice)
    with pytest.raises(NotAuthenticated):
        AGENT_CALLS[action](db, None, number)


def test_a_revoked_agent_session_no_longer_reaches_agent_actions(db, agent):
    token = session_token_for(db, user_id=agent.user_id)
    sessions.revoke_session(db, session_token=token)
    with pytest.raises(NotAuthenticated):
        agent_queue.queue(db, viewer=sessions.viewer_for_token(db, session_token=token))


# Admin only


def test_an_admin_adds_an_agent_who_can_then_work_the_queue(db, admin):
    added = agents.add_agent(
        db, viewer=admin, name="Nina New", email="nina@support.test", password="long enough pw"
    )
    assert (added.role, added.is_active) == ("agent", True)
    assert "nina@support.test" in [a.email for a in agents.list_agents(db, viewer=admin)]
    nina = sessions.viewer_for_token(db, session_token=session_token_for(db, user_id=added.id))
    assert agent_queue.queue(db, viewer=nina).items == []


def test_a_plain_agent_cannot_add_or_deactivate_agents(db, agent, admin):
    with pytest.raises(PermissionDenied):
        agents.add_agent(
            db, viewer=agent, name="Mallory", email="m@evil.test", password="long enough pw"
        )
    with pytest.raises(PermissionDenied):
        agents.set_agent_active(db, viewer=agent, agent_id=admin.user_id, active=False)
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.action.startswith("denied."))
    ).all()
    assert actions == ["denied.add_agent", "denied.set_agent_active"]


def test_deactivating_an_agent_ends_their_sessions_and_hides_them(db, admin, agent):
    token = session_token_for(db, user_id=agent.user_id)
    agents.set_agent_active(db, viewer=admin, agent_id=agent.user_id, active=False)
    assert sessions.viewer_for_token(db, session_token=token) is None
    assert agent.user_id not in [a.id for a in agents.list_agents(db, viewer=admin)]
    everyone = agents.list_agents(db, viewer=admin, include_inactive=True)
    assert agent.user_id in [a.id for a in everyone]
    agents.set_agent_active(db, viewer=admin, agent_id=agent.user_id, active=True)
    assert agent.user_id in [a.id for a in agents.list_agents(db, viewer=admin)]


def test_an_admin_cannot_deactivate_themselves_or_a_customer(db, admin, alice):
    with pytest.raises(InvalidInput):
        agents.set_agent_active(db, viewer=admin, agent_id=admin.user_id, active=False)
    with pytest.raises(NotFound):
        agents.set_agent_active(db, viewer=admin, agent_id=alice.user_id, active=False)


# Auto-close


def test_auto_close_closes_only_tickets_resolved_more_than_n_days_ago(db, alice, agent):
    old = open_ticket(db, alice, "Old")
    recent = open_ticket(db, alice, "Recent")
    still_open = open_ticket(db, alice, "Open")
    for number in (old, recent):
        agent_service.change_status(db, viewer=agent, number=number, action="resolve")
    now = utcnow()
    ticket_row(db, old).resolved_at = now - timedelta(days=7, minutes=1)
    ticket_row(db, recent).resolved_at = now - timedelta(days=6, hours=23)
    db.flush()

    assert agent_service.auto_close(db, now=now, days=7) == [old]
    assert ticket_row(db, old).status == TicketStatus.closed
    assert ticket_row(db, recent).status == TicketStatus.resolved
    assert ticket_row(db, still_open).status == TicketStatus.open
    assert agent_service.auto_close(db, now=now, days=7) == []


# --- the agent ticket page: its panels and its actions, one call each ---------------------------


def test_panels_show_header_customer_history_and_agents_in_one_read(db, alice, agent):
    number = open_ticket(db, alice, "Card declined")
    agent_service.assign(db, viewer=agent, number=number, assignee_id=agent.user_id)

    found = agent_page.panels(db, viewer=agent, number=number)

    assert (found.detail.number, found.detail.subject) == (number, "Card declined")
    assert found.customer.email == alice.email
    assert found.assignee_id == agent.user_id
    assert agent.user_id in {a.id for a in found.agents}
    assert [e.action for e in found.history][-1] == "ticket.assigned"


def test_panels_and_actions_refuse_customers_and_guests(db, alice, bob):
    number = open_ticket(db, alice)
    for viewer in (alice, bob, guest_viewer(db, "gus@example.net"), None):
        with pytest.raises((PermissionDenied, NotAuthenticated)):
            agent_page.panels(db, viewer=viewer, number=number)
        with pytest.raises((PermissionDenied, NotAuthenticated)):
            agent_page.act(db, viewer=viewer, number=number, do="status", action="resolve")
    assert ticket_row(db, number).status == TicketStatus.open


def test_act_runs_the_action_and_returns_the_panels_it_left(db, alice, agent):
    number = open_ticket(db, alice)

    after = agent_page.act(db, viewer=agent, number=number, do="status", action="resolve")
    assert after.detail.status == TicketStatus.resolved.value
    assert "ticket.status" in [e.action for e in after.history]

    after = agent_page.act(db, viewer=agent, number=number, do="assign", assignee_id=agent.user_id)
    assert after.assignee_id == agent.user_id


def test_act_refuses_a_transition_the_workflow_does_not_allow(db, alice, agent):
    number = open_ticket(db, alice)
    agent_service.change_status(db, viewer=agent, number=number, action="close")
    with pytest.raises(InvalidTransition):
        agent_page.act(db, viewer=agent, number=number, do="status", action="close")


def test_act_knows_only_the_pages_actions(db, alice, agent):
    number = open_ticket(db, alice)
    with pytest.raises(KeyError):
        agent_page.act(db, viewer=agent, number=number, do="delete_everything")
