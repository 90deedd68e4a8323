"""/settings/account: name and language, password, and where the account is logged in."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.account_email import email_card
from support_portal.components.i18n import T, page_title
from support_portal.components.layout import loading, page
from support_portal.components.ui import error_callout, field, info_callout, required_note
from support_portal.i18n import LANGUAGE_NAMES, _
from support_portal.pages.account_data import your_data_card
from support_portal.pages.account_two_factor import two_factor_card
from support_portal.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, TIME_ZONES
from support_portal.states.account import AccountState, SessionRow
from support_portal.states.account_deletion import AccountDeletionState
from support_portal.states.data_export import DataExportState
from support_portal.states.email_change import EmailChangeState


def _notice(message: rx.Var, **props) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="circle-check", color_scheme="green", role="status", **props),
    )


def _profile_card() -> rx.Component:
    s = AccountState
    errors = s.profile_errors
    return rx.card(
        rx.heading(T("Profile"), size="4", as_="h2", margin_bottom="0.75rem"),
        rx.form(
            rx.vstack(
                required_note(),
                field(
                    T("Name"),
                    rx.input(
                        name="name",
                        default_value=s.name,
                        required=True,
                        auto_complete="name",
                        max_length=120,
                        id="account-name",
                        size="3",
                    ),
                    error=errors.get("name", ""),
                ),
                field(
                    T("Language"),
                    rx.select.root(
                        rx.select.trigger(id="account-locale", width="100%"),
                        rx.select.content(
                            *[
                                rx.select.item(name, value=code)
                                for code, name in LANGUAGE_NAMES.items()
                            ]
                        ),
                        value=s.account_locale,
                        on_change=s.choose_locale,
                        size="3",
                    ),
                    error=errors.get("locale", ""),
                    hint=T("The language of the portal and of the emails we send you."),
                ),
                field(
                    T("Time zone"),
                    rx.input(
                        name="timezone",
                        default_value=s.account_timezone,
                        placeholder=T("Automatic (this browser's)"),
                        auto_complete="off",
                        id="account-timezone",
                        size="3",
                        custom_attrs={"list": "time-zones"},
                    ),
                    error=errors.get("timezone", ""),
                    hint=T(
                        "Dates and times are shown in this zone. Leave it empty to use the "
                        "zone of the browser you are using."
                    ),
                ),
                rx.el.datalist(*[rx.el.option(value=zone) for zone in TIME_ZONES], id="time-zones"),
                error_callout(errors.get("form", ""), id="profile-error"),
                _notice(s.profile_notice, id="profile-notice"),
                rx.button(
                    T("Save"), type="submit", size="3", loading=s.saving_profile, id="save-profile"
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=s.save_profile,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _password_input(name: str, id: str, auto_complete: str, **props) -> rx.Component:
    return rx.input(
        name=name,
        type="password",
        required=True,
        auto_complete=auto_complete,
        id=id,
        max_length=MAX_PASSWORD_LENGTH,
        size="3",
        **props,
    )


def _password_card() -> rx.Component:
    s = AccountState
    errors = s.password_errors
    return rx.card(
        rx.heading(T("Password"), size="4", as_="h2", margin_bottom="0.75rem"),
        rx.form(
            rx.vstack(
                required_note(),
                field(
                    T("Current password"),
                    _password_input("current_password", "current-password", "current-password"),
                    error=errors.get("current_password", ""),
                ),
                field(
                    T("New password"),
                    _password_input(
                        "password", "new-password", "new-password", min_length=MIN_PASSWORD_LENGTH
                    ),
                    error=errors.get("password", ""),
                    hint=T("At least 10 characters. A long passphrase is best."),
                ),
                rx.text(
                    T("Changing the password logs out every other device."),
                    size="2",
                    color_scheme="gray",
                ),
                error_callout(errors.get("form", ""), id="password-error"),
                _notice(s.password_notice, id="password-notice"),
                rx.button(
                    T("Change password"),
                    type="submit",
                    size="3",
                    loading=s.changing_password,
                    id="change-password",
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=s.change_password,
            reset_on_submit=False,
            id="password-form",
        ),
        width="100%",
    )


def _session_row(row: SessionRow) -> rx.Component:
    s = AccountState
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.text(row.device, weight="medium"),
                rx.cond(
                    row.current,
                    rx.badge(T("This device"), color_scheme="green", class_name="this-device"),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(
                T("Address {ip}", ip=row.ip),
                size="2",
                color_scheme="gray",
            ),
            rx.text(
                T("Logged in {when}", when=row.started),
                " · ",
                rx.el.span(T("last seen {when}", when=row.last_seen), title=row.last_seen_title),
                size="2",
                color_scheme="gray",
            ),
            spacing="1",
            flex="1 1 14rem",
            min_width="0",
        ),
        rx.cond(
            ~row.current,
            rx.button(
                T("Log out"),
                on_click=s.end_session(row.id),
                loading=s.ending_id == row.id,
                disabled=(s.ending_id != 0) | s.ending_others,
                variant="soft",
                color_scheme="red",
                aria_label=T("Log out {device}", device=row.device),
                class_name="end-session",
            ),
        ),
        align="center",
        justify="between",
        gap="3",
        wrap="wrap",
        padding_y="0.75rem",
        border_bottom="1px solid var(--gray-a4)",
        class_name="session-row",
        width="100%",
    )


def _sessions_card() -> rx.Component:
    s = AccountState
    return rx.card(
        rx.heading(T("Where you are logged in"), size="4", as_="h2", margin_bottom="0.25rem"),
        rx.text(
            T("Log out a device you do not recognise, then change your password."),
            size="2",
            color_scheme="gray",
        ),
        error_callout(s.sessions_error, id="sessions-error"),
        _notice(s.sessions_notice, id="sessions-notice"),
        rx.box(rx.foreach(s.sessions, _session_row), id="sessions", width="100%"),
        rx.button(
            T("Log out everywhere else"),
            on_click=s.end_other_sessions,
            loading=s.ending_others,
            disabled=(s.other_sessions == 0) | (s.ending_id != 0),
            variant="outline",
            color_scheme="red",
            margin_top="0.75rem",
            id="end-other-sessions",
        ),
        width="100%",
    )


@rx.page(
    route=routes.ACCOUNT_SETTINGS,
    title=page_title(_("Account settings")),
    on_load=[
        AccountState.load,
        EmailChangeState.cancel,
        DataExportState.load,
        AccountDeletionState.cancel,
    ],
)
def account_settings_page() -> rx.Component:
    s = AccountState
    return page(
        rx.heading(T("Account settings"), size="7", as_="h1", margin_bottom="1rem"),
        rx.cond(
            ~s.loaded,
            loading(),
            rx.vstack(
                error_callout(s.error, id="account-error"),
                info_callout(
                    T("Notification emails are chosen in the notification settings."),
                    icon="bell",
                ),
                _profile_card(),
                email_card(),
                _password_card(),
                two_factor_card(),
                _sessions_card(),
                your_data_card(),
                spacing="4",
                width="100%",
            ),
        ),
        rx.cond(s.loaded, rx.box(id="page-ready", display="none")),
    )
