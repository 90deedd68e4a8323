"""/admin/webhooks: webhook endpoints, their delivery log and a test event (administrators)."""

from __future__ import annotations

import reflex as rx

from support_portal import routes
from support_portal.components.agent_nav import dashboard_page
from support_portal.components.i18n import T, page_title
from support_portal.components.ui import empty_state, error_callout, info_callout
from support_portal.i18n import _
from support_portal.pages.webhook_form import endpoint_form
from support_portal.pages.webhook_log import delivery_log
from support_portal.states.webhook_views import EndpointView
from support_portal.states.webhooks import WebhooksState

S = WebhooksState


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        ("active", rx.badge(T("Active"), color_scheme="green", high_contrast=True)),
        (
            "failing",
            rx.badge(T("Disabled after failures"), color_scheme="red", high_contrast=True),
        ),
        rx.badge(T("Disabled"), color_scheme="gray", high_contrast=True),
    )


def _actions(e: EndpointView) -> rx.Component:
    busy = (S.toggling != 0) | (S.testing != 0) | (S.deleting != 0)
    return rx.flex(
        rx.button(
            rx.icon("scroll-text", size=14),
            T("Delivery log"),
            size="1",
            variant=rx.cond(S.log_id == e.id, "solid", "soft"),
            on_click=S.open_log(e.id),
            loading=S.opening == e.id,
            aria_label=T("Delivery log of {url}", url=e.url),
            aria_pressed=rx.cond(S.log_id == e.id, "true", "false"),
            class_name="open-log",
        ),
        rx.cond(
            e.status == "active",
            rx.button(
                rx.icon("send", size=14),
                T("Send test event"),
                size="1",
                variant="soft",
                on_click=S.send_test(e.id),
                loading=S.testing == e.id,
                disabled=busy,
                aria_label=T("Send a test event to {url}", url=e.url),
                class_name="send-test",
            ),
        ),
        rx.cond(
            e.status == "active",
            rx.button(
                T("Disable"),
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=S.set_active(e.id, False),
                loading=S.toggling == e.id,
                disabled=busy,
                aria_label=T("Disable {url}", url=e.url),
                high_contrast=True,
            ),
            rx.button(
                T("Enable"),
                size="1",
                variant="soft",
                on_click=S.set_active(e.id, True),
                loading=S.toggling == e.id,
                disabled=busy,
                aria_label=T("Enable {url}", url=e.url),
            ),
        ),
        _delete(e, busy),
        spacing="2",
        wrap="wrap",
    )


def _delete(e: EndpointView, busy: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash-2", size=14),
                T("Delete"),
                size="1",
                variant="soft",
                color_scheme="red",
                loading=S.deleting == e.id,
                disabled=busy,
                aria_label=T("Delete {url}", url=e.url),
                high_contrast=True,
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T("Delete this webhook?")),
            rx.alert_dialog.description(
                rx.text(rx.code(e.url, word_break="break-all")),
                rx.text(
                    T("Deliveries still waiting are dropped and its log is deleted."),
                    margin_top="0.5rem",
                ),
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(T("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        T("Delete webhook"),
                        color_scheme="red",
                        on_click=S.delete(e.id),
                        high_contrast=True,
                        class_name="confirm-delete",
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )


def endpoint_row(e: EndpointView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.code(e.url, word_break="break-all", class_name="webhook-url"),
                status_badge(e.status),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(T("Events: {events}", events=e.events), size="2"),
            rx.text(
                T("Added {when}", when=e.created),
                rx.cond(
                    e.failures > 0,
                    rx.fragment(" · ", T("Failures in a row: {n}", n=e.failures)),
                ),
                size="1",
                color_scheme="gray",
            ),
            _actions(e),
            spacing="2",
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="webhook-row",
    )


def _new_secret() -> rx.Component:
    return rx.cond(
        S.new_secret != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.callout.text(
                    T("Copy the signing secret now: it is shown only once."), weight="medium"
                ),
                rx.text(S.new_secret_url, size="2", word_break="break-all"),
                rx.code(S.new_secret, id="new-webhook-secret", word_break="break-all"),
                spacing="2",
            ),
            color_scheme="green",
            role="status",
        ),
    )


def _endpoints() -> rx.Component:
    return rx.cond(
        S.endpoints.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(rx.foreach(S.endpoints, endpoint_row), spacing="2", width="100%", id="webhooks"),
        empty_state(
            "webhook",
            T("No webhooks yet"),
            T("Add an endpoint to have the portal call it when something happens on a ticket."),
        ),
    )


def webhooks_view() -> rx.Component:
    return rx.cond(
        S.admin_only,
        info_callout(
            T("Only administrators can manage webhooks."), icon="shield-alert", id="admin-only"
        ),
        rx.vstack(
            rx.heading(T("Webhooks"), size="7", as_="h1"),
            rx.text(
                T(
                    "The portal calls these URLs when something happens on a ticket. Each "
                    "request is signed with the endpoint's secret (see the API documentation)."
                ),
                color_scheme="gray",
            ),
            error_callout(S.error, id="webhooks-error"),
            rx.cond(
                S.notice != "",
                info_callout(S.notice, icon="circle-check", role="status", id="webhooks-notice"),
            ),
            _new_secret(),
            _endpoints(),
            delivery_log(),
            endpoint_form(),
            spacing="4",
            width="100%",
        ),
    )


@rx.page(route=routes.ADMIN_WEBHOOKS, title=page_title(_("Webhooks")), on_load=S.load)
def webhooks_page() -> rx.Component:
    return dashboard_page(
        "webhooks",
        webhooks_view(),
        loaded=S.loaded,
        refused_when=S.forbidden,
        content_width="64rem",
    )
