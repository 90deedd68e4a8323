"""A side panel of an agent's ticket page: a card with its heading and body.

On a phone (narrower than the two columns) every panel starts collapsed behind a button in its
heading: aria-expanded says whether it is open, portal.js flips it and the panel's data-open,
a11y.css hides the closed body. From the two-column width on, only the plain heading shows and
the body is always there, as before.
"""

from __future__ import annotations

import reflex as rx

from support_portal.components.ui import card


def side_panel(title: rx.Var, *children: rx.Component, panel_id: str, **props) -> rx.Component:
    body_id = f"{panel_id}-body"
    return card(
        rx.vstack(
            rx.heading(title, size="3", as_="h2", class_name="panel-heading-wide"),
            rx.heading(
                rx.el.button(
                    rx.text(title, as_="span"),
                    rx.icon(
                        "chevron-down", size=18, class_name="panel-chevron", aria_hidden="true"
                    ),
                    type="button",
                    class_name="panel-toggle",
                    aria_expanded="false",
                    aria_controls=body_id,
                ),
                size="3",
                as_="h2",
                class_name="panel-heading-phone",
            ),
            rx.vstack(*children, spacing="2", width="100%", id=body_id, class_name="panel-body"),
            spacing="2",
            width="100%",
        ),
        id=panel_id,
        class_name="side-panel",
        **props,
    )
