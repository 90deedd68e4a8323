"""The open queue pages one event wakes, answered together.

Every agent with /admin open re-reads the queue when any ticket changes. Most of them show the
same thing (the "unassigned" view, newest activity first, its first page), so a burst of new
tickets would otherwise run the same query once per agent and event. `queue_updates` answers
many pages in one transaction: each page's session is re-read and its role re-checked (A2, A4:
an ended session or a lost role gets nothing), then every distinct page (view, search, sort,
cursor; "mine" per agent) is read once, and the counts of the views once, "mine" once per agent
in one grouped statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from support_portal.services import access, agent_queue, sessions
from support_portal.services.dto import Page, TicketSummary, Viewer
from support_portal.services.errors import DomainError


@dataclass(frozen=True)
class QueueRequest:
    session_token: str | None
    view: str
    search: str = ""
    sort: str = "activity"
    cursor: str = ""


@dataclass(frozen=True)
class QueueUpdate:
    viewer: Viewer
    page: Page[TicketSummary]
    counts: dict[str, int]


# None: the session has ended; a DomainError: what `agent_queue.queue` would have raised for
# this page (not an agent, an unknown view, a stale cursor...).
QueueOutcome = QueueUpdate | DomainError | None


def queue_updates(db: Session, *, requests: Sequence[QueueRequest]) -> list[QueueOutcome]:
    """`agent_queue.queue` and `agent_queue.view_counts` for many open pages at once, each
    answered as those two calls alone would answer it."""
    viewers = sessions.viewers_for_tokens(db, session_tokens=[r.session_token for r in requests])
    agents: list[Viewer] = []
    outcomes: list[QueueOutcome | Viewer] = []
    for request in requests:
        viewer = viewers.get(request.session_token or "")
        if viewer is not None:
            try:
                agents.append(access.require_agent(db, viewer, action="queue"))
            except DomainError as exc:
                outcomes.append(exc)
                continue
        outcomes.append(viewer)
    counts = _counts(db, agents)
    pages: dict[tuple, Page[TicketSummary] | DomainError] = {}
    out: list[QueueOutcome] = []
    for request, outcome in zip(requests, outcomes, strict=True):
        if not isinstance(outcome, Viewer):
            out.append(outcome)
            continue
        viewer = outcome
        owner = viewer.user_id if request.view == "mine" else None  # the one per-agent view
        key = (request.view, request.search, request.sort, request.cursor, owner)
        if key not in pages:
            try:
                pages[key] = agent_queue.queue(
                    db,
                    viewer=viewer,
                    view=request.view,
                    search=request.search,
                    sort=request.sort,
                    cursor=request.cursor or None,
                )
            except DomainError as exc:
                pages[key] = exc
        page = pages[key]
        if isinstance(page, DomainError):
            out.append(page)
        else:
            out.append(QueueUpdate(viewer=viewer, page=page, counts=counts[viewer.user_id]))
    return out


def _counts(db: Session, agents: list[Viewer]) -> dict[int | None, dict[str, int]]:
    """`view_counts` per agent: the shared views once, "mine" for all of them in one query."""
    if not agents:
        return {}
    shared = agent_queue.view_counts(db, viewer=agents[0])
    others = {a.user_id for a in agents} - {agents[0].user_id}
    mine = {agents[0].user_id: shared["mine"]}
    if others:
        mine.update(agent_queue.mine_counts(db, user_ids=others))
    return {user: {**shared, "mine": n} for user, n in mine.items()}
