"""Tag administration (issue 15): administrators list, rename, merge and delete tags; each
change is set-based, audited once, and keeps one row per ticket and tag."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_portal.models import AuditEvent, TicketTag
from support_portal.services import agent_page, tag_admin, ticket_tags, tickets
from support_portal.services.errors import InvalidInput, NotFound, PermissionDenied


def open_ticket(db: Session, viewer, subject: str = "Help") -> int:
    return tickets.create_ticket(
        db, viewer=viewer, subject=subject, category="other", description="Please"
    ).number


def tagged(db: Session, agent, *tags_per_ticket: tuple[str, ...], customer) -> list[int]:
    numbers = []
    for tags in tags_per_ticket:
        number = open_ticket(db, customer)
        for tag in tags:
            ticket_tags.add_tag(db, viewer=agent, number=number, tag=tag)
        numbers.append(number)
    return numbers


def tags_of(db: Session, agent, number: int) -> tuple[str, ...]:
    return agent_page.panels(db, viewer=agent, number=number).tags


def audit_events(db: Session, prefix: str = "tag.") -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action.startswith(prefix))).all())


def test_the_list_counts_tickets_by_tag_sorted_searched_and_capped(db, alice, agent, admin):
    tagged(db, agent, ("vip", "refund"), ("refund",), ("billing 50%",), customer=alice)
    listed = tag_admin.list_tags(db, viewer=admin)
    assert [(t.tag, t.tickets) for t in listed.items] == [
        ("billing 50%", 1),
        ("refund", 2),
        ("vip", 1),
    ]
    assert not listed.more
    assert [t.tag for t in tag_admin.list_tags(db, viewer=admin, query=" UND ").items] == ["refund"]
    assert [t.tag for t in tag_admin.list_tags(db, viewer=admin, query="%").items] == [
        "billing 50%"
    ]
    assert tag_admin.list_tags(db, viewer=admin, query="nothing").items == ()
    capped = tag_admin.list_tags(db, viewer=admin, limit=2)
    assert [t.tag for t in capped.items] == ["billing 50%", "refund"] and capped.more


def test_agents_and_customers_are_refused_and_the_refusal_is_audited(db, alice, agent):
    number = tagged(db, agent, ("refund",), customer=alice)[0]
    for viewer in (agent, alice):
        with pytest.raises(PermissionDenied):
            tag_admin.list_tags(db, viewer=viewer)
        with pytest.raises(PermissionDenied):
            tag_admin.rename_tag(db, viewer=viewer, old="refund", new="refunds")
        with pytest.raises(PermissionDenied):
            tag_admin.merge_tags(db, viewer=viewer, source="refund", target="x")
        with pytest.raises(PermissionDenied):
            tag_admin.delete_tag(db, viewer=viewer, tag="refund")
    assert tags_of(db, agent, number) == ("refund",)
    denied = {e.action for e in audit_events(db, "denied.tags.")}
    assert denied == {"denied.tags.list", "denied.tags.rename", "denied.tags.delete"}


def test_a_rename_moves_every_ticket_and_is_audited_once(db, alice, agent, admin):
    first, second = tagged(db, agent, ("refnd", "vip"), ("refnd",), customer=alice)
    change = tag_admin.rename_tag(db, viewer=admin, old="refnd", new="  Refund  Request ")
    assert change == tag_admin.TagChange(old="refnd", new="refund request", tickets=2, merged=False)
    assert tags_of(db, agent, first) == ("refund request", "vip")
    assert tags_of(db, agent, second) == ("refund request",)
    [event] = audit_events(db)
    assert event.action == "tag.renamed" and event.actor_id == admin.user_id
    assert event.detail == {"from": "refnd", "to": "refund request", "count": 2}


def test_renaming_into_an_existing_tag_asks_first_then_merges(db, alice, agent, admin):
    only_old, both, only_new = tagged(
        db, agent, ("refnd",), ("refnd", "refund"), ("refund",), customer=alice
    )
    with pytest.raises(tag_admin.MergeNeeded) as asked:
        tag_admin.rename_tag(db, viewer=admin, old="refnd", new="Refund")
    assert asked.value.params == {"old": "refnd", "new": "refund", "tickets": 2}
    assert tags_of(db, agent, only_old) == ("refnd",)  # nothing changed yet
    assert audit_events(db) == []

    change = tag_admin.rename_tag(db, viewer=admin, old="refnd", new="Refund", merge=True)
    assert change.merged and change.tickets == 2
    for number in (only_old, both, only_new):
        assert tags_of(db, agent, number) == ("refund",)
    rows = db.exec(select(TicketTag.ticket_id).where(TicketTag.tag == "refund")).all()
    assert len(rows) == len(set(rows)) == 3
    [event] = audit_events(db)
    assert event.action == "tag.merged"
    assert event.detail == {"from": "refnd", "to": "refund", "count": 2}
    assert [(t.tag, t.tickets) for t in tag_admin.list_tags(db, viewer=admin).items] == [
        ("refund", 3)
    ]


def test_merge_tags_is_a_confirmed_rename(db, alice, agent, admin):
    a, b = tagged(db, agent, ("a", "b"), ("a",), customer=alice)
    change = tag_admin.merge_tags(db, viewer=admin, source="a", target="b")
    assert change == tag_admin.TagChange(old="a", new="b", tickets=2, merged=True)
    assert tags_of(db, agent, a) == ("b",) and tags_of(db, agent, b) == ("b",)


def test_unknown_same_or_invalid_names(db, alice, agent, admin):
    number = tagged(db, agent, ("refund",), customer=alice)[0]
    with pytest.raises(NotFound):
        tag_admin.rename_tag(db, viewer=admin, old="gone", new="other")
    with pytest.raises(InvalidInput):
        tag_admin.rename_tag(db, viewer=admin, old="refund", new="   ")
    with pytest.raises(InvalidInput):
        tag_admin.rename_tag(db, viewer=admin, old="refund", new="x" * 41)
    same = tag_admin.rename_tag(db, viewer=admin, old="refund", new=" REFUND ")
    assert same == tag_admin.TagChange(old="refund", new="refund", tickets=1, merged=False)
    assert tags_of(db, agent, number) == ("refund",)
    assert audit_events(db) == []


def test_a_deleted_tag_leaves_every_ticket_and_the_others_stay(db, alice, agent, admin):
    first, second = tagged(db, agent, ("spam", "vip"), ("spam",), customer=alice)
    assert tag_admin.delete_tag(db, viewer=admin, tag=" SPAM ") == 2
    assert tags_of(db, agent, first) == ("vip",)
    assert tags_of(db, agent, second) == ()
    [event] = audit_events(db)
    assert event.action == "tag.deleted" and event.detail == {"tag": "spam", "count": 2}
    with pytest.raises(NotFound):
        tag_admin.delete_tag(db, viewer=admin, tag="spam")
