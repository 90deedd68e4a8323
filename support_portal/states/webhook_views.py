"""View models for the webhooks page: preformatted and translated, no Reflex."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from support_portal import i18n
from support_portal.i18n import _
from support_portal.services.webhook_admin import DeliveryPublic
from support_portal.services.webhooks import EVENTS, EndpointPublic
from support_portal.states.views import when

EVENT_LABELS = {
    "ticket.created": _("Ticket created"),
    "ticket.customer_replied": _("Customer replied"),
    "ticket.agent_replied": _("Agent replied"),
    "ticket.status_changed": _("Status changed"),
    "ping": _("Test event"),
}
CHOICES = EVENTS  # the events an endpoint can ask for (the form's checkboxes)


@dataclass
class EndpointView:
    id: int
    url: str
    events: str
    status: str  # active, disabled, failing (disabled by its run of failures)
    failures: int
    created: str


@dataclass
class DeliveryView:
    id: int
    event: str
    status: str  # pending, sending, sent, failed
    time: str
    time_title: str
    attempts: int
    result: str  # "200", or the error ("HTTP 500", "ConnectError", "refused: ...")
    next_attempt: str


def event_label(locale: str, event: str) -> str:
    label = EVENT_LABELS.get(event)
    return i18n.gettext(locale, label) if label else event


def endpoint_view(e: EndpointPublic, *, locale: str, tz: str | None) -> EndpointView:
    status = "active" if e.is_active else "failing" if e.auto_disabled else "disabled"
    return EndpointView(
        id=e.id,
        url=e.url,
        events=", ".join(event_label(locale, event) for event in e.events),
        status=status,
        failures=e.consecutive_failures,
        created=i18n.format_when(locale, e.created_at, tz) if e.created_at else "",
    )


def delivery_view(d: DeliveryPublic, *, locale: str, tz: str | None, now: datetime) -> DeliveryView:
    relative, absolute = when(locale, d.created_at, tz, now)
    result = str(d.status_code) if d.status_code is not None else d.error
    next_attempt = ""
    if d.next_attempt_at is not None:
        next_attempt = (
            i18n.gettext(locale, "now")
            if d.next_attempt_at <= now
            else i18n.format_relative(locale, d.next_attempt_at, now)
        )
    return DeliveryView(
        id=d.id,
        event=event_label(locale, d.event),
        status=d.status,
        time=relative,
        time_title=absolute,
        attempts=d.attempts,
        result=result,
        next_attempt=next_attempt,
    )
