"""The live path's re-reads leave little for the cyclic garbage collector.

With 1000 open pages in one process, each young-generation collection stalls every live update
for tens of milliseconds, and how often it runs depends on how many objects in reference cycles
the wake-ups leave behind. A new `aliased(User)` per agent-page read (its column proxies) and
`inspect(ticket).attrs` per flush (an AttributeState per column) were most of them
(docs/benchmarks.md, "Live updates").
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable

import pytest
from sqlmodel import Session

from support_portal.services import agent as agent_service
from support_portal.services import agent_page, live_reads

from .conftest import session_token_for
from .test_live_fanout import opened, req


def cyclic_garbage(run: Callable[[], object], times: int = 10) -> Counter[str]:
    """The types of the objects `run` leaves in reference cycles, per call."""
    for _ in range(3):
        run()  # warm the statement caches
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(times):
            run()
        gc.collect()
        found = Counter(type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return Counter({name: count // times for name, count in found.items()})


@pytest.fixture
def scene(engine, db, alice, agent):
    number, first = opened(db, alice)
    tabs = {
        "customer": session_token_for(db, user_id=alice.user_id),
        "agent": session_token_for(db, user_id=agent.user_id),
    }
    agent_service.agent_reply(db, viewer=agent, number=number, body="Reply")
    db.commit()
    return engine, number, first, tabs


def test_an_agent_page_wake_up_builds_no_alias(scene):
    engine, number, first, tabs = scene

    def wake_up():
        with Session(engine, expire_on_commit=False) as db:
            agent_page.page_update(db, session_token=tabs["agent"], number=number, after_id=first)

    garbage = cyclic_garbage(wake_up)

    assert garbage["Column"] == 0 and garbage["_ColumnMetrics"] == 0, garbage
    assert sum(garbage.values()) < 150, garbage  # 360 with a new alias per call


def test_a_reply_and_the_customer_page_wake_up_inspect_no_attributes(scene, agent):
    engine, number, first, tabs = scene

    def reply():
        with Session(engine, expire_on_commit=False) as db:
            agent_service.agent_reply(db, viewer=agent, number=number, body="More")
            db.commit()

    def wake_up():
        live_reads.shared_reads.clear()
        live_reads.shared_details.clear()
        with Session(engine, expire_on_commit=False) as db:
            live_reads.conversation_updates(db, requests=[req(tabs["customer"], number, first)])
            db.rollback()

    for run in (reply, wake_up):
        garbage = cyclic_garbage(run)
        assert garbage["AttributeState"] == 0, garbage  # 28 per flushed ticket before
        assert sum(garbage.values()) < 60, garbage
