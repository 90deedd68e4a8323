"""Presence on a ticket: internal note typing never becomes "Support is writing a reply" (X10)."""

from __future__ import annotations

import json
import time

import pytest

from support_portal.live import presence

TICKET = 41
AGENT = "agent:7"


@pytest.fixture(autouse=True)
def memory_store(monkeypatch: pytest.MonkeyPatch) -> presence.MemoryPresence:
    store = presence.MemoryPresence()
    monkeypatch.setattr(presence, "_store", store)
    return store


async def heartbeat() -> None:
    """What the agent page's watch loop does on every wake-up."""
    await presence.seen(TICKET, key=AGENT, name="Nora Note", kind="agent")


async def test_typing_a_note_with_the_page_heartbeat_never_shows_a_public_writing_flag():
    await heartbeat()
    for _ in range(5):
        await presence.writing(TICKET, key=AGENT, name="Nora Note", kind="agent", internal=True)
        await heartbeat()
        assert await presence.support_writing(TICKET) == 0.0
    # Colleagues still see that a note is being written.
    (entry,) = await presence.others(TICKET, key="agent:8")
    assert entry.internal and entry.writing(time.time())


async def test_a_public_reply_shows_and_switching_to_a_note_hides_it():
    assert await presence.writing(TICKET, key=AGENT, name="Rey Reply", kind="agent") is True
    await heartbeat()
    assert 0 < await presence.support_writing(TICKET) <= presence.TYPING_TTL
    # Switching the composer to internal mode ends the public spell at once.
    assert await presence.stopped_writing(TICKET, key=AGENT) is True
    assert await presence.writing(TICKET, key=AGENT, name="Rey Reply", kind="agent", internal=True)
    await heartbeat()
    assert await presence.support_writing(TICKET) == 0.0
    # And back to a reply: a new public spell, worth announcing.
    assert await presence.writing(TICKET, key=AGENT, name="Rey Reply", kind="agent") is True
    assert await presence.support_writing(TICKET) > 0


async def test_sending_ends_the_spell_so_the_indicator_clears_with_the_reply():
    await presence.writing(TICKET, key=AGENT, name="Sam Send", kind="agent")
    assert await presence.support_writing(TICKET) > 0
    assert await presence.stopped_writing(TICKET, key=AGENT) is True
    await heartbeat()
    assert await presence.support_writing(TICKET) == 0.0
    assert await presence.stopped_writing(TICKET, key=AGENT) is False  # nothing left to announce


async def test_customers_typing_never_counts_as_support_writing():
    await presence.writing(TICKET, key="customer:3", name="Cleo Customer", kind="customer")
    assert await presence.support_writing(TICKET) == 0.0


async def test_entries_stored_before_the_flag_stay_internal():
    old = {
        "key": AGENT,
        "name": "Old Note",
        "kind": "agent_note",
        "writing_until": time.time() + 5,
        "seen_until": time.time() + 30,
    }
    entry = presence.Presence.from_json(json.dumps(old))
    assert (entry.kind, entry.internal) == ("agent", True)
    assert not entry.writing_publicly(time.time())
