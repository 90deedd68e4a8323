"""The landing page and the 404 page."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T
from support_portal.components.layout import page
from support_portal.components.not_found import not_found
from support_portal.states.base import SessionState


class HomeState(SessionState):
    @rx.event
    async def load(self):
        viewer = await self._refresh_session()
        if viewer is not None and viewer.is_agent:
            return rx.redirect(routes.AGENT_QUEUE)
        if viewer is not None:
            return rx.redirect(routes.MY_TICKETS)


@rx.page(route=routes.HOME, title=T("Support"), on_load=HomeState.load)
def home_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading(T("How can we help?"), size="8", as_="h1"),
            rx.text(
                T(
                    "Submit a ticket and we will keep you updated on every reply, request for "
                    "details and resolution."
                ),
                size="4",
                color_scheme="gray",
            ),
            rx.flex(
                rx.button(T("Submit a ticket"), size="3", on_click=rx.redirect(routes.NEW_TICKET)),
                rx.button(
                    T("Check your tickets"),
                    size="3",
                    variant="soft",
                    on_click=rx.redirect(routes.MY_TICKETS),
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.text(
                T("Sent a ticket without an account? Open the link in your email, or"),
                " ",
                rx.link(T("get a new link"), href=routes.GUEST_LINK_LOST),
                ".",
                size="2",
            ),
            spacing="5",
            padding_y="3rem",
        ),
        rx.cond(SessionState.session_checked, rx.box(id="page-ready", display="none")),
    )


def not_found_page() -> rx.Component:
    return page(not_found())
