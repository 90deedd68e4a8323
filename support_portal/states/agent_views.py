"""View models for the agent dashboard: preformatted, and only ever loaded into agent states."""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_timedelta

from support_portal import i18n
from support_portal.clock import utcnow
from support_portal.i18n import _
from support_portal.services import agent_queue
from support_portal.services.agent_page import HistoryEntry
from support_portal.services.agents import AgentPublic
from support_portal.services.categories import display_name
from support_portal.services.dto import Page, TicketSummary
from support_portal.services.workflow import AGENT_LABELS

LONG_WAIT = timedelta(hours=24)


@dataclass
class QueueRow:
    number: int
    subject: str
    status: str
    customer_name: str
    customer_email: str
    is_guest: bool
    assignee_name: str
    last_activity: str
    last_activity_title: str
    waiting: str  # "3 hours"; empty when nobody waits
    waiting_title: str
    waiting_long: bool
    priority: str = "normal"
    due: str = ""  # "due in 2 hours" / "overdue 35 minutes"; empty when nobody waits on us
    overdue: bool = False
    # A search's matching message: the text around the match, the match (highlighted).
    snippet_before: str = ""
    snippet_match: str = ""
    snippet_after: str = ""
    snippet_note: bool = False  # the match is in an internal note


@dataclass
class HistoryView:
    text: str
    actor: str
    time: str
    time_title: str


@dataclass
class OtherTicketView:
    number: int
    subject: str
    status: str
    last_activity: str


@dataclass
class AgentView:
    id: int
    name: str
    email: str
    is_admin: bool
    is_active: bool
    two_factor: bool = False


def duration(locale: str, since: datetime, now: datetime) -> str:
    """'3 hours', '2 days': how long something has lasted, without 'ago'."""
    seconds = max((now - since).total_seconds(), 0)
    if seconds < 60:
        return i18n.gettext(locale, "less than a minute")
    return format_timedelta(timedelta(seconds=seconds), threshold=1.0, locale=locale)


def queue_row(t: TicketSummary, locale: str, tz: str | None, now: datetime) -> QueueRow:
    waiting_since = t.waiting_since
    return QueueRow(
        number=t.number,
        subject=t.subject,
        status=t.status,
        customer_name=t.requester_name,
        customer_email=t.requester_email,
        is_guest=t.is_guest,
        assignee_name=t.assignee_name or "",
        last_activity=i18n.format_relative(locale, t.last_activity_at, now),
        last_activity_title=i18n.format_when(locale, t.last_activity_at, tz),
        waiting=duration(locale, waiting_since, now) if waiting_since else "",
        waiting_title=i18n.format_when(locale, waiting_since, tz) if waiting_since else "",
        waiting_long=bool(waiting_since and now - waiting_since >= LONG_WAIT),
        priority=t.priority or "normal",
        due=due_text(t.reply_due_at, locale, now),
        overdue=bool(t.reply_due_at and now > t.reply_due_at),
        snippet_before=t.snippet.before if t.snippet else "",
        snippet_match=t.snippet.match if t.snippet else "",
        snippet_after=t.snippet.after if t.snippet else "",
        snippet_note=bool(t.snippet and t.snippet.is_note),
    )


def due_text(due: datetime | None, locale: str, now: datetime) -> str:
    """ "due in 2 hours", "overdue 35 minutes"; "" without a due time."""
    if due is None:
        return ""
    if now > due:
        return i18n.gettext(locale, "overdue {time}", time=duration(locale, due, now))
    return i18n.gettext(locale, "due in {time}", time=duration(locale, now, due))


def other_ticket(t: TicketSummary, locale: str, now: datetime) -> OtherTicketView:
    return OtherTicketView(
        number=t.number,
        subject=t.subject,
        status=t.status,
        last_activity=i18n.format_relative(locale, t.last_activity_at, now),
    )


def history_view(entry: HistoryEntry, locale: str, tz: str | None, now: datetime) -> HistoryView:
    return HistoryView(
        text=history_text(entry, locale),
        actor=_actor(entry.actor_name, locale),
        time=i18n.format_relative(locale, entry.created_at, now),
        time_title=i18n.format_when(locale, entry.created_at, tz),
    )


ACTOR_NAMES = (i18n._("System"), i18n._("Customer"))


def _actor(name: str, locale: str) -> str:
    # The service names automatic changes "System" and unnamed customers "Customer".
    return i18n.gettext(locale, name) if name in ("System", "Customer") else name


def _status(value: object, locale: str) -> str:
    label = next((v for k, v in AGENT_LABELS.items() if str(k) == str(value)), str(value))
    return i18n.gettext(locale, label)


PRIORITY_LABELS = {"low": _("Low"), "normal": _("Normal"), "high": _("High"), "urgent": _("Urgent")}


def _priority(value: object, locale: str) -> str:
    label = PRIORITY_LABELS.get(str(value))
    return i18n.gettext(locale, label) if label else str(value)


def history_text(entry: HistoryEntry, locale: str) -> str:
    detail = entry.detail
    match entry.action:
        case "ticket.created":
            if detail.get("follow_up_of"):
                return i18n.gettext(locale, "Created as a follow-up")
            return i18n.gettext(locale, "Created the ticket")
        case "ticket.status":
            return i18n.gettext(
                locale,
                "Changed the status from {old} to {new}",
                old=_status(detail.get("from"), locale),
                new=_status(detail.get("to"), locale),
            )
        case "ticket.assigned":
            name = detail.get("assignee_name") or ""
            if detail.get("assignee_id") is None:
                return i18n.gettext(locale, "Removed the assignment")
            if detail.get("auto"):
                return i18n.gettext(locale, "Assigned to {name} by replying", name=name)
            return i18n.gettext(locale, "Assigned to {name}", name=name)
        case "ticket.tagged":
            return i18n.gettext(locale, "Added the tag {tag}", tag=detail.get("tag", ""))
        case "ticket.field":
            labels = detail.get("labels") if isinstance(detail.get("labels"), dict) else {}
            name = display_name(labels, locale) or detail.get("label", "")
            old, new = detail.get("from", ""), detail.get("to", "")
            if not old:
                return i18n.gettext(locale, "Set {field} to “{new}”", field=name, new=new)
            if not new:
                return i18n.gettext(locale, "Cleared {field} (was “{old}”)", field=name, old=old)
            return i18n.gettext(
                locale, "Changed {field} from “{old}” to “{new}”", field=name, old=old, new=new
            )
        case "ticket.untagged":
            return i18n.gettext(locale, "Removed the tag {tag}", tag=detail.get("tag", ""))
        case "ticket.priority":
            return i18n.gettext(
                locale,
                "Changed the priority from {old} to {new}",
                old=_priority(detail.get("from"), locale),
                new=_priority(detail.get("to"), locale),
            )
        case "guest.code_sent":
            return i18n.gettext(locale, "Asked for a verification code")
        case "guest.verified":
            return i18n.gettext(locale, "Verified the email address with a code")
        case "guest.link_revoked":
            return i18n.gettext(locale, "Replaced the guest link and emailed the new one")
    return entry.action


def agent_view(a: AgentPublic) -> AgentView:
    return AgentView(
        id=a.id,
        name=a.name,
        email=a.email,
        is_admin=a.role == "admin",
        is_active=a.is_active,
        two_factor=a.two_factor,
    )


@dataclass
class CollaboratorView:
    """Another agent on the same ticket: "viewing", or writing a "reply" or a "note"."""

    name: str
    activity: str


_SHOWN: OrderedDict[tuple, tuple[Page[TicketSummary], list[QueueRow]]] = OrderedDict()


def shown_rows(page: Page[TicketSummary], locale: str, tz: str) -> list[QueueRow]:
    """The page's rows as this agent reads them (language, time zone, "5 min ago"). Agents
    woken by one event share one page object: its rows are formatted once per language, time
    zone and second, not once per agent."""
    now = utcnow().replace(microsecond=0)
    key = (id(page), locale, tz, now)
    hit = _SHOWN.get(key)
    if hit is None or hit[0] is not page:
        hit = _SHOWN[key] = (page, [queue_row(t, locale, tz, now) for t in page.items])
        while len(_SHOWN) > 64:
            _SHOWN.popitem(last=False)
    return list(hit[1])


def count_label(locale: str, n: int) -> str:
    """ "1,234", or "1,000+" past the cap the service counts to."""
    return _count_label(locale, n, agent_queue.COUNT_CAP)


@functools.lru_cache(maxsize=4096)  # seven labels per refresh of every open queue
def _count_label(locale: str, n: int, cap: int) -> str:
    if n > cap:
        return i18n.format_number(locale, cap) + "+"
    return i18n.format_number(locale, n)
