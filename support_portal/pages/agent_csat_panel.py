"""The agent ticket page's "Customer rating" panel (CSAT, issue 16): agents only."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.pages.side_panel import side_panel
from support_portal.states.agent_csat import RatingView


def _rating(r: RatingView) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.match(
                r.rating,
                ("good", rx.icon("thumbs-up", size=16, color=rx.color("green", 11))),
                ("bad", rx.icon("thumbs-down", size=16, color=rx.color("red", 11))),
                rx.icon("clock", size=16, color=rx.color("gray", 11)),
            ),
            rx.text(r.label, size="2", weight="medium"),
            spacing="2",
            align="center",
        ),
        rx.cond(r.comment != "", rx.text(r.comment, size="2", white_space="pre-wrap")),
        rx.tooltip(rx.text(r.time, size="1", color_scheme="gray"), content=r.time_title),
        spacing="1",
        class_name="csat-rating",
    )


def csat_panel(ticket) -> rx.Component:
    """`ticket` is the agent page's state: its ratings come and change with its panels."""
    return rx.cond(
        ticket.ratings.length() > 0,
        side_panel(
            T("Customer rating"),
            rx.vstack(rx.foreach(ticket.ratings, _rating), spacing="3", width="100%"),
            panel_id="csat-panel",
        ),
    )
