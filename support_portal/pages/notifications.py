"""/notifications (the notification centre) and /settings/notifications (email switches)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.notices import (
    email_switch_hint,
    email_switch_title,
    event_icon,
    event_text,
    sr_only,
)
from support_portal.components.ui import empty_state, error_callout, info_callout
from support_portal.i18n import _
from support_portal.states.notice_views import NotificationView, PreferenceView
from support_portal.states.notifications import NotificationSettingsState, NotificationsState


def notification_row(item: NotificationView) -> rx.Component:
    unread = ~item.read
    return rx.link(
        rx.flex(
            rx.box(event_icon(item.event), padding_top="2px", flex_shrink="0"),
            rx.vstack(
                rx.text(
                    event_text(item.event),
                    weight=rx.cond(unread, "bold", "regular"),
                    class_name="notification-event",
                ),
                rx.text(
                    rx.cond(
                        item.ticket_number > 0,
                        rx.fragment(T("Ticket {number}", number=item.ticket_number), " · "),
                    ),
                    rx.text.span(item.subject, class_name="notification-subject"),
                    size="2",
                    color_scheme="gray",
                    trim="both",
                    word_break="break-word",
                ),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.vstack(
                rx.tooltip(
                    rx.text(item.time, size="1", color_scheme="gray", white_space="nowrap"),
                    content=item.time_title,
                ),
                rx.cond(
                    unread,
                    rx.box(
                        sr_only(T("Unread")),
                        width="10px",
                        height="10px",
                        border_radius="50%",
                        background="var(--accent-9)",
                        class_name="unread-dot",
                    ),
                ),
                align="end",
                spacing="2",
                flex_shrink="0",
            ),
            spacing="3",
            align="start",
            padding="0.875rem 1rem",
            background=rx.cond(unread, "var(--accent-2)", "var(--color-panel-solid)"),
            border_left=rx.cond(unread, "3px solid var(--accent-9)", "3px solid transparent"),
            _hover={"background": "var(--gray-3)"},
        ),
        href=item.href,
        on_click=NotificationsState.open_ticket(item.id),
        underline="none",
        color="inherit",
        display="block",
        class_name=rx.cond(unread, "notification unread", "notification read"),
        border_bottom="1px solid var(--gray-a4)",
        _focus_visible={"outline": "2px solid var(--accent-8)", "outline_offset": "-2px"},
    )


@rx.page(
    route=routes.NOTIFICATIONS,
    title=page_title(_("Notifications")),
    on_load=NotificationsState.load,
)
def notifications_page() -> rx.Component:
    s = NotificationsState
    return page(
        rx.flex(
            rx.heading(T("Notifications"), size="7", as_="h1"),
            rx.spacer(),
            rx.hstack(
                rx.button(
                    rx.icon("check-check", size=16),
                    T("Mark all as read"),
                    variant="soft",
                    on_click=s.mark_all_read,
                    loading=s.marking_all,
                    disabled=s.unread_count == 0,
                    id="mark-all-read",
                ),
                rx.link(
                    rx.hstack(rx.icon("settings", size=16), T("Email settings"), align="center"),
                    href=routes.NOTIFICATION_SETTINGS,
                    size="2",
                ),
                spacing="4",
                align="center",
            ),
            align="center",
            spacing="3",
            wrap="wrap",
            margin_bottom="1rem",
        ),
        error_callout(s.error, margin_bottom="1rem"),
        rx.cond(
            ~s.loaded,
            loading(),
            rx.cond(
                s.items.length() > 0,
                rx.vstack(
                    rx.card(
                        rx.box(rx.foreach(s.items, notification_row), id="notification-list"),
                        padding="0",
                        width="100%",
                        overflow="hidden",
                    ),
                    rx.cond(
                        s.has_more,
                        rx.button(
                            T("Load more"),
                            variant="soft",
                            on_click=s.load_more,
                            loading=s.loading_more,
                            id="load-more",
                        ),
                    ),
                    align="center",
                    spacing="4",
                    width="100%",
                ),
                empty_state(
                    "bell-off",
                    T("No notifications yet"),
                    T("We will tell you here whenever something happens on your tickets."),
                ),
            ),
        ),
        rx.cond(s.loaded, rx.box(id="page-ready", display="none")),
    )


def preference_row(pref: PreferenceView) -> rx.Component:
    s = NotificationSettingsState
    switch_id = "email-" + pref.event
    return rx.flex(
        rx.vstack(
            rx.el.label(
                rx.text(email_switch_title(pref.event), weight="medium"),
                html_for=switch_id,
            ),
            rx.text(email_switch_hint(pref.event), size="2", color_scheme="gray"),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.hstack(
            rx.box(
                rx.cond(
                    s.saving_event == pref.event,
                    rx.spinner(size="1"),
                    rx.cond(
                        s.saved_event == pref.event,
                        rx.hstack(
                            rx.icon("check", size=14),
                            rx.text(T("Saved"), size="1"),
                            color="var(--green-11)",
                            spacing="1",
                            align="center",
                            class_name="saved",
                        ),
                    ),
                ),
                role="status",
                aria_live="polite",
                min_width="4rem",
                display="flex",
                justify_content="end",
            ),
            rx.switch(
                checked=pref.email,
                on_change=lambda on: s.set_email(pref.event, on),
                id=switch_id,
                size="3",
            ),
            align="center",
            spacing="3",
        ),
        align="center",
        spacing="4",
        padding_y="0.875rem",
        border_bottom="1px solid var(--gray-a4)",
        class_name="preference",
    )


@rx.page(
    route=routes.NOTIFICATION_SETTINGS,
    title=page_title(_("Notification settings")),
    on_load=NotificationSettingsState.load,
)
def notification_settings_page() -> rx.Component:
    s = NotificationSettingsState
    return page(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), T("Notifications"), align="center"),
            href=routes.NOTIFICATIONS,
            size="2",
        ),
        rx.heading(T("Notification settings"), size="7", as_="h1", margin_y="0.75rem"),
        rx.cond(
            ~s.loaded,
            loading(),
            rx.vstack(
                info_callout(
                    T(
                        "You always see every notification under the bell in the portal. "
                        "Here you choose which of them we also send by email."
                    ),
                    icon="bell",
                ),
                error_callout(s.error, id="settings-error"),
                rx.cond(
                    s.agent_view,
                    rx.card(
                        rx.text(
                            T(
                                "As an agent you are notified in the portal only: customer "
                                "replies and new tickets appear under the bell. There are no "
                                "emails to switch."
                            )
                        ),
                        width="100%",
                    ),
                    rx.card(
                        rx.heading(T("Email me when"), size="3", as_="h2"),
                        rx.box(rx.foreach(s.prefs, preference_row), id="preferences"),
                        rx.text(
                            T(
                                "Emails only say what happened and link to your ticket; they "
                                "never contain the messages themselves."
                            ),
                            size="1",
                            color_scheme="gray",
                            margin_top="0.75rem",
                        ),
                        width="100%",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        rx.cond(s.loaded, rx.box(id="page-ready", display="none")),
    )
