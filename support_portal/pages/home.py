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


def _journey(icon: str, title, text, button) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=28, color="var(--accent-11)", aria_hidden="true"),
            rx.heading(title, size="4", as_="h2"),
            rx.text(text, color_scheme="gray", size="2"),
            button,
            spacing="3",
            height="100%",
        ),
        width="100%",
    )


def _channel(icon: str, title, text) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=20, color="var(--accent-11)", aria_hidden="true", flex_shrink="0"),
        rx.vstack(
            rx.text(title, weight="medium"),
            rx.text(text, size="2", color_scheme="gray"),
            spacing="1",
        ),
        align="start",
        spacing="3",
    )


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
            rx.grid(
                _journey(
                    "square-pen",
                    T("Submit a ticket"),
                    T(
                        "Describe the problem once, with transaction IDs, times or screenshots: "
                        "the more specific, the faster we can help."
                    ),
                    rx.link(rx.button(T("Submit a ticket"), size="3"), href=routes.NEW_TICKET),
                ),
                _journey(
                    "inbox",
                    T("Check your tickets"),
                    T(
                        "All your tickets, open and closed, in one place: read the whole "
                        "conversation and reply at the bottom."
                    ),
                    rx.link(
                        rx.button(T("Check your tickets"), size="3", variant="soft"),
                        href=routes.MY_TICKETS,
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="4",
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.heading(T("How you hear from us"), size="4", as_="h2"),
                    _channel(
                        "bell",
                        T("In the portal"),
                        T(
                            "Logged in, you get a notification whenever something happens on "
                            "your ticket."
                        ),
                    ),
                    _channel(
                        "mail",
                        T("By email"),
                        T(
                            "A short alert with a link to the ticket. It cannot be replied to: "
                            "always answer in the ticket."
                        ),
                    ),
                    _channel(
                        "link",
                        T("Without an account"),
                        T(
                            "Our emails carry a link to your ticket, tied to your email address: "
                            "you confirm the address with a code, then read and reply."
                        ),
                    ),
                    spacing="4",
                ),
                width="100%",
                id="channels",
            ),
            rx.callout(
                rx.text(
                    T("Sent a ticket without an account? Open the link in your email, or"),
                    " ",
                    rx.link(T("get a new link"), href=routes.GUEST_LINK_LOST, high_contrast=True),
                    ".",
                ),
                icon="info",
                color_scheme="blue",
                variant="surface",
                high_contrast=True,
                width="100%",
            ),
            rx.text(
                T(
                    "Please continue in your original ticket rather than opening a new one: "
                    "the team then sees the whole history."
                ),
                size="2",
                color_scheme="gray",
            ),
            spacing="5",
            padding_y=rx.breakpoints(initial="1.5rem", sm="3rem"),
            width="100%",
        ),
        rx.cond(SessionState.session_checked, rx.box(id="page-ready", display="none")),
    )


def not_found_page() -> rx.Component:
    return page(not_found())
