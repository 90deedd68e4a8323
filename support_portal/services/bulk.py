"""Bulk actions on the agent queue (issue 15): one action on up to 100 selected tickets.

Each ticket goes through the same service function a click on its own page calls (so each is
audited and notified as if done one by one), in its own savepoint: a refusal (a transition the
workflow does not allow, a closed ticket, a ticket gone) undoes only that ticket's step and is
reported with its reason; the others stay done. The caller's one transaction commits them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from support_portal.db import savepoint
from support_portal.i18n import _
from support_portal.models import Role, SavedReply, User
from support_portal.services import access, agent, agents, audit, macros, saved_replies, ticket_tags
from support_portal.services.dto import Viewer
from support_portal.services.errors import DomainError, InvalidInput

MAX_TICKETS = 100
ACTIONS = ("assign", "status", "tag", "macro")
STATUS_ACTIONS = ("resolve", "close", "reopen")


@dataclass(frozen=True)
class Refusal:
    number: int
    error: DomainError  # the reason, as the ticket's own page would have shown it


@dataclass(frozen=True)
class BulkResult:
    action: str
    done: tuple[int, ...]
    refused: tuple[Refusal, ...]


def apply(
    db: Session, *, viewer: Viewer | None, numbers: list[int | str], action: str, value: str
) -> BulkResult:
    """`action` with its `value`: assign ("me", "none" or an agent's id), status ("resolve",
    "close", "reopen"), tag (the tag), macro (the macro's id)."""
    viewer = access.require_agent(db, viewer, action="bulk.apply")
    chosen = _clean_numbers(numbers)
    step = _step(db, viewer, str(action), str(value))
    audit.record(  # also opens the transaction the savepoints nest in
        db,
        action="bulk.applied",
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"action": str(action), "value": str(value)[:100], "tickets": chosen},
    )
    db.flush()
    done: list[int] = []
    refused: list[Refusal] = []
    for number in chosen:
        try:
            with savepoint(db):
                step(number)
        except DomainError as exc:
            refused.append(Refusal(number=number, error=exc))
        else:
            done.append(number)
    return BulkResult(action=str(action), done=tuple(done), refused=tuple(refused))


@dataclass(frozen=True)
class BulkOptions:
    """What the queue's bulk bar offers: the active agents and the viewer's macros."""

    agents: list[agents.AgentPublic]
    macros: list[saved_replies.SavedReplyPublic]


def options(db: Session, *, viewer: Viewer | None) -> BulkOptions:
    viewer = access.require_agent(db, viewer, action="bulk.options")
    return BulkOptions(
        agents=agents.list_agents(db, viewer=viewer),
        macros=saved_replies.list_replies(db, viewer=viewer, macros_only=True),
    )


def _clean_numbers(numbers: list[int | str]) -> list[int]:
    chosen: list[int] = []
    for raw in numbers if isinstance(numbers, list | tuple) else []:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            continue
        if number > 0 and number not in chosen:
            chosen.append(number)
    if not chosen:
        raise InvalidInput(_("Select at least one ticket."))
    if len(chosen) > MAX_TICKETS:
        raise InvalidInput(_("Select at most {n} tickets at a time."), n=MAX_TICKETS)
    return chosen


def _step(db: Session, viewer: Viewer, action: str, value: str) -> Callable[[int], object]:
    """What to do to one ticket, with `value` checked once for all of them."""
    if action == "assign":
        assignee = _assignee(db, viewer, value)
        return lambda n: agent.assign(db, viewer=viewer, number=n, assignee_id=assignee)
    if action == "status":
        if value not in STATUS_ACTIONS:
            raise InvalidInput(_("Choose a status."), field="value")
        return lambda n: agent.change_status(db, viewer=viewer, number=n, action=value)
    if action == "tag":
        tag = ticket_tags.clean_tag(value)
        return lambda n: ticket_tags.add_tag(db, viewer=viewer, number=n, tag=tag)
    if action == "macro":
        macro_id = _macro(db, viewer, value)
        return lambda n: macros.apply(db, viewer=viewer, number=n, macro_id=macro_id)
    raise InvalidInput(_("Choose an action."), field="action")


def _assignee(db: Session, viewer: Viewer, value: str) -> int | None:
    if value == "me":
        return viewer.user_id
    if value == "none":
        return None
    user = db.get(User, int(value)) if value.isdigit() else None
    if user is None or not user.is_active or user.role not in (Role.agent, Role.admin):
        raise InvalidInput(_("Choose an active agent."), field="value")
    return user.id


def _macro(db: Session, viewer: Viewer, value: str) -> int:
    if not value:
        raise InvalidInput(_("Choose a macro."), field="value")
    row = db.get(SavedReply, int(value)) if value.isdigit() else None
    if row is None or row.owner_id not in (None, viewer.user_id):
        raise InvalidInput(_("This saved reply no longer exists."), field="value")
    return int(value)
