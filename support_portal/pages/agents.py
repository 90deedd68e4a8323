"""Agent management: the list of agents and the form that adds one."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import (
    card,
    email_field,
    error_callout,
    field,
    info_callout,
    required_note,
)
from support_portal.i18n import _
from support_portal.pages.agents_two_factor import reset_dialog, two_factor_cell
from support_portal.pages.guest_erasure import guest_erasure_card
from support_portal.rules import MIN_PASSWORD_LENGTH
from support_portal.states.agent_views import AgentView
from support_portal.states.agents import FORM_ID, AgentsState

S = AgentsState


def _toggle(a: AgentView) -> rx.Component:
    return rx.cond(
        a.id == S.my_id,
        rx.text(T("You"), size="2", color_scheme="gray"),
        rx.cond(
            a.is_active,
            rx.button(
                T("Deactivate"),
                variant="soft",
                color_scheme="red",
                size="1",
                on_click=S.set_active(a.id, False),
                loading=S.busy_id == a.id,
                disabled=S.busy_id != 0,
                aria_label=T("Deactivate {name}", name=a.name),
                high_contrast=True,
            ),
            rx.button(
                T("Reactivate"),
                variant="soft",
                size="1",
                on_click=S.set_active(a.id, True),
                loading=S.busy_id == a.id,
                disabled=S.busy_id != 0,
                aria_label=T("Reactivate {name}", name=a.name),
            ),
        ),
    )


def agent_row(a: AgentView) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(a.name, weight="medium")),
        rx.table.cell(rx.text(a.email, overflow_wrap="anywhere")),
        rx.table.cell(
            rx.cond(
                a.is_admin,
                rx.badge(T("Administrator"), color_scheme="purple", high_contrast=True),
                rx.badge(T("Agent"), color_scheme="blue", high_contrast=True),
            )
        ),
        rx.table.cell(
            rx.cond(
                a.is_active,
                rx.badge(T("Active"), color_scheme="green", high_contrast=True),
                rx.badge(T("Deactivated"), color_scheme="gray"),
            )
        ),
        rx.table.cell(two_factor_cell(a)),
        rx.table.cell(_toggle(a)),
        class_name="agent-row",
        vertical_align="middle",
    )


def agents_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(T("Name")),
                    rx.table.column_header_cell(T("Email")),
                    rx.table.column_header_cell(T("Role")),
                    rx.table.column_header_cell(T("Status")),
                    rx.table.column_header_cell(T("Two-factor")),
                    rx.table.column_header_cell(rx.el.span(T("Actions"), class_name="rt-sr-only")),
                )
            ),
            rx.table.body(rx.foreach(S.agents, agent_row)),
            variant="surface",
            width="100%",
            id="agents-table",
        ),
        overflow_x="auto",
        width="100%",
    )


def add_agent_form() -> rx.Component:
    errors = S.field_errors
    return card(
        rx.form(
            rx.vstack(
                rx.heading(T("Add an agent"), size="4", as_="h2"),
                required_note(),
                rx.grid(
                    field(
                        T("Name"),
                        rx.input(name="name", required=True, max_length=120, id="agent-name"),
                        error=errors.get("name", ""),
                    ),
                    email_field(errors.get("email", ""), auto_complete="off", id="agent-email"),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                field(
                    T("Password"),
                    rx.input(
                        name="password",
                        type="password",
                        required=True,
                        auto_complete="new-password",
                        min_length=MIN_PASSWORD_LENGTH,
                        id="agent-password",
                    ),
                    error=errors.get("password", ""),
                    hint=T(
                        "At least {min} characters. Give it to the agent in person.",
                        min=MIN_PASSWORD_LENGTH,
                    ),
                ),
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(
                            name="admin", id="agent-admin", aria_labelledby="agent-admin-label"
                        ),
                        rx.text(
                            T("Administrator (can manage agents)"), size="2", id="agent-admin-label"
                        ),
                        align="center",
                        spacing="2",
                    ),
                    cursor="pointer",
                ),
                rx.button(
                    rx.icon("user-plus", size=16),
                    T("Add agent"),
                    type="submit",
                    loading=S.submitting,
                    id="add-agent",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.add_agent,
            reset_on_submit=False,
            id=FORM_ID,
        ),
    )


def agents() -> rx.Component:
    return rx.cond(
        S.admin_only,
        info_callout(
            T("Only administrators can manage agents."), icon="shield-alert", id="admin-only"
        ),
        rx.vstack(
            rx.heading(T("Agents"), size="7", as_="h1"),
            rx.text(
                T("Agents answer tickets; administrators can also add and deactivate agents."),
                color_scheme="gray",
            ),
            error_callout(S.error, id="agents-error"),
            rx.cond(
                S.notice != "",
                rx.callout(
                    S.notice,
                    icon="check",
                    color_scheme="green",
                    role="status",
                    id="agents-notice",
                    high_contrast=True,
                ),
            ),
            agents_table(),
            reset_dialog(),
            add_agent_form(),
            guest_erasure_card(),
            spacing="4",
            width="100%",
        ),
    )


@rx.page(route=routes.ADMIN_AGENTS, title=page_title(_("Agents")), on_load=AgentsState.load)
def agents_page() -> rx.Component:
    s = AgentsState
    return dashboard_page(
        "agents",
        agents(),
        loaded=s.loaded,
        refused_when=s.forbidden,
        content_width="60rem",
    )
