"""Service-level policies hold when 50 administrators save at once, on SQLite and on
PostgreSQL (issue 16): one policy per category and priority, the others told so, and the due
times of the tickets in progress follow the policy that won."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.db import session_scope
from support_portal.models import SlaPolicy, Ticket
from support_portal.services import service_level_admin, tickets
from tests.integration.test_category_concurrency import admin_viewer
from tests.integration.test_throttle_concurrency import (  # noqa: F401  (the backend fixture)
    CLIENTS,
    at_once,
    backend,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("backend")]


def test_fifty_admins_saving_one_scope_make_one_policy():
    admin = admin_viewer()
    with session_scope() as db:
        number = tickets.create_ticket(
            db, viewer=None, subject="Help", category="trading", description="Please",
            guest_email="g@example.test", guest_name="Guest",
        ).number  # fmt: skip

    def save(i: int) -> None:
        with session_scope() as db:
            service_level_admin.save_policy(
                db, viewer=admin, category="trading", priority="",
                first_response_hours=str(1 + i), next_response_hours="", resolution_hours="",
            )  # fmt: skip

    outcomes = at_once(save)
    assert outcomes == {"ok": 1, "InvalidInput": CLIENTS - 1}
    with session_scope() as db:
        policies = db.exec(select(SlaPolicy)).all()
        ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
        assert len(policies) == 1
        assert policies[0].category == "trading"
        hours = policies[0].first_response_minutes
        # The waiting guest's promise follows the one policy saved, in business time.
        expected = service_level_admin.service_levels.rules(db).targets("trading", 1)
        assert expected.first_response == hours
        assert ticket.reply_due_at is not None
        assert ticket.reply_due_at == ticket.first_response_due_at
