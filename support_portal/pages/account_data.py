"""The account page's "Your data" card: download a copy (built in the background, progress
shown, then a link valid for a day) and delete the account (confirmed with the password)."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import error_callout, field, required_note
from support_portal.rules import MAX_PASSWORD_LENGTH
from support_portal.states.account_deletion import AccountDeletionState
from support_portal.states.data_export import DataExportState


def _export() -> rx.Component:
    s = DataExportState
    return rx.vstack(
        rx.heading(T("Download my data"), size="3", as_="h3"),
        rx.text(
            T(
                "A ZIP file with your account, your tickets and their messages, the files you "
                "sent and your notifications, as JSON and as pages you can read in a browser."
            ),
            size="2",
            color_scheme="gray",
        ),
        error_callout(s.error, id="export-error"),
        rx.match(
            s.status,
            (
                "ready",
                rx.callout(
                    rx.vstack(
                        rx.text(T("Your data is ready."), weight="medium"),
                        rx.link(
                            rx.hstack(
                                rx.icon("download", size=16),
                                T("Download the ZIP ({size})", size=s.size),
                                align="center",
                                spacing="2",
                            ),
                            href=s.download_url,
                            id="export-download",
                            is_external=False,
                            reload_document=True,
                        ),
                        rx.text(T("The link works until {when}.", when=s.expires), size="2"),
                        spacing="2",
                    ),
                    icon="circle-check",
                    color_scheme="green",
                    role="status",
                    id="export-ready",
                ),
            ),
            (
                "failed",
                error_callout(
                    T("We could not put your data together. Please try again."),
                    id="export-failed",
                ),
            ),
            rx.fragment(),
        ),
        rx.cond(
            s.running,
            rx.vstack(
                rx.text(
                    T("Putting your data together… {percent} %", percent=s.progress),
                    size="2",
                    id="export-progress-text",
                    aria_live="polite",
                ),
                rx.progress(
                    value=s.progress,
                    max=100,
                    width="100%",
                    id="export-progress",
                    aria_label=T("Progress of your data download"),
                ),
                spacing="2",
                width="100%",
                role="status",
            ),
            rx.button(
                rx.icon("archive", size=16),
                rx.cond(s.status == "ready", T("Make a new copy"), T("Download my data")),
                on_click=s.start,
                loading=s.starting,
                variant="soft",
                id="export-start",
            ),
        ),
        spacing="3",
        width="100%",
        align="start",
    )


def _delete_form() -> rx.Component:
    s = AccountDeletionState
    return rx.form(
        rx.vstack(
            rx.callout(
                T(
                    "This cannot be undone. Your name, email address, the messages you wrote and "
                    "the files you sent are erased, and you are logged out everywhere. We keep "
                    "the tickets without your details, as the company's record."
                ),
                icon="triangle-alert",
                color_scheme="red",
                high_contrast=True,
            ),
            required_note(),
            field(
                T("Current password"),
                rx.input(
                    name="password",
                    type="password",
                    required=True,
                    auto_complete="current-password",
                    id="delete-password",
                    max_length=MAX_PASSWORD_LENGTH,
                    auto_focus=True,
                    size="3",
                ),
                error=s.field_errors.get("current_password", ""),
            ),
            error_callout(s.error, id="delete-error"),
            rx.hstack(
                rx.button(
                    T("Delete my account for good"),
                    type="submit",
                    color_scheme="red",
                    loading=s.deleting,
                    id="delete-confirm",
                ),
                rx.button(
                    T("Cancel"),
                    type="button",
                    variant="ghost",
                    on_click=s.cancel,
                    id="delete-cancel",
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=s.delete,
        reset_on_submit=False,
        width="100%",
    )


def _delete() -> rx.Component:
    s = AccountDeletionState
    return rx.vstack(
        rx.heading(T("Delete my account"), size="3", as_="h3"),
        rx.cond(
            s.confirming,
            _delete_form(),
            rx.button(
                T("Delete my account"),
                variant="outline",
                color_scheme="red",
                on_click=s.open_form,
                id="delete-account",
            ),
        ),
        spacing="3",
        width="100%",
        align="start",
    )


def your_data_card() -> rx.Component:
    """Customers only: an agent's account belongs to the company (admins remove it)."""
    return rx.card(
        rx.heading(T("Your data"), size="4", as_="h2", margin_bottom="0.75rem"),
        rx.vstack(
            _export(),
            rx.cond(AccountDeletionState.viewer_role == "customer", rx.separator(size="4")),
            rx.cond(AccountDeletionState.viewer_role == "customer", _delete()),
            spacing="4",
            width="100%",
        ),
        width="100%",
        id="your-data",
    )
