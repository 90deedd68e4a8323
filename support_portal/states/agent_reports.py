"""/admin/reports: the agents' report, its filters and its CSV (issue 16). Agent-only numbers,
loaded only after the service has checked the viewer is an agent (A2, A5)."""

from __future__ import annotations

import reflex as rx

from support_portal import i18n
from support_portal.services import categories, report_csv, reports
from support_portal.services.errors import DomainError, PermissionDenied
from support_portal.states.actions import Outcome, attempt, dashboard_viewer
from support_portal.states.base import SessionState, call

ALL = "all"


def duration_text(locale: str, minutes: float | None) -> str:
    """ "2 h 05 min", "35 min", "3 d 4 h"; an en dash when nothing counts."""
    if minutes is None:
        return "–"
    total = round(minutes)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return i18n.gettext(locale, "{d} d {h} h", d=days, h=hours)
    if hours:
        padded = str(mins).zfill(2)
        return i18n.gettext(locale, "{h} h {m} min", h=hours, m=padded)
    return i18n.gettext(locale, "{m} min", m=mins)


class AgentReportsState(SessionState):
    loaded: bool = False
    allowed: bool = False
    busy: str = ""  # "apply" or "export" while it runs
    error: str = ""
    start: str = ""
    end: str = ""
    category: str = ALL
    agent: str = ALL
    agent_options: list[list[str]] = []  # [id, name]
    category_options: list[list[str]] = []  # [key, name in the viewer's language]
    days: list[dict] = []  # {"day", "created", "resolved"} for the chart
    csat: list[dict] = []  # {"week", "score", "good", "bad"}
    first_median: str = ""
    first_p90: str = ""
    first_count: int = 0
    resolution_median: str = ""
    resolution_p90: str = ""
    resolution_count: int = 0
    within_share: str = ""
    within_detail: str = ""
    resolved_share: str = ""
    resolved_detail: str = ""
    total_created: int = 0
    total_resolved: int = 0

    @rx.event
    async def load(self):
        viewer, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.loaded, self.error, self.busy = False, "", ""
        self.allowed = viewer.is_agent
        if self.allowed:
            try:
                everyone, names, found = await call(reports.page, viewer=viewer, **self._filters())
            except PermissionDenied:
                self.allowed = False
            except DomainError as exc:
                self.error = self._error_text(exc)
            else:
                self.agent_options = [[str(agent_id), name] for agent_id, name in everyone]
                self.category_options = [
                    [key, categories.display_name(by_locale, self.locale)]
                    for key, by_locale in names.items()
                ]
                self._show(found)
        self.loaded = True

    def _filters(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "category": "" if self.category == ALL else self.category,
            "agent_id": int(self.agent) if self.agent.isdigit() else None,
        }

    def _show(self, r: reports.Report) -> None:
        loc = self.locale
        self.start, self.end = r.start.isoformat(), r.end.isoformat()
        self.days = [
            {"day": d.day.strftime("%m-%d"), "created": d.created, "resolved": d.resolved}
            for d in r.days
        ]
        self.total_created = sum(d.created for d in r.days)
        self.total_resolved = sum(d.resolved for d in r.days)
        self.csat = [
            {"week": w.week.isoformat(), "score": w.score or 0, "good": w.good, "bad": w.bad}
            for w in r.csat
        ]
        self.first_median = duration_text(loc, r.first_response.median)
        self.first_p90 = duration_text(loc, r.first_response.p90)
        self.first_count = r.first_response.count
        self.resolution_median = duration_text(loc, r.resolution.median)
        self.resolution_p90 = duration_text(loc, r.resolution.p90)
        self.resolution_count = r.resolution.count
        self.within_share = _percent(loc, r.within_target_share)
        self.within_detail = self._t(
            "{met} of {total} first replies", met=r.within_target, total=r.with_target
        )
        self.resolved_share = _percent(loc, r.resolved_within_share)
        self.resolved_detail = self._t(
            "{met} of {total} resolutions",
            met=r.resolved_within_target,
            total=r.resolution_with_target,
        )

    @rx.event
    def set_filter(self, name: str, value: str):
        if name in ("start", "end", "category", "agent"):
            setattr(self, name, str(value)[:32])

    @rx.event
    async def apply(self, form: dict | None = None):
        done = Outcome()
        async for update in attempt(
            self, done, reports.build, busy="busy", busy_value="apply", viewer=True,
            **self._filters(),
        ):  # fmt: skip
            yield update
        if done.ok:
            self._show(done.value)

    @rx.event
    async def export_csv(self):
        done = Outcome()
        async for update in attempt(
            self, done, report_csv.csv_export, busy="busy", busy_value="export", viewer=True,
            **self._filters(),
        ):  # fmt: skip
            yield update
        if done.ok:
            yield rx.download(data=done.value, filename=f"report-{self.start}-{self.end}.csv")


def _percent(locale: str, share: float | None) -> str:
    return "–" if share is None else f"{i18n.format_number(locale, share)} %"
