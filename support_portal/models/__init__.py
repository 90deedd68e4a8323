"""SQLModel tables. Importing this package registers every table on `SQLModel.metadata`."""

from support_portal.models import search_index  # noqa: F401  (the search DDL on create_all)
from support_portal.models.activity import (
    AuditEvent,
    GuestChallenge,
    Notification,
    NotificationPreference,
    OutboxEmail,
)
from support_portal.models.api import ApiToken
from support_portal.models.base import utcnow
from support_portal.models.categories import (
    DEFAULT_CATEGORIES,
    CategoryField,
    TicketCategory,
    TicketFieldValue,
)
from support_portal.models.enums import (
    ACTIVE_STATUSES,
    AGENT_EVENTS,
    CUSTOMER_EVENTS,
    AuthorKind,
    NotificationEvent,
    OutboxStatus,
    Role,
    SessionKind,
    TicketStatus,
)
from support_portal.models.exports import DataExport
from support_portal.models.satisfaction import Rating, SatisfactionSurvey, SurveyStatus
from support_portal.models.service_levels import BusinessCalendar, SlaPolicy
from support_portal.models.tickets import Attachment, Message, Ticket, TicketTag
from support_portal.models.users import (
    AuthSession,
    LoginTicket,
    PendingRegistration,
    RateEvent,
    RecoveryCode,
    User,
)
from support_portal.models.webhooks import WebhookDelivery, WebhookEndpoint
from support_portal.models.workspace import SavedReply, SavedReplyText

__all__ = [
    "ACTIVE_STATUSES",
    "AGENT_EVENTS",
    "CUSTOMER_EVENTS",
    "DEFAULT_CATEGORIES",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "AuthSession",
    "AuthorKind",
    "BusinessCalendar",
    "CategoryField",
    "DataExport",
    "GuestChallenge",
    "LoginTicket",
    "Message",
    "Notification",
    "NotificationEvent",
    "NotificationPreference",
    "OutboxEmail",
    "OutboxStatus",
    "PendingRegistration",
    "RateEvent",
    "Rating",
    "RecoveryCode",
    "Role",
    "SatisfactionSurvey",
    "SavedReply",
    "SavedReplyText",
    "SessionKind",
    "SlaPolicy",
    "SurveyStatus",
    "Ticket",
    "TicketCategory",
    "TicketFieldValue",
    "TicketStatus",
    "TicketTag",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]
