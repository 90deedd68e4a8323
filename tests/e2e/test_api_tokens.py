"""An agent creates a REST API token on /admin/api-tokens, sees it once, uses it against the
running app's /api/v1, and revokes it; customers get the not-found page."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in

pytestmark = pytest.mark.e2e


def test_an_agent_creates_uses_and_revokes_a_token(page, app):
    email = create_user(app, name="Tia Token", role=Role.agent)
    log_in(page, email, expect_path=r"/admin/?$")
    goto(page, "/admin/api-tokens")
    expect(page.locator("#no-api-tokens")).to_be_visible()
    main = page.locator("#main")
    main.get_by_label("Name", exact=True).fill("CRM sync")
    page.locator("#api-token-scope").click()
    page.get_by_role("option", name="Read and write").click()
    main.get_by_role("button", name="Create token").click()
    secret_box = page.locator("#new-api-token")
    expect(secret_box).to_contain_text("spt_")
    secret = secret_box.inner_text().strip()
    row = page.locator(".api-token-row").filter(has_text="CRM sync")
    expect(row).to_contain_text("Read and write")
    expect(row).to_contain_text(secret[:12])
    expect(row).not_to_contain_text(secret)

    api = httpx.Client(base_url=app.url, headers={"Authorization": f"Bearer {secret}"})
    me = api.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == email
    assert me.json()["scopes"] == ["read", "write"]

    row.get_by_role("button", name="Revoke CRM sync").click()
    expect(row).to_contain_text("Revoked")
    refused = api.get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"

    goto(page, "/admin/api-tokens")  # shown once: gone after the page loads again
    expect(page.locator(".api-token-row")).to_have_count(1)
    expect(page.locator("#new-api-token")).to_have_count(0)


def test_customers_get_the_not_found_page(page, app):
    log_in(page, create_user(app, name="Cleo Customer"))
    goto(page, "/admin/api-tokens")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("#api-token-form")).to_have_count(0)
