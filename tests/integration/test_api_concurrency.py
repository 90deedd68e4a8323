"""The per-token API limit holds when 50 clients hit it at once, on SQLite and PostgreSQL (X1).

Each thread authorizes one request the way the API's dependency does (its own transaction),
released together by a barrier: exactly the limit gets through, the rest get RateLimited.
"""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from support_portal.db import session_scope
from support_portal.models import RateEvent, Role
from support_portal.services import api_tokens
from tests.api_helpers import make_token, make_user
from tests.integration.test_throttle_concurrency import CLIENTS, at_once, backend  # noqa: F401

pytestmark = pytest.mark.integration

LIMIT = 7


def test_fifty_parallel_requests_on_one_token_pass_exactly_the_limit(backend, monkeypatch):  # noqa: F811
    from support_portal.settings import get_settings

    monkeypatch.setattr(get_settings(), "api_rate_limit_per_minute", LIMIT)
    make_user("agnes@support.test", role=Role.agent)
    secret = make_token("agnes@support.test", scopes=("read",))

    def request(_i: int) -> None:
        with session_scope() as db:
            api_tokens.authorize(db, secret=secret, scope="read")

    outcomes = at_once(request)
    assert outcomes == {"ok": LIMIT, "RateLimited": CLIENTS - LIMIT}
    with session_scope() as db:
        recorded = db.exec(
            select(func.count()).select_from(RateEvent).where(RateEvent.scope == "api_token")
        ).one()
    assert recorded == LIMIT
