"""The ticket status workflow: what each action does in each status, and what it refuses."""

from __future__ import annotations

import itertools

import pytest

from support_portal.models import TicketStatus
from support_portal.services import workflow
from support_portal.services.errors import InvalidTransition
from support_portal.services.workflow import TRANSITIONS, Action

S = TicketStatus

REFUSED = [
    (status, action)
    for status, action in itertools.product(TicketStatus, Action)
    if (status, action) not in TRANSITIONS
]


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [(status, action, target) for (status, action), target in TRANSITIONS.items()],
    ids=[f"{status}-{action}" for status, action in TRANSITIONS],
)
def test_every_allowed_transition_leads_where_the_table_says(status, action, expected):
    assert workflow.next_status(status, action) == expected
    assert workflow.next_status(str(status), action) == expected  # stored values are strings
    assert action in workflow.allowed_actions(status)


@pytest.mark.parametrize(
    ("status", "action"), REFUSED, ids=[f"{status}-{action}" for status, action in REFUSED]
)
def test_every_other_status_and_action_pair_is_refused(status, action):
    with pytest.raises(InvalidTransition) as refused:
        workflow.next_status(status, action)
    assert refused.value.params["status"] == workflow.CUSTOMER_LABELS[status]
    assert action not in workflow.allowed_actions(status)


def test_the_refused_pairs_are_exactly_the_rest_of_the_cartesian_product():
    assert len(REFUSED) + len(TRANSITIONS) == len(TicketStatus) * len(Action)
    assert REFUSED  # the table does not allow everything


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.open, S.open),
        (S.awaiting_customer, S.open),
        (S.resolved, S.open),
    ],
)
def test_a_customer_reply_always_hands_the_ticket_back_to_the_team(status, expected):
    assert workflow.next_status(status, Action.customer_reply) == expected


def test_a_customer_cannot_reply_to_a_closed_ticket():
    with pytest.raises(InvalidTransition):
        workflow.next_status(S.closed, Action.customer_reply)


@pytest.mark.parametrize("status", list(TicketStatus))
def test_internal_notes_never_change_the_status(status):
    assert workflow.next_status(status, Action.internal_note) == status


def test_only_resolved_tickets_are_closed_automatically():
    allowed = {status for status in TicketStatus if (status, Action.auto_close) in TRANSITIONS}
    assert allowed == {S.resolved}


def test_open_and_awaiting_are_the_active_statuses():
    assert {s for s in TicketStatus if workflow.is_active(s)} == {S.open, S.awaiting_customer}
    assert workflow.is_active("open")
    assert not workflow.is_active("closed")


def test_customers_see_plain_labels_for_every_status():
    labels = workflow.CUSTOMER_LABELS
    assert labels == {
        S.open: "Open",
        S.awaiting_customer: "Awaiting your reply",
        S.resolved: "Resolved",
        S.closed: "Closed",
    }
    assert set(workflow.AGENT_LABELS) == set(TicketStatus)
    assert workflow.AGENT_LABELS[S.awaiting_customer] == "Awaiting customer"


def test_the_refusal_message_names_the_status_as_the_customer_sees_it():
    with pytest.raises(InvalidTransition) as refused:
        workflow.next_status(S.awaiting_customer, Action.reopen)
    assert refused.value.params == {"status": "Awaiting your reply", "action": "reopen"}
    assert refused.value.message.format(**refused.value.params) == (
        "This action is not possible while the ticket is Awaiting your reply."
    )


def test_an_unknown_status_is_not_silently_accepted():
    with pytest.raises(ValueError):
        workflow.next_status("pending", Action.resolve)
