"""The service-level policies on /admin/service-levels: the list, and the form that adds or
changes one (administrators)."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import card, empty_state, field
from support_portal.states.service_levels_admin import ANY, POLICY_FORM, PolicyView
from support_portal.states.service_levels_admin import ServiceLevelsAdminState as S

LABEL = "rt-Text rt-r-size-2 rt-r-weight-medium"


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
                _hours_input("first_response_hours", T("First response, hours"), S.form_first),
                _hours_input("next_response_hours", T("Next response, hours"), S.form_next),
                _hours_input("resolution_hours", T("Resolution, hours"), S.form_resolution),
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
