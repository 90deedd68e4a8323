"""Erasing a person's data (GDPR): an account deleted by its owner, a guest's address erased by
an administrator, and closed tickets anonymised after the retention period.

What goes: the name and address, the text and files of the messages the customer wrote, the
ticket subjects they typed, their sessions, codes, throttle rows, notifications, preferences,
emails, exports and the addresses in the audit trail. What stays, for the company's record: the
tickets as "Deleted customer" (number, category, status, dates, the agents' replies with the
address blanked out) and the account row, emptied and locked, so every reference still holds.
An audit event records the erasure with counts only.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from support_portal.db import after_commit
from support_portal.models import (
    ACTIVE_STATUSES,
    Attachment,
    AuditEvent,
    AuthorKind,
    AuthSession,
    CategoryField,
    GuestChallenge,
    LoginTicket,
    Message,
    Notification,
    NotificationPreference,
    OutboxEmail,
    PendingRegistration,
    RateEvent,
    RecoveryCode,
    SatisfactionSurvey,
    Ticket,
    TicketFieldValue,
    TicketStatus,
    User,
    utcnow,
)
from support_portal.services import attachments, data_export
from support_portal.services.pagination import like_pattern

DELETED_NAME = "Deleted customer"
REMOVED_TEXT = "[Removed at the customer's request]"
REMOVED_SUBJECT = "[Removed]"
REMOVED_EMAIL = "[email removed]"


@dataclass(frozen=True)
class Erased:
    """What an erasure touched (counts only: nothing personal)."""

    tickets: int = 0
    messages: int = 0
    attachments: int = 0
    sessions: int = 0

    def __add__(self, other: Erased) -> Erased:
        return Erased(
            tickets=self.tickets + other.tickets,
            messages=self.messages + other.messages,
            attachments=self.attachments + other.attachments,
            sessions=self.sessions + other.sessions,
        )

    def detail(self) -> dict[str, int]:
        return {
            "tickets": self.tickets,
            "messages": self.messages,
            "attachments": self.attachments,
            "sessions": self.sessions,
        }


def anonymise_tickets(db: Session, tickets: Iterable[Ticket], *, emails: set[str]) -> Erased:
    """Each ticket loses its customer: the customer's messages (text and files), the subject,
    the address and the guest link; an address in the agents' replies is blanked out. Active
    tickets are closed (nobody would read an answer). Safe to run twice."""
    erased = Erased()
    files: list[str] = []
    now = utcnow()
    for ticket in tickets:
        owner = db.get(User, ticket.requester_id) if ticket.requester_id else None
        emails = emails | {e for e in (ticket.guest_email, owner and owner.email) if e}
        if owner is not None:  # its notifications would lead to a ticket it cannot open
            db.exec(
                delete(Notification).where(
                    Notification.ticket_id == ticket.id, Notification.user_id == owner.id
                )
            )
        ticket_files, count = _scrub_messages(db, ticket, emails)
        _scrub_fields(db, ticket, emails)
        # The rating stays for the reports; the customer's words go, and an unanswered
        # question can no longer be answered by anyone.
        db.exec(
            update(SatisfactionSurvey)
            .where(SatisfactionSurvey.ticket_id == ticket.id)
            .values(comment=None, nonce=secrets.token_hex(16))
        )
        files += ticket_files
        ticket.subject = REMOVED_SUBJECT
        ticket.requester_id = None
        ticket.guest_email = None
        ticket.guest_name = DELETED_NAME
        ticket.guest_link_nonce = None
        if ticket.status in ACTIVE_STATUSES:
            ticket.status, ticket.is_active = TicketStatus.closed, False
            ticket.closed_at = now
        ticket.waiting_since = None
        ticket.updated_at = now
        erased += Erased(tickets=1, messages=count, attachments=len(ticket_files))
    if files:
        after_commit(db, lambda: _discard(files))
    return erased


def _scrub_messages(db: Session, ticket: Ticket, emails: set[str]) -> tuple[list[str], int]:
    rows = db.exec(select(Message).where(Message.ticket_id == ticket.id)).all()
    mine = [m.id for m in rows if m.author_kind == AuthorKind.customer]
    files: list[str] = []
    if mine:  # bulk statements: a second cleanup running at once deletes nothing twice
        owned = col(Attachment.message_id).in_(mine)
        files = list(db.exec(select(Attachment.storage_name).where(owned)).all())
        db.exec(delete(Attachment).where(owned))
    pattern = _address_pattern(emails)
    count = 0
    for message in rows:
        if message.author_kind == AuthorKind.customer:
            if message.body != REMOVED_TEXT:
                count += 1
            message.body, message.author_name = REMOVED_TEXT, DELETED_NAME
            message.idempotency_key = None
        elif pattern is not None:
            message.body = pattern.sub(REMOVED_EMAIL, message.body)
    return files, count


def _scrub_fields(db: Session, ticket: Ticket, emails: set[str]) -> None:
    """What the customer filled in on the form goes (it is theirs, like their messages); an
    address in what agents filled in is blanked out."""
    theirs = select(CategoryField.id).where(CategoryField.customer_editable == True)
    db.exec(
        delete(TicketFieldValue).where(
            TicketFieldValue.ticket_id == ticket.id, col(TicketFieldValue.field_id).in_(theirs)
        )
    )
    pattern = _address_pattern(emails)
    if pattern is None:
        return
    for value in db.exec(select(TicketFieldValue).where(TicketFieldValue.ticket_id == ticket.id)):
        for column in ("value_text", "value_long"):
            text = getattr(value, column)
            if text:
                setattr(
                    value,
                    column,
                    pattern.sub(REMOVED_EMAIL, text)[: 200 if column == "value_text" else None],
                )


def _address_pattern(emails: set[str]) -> re.Pattern[str] | None:
    found = sorted((e for e in emails if e), key=len, reverse=True)
    if not found:
        return None
    return re.compile("|".join(re.escape(e) for e in found), flags=re.IGNORECASE)


def forget_address(db: Session, *, email: str, user_id: int | None = None) -> list[str]:
    """Everything else keyed by an address (and an account): sessions, login tickets, codes,
    pending registrations, throttle rows, emails, notifications and preferences. Returns the
    keys of the sessions it ended, for the UI layer to purge their tabs at once (X2); their
    open pages get nothing more, since every read re-checks the session (A4, A6)."""
    sessions = col(AuthSession.guest_email) == email
    logins = col(LoginTicket.guest_email) == email
    to_person = col(OutboxEmail.to_email) == email
    if user_id is not None:
        sessions = or_(sessions, AuthSession.user_id == user_id)
        logins = or_(logins, LoginTicket.user_id == user_id)
        to_person = or_(to_person, OutboxEmail.user_id == user_id)
        db.exec(delete(Notification).where(Notification.user_id == user_id))
        db.exec(delete(NotificationPreference).where(NotificationPreference.user_id == user_id))
        db.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        db.exec(update(AuditEvent).where(AuditEvent.actor_id == user_id).values(ip=None))
        data_export.forget_user(db, user_id=user_id)
    keys = list(db.exec(select(AuthSession.token_hash).where(sessions)).all())
    db.exec(delete(AuthSession).where(sessions))
    db.exec(delete(LoginTicket).where(logins))
    db.exec(delete(GuestChallenge).where(GuestChallenge.email == email))
    db.exec(delete(PendingRegistration).where(PendingRegistration.email == email))
    db.exec(delete(RateEvent).where(col(RateEvent.key).like(like_pattern(email), escape="\\")))
    db.exec(delete(OutboxEmail).where(to_person))
    return keys


def erase_user(db: Session, user: User) -> tuple[Erased, list[str]]:
    """Erase an account: its tickets anonymised, everything keyed by it gone, the row emptied
    and locked (every reference to it still holds). Returns what was erased and the keys of
    the sessions that ended."""
    assert user.id is not None
    email = user.email
    tickets = db.exec(select(Ticket).where(Ticket.requester_id == user.id)).all()
    erased = anonymise_tickets(db, tickets, emails={email})
    keys = forget_address(db, email=email, user_id=user.id)
    user.name = DELETED_NAME
    user.email = f"deleted-{user.id}-{secrets.token_hex(6)}@deleted.invalid"
    user.password_hash = "!"  # noqa: S105  (matches no password: nobody can log in)
    user.is_active = False
    user.email_verified = False
    user.locale = user.timezone = None
    user.totp_secret, user.totp_last_step = None, None
    user.updated_at = utcnow()
    return erased + Erased(sessions=len(keys)), keys


def erase_guest_address(db: Session, *, email: str) -> tuple[Erased, list[str]]:
    """Erase what a guest address left: its guest tickets and everything keyed by it."""
    tickets = db.exec(
        select(Ticket).where(Ticket.guest_email == email, col(Ticket.requester_id).is_(None))
    ).all()
    erased = anonymise_tickets(db, tickets, emails={email})
    keys = forget_address(db, email=email)
    return erased + Erased(sessions=len(keys)), keys


def _discard(names: list[str]) -> None:
    for name in names:
        attachments.remove(name)
