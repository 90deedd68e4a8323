"""Tag administration holds when administrators and agents act at once, on SQLite and on
PostgreSQL (issue 15): merges and renames queue on one lock, every ticket ends with one row
per tag, and no one sees a database error."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from support_portal.db import session_scope
from support_portal.models import Role, Ticket, TicketTag
from support_portal.services import auth, sessions, tag_admin, ticket_tags, tickets
from tests.integration.test_throttle_concurrency import (  # noqa: F401  (the backend fixture)
    PASSWORD,
    at_once,
    backend,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("backend")]

TICKETS = 30


def viewer(name: str, email: str, role: Role):
    with session_scope() as db:
        user = auth.create_user(
            db, name=name, email=email, password=PASSWORD, role=role, email_verified=True
        )
        ticket = sessions.create_login_ticket(db, user_id=user.id)
        token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
        return sessions.viewer_for_token(db, session_token=token)


@pytest.fixture
def people():
    admin = viewer("Ada Admin", "ada@support.test", Role.admin)
    agent = viewer("Ann Agent", "ann@support.test", Role.agent)
    customer = viewer("Carl", "carl@example.test", Role.customer)
    return admin, agent, customer


def tag_tickets(agent, customer, plan: list[tuple[str, ...]]) -> list[int]:
    numbers = []
    with session_scope() as db:
        for tags in plan:
            number = tickets.create_ticket(
                db, viewer=customer, subject="Help", category="other", description="Please"
            ).number
            for tag in tags:
                ticket_tags.add_tag(db, viewer=agent, number=number, tag=tag)
            numbers.append(number)
    return numbers


def rows_by_ticket() -> dict[int, list[str]]:
    with session_scope() as db:
        rows = db.exec(
            select(Ticket.number, TicketTag.tag)
            .join(Ticket, col(Ticket.id) == TicketTag.ticket_id)
            .order_by(TicketTag.tag)
        ).all()
    found: dict[int, list[str]] = {}
    for number, tag in rows:
        found.setdefault(number, []).append(tag)
    return found


def test_admins_merging_and_renaming_at_once_leave_one_row_per_ticket_and_tag(people):
    admin, agent, customer = people
    # Every ticket has "a"; every other one has "b" as well; every third one "c".
    plan = [
        ("a",) + (("b",) if i % 2 else ()) + (("c",) if i % 3 == 0 else ()) for i in range(TICKETS)
    ]
    numbers = tag_tickets(agent, customer, plan)
    moves = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "a"), ("b", "a"), ("a", "d")]

    def act(i: int) -> None:
        old, new = moves[i % len(moves)]
        with session_scope() as db:
            tag_admin.rename_tag(db, viewer=admin, old=old, new=new, merge=True)

    outcomes = at_once(act, clients=24)
    assert set(outcomes) <= {"ok", "NotFound"}, outcomes
    assert outcomes["ok"] >= 1
    found = rows_by_ticket()
    assert set(found) == set(numbers)  # every ticket keeps at least one tag
    for tags in found.values():
        assert len(tags) == len(set(tags))  # never the same tag twice on a ticket


def test_agents_tagging_during_a_merge_see_no_database_error(people):
    admin, agent, customer = people
    numbers = tag_tickets(agent, customer, [("old",)] * TICKETS)

    def act(i: int) -> None:
        with session_scope() as db:
            if i == 0:
                tag_admin.merge_tags(db, viewer=admin, source="old", target="new")
            else:
                ticket_tags.add_tag(db, viewer=agent, number=numbers[i % TICKETS], tag="new")

    outcomes = at_once(act, clients=TICKETS)
    assert outcomes == {"ok": TICKETS}, outcomes
    found = rows_by_ticket()
    for number in numbers:
        assert found[number] == ["new"]
