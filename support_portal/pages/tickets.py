"""/tickets (My tickets), /tickets/new (Submit a ticket) and /tickets/[number]."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.conversation import (
    composer,
    conversation,
    form_values,
    on_files_rejected,
    ticket_header,
)
from support_portal.components.guest import link_panel
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.ui import (
    SEARCH_INPUT_FLEX,
    category_label,
    email_field,
    empty_state,
    error_callout,
    field,
    info_callout,
    search_form,
    status_badge,
)
from support_portal.i18n import _
from support_portal.rules import ACCEPT
from support_portal.settings import get_settings
from support_portal.states.ticket import TicketState
from support_portal.states.tickets import MyTicketsState, NewTicketState
from support_portal.states.views import TicketRow

CATEGORIES = [
    ("account", _("Account")),
    ("deposits_withdrawals", _("Deposits and withdrawals")),
    ("trading", _("Trading")),
    ("security", _("Security")),
    ("other", _("Other")),
]


def ticket_row(row: TicketRow) -> rx.Component:
    # Phones: the time gets its own line under the number; wider: it sits under the status.
    return rx.link(
        rx.card(
            rx.grid(
                rx.vstack(
                    rx.hstack(
                        rx.cond(
                            row.unread,
                            rx.box(
                                width="8px",
                                height="8px",
                                border_radius="50%",
                                background="var(--red-9)",
                                aria_label=T("Unread"),
                                class_name="unread",
                            ),
                        ),
                        rx.text(row.subject, weight="bold", class_name="ticket-subject"),
                        align="center",
                        spacing="2",
                    ),
                    rx.text(
                        "#",
                        row.number,
                        " · ",
                        category_label(row.category),
                        size="2",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    align="start",
                    grid_area="main",
                    min_width="0",
                ),
                rx.box(status_badge(row.status), grid_area="status", justify_self="end"),
                rx.box(
                    rx.tooltip(
                        rx.text(row.last_activity, size="1", color_scheme="gray"),
                        content=row.last_activity_title,
                    ),
                    grid_area="time",
                    justify_self=rx.breakpoints(initial="start", sm="end"),
                    white_space="nowrap",
                ),
                grid_template_columns="minmax(0, 1fr) auto",
                grid_template_areas=rx.breakpoints(
                    initial='"main status" "time time"', sm='"main status" "main time"'
                ),
                grid_template_rows="auto 1fr",
                column_gap="var(--space-3)",
                row_gap="var(--space-1)",
            ),
            class_name="ticket-row",
        ),
        href=routes.ticket_path(row.number),
        underline="none",
        color="inherit",
        width="100%",
    )


@rx.page(route=routes.MY_TICKETS, title=page_title(_("My tickets")), on_load=MyTicketsState.load)
def my_tickets_page() -> rx.Component:
    s = MyTicketsState
    return page(
        rx.flex(
            rx.heading(T("My tickets"), size="7", as_="h1"),
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=16),
                T("Submit a ticket"),
                on_click=rx.redirect(routes.NEW_TICKET),
            ),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(
                    T("Open"), " (", s.counts["open"], ")", value="open", id="tab-open"
                ),
                rx.tabs.trigger(
                    T("Closed"), " (", s.counts["closed"], ")", value="closed", id="tab-closed"
                ),
            ),
            value=s.tab,
            on_change=s.set_tab,
            margin_top="1rem",
        ),
        search_form(
            s,
            rx.input(
                name="q",
                placeholder=T("Search by number or subject"),
                aria_label=T("Search tickets"),
                id="ticket-search",
                default_value=s.search,
                **SEARCH_INPUT_FLEX,
            ),
            button=rx.button(
                rx.icon("search", size=16), T("Search"), type="submit", variant="soft"
            ),
            margin_y="1rem",
        ),
        error_callout(s.error),
        rx.cond(
            ~s.loaded,
            loading(),
            rx.cond(
                s.rows.length() > 0,
                rx.vstack(
                    rx.foreach(s.rows, ticket_row), spacing="2", width="100%", id="ticket-list"
                ),
                rx.cond(
                    s.search != "",
                    empty_state("search-x", T("No tickets match your search.")),
                    rx.cond(
                        s.tab == "open",
                        empty_state(
                            "inbox",
                            T("You have no open tickets."),
                            T("Need help? Submit a ticket and we will get back to you."),
                            rx.button(
                                T("Submit a ticket"), on_click=rx.redirect(routes.NEW_TICKET)
                            ),
                        ),
                        empty_state("archive", T("No closed tickets yet.")),
                    ),
                ),
            ),
        ),
        rx.cond(
            (s.previous.length() > 0) | (s.next_cursor != ""),
            rx.hstack(
                rx.button(
                    T("Previous"),
                    variant="soft",
                    on_click=s.previous_page,
                    disabled=s.previous.length() == 0,
                ),
                rx.button(
                    T("Next"), variant="soft", on_click=s.next_page, disabled=s.next_cursor == ""
                ),
                justify="center",
                width="100%",
                margin_top="1rem",
                id="ticket-pager",
            ),
        ),
        rx.cond(s.loaded, rx.box(id="page-ready", display="none")),
    )


def _guest_fields() -> rx.Component:
    return rx.cond(
        NewTicketState.is_logged_in,
        rx.fragment(),
        rx.vstack(
            info_callout(
                T("Updates will come to your email. Log in to keep all your tickets in one place."),
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
            rx.text(
                T(
                    "Already have a ticket about this? Continue in the original ticket so "
                    "we see the whole history."
                )
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
    form_fields = rx.vstack(
        _guest_fields(),
        rx.cond(
            s.follow_up_of > 0,
            info_callout(T("Follow-up to ticket {number}", number=s.follow_up_of)),
        ),
        field(
            T("Subject"),
            rx.input(name="subject", required=True, max_length=200, id="subject"),
            error=s.field_errors.get("subject", ""),
        ),
        field(
            T("Category"),
            rx.select.root(
                rx.select.trigger(placeholder=T("Choose a category"), width="100%", id="category"),
                rx.select.content(
                    *[rx.select.item(T(label), value=value) for value, label in CATEGORIES]
                ),
                name="category",
                required=True,
                value=s.category,
                on_change=s.choose_category,
            ),
            error=s.field_errors.get("category", ""),
        ),
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
            ),
        ),
        field(
            T("Description"),
            rx.text_area(
                name="description", required=True, rows="7", id="description", max_length=20000
            ),
            error=s.field_errors.get("description", ""),
        ),
        rx.el.input(type="hidden", name="key", value=s.draft_key),
        rx.upload.root(
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
                lambda n: rx.badge(rx.icon("paperclip", size=12), n, variant="soft"),
            ),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            s.submitting & (rx.selected_files("ticket-files").length() > 0),
            rx.progress(value=s.upload_progress, max=100, width="100%"),
        ),
        error_callout(s.error, id="ticket-error"),
        rx.button(
            T("Submit ticket"), type="submit", size="3", loading=s.submitting, id="submit-ticket"
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
                    on_submit=s.submit_with_files(
                        rx.upload_files(upload_id="ticket-files", on_upload_progress=s.on_progress),
                        form_values("new-ticket-form"),
                    ),
                    reset_on_submit=False,
                    id="new-ticket-form",
                ),
                size="3",
            ),
            _guidance(),
            columns=rx.breakpoints(initial="1", md="3fr 2fr"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        rx.cond(s.session_checked, rx.box(id="page-ready", display="none")),
        width="64rem",
    )


def _ticket_header() -> rx.Component:
    s = TicketState
    follow_up_of = rx.cond(
        s.follow_up_of_number > 0,
        rx.text(
            T("Follow-up to"),
            " ",
            rx.link("#", s.follow_up_of_number, href=routes.ticket_path(s.follow_up_of_number)),
            size="2",
        ),
    )
    return ticket_header(
        s, back_label=T("My tickets"), back_href=routes.MY_TICKETS, extra=follow_up_of
    )


def _closed_notice() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text(T("This ticket is closed"), weight="bold"),
            rx.text(
                T(
                    "Replies are no longer possible here. If you still need help, create a "
                    "follow-up: our team will see this conversation."
                )
            ),
            rx.button(
                T("Create a follow-up"),
                on_click=rx.redirect(TicketState.follow_up_href),
                id="create-follow-up",
            ),
            spacing="2",
        ),
        icon="lock",
        color_scheme="gray",
        id="closed-notice",
    )


@rx.page(route=routes.TICKET, title=page_title(_("Ticket")), on_load=TicketState.load)
def ticket_page() -> rx.Component:
    s = TicketState
    return page(
        rx.cond(
            ~s.loaded,
            loading(),
            rx.cond(
                s.not_found,
                empty_state(
                    "file-question",
                    T("We could not find that ticket."),
                    T("Check the number, or open it from My tickets."),
                    rx.button(T("My tickets"), on_click=rx.redirect(routes.MY_TICKETS)),
                ),
                rx.vstack(
                    _ticket_header(),
                    rx.cond(
                        s.status == "awaiting_customer",
                        rx.callout(
                            T("Our team needs more information from you. Please reply below."),
                            icon="message-circle-question",
                            color_scheme="amber",
                            id="awaiting-notice",
                        ),
                    ),
                    rx.cond(
                        s.status == "resolved",
                        info_callout(
                            T(
                                "This issue was marked as resolved. If it is not, "
                                "reply below and the ticket reopens."
                            ),
                            icon="circle-check",
                        ),
                    ),
                    conversation(s),
                    rx.cond(
                        s.support_writing,
                        rx.hstack(
                            rx.spinner(size="1"),
                            rx.text(
                                T("Support is writing a reply…"), size="2", color_scheme="gray"
                            ),
                            id="support-writing",
                            align="center",
                        ),
                    ),
                    rx.cond(s.is_closed, _closed_notice(), rx.card(composer(s), width="100%")),
                    rx.cond(s.is_guest, link_panel()),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        rx.cond(s.loaded, rx.box(id="page-ready", display="none")),
    )
