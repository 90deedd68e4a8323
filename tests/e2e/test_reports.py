"""/admin/reports in the browser (issue 16): the agent finds it in the dashboard's navigation,
sees today's new ticket in the numbers and the chart, filters, and downloads the same numbers as
CSV; a customer gets the refusal, never the numbers (A5)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect

from support_portal.models import Role
from tests.e2e.helpers import create_user, goto, log_in, submit_ticket


def test_an_agent_reads_filters_and_exports_the_report(page, app, new_context):
    customer = new_context().new_page()
    log_in(customer, create_user(app, name="Rory Reported"))
    submit_ticket(customer, subject="Counted", category="Security", description="x")

    log_in(page, create_user(app, name="Rhoda Reader", role=Role.agent), expect_path=r"/admin")
    page.locator("#admin-nav").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.locator("#tickets-chart .recharts-wrapper")).to_be_visible()
    summary = page.locator("#tickets-chart").get_by_text(re.compile(r"^[1-9]\d* created and"))
    expect(summary).to_be_visible()
    expect(page.get_by_text("Resolved within target")).to_be_visible()

    page.locator("#report-category").click()
    page.get_by_role("option", name="Security").click()
    page.locator("#report-apply").click()
    expect(page.locator("#report-apply")).to_be_enabled()
    expect(page.locator("#report-error")).to_have_count(0)

    with page.expect_download() as download:
        page.locator("#report-export").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0] == ["section", "period", "metric", "value"]
    today = datetime.now(UTC).date().isoformat()
    [created] = [r for r in rows if r[:3] == ["tickets", today, "created"]]
    assert int(created[3]) >= 1
    assert [r[2] for r in rows if r[0] == "resolution_target"] == [
        "within",
        "with_target",
        "share_percent",
    ]


def test_a_customer_is_refused_the_report(page, app):
    log_in(page, create_user(app, name="Cora Curious"))
    goto(page, "/admin/reports")
    expect(page.get_by_text("This page is for support agents")).to_be_visible()
    expect(page.locator("#tickets-chart")).to_have_count(0)
