"""The page frame: header with the help menu, bell, account menu and language switcher."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.brand import brand_mark, brand_name
from support_portal.components.i18n import T
from support_portal.i18n import LANGUAGE_NAMES
from support_portal.states.base import SessionState


def language_switcher() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=T("Language"), variant="ghost", id="language-switcher"),
        rx.select.content(
            *[rx.select.item(name, value=code) for code, name in LANGUAGE_NAMES.items()]
        ),
        value=SessionState.locale,
        on_change=SessionState.set_language,
        size="1",
    )


def bell(suffix: str = "") -> rx.Component:
    return rx.link(
        rx.box(
            rx.icon("bell", size=20),
            rx.cond(
                SessionState.unread_count > 0,
                rx.badge(
                    SessionState.unread_label,
                    color_scheme="red",
                    variant="solid",
                    radius="full",
                    size="1",
                    position="absolute",
                    top="-8px",
                    right="-10px",
                    id="bell-count" + suffix,
                    high_contrast=True,
                ),
            ),
            position="relative",
            display="flex",
        ),
        href=routes.NOTIFICATIONS,
        aria_label=T("Notifications"),
        color="inherit",
        id="bell" + suffix,
    )


def help_menu() -> rx.Component:
    """The "?" menu of the help centre: My tickets, Submit a ticket."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("circle-help"), variant="ghost", aria_label=T("Help"), id="help-menu"
            ),
        ),
        rx.menu.content(
            rx.menu.item(T("My tickets"), on_select=rx.redirect(routes.MY_TICKETS)),
            rx.menu.item(T("Submit a ticket"), on_select=rx.redirect(routes.NEW_TICKET)),
        ),
    )


def account_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle-user", size=16),
                SessionState.viewer_name,
                variant="ghost",
                id="account-menu",
            ),
        ),
        rx.menu.content(
            rx.box(
                rx.text(SessionState.viewer_email, size="1", color_scheme="gray"),
                padding_x="0.75rem",
                padding_y="0.25rem",
            ),
            rx.cond(
                SessionState.is_agent,
                rx.menu.item(T("Agent dashboard"), on_select=rx.redirect(routes.AGENT_QUEUE)),
            ),
            rx.menu.item(
                T("Account settings"),
                on_select=rx.redirect(routes.ACCOUNT_SETTINGS),
                id="account-settings",
            ),
            rx.menu.item(
                T("Notification settings"), on_select=rx.redirect(routes.NOTIFICATION_SETTINGS)
            ),
            rx.menu.separator(),
            rx.menu.item(T("Log out"), on_select=SessionState.logout, id="logout"),
        ),
    )


def mobile_menu() -> rx.Component:
    """Phone-sized screens: Menu -> Get help -> Check your tickets (as in the app)."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("menu"), variant="ghost", aria_label=T("Menu"), id="mobile-menu"
            ),
        ),
        rx.menu.content(
            # Who is logged in; their tickets are under Get help -> Check your tickets, once.
            rx.cond(
                SessionState.is_logged_in,
                rx.text(
                    SessionState.viewer_name,
                    size="1",
                    color_scheme="gray",
                    padding_x="12px",
                    padding_y="4px",
                    id="mobile-menu-name",
                ),
            ),
            rx.menu.sub(
                rx.menu.sub_trigger(T("Get help")),
                rx.menu.sub_content(
                    rx.menu.item(T("Check your tickets"), on_select=rx.redirect(routes.MY_TICKETS)),
                    rx.menu.item(T("Submit a ticket"), on_select=rx.redirect(routes.NEW_TICKET)),
                ),
            ),
            rx.cond(
                SessionState.is_logged_in,
                rx.fragment(
                    rx.menu.item(T("Notifications"), on_select=rx.redirect(routes.NOTIFICATIONS)),
                    rx.menu.item(
                        T("Account settings"), on_select=rx.redirect(routes.ACCOUNT_SETTINGS)
                    ),
                    rx.menu.item(
                        T("Notification settings"),
                        on_select=rx.redirect(routes.NOTIFICATION_SETTINGS),
                    ),
                    rx.cond(
                        SessionState.is_agent,
                        rx.menu.item(
                            T("Agent dashboard"), on_select=rx.redirect(routes.AGENT_QUEUE)
                        ),
                    ),
                    rx.menu.separator(),
                    rx.menu.item(T("Log out"), on_select=SessionState.logout),
                ),
                rx.cond(
                    SessionState.is_guest,
                    rx.menu.item(T("Leave"), on_select=SessionState.logout),
                    rx.menu.item(T("Log in"), on_select=rx.redirect(routes.LOGIN)),
                ),
            ),
        ),
    )


def header() -> rx.Component:
    logged_in_right = rx.hstack(
        help_menu(),
        bell(),
        account_menu(),
        spacing="4",
        align="center",
    )
    guest_right = rx.hstack(
        help_menu(),
        rx.cond(
            SessionState.is_guest,
            rx.button(T("Leave"), variant="ghost", on_click=SessionState.logout, id="guest-leave"),
            rx.hstack(
                rx.link(T("Log in"), href=routes.LOGIN),
                rx.button(
                    T("Create account"),
                    on_click=rx.redirect(routes.REGISTER),
                    size="2",
                    variant="soft",
                ),
                spacing="4",
                align="center",
            ),
        ),
        spacing="4",
        align="center",
    )
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.hstack(
                    brand_mark(),
                    rx.text(brand_name(), weight="bold", size="4"),
                    align="center",
                ),
                href=routes.HOME,
                color="inherit",
                underline="none",
            ),
            rx.spacer(),
            language_switcher(),
            rx.box(
                rx.cond(SessionState.is_logged_in, logged_in_right, guest_right),
                display=["none", "none", "block"],
            ),
            rx.hstack(
                rx.cond(SessionState.is_logged_in, bell("-mobile")),
                mobile_menu(),
                display=["flex", "flex", "none"],
                spacing="4",
                align="center",
            ),
            align="center",
            spacing="4",
            width="100%",
            max_width="72rem",
            margin_x="auto",
            padding_x="1rem",
            padding_y="0.75rem",
        ),
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
    )


_BROWSER_PREFS = (
    "(() => { const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || '';"
    " document.cookie = 'sp_tz=' + encodeURIComponent(tz) + '; path=/; max-age=31536000;"
    " samesite=lax'; return {tz: tz, languages: Array.from(navigator.languages || [])}; })()"
)


def skip_link() -> rx.Component:
    """The first Tab stop: straight to the page's content, past the header's controls."""
    return rx.el.a(
        T("Skip to content"),
        href="#main",
        id="skip-link",
        # Following the fragment only moves where the next Tab starts; focus it as well.
        on_click=rx.call_script("document.getElementById('main').focus()"),
        style={
            "position": "absolute",
            "left": "-9999px",
            "z_index": "20",
            "padding": "0.5rem 1rem",
            "background": "var(--color-panel-solid)",
            "border_radius": "var(--radius-2)",
            "_focus": {"left": "1rem", "top": "0.5rem"},
        },
    )


def page(*children: rx.Component, width: str = "48rem") -> rx.Component:
    return rx.box(
        skip_link(),
        header(),
        rx.el.main(
            *children,
            id="main",
            tab_index=-1,  # the skip link moves focus here
            style={"_focus": {"outline": "none"}},
            width="100%",
            max_width=width,
            margin_x="auto",
            padding_x="1rem",
            padding_y="1.5rem",
        ),
        min_height="100vh",
        background="var(--gray-2)",
        on_mount=rx.call_script(_BROWSER_PREFS, callback=SessionState.set_browser_prefs),
    )


def loading(label: rx.Var | str | None = None) -> rx.Component:
    return rx.center(
        rx.hstack(
            rx.spinner(size="3"),
            rx.text(T("Loading…") if label is None else label, color_scheme="gray"),
        ),
        padding="3rem",
        aria_busy="true",
    )
