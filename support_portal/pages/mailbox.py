"""/dev/mailbox: caught mail from the built-in catcher (development only)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.not_found import not_found
from support_portal.components.ui import empty_state, error_callout
from support_portal.i18n import _
from support_portal.states.mailbox import MailboxState
from support_portal.states.notice_views import MailRow, TextPiece


def mail_item(mail: MailRow) -> rx.Component:
    s = MailboxState
    chosen = s.selected == mail.name
    return rx.el.button(
        rx.flex(
            rx.vstack(
                rx.text(mail.subject, weight="bold", size="2", class_name="mail-subject"),
                rx.text(T("To: {to}", to=mail.recipient), size="1", color_scheme="gray"),
                spacing="1",
                align="start",
                min_width="0",
                flex="1",
                text_align="left",
            ),
            rx.tooltip(
                rx.text(mail.time, size="1", color_scheme="gray", white_space="nowrap"),
                content=mail.time_title,
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        type="button",
        on_click=s.select(mail.name),
        aria_current=rx.cond(chosen, "true", "false"),
        class_name="mail-item",
        width="100%",
        padding="0.75rem 1rem",
        background=rx.cond(chosen, "var(--accent-3)", "transparent"),
        border="none",
        border_bottom="1px solid var(--gray-a4)",
        cursor="pointer",
        color="inherit",
        font="inherit",
        _hover={"background": "var(--gray-3)"},
        _focus_visible={"outline": "2px solid var(--accent-8)", "outline_offset": "-2px"},
    )


def text_piece(piece: TextPiece) -> rx.Component:
    return rx.cond(
        piece.href != "",
        rx.link(piece.text, href=piece.href, is_external=True),
        rx.text.span(piece.text),
    )


def _header_line(label: rx.Var, value: rx.Var) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="4rem"),
        rx.data_list.value(value),
    )


def mail_detail() -> rx.Component:
    s = MailboxState
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(s.subject, size="4", as_="h2", id="mail-subject"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=16),
                    variant="ghost",
                    on_click=s.close_detail,
                    aria_label=T("Close"),
                ),
                align="start",
                spacing="2",
                width="100%",
            ),
            rx.data_list.root(
                _header_line(T("From"), s.sender),
                _header_line(T("To"), s.recipient),
                _header_line(T("Date"), s.received),
                size="1",
            ),
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger(T("HTML"), value="html"),
                    rx.tabs.trigger(T("Plain text"), value="text"),
                ),
                rx.tabs.content(
                    rx.cond(
                        s.html_src != "",
                        rx.el.iframe(
                            src=s.html_src,
                            sandbox="allow-popups allow-popups-to-escape-sandbox",
                            title=T("HTML part of the email"),
                            referrer_policy="no-referrer",
                            width="100%",
                            height="460px",
                            border="1px solid var(--gray-a5)",
                            border_radius="var(--radius-2)",
                            background="white",
                            id="mail-html",
                        ),
                        rx.text(T("This email has no HTML part."), color_scheme="gray"),
                    ),
                    value="html",
                    padding_top="0.75rem",
                ),
                rx.tabs.content(
                    rx.el.pre(
                        rx.foreach(s.text_pieces, text_piece),
                        white_space="pre-wrap",
                        word_break="break-word",
                        font_family="var(--code-font-family)",
                        font_size="var(--font-size-2)",
                        margin="0",
                        id="mail-text",
                    ),
                    value="text",
                    padding_top="0.75rem",
                ),
                default_value="html",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="mail-detail",
    )


def mail_list() -> rx.Component:
    s = MailboxState
    return rx.cond(
        s.mails.length() > 0,
        rx.card(
            rx.box(rx.foreach(s.mails, mail_item), id="mail-list"),
            padding="0",
            width="100%",
            overflow="hidden",
        ),
        empty_state(
            "mail",
            T("No mail yet"),
            T("Emails the portal sends appear here within a couple of seconds."),
        ),
    )


def _clear_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash-2", size=16),
                T("Clear mailbox"),
                variant="soft",
                color_scheme="red",
                disabled=MailboxState.mails.length() == 0,
                id="clear-mailbox",
                high_contrast=True,
            ),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T("Clear the mailbox?")),
            rx.alert_dialog.description(T("Every caught email is deleted. This cannot be undone.")),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(T("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        T("Clear mailbox"),
                        color_scheme="red",
                        on_click=MailboxState.clear_mailbox,
                        high_contrast=True,
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )


def _catcher_on() -> rx.Component:
    s = MailboxState
    return rx.vstack(
        rx.flex(
            rx.vstack(
                rx.heading(T("Mailbox"), size="7", as_="h1"),
                rx.text(
                    T(
                        "Development only: with no SMTP server configured, every email the "
                        "portal sends is caught here instead of being delivered."
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
                flex="1",
                min_width="16rem",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    T("Refresh"),
                    variant="soft",
                    on_click=s.refresh,
                    loading=s.refreshing,
                    id="refresh-mailbox",
                ),
                _clear_button(),
                spacing="2",
            ),
            align="end",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        error_callout(s.error),
        rx.cond(
            s.selected != "",
            rx.grid(
                rx.box(mail_list(), display=["none", "none", "block"]),
                mail_detail(),
                columns=rx.breakpoints(initial="1", md="2fr 3fr"),
                spacing="4",
                width="100%",
            ),
            mail_list(),
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.DEV_MAILBOX, title=page_title(_("Mailbox")), on_load=MailboxState.load)
def mailbox_page() -> rx.Component:
    s = MailboxState
    return page(
        rx.cond(
            ~s.loaded,
            loading(),
            rx.cond(
                ~s.visible,
                not_found(),
                rx.cond(
                    s.enabled,
                    _catcher_on(),
                    empty_state(
                        "mail-x",
                        T("The mail catcher is off"),
                        T(
                            "SMTP_HOST is set (or APP_ENV=prod), so emails go to the configured "
                            "mail server and are not caught here."
                        ),
                    ),
                ),
            ),
        ),
        rx.cond(s.loaded, rx.box(id="page-ready", display="none")),
        width="72rem",
    )
