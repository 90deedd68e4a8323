"""Category and field administration holds its limits when 50 administrators act at once, on
SQLite and on PostgreSQL (issue 15): at most MAX_FIELDS_PER_CATEGORY fields, every field key
unique, and never zero active categories."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from support_portal.db import session_scope
from support_portal.models import CategoryField, Role, TicketCategory
from support_portal.services import auth, categories, custom_fields, sessions
from tests.integration.test_throttle_concurrency import (  # noqa: F401  (the backend fixture)
    CLIENTS,
    PASSWORD,
    at_once,
    backend,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("backend")]


def admin_viewer():
    with session_scope() as db:
        user = auth.create_user(
            db, name="Ada Admin", email="ada@support.test", password=PASSWORD,
            role=Role.admin, email_verified=True,
        )  # fmt: skip
        ticket = sessions.create_login_ticket(db, user_id=user.id)
        token, _, _ = sessions.exchange_login_ticket(db, token=ticket)
        return sessions.viewer_for_token(db, session_token=token)


def test_fifty_admins_adding_fields_stop_at_the_limit_with_unique_keys():
    admin = admin_viewer()
    with session_scope() as db:
        trading = db.exec(select(TicketCategory).where(TicketCategory.key == "trading")).one()

    def add(i: int) -> None:
        with session_scope() as db:
            custom_fields.save_field(
                db, viewer=admin, category_id=trading.id, labels={"en": "Order ID"},
                kind="short_text",
            )  # fmt: skip

    outcomes = at_once(add)
    assert outcomes == {
        "ok": custom_fields.MAX_FIELDS_PER_CATEGORY,
        "InvalidInput": CLIENTS - custom_fields.MAX_FIELDS_PER_CATEGORY,
    }
    with session_scope() as db:
        keys = db.exec(select(CategoryField.key)).all()
    assert len(keys) == len(set(keys)) == custom_fields.MAX_FIELDS_PER_CATEGORY


def test_fifty_admins_deactivating_categories_leave_one_active():
    admin = admin_viewer()
    with session_scope() as db:
        ids = list(db.exec(select(TicketCategory.id).order_by(col(TicketCategory.id))).all())

    def deactivate(i: int) -> None:
        with session_scope() as db:
            categories.set_active(db, viewer=admin, category_id=ids[i % len(ids)], active=False)

    outcomes = at_once(deactivate)
    assert set(outcomes) <= {"ok", "InvalidInput"}, outcomes
    with session_scope() as db:
        active = db.exec(select(TicketCategory).where(TicketCategory.is_active == True)).all()
    assert len(active) == 1
