"""What the notification, mailbox and outbox pages receive: preformatted, plain data."""

from __future__ import annotations

from datetime import timedelta

from support_portal.models import utcnow
from support_portal.services.notifications import NotificationPublic
from support_portal.services.outbox_admin import OutboxRowPublic
from support_portal.states.notice_views import (
    TextPiece,
    linkify,
    notification_view,
    outbox_row,
)

NOW = utcnow()


def notice(event: str, *, for_agent: bool = False, minutes: int = 5) -> NotificationPublic:
    return NotificationPublic(
        id=7,
        event=event,
        ticket_number=12345678,
        ticket_subject="Withdrawal stuck",
        created_at=NOW - timedelta(minutes=minutes),
        read=False,
        for_agent=for_agent,
    )


def test_a_customer_notification_opens_the_customer_ticket_page():
    view = notification_view(notice("agent_replied"), agent=False, locale="en", tz="UTC", now=NOW)
    assert (view.href, view.time, view.read) == ("/tickets/12345678", "5 minutes ago", False)
    assert view.subject == "Withdrawal stuck"


def test_an_agent_notification_opens_the_agent_ticket_page():
    for agent, for_agent in ((True, True), (True, False), (False, True)):
        view = notification_view(
            notice("customer_replied", for_agent=for_agent),
            agent=agent,
            locale="en",
            tz="UTC",
            now=NOW,
        )
        assert view.href == "/admin/tickets/12345678"


def test_linkify_splits_text_and_links_and_keeps_every_character():
    text = "Open https://portal.test/tickets/1. Or (http://x.test/a?b=1) now"
    pieces = linkify(text)
    assert [p.href for p in pieces if p.href] == [
        "https://portal.test/tickets/1",
        "http://x.test/a?b=1",
    ]
    assert "".join(p.text for p in pieces) == text


def test_linkify_leaves_text_without_links_alone_and_ignores_other_schemes():
    assert linkify("no links here") == [TextPiece("no links here")]
    assert linkify("javascript:alert(1)") == [TextPiece("javascript:alert(1)")]
    assert linkify("") == []


def outbox(status: str, **kw) -> OutboxRowPublic:
    values = dict(
        id=3, status=status, to_email="a@example.com", template="agent_replied",
        ticket_number=42, attempts=2, last_error="451 later",
        next_attempt_at=None, created_at=NOW - timedelta(hours=1),
    )  # fmt: skip
    values.update(kw)
    return OutboxRowPublic(**values)  # type: ignore[arg-type]


def test_an_outbox_row_says_when_it_is_tried_next():
    later = outbox("pending", next_attempt_at=NOW + timedelta(minutes=10))
    view = outbox_row(later, locale="en", tz="UTC", now=NOW)
    assert (view.next_attempt, view.ticket_href, view.created) == (
        "in 10 minutes",
        "/admin/tickets/42",
        "1 hour ago",
    )
    due = outbox_row(outbox("pending", next_attempt_at=NOW), locale="en", tz="UTC", now=NOW)
    assert due.next_attempt == "now"
    failed = outbox_row(outbox("failed", ticket_number=None), locale="en", tz="UTC", now=NOW)
    assert (failed.next_attempt, failed.ticket_number, failed.ticket_href) == ("", 0, "")
