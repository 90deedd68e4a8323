"""/admin/api-tokens: an agent's REST API tokens (an administrator's: everyone's)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import card, error_callout, field, required_note
from support_portal.i18n import _
from support_portal.states.api_tokens import FORM_ID, ApiTokensState, TokenView

S = ApiTokensState


def _row(t: TokenView) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(t.name, weight="medium")),
        rx.table.cell(rx.code(t.prefix)),
        rx.cond(S.is_admin, rx.table.cell(rx.text(t.owner, overflow_wrap="anywhere"))),
        rx.table.cell(t.scopes),
        rx.table.cell(rx.text(t.expires, size="2")),
        rx.table.cell(rx.text(t.last_used, size="2")),
        rx.table.cell(
            rx.cond(
                t.active,
                rx.button(
                    T("Revoke"),
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    on_click=S.revoke(t.id),
                    loading=S.busy_id == t.id,
                    disabled=S.busy_id != 0,
                    aria_label=T("Revoke {name}", name=t.name),
                ),
                rx.badge(t.state, color_scheme="gray"),
            )
        ),
        class_name="api-token-row",
        vertical_align="middle",
    )


def _table() -> rx.Component:
    return rx.cond(
        S.tokens.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(T("Name")),
                        rx.table.column_header_cell(T("Token")),
                        rx.cond(S.is_admin, rx.table.column_header_cell(T("Owner"))),
                        rx.table.column_header_cell(T("Access")),
                        rx.table.column_header_cell(T("Expires")),
                        rx.table.column_header_cell(T("Last used")),
                        rx.table.column_header_cell(
                            rx.el.span(T("Actions"), class_name="rt-sr-only")
                        ),
                    )
                ),
                rx.table.body(rx.foreach(S.tokens, _row)),
                variant="surface",
                width="100%",
                id="api-tokens-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text(T("No API tokens yet."), color_scheme="gray", id="no-api-tokens"),
    )


def _new_secret() -> rx.Component:
    return rx.cond(
        S.new_secret != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.callout.text(T("Copy the token now: it is shown only once."), weight="medium"),
                rx.code(S.new_secret, id="new-api-token", overflow_wrap="anywhere"),
                spacing="2",
            ),
            color_scheme="green",
            role="status",
        ),
    )


def _select(name: str, items: list[tuple[str, rx.Var]], default: str, id_: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=id_, width="100%"),
        rx.select.content(*[rx.select.item(label, value=value) for value, label in items]),
        name=name,
        default_value=default,
    )


def _form() -> rx.Component:
    errors = S.field_errors
    return card(
        rx.form(
            rx.vstack(
                rx.heading(T("Create a token"), size="4", as_="h2"),
                required_note(),
                rx.grid(
                    field(
                        T("Name"),
                        rx.input(name="name", required=True, max_length=80, id="api-token-name"),
                        error=errors.get("name", ""),
                        hint=T("What it is for, e.g. CRM sync."),
                    ),
                    field(
                        T("Access"),
                        _select(
                            "scope",
                            [("read", T("Read")), ("write", T("Read and write"))],
                            "read",
                            "api-token-scope",
                        ),
                    ),
                    field(
                        T("Expires after"),
                        _select(
                            "days",
                            [
                                ("30", T("30 days")),
                                ("90", T("90 days")),
                                ("365", T("1 year")),
                                ("0", T("Never")),
                            ],
                            "90",
                            "api-token-days",
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.button(
                    rx.icon("key-round", size=16),
                    T("Create token"),
                    type="submit",
                    loading=S.submitting,
                    id="create-api-token",
                ),
                spacing="3",
                align="start",
            ),
            on_submit=S.create,
            id=FORM_ID,
        )
    )


def tokens_view() -> rx.Component:
    return rx.vstack(
        rx.heading(T("API tokens"), size="6", as_="h1"),
        rx.text(
            T(
                "Tokens let other systems use the portal's REST API as you. "
                "Send one as: Authorization: Bearer <token>."
            ),
            color_scheme="gray",
        ),
        error_callout(S.error),
        _new_secret(),
        _form(),
        _table(),
        spacing="4",
        width="100%",
    )


@rx.page(route=routes.ADMIN_API_TOKENS, title=page_title(_("API tokens")), on_load=S.load)
def api_tokens_page() -> rx.Component:
    return dashboard_page("api-tokens", tokens_view(), loaded=S.loaded, refused_when=S.forbidden)
