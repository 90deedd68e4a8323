"""Enumerations shared by models, services and pages."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    customer = "customer"
    agent = "agent"
    admin = "admin"


class TicketStatus(StrEnum):
    open = "open"
    awaiting_customer = "awaiting_customer"
    resolved = "resolved"
    closed = "closed"


ACTIVE_STATUSES = (TicketStatus.open, TicketStatus.awaiting_customer)


class AuthorKind(StrEnum):
    customer = "customer"
    agent = "agent"
    system = "system"


class SessionKind(StrEnum):
    user = "user"
    guest = "guest"


class NotificationEvent(StrEnum):
    """What happened on a ticket; one notification (and maybe one email) per event."""

    ticket_received = "ticket_received"
    agent_replied = "agent_replied"
    info_requested = "info_requested"
    resolved = "resolved"
    closed = "closed"
    reminder = "reminder"  # a ticket still waits for the customer's answer
    merged = "merged"  # the customer's duplicate was merged into another of their tickets
    customer_replied = "customer_replied"
    new_ticket = "new_ticket"
    sla_breached = "sla_breached"  # a waiting customer's reply is overdue (agents)
    sla_escalated = "sla_escalated"  # ... and still overdue later (administrators)
    webhook_disabled = "webhook_disabled"  # to administrators; no ticket


CUSTOMER_EVENTS = (
    NotificationEvent.ticket_received,
    NotificationEvent.agent_replied,
    NotificationEvent.info_requested,
    NotificationEvent.resolved,
    NotificationEvent.closed,
    NotificationEvent.reminder,
    NotificationEvent.merged,
)
AGENT_EVENTS = (
    NotificationEvent.customer_replied,
    NotificationEvent.new_ticket,
    NotificationEvent.sla_breached,
    NotificationEvent.sla_escalated,
)


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
