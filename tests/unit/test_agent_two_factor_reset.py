"""The agents page's two-factor reset (issue 17): the list says whose two-factor is on; only an
administrator resets it, only an agent's, never their own; the reset is audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.mail import account_render
from support_portal.models import AuditEvent, OutboxEmail
from support_portal.services import agents, two_factor
from support_portal.services.errors import InvalidInput, NotFound, PermissionDenied
from support_portal.services.two_factor import RESET_NOTICE
from tests.unit.test_two_factor import enrol


def two_factor_of(db, admin) -> dict[str, bool]:
    return {a.email: a.two_factor for a in agents.list_agents(db, viewer=admin)}


def test_the_agents_list_says_whose_two_factor_is_on(db, agent, admin):
    assert two_factor_of(db, admin) == {"agnes@support.test": False, "ada@support.test": False}
    enrol(db, agent)
    assert two_factor_of(db, admin)["agnes@support.test"] is True


def test_an_administrator_resets_an_agents_two_factor_and_it_is_audited(db, agent, admin):
    enrol(db, agent)
    two_factor.reset(db, viewer=admin, user_id=agent.user_id)
    assert two_factor_of(db, admin)["agnes@support.test"] is False
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "two_factor.reset")).all()
    assert (event.actor_id, event.detail) == (admin.user_id, {"user_id": agent.user_id})
    [notice] = db.exec(select(OutboxEmail).where(OutboxEmail.template == RESET_NOTICE)).all()
    assert notice.to_email == "agnes@support.test"
    mail = account_render.account_notice_email(RESET_NOTICE, locale="en", name="Agnes")
    assert "reset" in mail.subject and "turned off two-factor" in mail.text


def test_nobody_else_resets_and_a_customer_or_a_missing_id_looks_the_same(db, agent, admin, alice):
    enrol(db, agent)
    for viewer in (agent, alice):
        with pytest.raises(PermissionDenied):
            two_factor.reset(db, viewer=viewer, user_id=agent.user_id)
    for target in (alice.user_id, 9999, "1"):
        with pytest.raises(NotFound):
            two_factor.reset(db, viewer=admin, user_id=target)
    assert two_factor_of(db, admin)["agnes@support.test"] is True


def test_an_administrator_turns_their_own_off_in_the_account_settings(db, admin):
    enrol(db, admin)
    with pytest.raises(InvalidInput):
        two_factor.reset(db, viewer=admin, user_id=admin.user_id)
    assert two_factor.is_enabled(db, viewer=admin)
