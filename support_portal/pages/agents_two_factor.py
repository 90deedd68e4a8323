"""The agents table's two-factor column: on or off, and for administrators a reset (a lost
phone and no recovery codes), confirmed in a dialog and audited by the service."""

from __future__ import annotations

import reflex as rx

from support_portal.components.confirm import confirm_dialog
from support_portal.components.i18n import T
from support_portal.states.agent_views import AgentView
from support_portal.states.agents import AgentsState

S = AgentsState


def two_factor_cell(a: AgentView) -> rx.Component:
    return rx.hstack(
        rx.cond(
            a.two_factor,
            rx.badge(T("On"), color_scheme="green", high_contrast=True),
            rx.badge(T("Off"), color_scheme="gray"),
        ),
        rx.cond(
            a.two_factor & (a.id != S.my_id),
            rx.button(
                T("Reset"),
                variant="ghost",
                size="1",
                color_scheme="red",
                on_click=S.ask_reset(a.id),
                disabled=S.resetting,
                aria_label=T("Reset two-factor of {name}", name=a.name),
                class_name="reset-two-factor",
                high_contrast=True,
            ),
        ),
        align="center",
        spacing="2",
    )


def reset_dialog() -> rx.Component:
    return confirm_dialog(
        S.reset_id != 0,
        T("Reset two-factor of {name}?", name=S.reset_name),
        T(
            "Their authenticator app and recovery codes stop working, and they log in "
            "with the password alone until they set two-factor up again. Do this only "
            "when you are sure who asked."
        ),
        T("Reset two-factor"),
        on_cancel=S.cancel_reset,
        on_confirm=S.reset_two_factor,
        loading=S.resetting,
        name="reset",
    )
