"""/tickets/new: Submit a ticket (logged in, or as a guest with a name and email)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.files import LONG_NAME, on_files_rejected, send_event, upload_zone
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import page
from support_portal.components.ticket_fields import field_inputs
from support_portal.components.ui import (
    email_field,
    error_callout,
    field,
    info_callout,
    required_note,
)
from support_portal.components.upload_feedback import upload_items, upload_watch
from support_portal.i18n import _
from support_portal.rules import ACCEPT
from support_portal.settings import get_settings
from support_portal.states.new_ticket import NewTicketState


def _guest_fields() -> rx.Component:
    return rx.cond(
        NewTicketState.is_logged_in,
        rx.fragment(),
        rx.vstack(
            info_callout(
                rx.text(
                    T("Updates will come to your email."),
                    " ",
                    rx.link(
                        T("Log in to keep all your tickets in one place."),
                        href=routes.LOGIN + "?next=" + routes.NEW_TICKET,
                        id="guest-login-link",
                    ),
                ),
            ),
            rx.flex(
                field(
                    T("Name"),
                    rx.input(
                        name="name",
                        required=True,
                        auto_complete="name",
                        id="guest-name",
                        max_length=120,
                    ),
                    error=NewTicketState.field_errors.get("name", ""),
                ),
                rx.cond(
                    NewTicketState.is_guest,
                    field(T("Email"), rx.input(value=NewTicketState.viewer_email, disabled=True)),
                    email_field(NewTicketState.field_errors.get("email", ""), id="guest-email"),
                ),
                spacing="3",
                direction=rx.breakpoints(initial="column", sm="row"),
                width="100%",
            ),
            width="100%",
        ),
    )


def _guidance() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T("Tips for a quick answer"), size="3", as_="h2"),
            rx.text(T("Be specific: explain clearly what happened and what you expected.")),
            rx.text(
                T(
                    "Include key details: transaction IDs, timestamps and screenshots help "
                    "us investigate faster."
                )
            ),
            rx.text(T("Check back regularly: our team may ask you for more information.")),
            # A follow-up exists because the original is closed: no "continue there" then.
            rx.cond(
                NewTicketState.follow_up_of == 0,
                rx.text(
                    T(
                        "Already have a ticket about this? Continue in the original ticket so "
                        "we see the whole history."
                    )
                ),
            ),
            spacing="2",
        ),
        size="2",
    )


@rx.page(
    route=routes.NEW_TICKET, title=page_title(_("Submit a ticket")), on_load=NewTicketState.load
)
def new_ticket_page() -> rx.Component:
    s = NewTicketState
    settings = get_settings()
    busy = s.submitting | s.uploading  # the text locks while it and its files travel
    form_fields = rx.vstack(
        required_note(),
        _guest_fields(),
        rx.cond(
            s.follow_up_of > 0,
            info_callout(
                rx.link(
                    T("Follow-up to ticket {number}", number=s.follow_up_of),
                    href=routes.ticket_path(s.follow_up_of),
                    id="follow-up-original",
                )
            ),
        ),
        field(
            T("Subject"),
            rx.input(
                name="subject",
                required=True,
                max_length=200,
                id="subject",
                read_only=busy,
                # "Follow-up: <the original's subject>" (remounted when it arrives).
                default_value=s.subject_prefill,
                key=s.subject_prefill,
            ),
            error=s.field_errors.get("subject", ""),
        ),
        field(
            T("Category"),
            rx.select.root(
                rx.select.trigger(placeholder=T("Choose a category"), width="100%", id="category"),
                rx.select.content(
                    rx.foreach(s.categories, lambda c: rx.select.item(c.name, value=c.key))
                ),
                name="category",
                required=True,
                value=s.category,
                on_change=s.choose_category,
            ),
            error=s.field_errors.get("category", ""),
        ),
        field_inputs(s.fields, s.field_errors, read_only=busy),
        rx.cond(
            s.suggestion_number > 0,
            rx.callout(
                rx.vstack(
                    rx.text(
                        T(
                            "You already have an open ticket in this category: "
                            "“{subject}”. Our team sees the whole history when you continue "
                            "there.",
                            subject=s.suggestion_subject,
                        )
                    ),
                    rx.button(
                        T("Continue in ticket {number}", number=s.suggestion_number),
                        type="button",
                        variant="solid",
                        id="continue-in-ticket",
                        on_click=rx.redirect(routes.ticket_path(s.suggestion_number)),
                    ),
                    spacing="2",
                ),
                icon="message-square-reply",
                color_scheme="amber",
                id="continue-suggestion",
                high_contrast=True,
            ),
        ),
        field(
            T("Description"),
            rx.text_area(
                name="description",
                required=True,
                rows="7",
                id="description",
                max_length=20000,
                read_only=busy,
            ),
            error=s.field_errors.get("description", ""),
        ),
        rx.el.input(type="hidden", name="key", value=s.draft_key),
        upload_zone(
            rx.vstack(
                rx.icon("upload", size=20),
                rx.text(
                    T(
                        "Drop files here or click to attach (up to 5 files, 10 MB each: "
                        "png, jpg, gif, webp, pdf, txt, csv, log)."
                    ),
                    size="2",
                ),
                rx.button(
                    rx.icon("paperclip", size=14),
                    T("Attach files"),
                    type="button",
                    variant="soft",
                    size="1",
                    id="ticket-attach-button",
                ),
                align="center",
            ),
            id="ticket-files",
            multiple=True,
            accept=ACCEPT,
            max_files=settings.max_attachments_per_message,
            max_size=settings.max_attachment_bytes,
            on_drop_rejected=on_files_rejected,
            # The button inside is the one keyboard stop (the drop area would be an unnamed one).
            no_keyboard=True,
            border="1px dashed var(--gray-a7)",
            border_radius="var(--radius-3)",
            padding="1rem",
            width="100%",
        ),
        rx.flex(
            rx.foreach(
                rx.selected_files("ticket-files"),
                lambda n: rx.badge(
                    rx.icon("paperclip", size=12),
                    n,
                    variant="soft",
                    high_contrast=True,
                    **LONG_NAME,
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
        upload_items(s, busy),
        error_callout(s.error, id="ticket-error"),
        upload_watch(s),
        rx.button(
            T("Submit ticket"),
            type="submit",
            size="3",
            loading=busy,
            disabled=busy,
            id="submit-ticket",
        ),
        spacing="4",
        width="100%",
    )
    return page(
        rx.heading(T("Submit a ticket"), size="7", as_="h1", margin_bottom="1rem"),
        rx.grid(
            rx.card(
                rx.form(
                    form_fields,
                    on_submit=send_event(
                        s.submit_with_files, s, "new-ticket-form", upload_id="ticket-files"
                    ),
                    reset_on_submit=False,
                    id="new-ticket-form",
                ),
                size="3",
            ),
            # On a phone the tips come first, before the form and its Submit.
            rx.box(_guidance(), order=rx.breakpoints(initial="-1", md="0")),
            columns=rx.breakpoints(initial="1", md="3fr 2fr"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        rx.cond(s.session_checked, rx.box(id="page-ready", display="none")),
        width="64rem",
    )
