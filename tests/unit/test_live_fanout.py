"""Fan-out: the open pages one event wakes re-read together, and each gets only its own answer.

`live_reads.conversation_updates` answers many wake-ups in one transaction (sessions, ticket,
new messages, marking read) while every request keeps its own session check (A4) and its own
permissions (A5); `live.coalesce.Coalescer` gathers the wake-ups of one event into one call.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from support_portal.models import User
from support_portal.services import agent as agent_service
from support_portal.services import conversation, live_reads, sessions, tickets
from support_portal.services.dto import Viewer
from support_portal.services.errors import NotFound

from .conftest import session_token_for


@pytest.fixture(autouse=True)
def fresh_cache():
    live_reads.shared_reads.clear()
    live_reads.shared_details.clear()
    yield
    live_reads.shared_reads.clear()
    live_reads.shared_details.clear()


def req(token, number, after_id=0, session_only=False):
    return live_reads.UpdateRequest(token, number, after_id, session_only=session_only)


@pytest.fixture
def statements(engine) -> list[str]:
    """Every SQL statement sent to the database while the test runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def opened(db, viewer: Viewer) -> tuple[int, int]:
    """A new ticket of `viewer` and the id of its first message."""
    number = tickets.create_ticket(
        db, viewer=viewer, subject="Live", category="other", description="Hi"
    ).number
    first = conversation.list_messages(db, viewer=viewer, number=number)[-1].id
    return number, first


def test_each_request_gets_its_own_viewers_answer(db, alice, bob, agent):
    number, first = opened(db, alice)
    alice_tabs = [session_token_for(db, user_id=alice.user_id) for _ in range(3)]
    revoked = session_token_for(db, user_id=alice.user_id)
    bob_tab = session_token_for(db, user_id=bob.user_id)
    agent_tab = session_token_for(db, user_id=agent.user_id)
    agent_service.agent_reply(db, viewer=agent, number=number, body="Note", internal=True)
    agent_service.agent_reply(db, viewer=agent, number=number, body="Public")
    sessions.revoke_session(db, session_token=revoked)
    db.commit()

    out = live_reads.conversation_updates(
        db,
        requests=[
            req(agent_tab, number, first),
            *(req(t, number, first) for t in alice_tabs),
            req(revoked, number, first),
            req(bob_tab, number, first),
            req(None, number, first),
            req("not-a-session", number, first),
            req(alice_tabs[0], "99999", first),
            req(alice_tabs[0], "nonsense", first),
        ],
    )

    assert [m.body for m in out[0].messages] == ["Note", "Public"]  # the agent's own read
    for update in out[1:4]:
        assert [m.body for m in update.messages] == ["Public"]  # never the note (A5)
        assert update.viewer.user_id == alice.user_id
        assert update.detail.number == number
    assert out[4] is None  # the revoked tab gets nothing, it is told its session ended (A4)
    assert isinstance(out[5], NotFound)  # another customer: nothing of this ticket (A4)
    assert out[6] is None and out[7] is None  # no session, a made-up one
    assert isinstance(out[8], NotFound) and isinstance(out[9], NotFound)


def test_the_answer_is_what_one_viewer_alone_would_get(db, alice, agent):
    number, first = opened(db, alice)
    tab = session_token_for(db, user_id=alice.user_id)
    agent_service.agent_reply(db, viewer=agent, number=number, body="Reply")
    db.commit()
    together = live_reads.conversation_updates(db, requests=[req(tab, number, first)])[0]
    db.rollback()  # undo the marking read, then ask alone
    live_reads.shared_reads.clear()
    live_reads.shared_details.clear()

    alone = live_reads.conversation_update(db, session_token=tab, number=number, after_id=first)

    assert together == alone
    assert together.unread_count == 0  # marked read before counting, as alone


def test_a_guest_tab_sees_its_ticket_and_a_presence_wake_up_only_checks_the_session(db, alice):
    number = tickets.create_ticket(
        db,
        viewer=None,
        subject="Live",
        category="other",
        description="Hi",
        guest_name="Gus",
        guest_email="gus@example.com",
    ).number
    guest = session_token_for(db, guest_email="gus@example.com")
    first = 0
    other_guest = session_token_for(db, guest_email="eve@example.com")
    customer = session_token_for(db, user_id=alice.user_id)
    db.commit()

    out = live_reads.conversation_updates(
        db,
        requests=[
            req(guest, number, first),
            req(other_guest, number, first),
            req(customer, number, first),
            req(guest, number, first, session_only=True),
        ],
    )

    assert [m.body for m in out[0].messages] == ["Hi"]
    assert isinstance(out[1], NotFound) and isinstance(out[2], NotFound)
    assert isinstance(out[3], Viewer) and out[3].email == "gus@example.com"


def test_a_deactivated_users_tabs_get_nothing(db, alice, agent):
    number, first = opened(db, alice)
    tab = session_token_for(db, user_id=alice.user_id)
    db.get(User, alice.user_id).is_active = False
    db.commit()
    assert live_reads.conversation_updates(db, requests=[req(tab, number, first)]) == [None]


def test_many_tabs_cost_the_same_queries_as_a_few(db, alice, bob, agent, statements):
    """The re-read of one event does not grow with the tabs open on it (the fan-out)."""
    number, first = opened(db, alice)
    few = [session_token_for(db, user_id=alice.user_id) for _ in range(3)]
    many = [session_token_for(db, user_id=alice.user_id) for _ in range(60)]
    agent_service.agent_reply(db, viewer=agent, number=number, body="One")
    db.commit()
    statements.clear()
    live_reads.conversation_updates(db, requests=[req(t, number, first) for t in few])
    db.rollback()
    live_reads.shared_reads.clear()
    live_reads.shared_details.clear()
    with_few = len(statements)
    statements.clear()

    out = live_reads.conversation_updates(db, requests=[req(t, number, first) for t in many])

    assert all([m.body for m in u.messages] == ["One"] for u in out)
    assert len(statements) == with_few


def test_viewers_for_tokens_applies_the_rules_of_viewer_for_token(db, alice, bob, clock):
    live = session_token_for(db, user_id=alice.user_id)
    revoked = session_token_for(db, user_id=alice.user_id)
    deactivated = session_token_for(db, user_id=bob.user_id)
    guest = session_token_for(db, guest_email="gus@example.com")
    sessions.revoke_session(db, session_token=revoked)
    db.get(User, bob.user_id).is_active = False
    db.flush()
    tokens = [live, revoked, deactivated, guest, None, "made-up"]

    found = sessions.viewers_for_tokens(db, session_tokens=tokens)

    assert set(found) == {live, guest}
    for token in tokens:
        assert found.get(token or "") == sessions.viewer_for_token(db, session_token=token)
    clock.advance(days=400)  # past every lifetime
    assert sessions.viewers_for_tokens(db, session_tokens=tokens) == {}


# --- the coalescer ---------------------------------------------------------------------------


async def test_requests_made_together_are_answered_by_one_call_each_with_its_own_answer():
    from support_portal.live.coalesce import Coalescer

    calls: list[list[int]] = []

    async def run_many(requests: list[int]) -> list[int]:
        calls.append(list(requests))
        return [r * 10 for r in requests]

    coalescer = Coalescer(run_many)
    answers = await asyncio.gather(*(coalescer.ask(i) for i in range(50)))

    assert answers == [i * 10 for i in range(50)]
    assert calls == [list(range(50))]


async def test_past_the_batches_in_flight_requests_gather_for_the_next_free_slot():
    from support_portal.live.coalesce import Coalescer

    calls: list[list[str]] = []
    running = asyncio.Event()
    release = asyncio.Event()

    async def run_many(requests: list[str]) -> list[str]:
        calls.append(list(requests))
        running.set()
        await release.wait()
        return [r.upper() for r in requests]

    coalescer = Coalescer(run_many, max_in_flight=1)
    first = asyncio.ensure_future(coalescer.ask("a"))
    await running.wait()
    later = [asyncio.ensure_future(coalescer.ask(x)) for x in ("b", "c")]
    await asyncio.sleep(0.05)
    assert calls == [["a"]]  # the one slot is taken
    release.set()

    assert await first == "A"
    assert [await f for f in later] == ["B", "C"]
    assert calls == [["a"], ["b", "c"]]


async def test_a_failed_batch_fails_its_callers_and_the_next_batch_runs():
    from support_portal.live.coalesce import Coalescer

    fail = True

    async def run_many(requests: list[int]) -> list[int]:
        if fail:
            raise RuntimeError("database is locked")
        return requests

    coalescer = Coalescer(run_many)
    results = await asyncio.gather(coalescer.ask(1), coalescer.ask(2), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    fail = False
    assert await coalescer.ask(3) == 3


async def test_a_caller_that_leaves_does_not_disturb_the_others():
    from support_portal.live.coalesce import Coalescer

    release = asyncio.Event()

    async def run_many(requests: list[int]) -> list[int]:
        await release.wait()
        return [r + 1 for r in requests]

    coalescer = Coalescer(run_many)
    leaving = asyncio.ensure_future(coalescer.ask(1))
    staying = asyncio.ensure_future(coalescer.ask(2))
    await asyncio.sleep(0.02)
    leaving.cancel()  # the tab closed while its read ran
    release.set()
    assert await staying == 3
    assert leaving.cancelled()


def test_fingerprints_of_many_tickets_are_one_query_and_match_one_by_one(
    db, alice, bob, agent, statements
):
    ids = []
    for viewer in (alice, bob, alice):
        number = tickets.create_ticket(
            db, viewer=viewer, subject="Live", category="other", description="Hi"
        ).number
        ids.append(conversation.detail(db, viewer=viewer, number=number).id)
    agent_service.agent_reply(db, viewer=agent, number=number, body="More")
    db.commit()
    asked = [ids[2], ids[0], 999_999, ids[1], ids[2]]
    statements.clear()

    found = live_reads.fingerprints(db, ticket_ids=asked)

    assert len(statements) == 1
    assert found == [
        live_reads.fingerprint(db, ticket_id=ticket_id) if ticket_id in ids else None
        for ticket_id in asked
    ]
    assert found[0].last_message_id > found[1].last_message_id  # the reply counts


async def test_the_batch_goes_once_every_open_page_of_the_ticket_has_asked():
    from support_portal.live.coalesce import Coalescer

    calls: list[list[int]] = []

    async def run_many(requests: list[int]) -> list[int]:
        calls.append(list(requests))
        return requests

    coalescer = Coalescer(run_many, gather_seconds=60)  # only a complete group ends the wait
    for _ in range(3):
        coalescer.join("ticket 1")
    coalescer.join("ticket 2")

    together = asyncio.gather(*(coalescer.ask(i, group="ticket 1") for i in range(3)))
    assert await asyncio.wait_for(together, 10) == [0, 1, 2]
    assert await asyncio.wait_for(coalescer.ask(7, group="ticket 2"), 10) == 7  # a lone page
    assert calls == [[0, 1, 2], [7]]

    coalescer.gather_seconds = 0.05  # a page of ticket 1 is busy elsewhere: the window ends it
    assert await asyncio.wait_for(
        asyncio.gather(coalescer.ask(1, group="ticket 1"), coalescer.ask(2, group="ticket 1")), 10
    ) == [1, 2]
    assert calls[-1] == [1, 2]
    for _ in range(3):
        coalescer.leave("ticket 1")
    coalescer.leave("ticket 2")
    assert not coalescer._members


async def test_a_slow_batch_does_not_hold_back_the_next_events_pages():
    from support_portal.live.coalesce import Coalescer

    stuck = asyncio.Event()

    async def run_many(requests: list[str]) -> list[str]:
        if "slow" in requests:
            await stuck.wait()  # e.g. waiting for a database lock
        return [r.upper() for r in requests]

    coalescer = Coalescer(run_many, gather_seconds=0.01)
    slow = asyncio.ensure_future(coalescer.ask("slow"))
    await asyncio.sleep(0.05)
    assert await asyncio.wait_for(coalescer.ask("next"), 10) == "NEXT"
    assert not slow.done()
    stuck.set()
    assert await slow == "SLOW"
