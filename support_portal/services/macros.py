"""Applying a macro (issue 15): its saved reply is sent to the customer, then its actions run,
each through the same service function an agent's click would call, so each is audited and
notified as if done by hand. All in the caller's one transaction: when any step is refused
(a transition the workflow does not allow, a closed ticket, an inactive agent), MacroRefused
is raised and the caller's rollback leaves the ticket as it was."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from support_portal.i18n import _
from support_portal.models import SavedReply
from support_portal.services import agent, macro_actions, saved_replies, ticket_tags, workflow
from support_portal.services.dto import MessagePublic, Viewer
from support_portal.services.errors import DomainError, NotFound


class MacroRefused(DomainError):
    """`reason` is the refused step's own error; the page shows both."""

    message = _("“{title}” was not applied, nothing was changed: {reason}")

    def __init__(self, *, title: str, reason: DomainError) -> None:
        super().__init__(None, title=title)
        self.reason = reason


@dataclass(frozen=True)
class MacroApplied:
    title: str
    status: str  # the ticket's status afterwards
    message: MessagePublic  # the reply it sent


def apply(db: Session, *, viewer: Viewer | None, number: int | str, macro_id: int) -> MacroApplied:
    """Send the macro's reply (the customer's language, placeholders filled), then set the
    priority, add the tags, assign and change the status it names."""
    viewer, ticket = agent.ticket_for_agent(db, viewer, number, "macro.apply")
    row = db.get(SavedReply, macro_id)
    if row is None or row.owner_id not in (None, viewer.user_id):
        raise NotFound(_("This saved reply no longer exists."))
    title, actions = row.title, macro_actions.of(row)
    try:
        _check_status(ticket.status, actions)
        text = saved_replies.insert_reply(db, viewer=viewer, reply_id=macro_id, number=number)
        message = agent.agent_reply(
            db,
            viewer=viewer,
            number=number,
            body=text,
            request_info=actions.status == "request_info",
        )
        if actions.priority:
            ticket_tags.set_priority(db, viewer=viewer, number=number, priority=actions.priority)
        for tag in actions.tags:
            ticket_tags.add_tag(db, viewer=viewer, number=number, tag=tag)
        if actions.assign:
            assignee = viewer.user_id if actions.assign == "me" else None
            agent.assign(db, viewer=viewer, number=number, assignee_id=assignee)
        if actions.status in ("resolve", "close"):
            agent.change_status(db, viewer=viewer, number=number, action=actions.status)
    except (NotFound, MacroRefused):
        raise
    except DomainError as exc:
        raise MacroRefused(title=title, reason=exc) from exc
    return MacroApplied(title=title, status=str(ticket.status), message=message)


def _check_status(status: str, actions: macro_actions.MacroActions) -> None:
    """Refuse before anything is written when the workflow would refuse a step."""
    reply = (
        workflow.Action.request_info
        if actions.status == "request_info"
        else workflow.Action.agent_reply
    )
    after = workflow.next_status(status, reply)
    if actions.status in ("resolve", "close"):
        workflow.next_status(after, workflow.Action(actions.status))
