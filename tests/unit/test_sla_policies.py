"""Service-level policies per category and priority, the business calendar, and the due times
stored on tickets (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from support_portal.models import AuditEvent, SlaPolicy, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import (
    agent_queue,
    service_level_admin,
    service_levels,
    ticket_tags,
    tickets,
)
from support_portal.services.errors import InvalidInput, NotFound, PermissionDenied
from support_portal.settings import get_settings

MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def always_open(monkeypatch):
    monkeypatch.setenv("BUSINESS_HOURS", "24/7")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "UTC")
    monkeypatch.setenv("REPLY_TARGET_HOURS", "8")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def new_ticket(db, viewer, *, category="other", at=MONDAY_9) -> Ticket:
    number = tickets.create_ticket(
        db, viewer=viewer, subject="Help", category=category, description="Please"
    ).number
    row = db.exec(select(Ticket).where(Ticket.number == number)).one()
    row.created_at = row.waiting_since = at
    db.flush()
    return row


def policy(db, admin, **kw):
    kw.setdefault("category", "")
    kw.setdefault("priority", "")
    return service_level_admin.save_policy(db, viewer=admin, **kw)


def reread(db, ticket: Ticket) -> None:
    db.flush()
    db.refresh(ticket)


def hours(ticket: Ticket, name: str) -> float | None:
    due = getattr(ticket, name)
    return None if due is None else (due - ticket.created_at).total_seconds() / 3600


# --- which target applies -------------------------------------------------------------------


def test_without_policies_every_reply_is_due_in_the_default_target(db, alice):
    t = new_ticket(db, alice)
    assert (hours(t, "first_response_due_at"), hours(t, "reply_due_at")) == (8, 8)
    assert t.resolution_due_at is None


def test_the_most_specific_policy_that_sets_a_target_wins(db, alice, admin):
    policy(db, admin, first_response_hours="6", resolution_hours="100")
    policy(db, admin, priority="urgent", first_response_hours="1")
    policy(db, admin, category="trading", first_response_hours="4")
    policy(db, admin, category="trading", priority="urgent", first_response_hours="0.5")
    rules = service_levels.rules(db)
    urgent, normal = 3, 1
    assert rules.targets("other", normal).first_response == 6 * 60
    assert rules.targets("other", urgent).first_response == 60
    assert rules.targets("trading", normal).first_response == 4 * 60
    assert rules.targets("trading", urgent).first_response == 30
    # A target the specific policy leaves empty comes from the broader one.
    assert rules.targets("trading", urgent).resolution == 100 * 60
    assert rules.targets("trading", urgent).next_response == 8 * 60  # REPLY_TARGET_HOURS


def test_first_and_next_response_targets(db, alice, agent, admin):
    policy(db, admin, first_response_hours="1", next_response_hours="3")
    t = new_ticket(db, alice)
    assert hours(t, "reply_due_at") == 1
    agent_service.agent_reply(db, viewer=agent, number=t.number, body="Looking into it.")
    reread(db, t)
    assert t.reply_due_at is None  # nobody waits on us
    tickets.add_customer_reply(db, viewer=alice, number=t.number, body="Any news?")
    reread(db, t)
    assert t.reply_due_at == t.waiting_since + timedelta(hours=3)


def test_the_resolution_target_is_shown_while_in_progress_and_kept_for_reports(
    db, alice, agent, admin
):
    from support_portal.services import agent_page

    policy(db, admin, resolution_hours="48")
    t = new_ticket(db, alice)
    assert hours(t, "resolution_due_at") == 48
    agent_service.change_status(db, viewer=agent, number=t.number, action="resolve")
    reread(db, t)
    assert t.reply_due_at is None and hours(t, "resolution_due_at") == 48
    assert agent_page.panels(db, viewer=agent, number=t.number).due.resolution_due_at is None
    agent_service.change_status(db, viewer=agent, number=t.number, action="reopen")
    reread(db, t)
    assert agent_page.panels(db, viewer=agent, number=t.number).due.resolution_due_at is not None


def test_a_priority_change_moves_the_promise(db, alice, agent, admin):
    policy(db, admin, priority="urgent", first_response_hours="1")
    t = new_ticket(db, alice)
    assert hours(t, "reply_due_at") == 8
    ticket_tags.set_priority(db, viewer=agent, number=t.number, priority="urgent")
    reread(db, t)
    assert hours(t, "reply_due_at") == 1


def test_the_queue_puts_the_reply_due_first_first(db, alice, agent, admin):
    policy(db, admin, priority="urgent", first_response_hours="1")
    older = new_ticket(db, alice, at=MONDAY_9)
    newer = new_ticket(db, alice, at=MONDAY_9 + timedelta(hours=2))
    ticket_tags.set_priority(db, viewer=agent, number=newer.number, priority="urgent")
    page = agent_queue.queue(db, viewer=agent, view="unassigned", sort="waiting")
    numbers = [s.number for s in page.items]
    # The urgent ticket is due at 12:00, the older one at 17:00.
    assert numbers.index(newer.number) < numbers.index(older.number)


# --- administration -------------------------------------------------------------------------


def test_saving_a_policy_moves_the_tickets_in_progress(db, alice, admin):
    t = new_ticket(db, alice, category="trading")
    done = new_ticket(db, alice, category="trading")
    done.status = "closed"
    db.flush()
    policy(db, admin, category="trading", first_response_hours="2")
    reread(db, t)
    assert hours(t, "reply_due_at") == 2
    reread(db, done)
    assert done.reply_due_at is None  # closed tickets keep no promise
    row = db.exec(select(SlaPolicy)).one()
    service_level_admin.delete_policy(db, viewer=admin, policy_id=row.id)
    reread(db, t)
    assert hours(t, "reply_due_at") == 8
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.action.like("service_levels%")))
    assert sorted(actions.all()) == [
        "service_levels.policy_deleted",
        "service_levels.policy_saved",
    ]


def test_the_business_calendar_counts_the_targets(db, alice, admin):
    friday_4pm = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    t = new_ticket(db, alice, at=friday_4pm)
    levels = service_level_admin.save_calendar(
        db, viewer=admin, timezone="UTC", hours="mon-fri 09:00-17:00", holidays="2026-12-07"
    )
    assert levels.calendar.from_settings is False
    assert levels.calendar.holidays == "2026-12-07"
    reread(db, t)
    # 1 hour on Friday, Monday is a holiday, 7 hours on Tuesday: 16:00 on Tuesday.
    assert t.reply_due_at == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"hours": "weekdays 9 to 5"}, "hours"),
        ({"hours": "mon 17:00-09:00"}, "hours"),
        ({"holidays": "24.12.2026"}, "holidays"),
    ],
)
def test_the_calendar_refuses_what_it_cannot_read(db, admin, kw, field):
    args = {"timezone": "Europe/Prague", "hours": "mon-fri 09:00-17:00", "holidays": ""} | kw
    with pytest.raises(InvalidInput) as refused:
        service_level_admin.save_calendar(db, viewer=admin, **args)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"first_response_hours": ""}, "first_response_hours"),  # no target at all
        ({"first_response_hours": "-1"}, "first_response_hours"),
        ({"first_response_hours": "abc"}, "first_response_hours"),
        ({"first_response_hours": "1", "resolution_hours": "nan"}, "resolution_hours"),
        ({"first_response_hours": "1", "category": "no-such"}, "category"),
        ({"first_response_hours": "1", "priority": "critical"}, "priority"),
    ],
)
def test_a_policy_refuses_what_it_cannot_use(db, admin, kw, field):
    with pytest.raises(InvalidInput) as refused:
        policy(db, admin, **kw)
    assert refused.value.field == field


def test_one_policy_per_scope_and_edits_keep_it(db, admin):
    policy(db, admin, category="trading", first_response_hours="2")
    with pytest.raises(InvalidInput):
        policy(db, admin, category="trading", first_response_hours="3")
    row = db.exec(select(SlaPolicy)).one()
    levels = policy(db, admin, policy_id=row.id, category="trading", first_response_hours="1,5")
    assert [(p.category, p.first_response_hours) for p in levels.policies] == [("trading", 1.5)]
    with pytest.raises(NotFound):
        policy(db, admin, policy_id=row.id + 99, first_response_hours="1")


def test_only_administrators_see_or_change_service_levels(db, agent, alice):
    for viewer in (agent, alice):
        with pytest.raises(PermissionDenied):
            service_level_admin.overview(db, viewer=viewer)
        with pytest.raises(PermissionDenied):
            policy(db, viewer, first_response_hours="1")
        with pytest.raises(PermissionDenied):
            service_level_admin.save_calendar(
                db, viewer=viewer, timezone="UTC", hours="24/7", holidays=""
            )


def test_the_agent_page_shows_the_due_times_and_a_customer_never_gets_them(db, alice, agent, admin):
    from support_portal.services import agent_page, conversation

    policy(db, admin, first_response_hours="2", resolution_hours="24")
    t = new_ticket(db, alice)
    db.flush()
    due = agent_page.panels(db, viewer=agent, number=t.number).due
    assert due.reply_due_at == MONDAY_9 + timedelta(hours=2)
    assert due.resolution_due_at == MONDAY_9 + timedelta(hours=24)
    agent_service.agent_reply(db, viewer=agent, number=t.number, body="On it.")
    due = agent_page.panels(db, viewer=agent, number=t.number).due
    assert due.reply_due_at is None and due.resolution_due_at is not None
    # The customer's detail carries the promise only, never the resolution target (A5).
    detail = conversation.detail(db, viewer=alice, number=t.number)
    assert not hasattr(detail, "resolution_due_at")
    with pytest.raises(PermissionDenied):
        agent_page.panels(db, viewer=alice, number=t.number)
