"""The ticket status workflow: every allowed transition lives here and only here."""

from __future__ import annotations

from enum import StrEnum

from support_portal.i18n import _
from support_portal.models import TicketStatus
from support_portal.services.errors import InvalidTransition

S = TicketStatus


class Action(StrEnum):
    customer_reply = "customer_reply"
    agent_reply = "agent_reply"
    internal_note = "internal_note"
    request_info = "request_info"
    resolve = "resolve"
    close = "close"
    auto_close = "auto_close"
    reopen = "reopen"


TRANSITIONS: dict[tuple[TicketStatus, Action], TicketStatus] = {
    # The customer answers: back to the team. A reply to a resolved ticket reopens it.
    (S.open, Action.customer_reply): S.open,
    (S.awaiting_customer, Action.customer_reply): S.open,
    (S.resolved, Action.customer_reply): S.open,
    # A public agent reply keeps the status; asking for information waits for the customer.
    (S.open, Action.agent_reply): S.open,
    (S.awaiting_customer, Action.agent_reply): S.awaiting_customer,
    (S.resolved, Action.agent_reply): S.resolved,
    (S.open, Action.request_info): S.awaiting_customer,
    (S.awaiting_customer, Action.request_info): S.awaiting_customer,
    (S.resolved, Action.request_info): S.awaiting_customer,
    # Internal notes never change anything the customer sees.
    (S.open, Action.internal_note): S.open,
    (S.awaiting_customer, Action.internal_note): S.awaiting_customer,
    (S.resolved, Action.internal_note): S.resolved,
    (S.closed, Action.internal_note): S.closed,
    (S.open, Action.resolve): S.resolved,
    (S.awaiting_customer, Action.resolve): S.resolved,
    (S.open, Action.close): S.closed,
    (S.awaiting_customer, Action.close): S.closed,
    (S.resolved, Action.close): S.closed,
    (S.resolved, Action.auto_close): S.closed,
    (S.resolved, Action.reopen): S.open,
    (S.closed, Action.reopen): S.open,
}

CUSTOMER_LABELS = {
    S.open: _("Open"),
    S.awaiting_customer: _("Awaiting your reply"),
    S.resolved: _("Resolved"),
    S.closed: _("Closed"),
}

AGENT_LABELS = {
    S.open: _("Open"),
    S.awaiting_customer: _("Awaiting customer"),
    S.resolved: _("Resolved"),
    S.closed: _("Closed"),
}


def next_status(current: TicketStatus | str, action: Action) -> TicketStatus:
    current = TicketStatus(current)
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidTransition(status=CUSTOMER_LABELS[current], action=str(action)) from None


def allowed_actions(current: TicketStatus | str) -> set[Action]:
    current = TicketStatus(current)
    return {action for (status, action) in TRANSITIONS if status == current}


def is_active(status: TicketStatus | str) -> bool:
    return TicketStatus(status) in (S.open, S.awaiting_customer)
