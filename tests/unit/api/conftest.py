"""The API app in this process, on the unit tests' in-memory database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.api_helpers import make_token, make_user


@pytest.fixture
def api(engine) -> Iterator[TestClient]:
    from support_portal.api.app import build_api_app

    with TestClient(build_api_app(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def agent_token(engine) -> str:
    make_user("agnes@support.test")
    return make_token("agnes@support.test")
