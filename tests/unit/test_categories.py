"""Categories as data (issue 15): administrators manage them; tickets keep their key."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_portal.models import AuditEvent, Role
from support_portal.services import categories, conversation, ticket_lists, tickets
from support_portal.services.errors import InvalidInput, NotAuthenticated, PermissionDenied
from tests.unit.conftest import make_viewer


@pytest.fixture
def admin(db: Session):
    return make_viewer(db, name="Ada Admin", email="ada@support.test", role=Role.admin)


def test_a_new_database_has_the_five_categories_in_both_languages(db):
    offered = categories.offered(db)
    assert [c.key for c in offered] == [
        "account",
        "deposits_withdrawals",
        "trading",
        "security",
        "other",
    ]
    assert offered[1].names == {"en": "Deposits and withdrawals", "cs": "Vklady a výběry"}


def test_only_administrators_manage_categories(db, agent, alice):
    for viewer in (agent, alice):
        with pytest.raises(PermissionDenied):
            categories.save_category(db, viewer=viewer, names={"en": "Cards"})
        with pytest.raises(PermissionDenied):
            categories.list_categories(db, viewer=viewer)
    with pytest.raises(NotAuthenticated):
        categories.set_active(db, viewer=None, category_id=1, active=False)
    denied = db.exec(select(AuditEvent).where(AuditEvent.action == "denied.categories.save"))
    assert len(denied.all()) == 2


def test_an_added_category_goes_last_with_a_key_from_its_english_name(db, admin):
    added = categories.save_category(
        db, viewer=admin, names={"en": "  Card   payments ", "cs": "Platby kartou"}
    )
    assert added.key == "card_payments"
    assert added.names == {"en": "Card payments", "cs": "Platby kartou"}
    assert [c.key for c in categories.offered(db)][-1] == "card_payments"
    with pytest.raises(InvalidInput) as refused:
        categories.save_category(db, viewer=admin, names={"en": "card payments"})
    assert refused.value.field == "name_en"
    with pytest.raises(InvalidInput) as no_english:
        categories.save_category(db, viewer=admin, names={"cs": "Jen česky"})
    assert no_english.value.field == "name_en"


def test_renaming_keeps_the_key_so_tickets_keep_their_category(db, admin, alice):
    number = tickets.create_ticket(
        db, viewer=alice, subject="Order", category="trading", description="x"
    ).number
    trading = next(c for c in categories.offered(db) if c.key == "trading")
    categories.save_category(
        db, viewer=admin, category_id=trading.id, names={"en": "Markets", "cs": "Trhy"}
    )
    detail = conversation.detail(db, viewer=alice, number=number)
    assert detail.category == "trading"
    assert detail.category_names == {"en": "Markets", "cs": "Trhy"}
    row = ticket_lists.list_tickets(db, viewer=alice).items[0]
    assert row.category_names["cs"] == "Trhy"


def test_an_inactive_category_is_not_offered_but_old_tickets_show_it(db, admin, alice):
    number = tickets.create_ticket(
        db, viewer=alice, subject="Login", category="security", description="x"
    ).number
    security = next(c for c in categories.offered(db) if c.key == "security")
    categories.set_active(db, viewer=admin, category_id=security.id, active=False)
    assert "security" not in [c.key for c in categories.offered(db)]
    with pytest.raises(InvalidInput) as refused:
        tickets.create_ticket(db, viewer=alice, subject="2FA", category="security", description="x")
    assert refused.value.field == "category"
    assert conversation.detail(db, viewer=alice, number=number).category_names["en"] == "Security"
    # A follow-up of the old ticket may stay in its category.
    tickets.create_ticket(
        db,
        viewer=alice,
        subject="Again",
        category="security",
        description="x",
        follow_up_of=number,
    )
    categories.set_active(db, viewer=admin, category_id=security.id, active=True)
    assert "security" in [c.key for c in categories.offered(db)]


def test_the_last_active_category_cannot_be_deactivated(db, admin):
    every = categories.list_categories(db, viewer=admin)
    for category in every[:-1]:
        categories.set_active(db, viewer=admin, category_id=category.id, active=False)
    with pytest.raises(InvalidInput):
        categories.set_active(db, viewer=admin, category_id=every[-1].id, active=False)


def test_moving_a_category_changes_the_forms_order(db, admin):
    every = categories.list_categories(db, viewer=admin)
    moved = categories.move_category(db, viewer=admin, category_id=every[1].id, offset=-1)
    assert [c.key for c in moved][:2] == ["deposits_withdrawals", "account"]
    top = categories.move_category(db, viewer=admin, category_id=moved[0].id, offset=-1)
    assert [c.key for c in top][:2] == ["deposits_withdrawals", "account"]  # already first


def test_an_unknown_category_is_refused(db, alice):
    with pytest.raises(InvalidInput) as refused:
        tickets.create_ticket(db, viewer=alice, subject="x", category="nope", description="x")
    assert refused.value.field == "category"


def test_display_name_falls_back_to_english():
    assert categories.display_name({"en": "Cards", "cs": "Karty"}, "cs") == "Karty"
    assert categories.display_name({"en": "Cards"}, "cs") == "Cards"
