"""/admin/service-levels: the opening hours and the service-level policies (administrators)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import card, empty_state, error_callout, field
from support_portal.i18n import _
from support_portal.states.service_levels_admin import (
    ANY,
    POLICY_FORM,
    PolicyView,
)
from support_portal.states.service_levels_admin import ServiceLevelsAdminState as S

LABEL = "rt-Text rt-r-size-2 rt-r-weight-medium"


def calendar_form() -> rx.Component:
    errors = S.field_errors
    return card(
        rx.form(
            rx.vstack(
                rx.heading(T("Opening hours"), size="4", as_="h2"),
                rx.text(
                    T(
                        "Targets count only while you are open: a reply due in 4 hours, "
                        "asked for at 16:00 on Friday, is due at 12:00 on Monday."
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    S.from_settings,
                    rx.text(
                        T("These are the server's defaults until you save your own."),
                        size="2",
                        id="calendar-defaults",
                    ),
                ),
                rx.flex(
                    field(
                        T("Time zone"),
                        rx.input(
                            name="timezone",
                            id="calendar-timezone",
                            default_value=S.timezone,
                            required=True,
                            max_length=64,
                            placeholder="Europe/Prague",
                        ),
                        error=errors.get("timezone", ""),
                    ),
                    field(
                        T("Weekly hours"),
                        rx.input(
                            name="hours",
                            id="calendar-hours",
                            default_value=S.hours,
                            required=True,
                            max_length=400,
                        ),
                        error=errors.get("hours", ""),
                        hint=T('For example "mon-fri 09:00-17:00; sat 10:00-12:00", or "24/7".'),
                    ),
                    direction=rx.breakpoints(initial="column", sm="row"),
                    spacing="3",
                    width="100%",
                ),
                field(
                    T("Holidays"),
                    rx.text_area(
                        name="holidays",
                        id="calendar-holidays",
                        default_value=S.holidays,
                        rows="3",
                        max_length=4000,
                    ),
                    error=errors.get("holidays", ""),
                    hint=T("One date a line, as 2026-12-24. Nothing is due on these days."),
                ),
                rx.button(
                    T("Save opening hours"),
                    type="submit",
                    loading=S.busy == "calendar",
                    id="calendar-save",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_calendar,
            reset_on_submit=False,
            key=S.timezone + S.hours + S.holidays,
        ),
    )


def _target(label: rx.Var, hours: rx.Var) -> rx.Component:
    return rx.text(
        label,
        ": ",
        rx.cond(hours != "", T("{n} h", n=hours), T("not set")),
        size="2",
    )


def policy_row(p: PolicyView) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(p.scope, weight="bold", class_name="policy-scope"),
            rx.flex(
                _target(T("First response"), p.first_response),
                _target(T("Next response"), p.next_response),
                _target(T("Resolution"), p.resolution),
                spacing="4",
                wrap="wrap",
            ),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.hstack(
            rx.button(
                T("Edit"),
                size="1",
                variant="soft",
                on_click=S.edit_policy(p.id),
                aria_label=T("Edit the policy {scope}", scope=p.scope),
            ),
            rx.button(
                T("Delete"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.delete_policy(p.id),
                loading=S.busy == "delete-" + p.id.to_string(),
                disabled=S.busy != "",
                aria_label=T("Delete the policy {scope}", scope=p.scope),
            ),
            spacing="2",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="2",
        width="100%",
        padding_y="2",
        border_bottom="1px solid var(--gray-a5)",
        class_name="policy-row",
    )


def _scope_select(name: str, label: rx.Var, value: rx.Var, items: list[rx.Component]):
    control_id = f"policy-{name}"
    return rx.flex(
        rx.el.label(label, html_for=control_id, class_name=LABEL),
        rx.select.root(
            rx.select.trigger(id=control_id, width="100%"),
            rx.select.content(*items),
            name=name,
            default_value=value,
        ),
        rx.cond(
            S.field_errors.contains(name),
            rx.text(S.field_errors[name], size="1", color_scheme="red", role="alert"),
        ),
        direction="column",
        spacing="1",
        width="100%",
    )


def _hours_input(name: str, label: rx.Var, value: rx.Var) -> rx.Component:
    return field(
        label,
        rx.input(
            name=name,
            id=f"policy-{name.replace('_', '-')}",
            default_value=value,
            type="number",
            min="0",
            step="any",
            input_mode="decimal",
            placeholder=T("not set"),
        ),
        error=S.field_errors.get(name, ""),
    )


def policy_form() -> rx.Component:
    editing = S.editing_id != 0
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(editing, T("Change the policy"), T("New policy")), size="3", as_="h3"
            ),
            rx.flex(
                _scope_select(
                    "category",
                    T("Category"),
                    S.form_category,
                    [
                        rx.select.item(T("Every category"), value=ANY),
                        rx.foreach(
                            S.category_choices,
                            lambda c: rx.select.item(c.name, value=c.key),
                        ),
                    ],
                ),
                _scope_select(
                    "priority",
                    T("Priority"),
                    S.form_priority,
                    [
                        rx.select.item(T("Every priority"), value=ANY),
                        rx.select.item(T("Low"), value="low"),
                        rx.select.item(T("Normal"), value="normal"),
                        rx.select.item(T("High"), value="high"),
                        rx.select.item(T("Urgent"), value="urgent"),
                    ],
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                spacing="3",
                width="100%",
            ),
            rx.text(
                T("Targets in business hours; an empty one comes from the broader policy."),
                size="1",
                color_scheme="gray",
            ),
            rx.grid(
                _hours_input("first_response_hours", T("First response"), S.form_first),
                _hours_input("next_response_hours", T("Next response"), S.form_next),
                _hours_input("resolution_hours", T("Resolution"), S.form_resolution),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.button(
                    T("Save policy"), type="submit", loading=S.busy == "policy", id="policy-save"
                ),
                rx.cond(
                    editing,
                    rx.button(T("Cancel"), type="button", variant="soft", on_click=S.new_policy),
                ),
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.save_policy,
        reset_on_submit=False,
        id=POLICY_FORM,
        key=S.form_version,
    )


def policies_card() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading(T("Policies"), size="4", as_="h2"),
            rx.text(
                T(
                    "The most specific policy applies: category and priority, then "
                    "category, then priority, then every ticket."
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                S.policies.length() > 0,
                rx.vstack(rx.foreach(S.policies, policy_row), spacing="0", width="100%"),
                empty_state(
                    "timer",
                    T(
                        "No policies yet: every customer is promised a reply within "
                        "{n} business hours.",
                        n=S.default_reply_hours,
                    ),
                ),
            ),
            policy_form(),
            spacing="3",
            width="100%",
            id="policies",
        ),
    )


def service_levels_section() -> rx.Component:
    return rx.vstack(
        rx.heading(T("Service levels"), size="7", as_="h1"),
        rx.text(
            T(
                "Customers see when to expect a reply; agents see what is due first in the "
                "queue and are told when a promise is broken."
            ),
            color_scheme="gray",
        ),
        error_callout(S.error, id="service-levels-error"),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="check", color_scheme="green", role="status"),
        ),
        calendar_form(),
        policies_card(),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.ADMIN_SERVICE_LEVELS, title=page_title(_("Service levels")), on_load=S.load)
def service_levels_page() -> rx.Component:
    return dashboard_page(
        "service-levels",
        service_levels_section(),
        loaded=S.loaded,
        refused_when=S.forbidden,
        content_width="60rem",
    )
