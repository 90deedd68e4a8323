""" "Macros" on the agent's ticket page: a menu of the shared macros and the agent's own; a
click sends the macro's reply and runs its actions (arrows and Enter work too)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T
from support_portal.states.agent_ticket import AgentTicketState
from support_portal.states.macros import MacroChoice, MacroMenuState

M = MacroMenuState


def _item(m: MacroChoice) -> rx.Component:
    return rx.menu.item(
        rx.vstack(
            rx.text(m.title, weight="medium", size="2"),
            rx.cond(m.summary != "", rx.text(m.summary, size="1", color_scheme="gray")),
            spacing="0",
            align="start",
        ),
        on_select=M.apply_macro(m.id),
        class_name="macro-choice",
        height="auto",
        padding_y="0.4rem",
    )


def macro_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("zap", size=16),
                T("Macros"),
                rx.icon("chevron-down", size=14),
                variant="soft",
                loading=AgentTicketState.busy == "macro",
                disabled=AgentTicketState.busy != "",
                id="macros-button",
            )
        ),
        rx.menu.content(
            rx.cond(
                M.macros_loading & ~M.macros_loaded,
                rx.menu.item(T("Loading…"), disabled=True),
                rx.cond(
                    M.macros.length() > 0,
                    rx.foreach(M.macros, _item),
                    rx.menu.item(
                        T("No macros yet: add actions to a saved reply."),
                        on_select=rx.redirect(routes.SAVED_REPLIES),
                        id="macros-empty",
                    ),
                ),
            ),
            max_width="min(24rem, 90vw)",
            id="macros-menu",
        ),
        on_open_change=M.open_macros,
    )
