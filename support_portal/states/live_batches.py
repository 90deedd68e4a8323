"""Reads shared by the live pages one event wakes: each page asks for its own answer, and the
pages asking at the same moment are answered by one service call (live/coalesce.py)."""

from __future__ import annotations

from support_portal.live.coalesce import Coalescer
from support_portal.services import live_reads, queue_reads
from support_portal.services.queue_reads import QueueOutcome, QueueRequest
from support_portal.services.unit_of_work import call


async def _conversation_updates(
    requests: list[live_reads.UpdateRequest],
) -> list[live_reads.Outcome]:
    return await call(live_reads.conversation_updates, requests=requests)


# The open conversations (customers' and guests' pages) woken together re-read in one
# transaction: each still gets only what its own session may see (A4, A5).
conversation_reads: Coalescer[live_reads.UpdateRequest, live_reads.Outcome] = Coalescer(
    _conversation_updates
)


async def _fingerprints(ticket_ids: list[int]) -> list[live_reads.Fingerprint | None]:
    return await call(live_reads.fingerprints, ticket_ids=ticket_ids)


# "Did the ticket change?" for pages that just subscribed, and for the safety-net timeouts of
# quiet pages (spread over time, so gathered for longer: a page only checks every 10 s).
fingerprints_now: Coalescer[int, live_reads.Fingerprint | None] = Coalescer(_fingerprints)
fingerprints_quiet: Coalescer[int, live_reads.Fingerprint | None] = Coalescer(
    _fingerprints, gather_seconds=0.5
)


async def _queue_updates(requests: list[QueueRequest]) -> list[QueueOutcome]:
    return await call(queue_reads.queue_updates, requests=requests)


# Every open queue page one event wakes reads in one transaction; one batch at a time, so the
# pages that ask while it runs share the next one.
QUEUE_PAGES = "agent-queue"
queue_batches: Coalescer[QueueRequest, QueueOutcome] = Coalescer(
    _queue_updates, gather_seconds=0.02, max_in_flight=1
)
