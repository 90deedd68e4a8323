"""/admin/service-levels: the opening hours and the service-level policies (administrators)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import card, error_callout, field, required_note
from support_portal.i18n import _
from support_portal.pages.sla_policies import policies_card
from support_portal.states.service_levels_admin import ServiceLevelsAdminState as S


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
                required_note(),
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
