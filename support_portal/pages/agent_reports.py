"""/admin/reports: tickets, response times, targets and satisfaction, with charts (issue 16)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import empty_state, error_callout
from support_portal.i18n import _
from support_portal.states.agent_reports import ALL, AgentReportsState

S = AgentReportsState
CREATED, RESOLVED, SCORE = "var(--indigo-9)", "var(--green-9)", "var(--amber-9)"


def _stat(label: rx.Var, value: rx.Var, detail: rx.Var, id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="6", weight="bold", id=id),
            rx.text(detail, size="1", color_scheme="gray"),
            spacing="1",
        ),
        width="100%",
    )


def _select(name: str, label: rx.Var, value: rx.Var, *items: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="span", id=f"report-{name}-label"),
        rx.select.root(
            rx.select.trigger(aria_labelledby=f"report-{name}-label", id=f"report-{name}"),
            rx.select.content(*items),
            value=value,
            on_change=lambda v: S.set_filter(name, v),
        ),
        spacing="1",
    )


def _date(name: str, label: rx.Var, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"report-{name}", class_name="rt-Text rt-r-size-2"),
        rx.input(
            type="date",
            id=f"report-{name}",
            value=value,
            on_change=lambda v: S.set_filter(name, v),
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.flex(
            _date("start", T("From"), S.start),
            _date("end", T("To"), S.end),
            _select(
                "category",
                T("Category"),
                S.category,
                rx.select.item(T("All categories"), value=ALL),
                rx.foreach(S.category_options, lambda c: rx.select.item(c[1], value=c[0])),
            ),
            _select(
                "agent",
                T("Agent"),
                S.agent,
                rx.select.item(T("All agents"), value=ALL),
                rx.foreach(S.agent_options, lambda a: rx.select.item(a[1], value=a[0])),
            ),
            rx.button(T("Apply"), type="submit", loading=S.busy == "apply", id="report-apply"),
            rx.button(
                rx.icon("download", size=16),
                T("Export CSV"),
                type="button",
                variant="soft",
                on_click=S.export_csv,
                loading=S.busy == "export",
                id="report-export",
            ),
            spacing="3",
            align="end",
            wrap="wrap",
        ),
        on_submit=S.apply,
        reset_on_submit=False,
        width="100%",
    )


def _chart_card(title: rx.Var, summary: rx.Var, chart: rx.Component, id: str) -> rx.Component:
    """A chart with its heading, and in words what it shows (for screen readers too)."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"),
            rx.text(summary, size="2", color_scheme="gray"),
            rx.box(chart, width="100%"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id=id,
    )


def _tickets_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="day"),
        rx.recharts.y_axis(allow_decimals=False, width=40),
        rx.recharts.tooltip(),
        rx.recharts.legend(),
        rx.recharts.bar(data_key="created", name=T("Created"), fill=CREATED),
        rx.recharts.bar(data_key="resolved", name=T("Resolved"), fill=RESOLVED),
        data=S.days,
        width="100%",
        height=260,
    )


def _csat_chart() -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="week"),
        rx.recharts.y_axis(domain=[0, 100], unit=" %", width=50),
        rx.recharts.tooltip(),
        rx.recharts.line(data_key="score", name=T("Good answers"), stroke=SCORE, stroke_width=2),
        data=S.csat,
        width="100%",
        height=220,
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.heading(T("Reports"), size="7", as_="h1"),
        rx.text(T("Days and weeks are in UTC."), size="2", color_scheme="gray"),
        _filters(),
        error_callout(S.error, id="report-error"),
        rx.grid(
            _stat(
                T("First response, median"),
                S.first_median,
                T("90 % within {p90} ({n} tickets)", p90=S.first_p90, n=S.first_count),
                "first-median",
            ),
            _stat(
                T("Resolution, median"),
                S.resolution_median,
                T("90 % within {p90} ({n} tickets)", p90=S.resolution_p90, n=S.resolution_count),
                "resolution-median",
            ),
            _stat(T("First reply within target"), S.within_share, S.within_detail, "within-target"),
            _stat(
                T("Resolved within target"), S.resolved_share, S.resolved_detail, "resolved-target"
            ),
            columns=rx.breakpoints(initial="1", sm="2", md="4"),
            spacing="3",
            width="100%",
        ),
        _chart_card(
            T("Tickets per day"),
            T(
                "{created} created and {resolved} resolved in this period.",
                created=S.total_created,
                resolved=S.total_resolved,
            ),
            _tickets_chart(),
            "tickets-chart",
        ),
        _chart_card(
            T("Satisfaction by week"),
            rx.cond(
                S.csat.length() > 0,
                T('Share of good answers to "How did we do?", by week of the answer.'),
                T('No answers to "How did we do?" in this period.'),
            ),
            _csat_chart(),
            "csat-chart",
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.AGENT_REPORTS, title=page_title(_("Reports")), on_load=S.load)
def reports_page() -> rx.Component:
    return dashboard_page(
        "reports",
        _content(),
        loaded=S.loaded,
        refused_when=~S.allowed,
        refusal=empty_state(
            "shield-x",
            T("This page is for support agents"),
            T("Log in with an agent account to see the reports."),
        ),
    )
