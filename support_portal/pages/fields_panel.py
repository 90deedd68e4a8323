"""The agent ticket page's "Fields" panel (issue 15): the ticket's custom fields, agent-only
ones marked, edited and saved together."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ticket_fields import any_required, field_inputs
from support_portal.components.ui import required_note
from support_portal.pages.side_panel import side_panel
from support_portal.states.agent_ticket import AgentTicketState

S = AgentTicketState


def fields_panel() -> rx.Component:
    return rx.cond(
        S.ticket_fields.length() > 0,
        side_panel(
            T("Fields"),
            rx.form(
                rx.vstack(
                    rx.cond(any_required(S.ticket_fields), required_note()),
                    field_inputs(S.ticket_fields, S.fields_errors, agent=True),
                    rx.cond(
                        S.fields_error != "",
                        rx.text(
                            S.fields_error,
                            color_scheme="red",
                            size="2",
                            role="alert",
                            id="fields-error",
                        ),
                    ),
                    rx.cond(
                        S.fields_notice != "",
                        rx.text(
                            S.fields_notice,
                            color_scheme="green",
                            size="2",
                            role="status",
                            id="fields-notice",
                        ),
                    ),
                    rx.button(
                        T("Save fields"),
                        type="submit",
                        variant="soft",
                        loading=S.saving_fields,
                        id="save-fields",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.save_fields,
                reset_on_submit=False,
                key=S.fields_version,
                width="100%",
            ),
            panel_id="fields-panel",
        ),
    )
