"""Message bubbles with their attachments, and the reply composer."""

from __future__ import annotations

import reflex as rx

from support_portal.components.attachments import attachment_chip
from support_portal.components.files import (
    attach_button,
    selected_files,
    send_event,
)
from support_portal.components.i18n import T
from support_portal.components.ui import error_callout, status_badge
from support_portal.components.upload_feedback import upload_items, upload_watch
from support_portal.states.views import MessageView


def message_bubble(m: MessageView, *, agent_view: bool = False) -> rx.Component:
    """Text renders as text (C1): no markdown, no HTML."""
    from_support = m.author_kind == "agent"
    label = rx.cond(
        m.is_internal,
        rx.badge(
            T("Internal note"), color_scheme="amber", variant="solid", size="1", high_contrast=True
        ),
        rx.cond(
            from_support,
            rx.badge(T("Support"), color_scheme="blue", size="1", high_contrast=True),
            rx.cond(
                m.author_kind == "system",
                rx.badge(T("System"), size="1", high_contrast=True),
                rx.fragment(),
            ),
        ),
    )
    # On the customer's (or guest's) own page, their messages are theirs: "You".
    author = (
        m.author_name
        if agent_view
        else rx.cond(m.author_kind == "customer", T("You"), m.author_name)
    )
    return rx.box(
        rx.hstack(
            rx.text(author, weight="bold", size="2", class_name="author"),
            label,
            rx.cond(
                m.merged_from > 0,
                rx.badge(
                    T("from ticket {number}", number=m.merged_from),
                    size="1",
                    variant="outline",
                    class_name="merged-from",
                ),
            ),
            rx.spacer(),
            # The exact time: a tooltip on hover and on keyboard focus, and written out on
            # touch screens, which have neither (a11y.css).
            rx.tooltip(
                rx.text(
                    m.time, size="1", color_scheme="gray", class_name="message-time", tab_index=0
                ),
                content=m.time_title,
            ),
            rx.text(m.time_title, size="1", color_scheme="gray", class_name="message-time-exact"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.text(
            m.body,
            size="3",
            white_space="pre-wrap",
            overflow_wrap="anywhere",
            class_name="message-body",
            margin_top="0.25rem",
        ),
        rx.cond(
            m.attachments.length() > 0,
            rx.flex(
                rx.foreach(m.attachments, attachment_chip),
                spacing="3",
                wrap="wrap",
                margin_top="0.5rem",
            ),
        ),
        padding="0.75rem 1rem",
        border_radius="var(--radius-3)",
        background=rx.cond(
            m.is_internal,
            "var(--amber-3)",
            rx.cond(from_support, "var(--blue-3)", "var(--color-panel-solid)"),
        ),
        border=rx.cond(m.is_internal, "1px dashed var(--amber-8)", "1px solid var(--gray-a4)"),
        margin_left=rx.cond(from_support & ~agent_view, "0", rx.cond(agent_view, "0", "auto")),
        max_width=["100%", "100%", "90%"],
        width="fit-content",
        min_width="60%",
        class_name=rx.cond(m.is_internal, "message internal-note", "message"),
        data_message_id=m.id,
    )


# Phones: a composer's buttons can take the whole width, one under the other.
FULL_ON_PHONE = rx.breakpoints(initial="100%", sm="auto")


def composer(
    state,
    *,
    extra_controls: rx.Component | None = None,
    submit_label: rx.Var | str | None = None,
    placeholder: rx.Var | str | None = None,
    on_typing: rx.EventHandler | None = None,
    send_disabled: rx.Var | bool = False,
    send_described_by: rx.Var | str = "",
    stack_on_phone: bool = False,
    send_color: rx.Var | str | None = None,
) -> rx.Component:
    """The reply box at the bottom: text, attachments, Send.

    Send is one upload request carrying the files (none is fine) and the form's values, so the
    text can never arrive apart from its files. The text area is uncontrolled: live updates
    never touch what the user is typing. `stack_on_phone` puts each button on its own row on a
    phone (for a row of several long buttons).
    """
    busy = state.sending | state.uploading
    form_body = rx.vstack(
        rx.text_area(
            name="body",
            id="reply-body",
            placeholder=T("Write your reply…") if placeholder is None else placeholder,
            aria_label=T("Reply"),
            rows="4",
            resize="vertical",
            width="100%",
            max_length=20000,
            aria_keyshortcuts="Control+Enter",
            # Locked while the message and its files are on their way (kept if refused).
            read_only=busy,
            # Uncontrolled: live updates never touch what the user is typing.
            **({"on_change": on_typing.throttle(2000)} if on_typing is not None else {}),
        ),
        rx.el.input(type="hidden", name="key", value=state.draft_key),
        # Phones have no Ctrl key: the hint is for keyboards only.
        rx.text(
            T("Ctrl+Enter sends"),
            size="1",
            color_scheme="gray",
            display=rx.breakpoints(initial="none", sm="block"),
            class_name="send-hint",
        ),
        selected_files(),
        upload_items(state, busy),
        error_callout(state.send_error, id="send-error"),
        upload_watch(state),
        rx.flex(
            attach_button(disabled=busy),
            extra_controls or rx.fragment(),
            rx.button(
                rx.icon("send", size=16),
                T("Send") if submit_label is None else submit_label,
                type="submit",
                loading=busy,
                # Not clickable again while busy (Radix's loading alone leaves it enabled).
                disabled=busy if send_disabled is False else busy | send_disabled,
                aria_describedby=send_described_by,
                size="3",
                id="send-button",
                **({"color_scheme": send_color} if send_color is not None else {}),
                **(
                    {"width": FULL_ON_PHONE, "margin_left": rx.breakpoints(initial="0", sm="auto")}
                    if stack_on_phone
                    else {"margin_left": "auto"}
                ),
            ),
            width="100%",
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )
    return rx.form(
        form_body,
        on_submit=send_event(state.send_with_files, state),
        reset_on_submit=False,
        width="100%",
        id="reply-form",
    )


def ticket_header(
    state, *, back_label: rx.Var, back_href: str, agent: bool = False, extra=None
) -> rx.Component:
    """Back link, subject with the status badge, and "Ticket N · category · Created ...":
    the top of the ticket page for customers and guests, and for agents."""
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), back_label, align="center"),
            href=back_href,
            size="2",
        ),
        rx.flex(
            rx.heading(state.subject, size="6", as_="h1", id="ticket-subject"),
            rx.box(status_badge(state.status, agent=agent), id="ticket-status"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.text(
            T("Ticket {number}", number=state.ticket_number),
            " · ",
            state.category_name,
            " · ",
            T("Created {when}", when=state.created),
            size="2",
            color_scheme="gray",
            id="ticket-number",
        ),
        extra if extra is not None else rx.fragment(),
        spacing="2",
        width="100%",
    )


def conversation(state, *, agent_view: bool = False) -> rx.Component:
    return rx.vstack(
        rx.cond(
            state.has_older,
            rx.center(
                rx.button(
                    T("Load older messages"),
                    variant="ghost",
                    on_click=state.load_older,
                    loading=state.loading_older,
                    id="load-older",
                ),
                width="100%",
            ),
        ),
        rx.foreach(state.history, lambda m: message_bubble(m, agent_view=agent_view)),
        rx.foreach(state.live, lambda m: message_bubble(m, agent_view=agent_view)),
        spacing="3",
        width="100%",
        id="conversation",
        aria_live="polite",
        # The label of the "New message" button assets/portal.js shows when scrolled up.
        data_new_label=T("New message"),
    )
