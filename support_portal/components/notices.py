"""Pieces for the notification pages: what each event means in words, and screen-reader text."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T

SR_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "padding": "0",
    "margin": "-1px",
    "overflow": "hidden",
    "clip": "rect(0, 0, 0, 0)",
    "white_space": "nowrap",
    "border": "0",
}


def sr_only(text: rx.Var | str) -> rx.Component:
    """Text for screen readers only."""
    return rx.el.span(text, style=SR_ONLY)


def event_text(event: rx.Var) -> rx.Component:
    """What happened, in words (in-app; the email says the same in its own words)."""
    return rx.match(
        event,
        ("ticket_received", T("We received your ticket")),
        ("agent_replied", T("Our support team replied")),
        ("info_requested", T("We need more information from you")),
        ("resolved", T("Your issue was marked as resolved")),
        ("closed", T("Your ticket was closed")),
        ("reminder", T("Your ticket waits for your answer")),
        ("merged", T("Your requests continue in one ticket")),
        ("customer_replied", T("Customer replied")),
        ("new_ticket", T("New ticket")),
        ("sla_breached", T("Reply overdue")),
        ("sla_escalated", T("Reply still overdue")),
        ("webhook_disabled", T("A webhook was disabled after repeated failures")),
        T("Your ticket was updated"),
    )


def event_icon(event: rx.Var) -> rx.Component:
    def icon(name: str, color: str) -> rx.Component:
        return rx.icon(name, size=18, color=f"var(--{color}-11)", aria_hidden="true")

    return rx.match(
        event,
        ("ticket_received", icon("inbox", "blue")),
        ("agent_replied", icon("message-square-text", "blue")),
        ("info_requested", icon("message-circle-question", "amber")),
        ("resolved", icon("circle-check", "green")),
        ("closed", icon("lock", "gray")),
        ("reminder", icon("alarm-clock", "amber")),
        ("merged", icon("merge", "blue")),
        ("customer_replied", icon("message-square-reply", "blue")),
        ("new_ticket", icon("inbox", "violet")),
        ("sla_breached", icon("alarm-clock", "red")),
        ("sla_escalated", icon("siren", "red")),
        ("webhook_disabled", icon("webhook", "red")),
        icon("bell", "gray"),
    )


def email_switch_title(event: rx.Var) -> rx.Component:
    return rx.match(
        event,
        ("ticket_received", T("We received your ticket")),
        ("agent_replied", T("Our support team replied")),
        ("info_requested", T("We need more information from you")),
        ("resolved", T("Your issue was marked as resolved")),
        ("closed", T("Your ticket was closed")),
        ("reminder", T("Your ticket waits for your answer")),
        ("merged", T("Your requests continue in one ticket")),
        event,
    )


def email_switch_hint(event: rx.Var) -> rx.Component:
    return rx.match(
        event,
        ("ticket_received", T("A confirmation with your ticket number and link.")),
        ("agent_replied", T("When an agent answers in your ticket.")),
        ("info_requested", T("When we cannot go on without details from you.")),
        ("resolved", T("When we consider the issue solved; you can still reply.")),
        ("closed", T("When the ticket is closed for good.")),
        ("reminder", T("When a question of ours has waited a few days for your answer.")),
        ("merged", T("When we join a duplicate request to your other ticket.")),
        "",
    )
