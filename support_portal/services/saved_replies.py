"""Saved replies: text an agent inserts into a reply instead of typing it (issue 15).

A reply is shared (managed by administrators, seen by every agent) or one agent's own. It has
a text per language; inserting picks the customer's language, else the default, else any.
Placeholders are filled on insert; an unknown one is refused when saving, so an agent never
sends "{custmer_name}" to a customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, delete, select, update

from support_portal.i18n import SUPPORTED, _
from support_portal.models import SavedReply, SavedReplyText, Ticket, User, utcnow
from support_portal.services import access, audit, macro_actions
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotFound, PermissionDenied
from support_portal.settings import get_settings

PLACEHOLDERS = ("customer_name", "ticket_number", "agent_name")
MAX_TITLE = 120
MAX_BODY = 20_000
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class SavedReplyPublic:
    id: int
    title: str
    shared: bool
    mine: bool  # the viewer may edit and delete it
    texts: dict[str, str]  # locale -> body
    usage_count: int
    actions: macro_actions.MacroActions = macro_actions.NONE  # any: the reply is a macro


def list_replies(
    db: Session, *, viewer: Viewer | None, query: str = "", macros_only: bool = False
) -> list[SavedReplyPublic]:
    """The shared replies and the viewer's own, most used first; `query` searches titles and
    texts. `macros_only`: the replies with actions."""
    viewer = access.require_agent(db, viewer, action="saved_replies.list")
    found = select(SavedReply).where(
        or_(col(SavedReply.owner_id).is_(None), SavedReply.owner_id == viewer.user_id)
    )
    if macros_only:
        found = found.where(
            or_(
                col(SavedReply.macro_status).is_not(None),
                col(SavedReply.macro_assign).is_not(None),
                col(SavedReply.macro_priority).is_not(None),
                col(SavedReply.macro_tags).is_not(None),
            )
        )
    words = query.strip()[:100].lower()
    if words:
        pattern = f"%{words}%"
        in_text = select(SavedReplyText.reply_id).where(
            func.lower(SavedReplyText.body).like(pattern)
        )
        found = found.where(
            or_(func.lower(SavedReply.title).like(pattern), col(SavedReply.id).in_(in_text))
        )
    rows = db.exec(
        found.order_by(col(SavedReply.usage_count).desc(), SavedReply.title).limit(200)
    ).all()
    texts = _texts(db, [r.id for r in rows if r.id is not None])
    return [_public(r, viewer, texts.get(r.id, {})) for r in rows]


def save_reply(
    db: Session,
    *,
    viewer: Viewer | None,
    title: str,
    texts: dict[str, str],
    shared: bool,
    reply_id: int | None = None,
    actions: macro_actions.MacroActions | None = None,
) -> SavedReplyPublic:
    """Create (no `reply_id`) or change a saved reply. Shared ones are the administrators'.
    `actions` (checked by macro_actions.clean) make it a macro; None keeps those it has."""
    viewer = access.require_agent(db, viewer, action="saved_replies.save")
    title = " ".join(str(title).split())[:MAX_TITLE]
    if not title:
        raise InvalidInput(_("Give the reply a title."), field="title")
    cleaned = _clean_texts(texts)
    if shared and not viewer.is_admin:
        raise PermissionDenied(_("Only administrators can share replies with every agent."))
    if reply_id is None:
        row = SavedReply(title=title, owner_id=None if shared else viewer.user_id)
        db.add(row)
    else:
        row = _editable(db, viewer, reply_id)
        row.title, row.updated_at = title, utcnow()
        row.owner_id = None if shared else (row.owner_id or viewer.user_id)
        db.exec(delete(SavedReplyText).where(col(SavedReplyText.reply_id) == row.id))
    if actions is not None:
        macro_actions.store(row, actions)
    db.flush()
    for locale, body in cleaned.items():
        db.add(SavedReplyText(reply_id=row.id, locale=locale, body=body))
    audit.record(
        db,
        action="saved_reply.saved",
        actor_kind="agent",
        actor_id=viewer.user_id,
        detail={
            "reply_id": row.id,
            "shared": row.owner_id is None,
            "macro": macro_actions.of(row).any,
        },
    )
    db.flush()
    return _public(row, viewer, cleaned)


def delete_reply(db: Session, *, viewer: Viewer | None, reply_id: int) -> None:
    viewer = access.require_agent(db, viewer, action="saved_replies.delete")
    row = _editable(db, viewer, reply_id)
    db.exec(delete(SavedReplyText).where(col(SavedReplyText.reply_id) == row.id))
    db.delete(row)
    audit.record(
        db,
        action="saved_reply.deleted",
        actor_kind="agent",
        actor_id=viewer.user_id,
        detail={"reply_id": reply_id},
    )


def insert_reply(db: Session, *, viewer: Viewer | None, reply_id: int, number: int | str) -> str:
    """The reply's text for this ticket: in the customer's language, placeholders filled. Counts
    one use."""
    viewer = access.require_agent(db, viewer, action="saved_replies.insert")
    ticket = access.ticket_for(db, viewer, number)
    row = db.get(SavedReply, reply_id)
    if row is None or row.owner_id not in (None, viewer.user_id):
        raise NotFound(_("This saved reply no longer exists."))
    texts = _texts(db, [reply_id]).get(reply_id, {})
    customer = db.get(User, ticket.requester_id) if ticket.requester_id else None
    locale = ticket.locale or (customer.locale if customer else None)
    body = pick_text(texts, locale)
    db.exec(
        update(SavedReply)
        .where(col(SavedReply.id) == reply_id)
        .values(usage_count=SavedReply.usage_count + 1)
    )
    return fill(body, customer_name=_customer_name(ticket, customer), ticket=ticket, agent=viewer)


def pick_text(texts: dict[str, str], locale: str | None) -> str:
    """The customer's language, else the default language, else the first there is."""
    for wanted in (locale, get_settings().default_locale):
        if wanted and wanted in texts:
            return texts[wanted]
    return next(iter(texts.values()), "")


def fill(body: str, *, customer_name: str, ticket: Ticket, agent: Viewer) -> str:
    values = {
        "customer_name": customer_name,
        "ticket_number": str(ticket.number),
        "agent_name": agent.name,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def unknown_placeholders(body: str) -> list[str]:
    return [name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS]


# --- helpers --------------------------------------------------------------------------------


def _clean_texts(texts: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for locale in SUPPORTED:
        body = str(texts.get(locale, "") or "").strip()
        if not body:
            continue
        if len(body) > MAX_BODY:
            raise InvalidInput(_("The text is too long."), field=f"text_{locale}")
        unknown = unknown_placeholders(body)
        if unknown:
            raise InvalidInput(
                _(
                    "Unknown placeholder {{{name}}}. Use {{customer_name}}, {{ticket_number}} or "
                    "{{agent_name}}."
                ),
                field=f"text_{locale}",
                name=unknown[0][:40],
            )
        cleaned[locale] = body
    if not cleaned:
        raise InvalidInput(_("Write the reply in at least one language."), field="text_en")
    return cleaned


def _editable(db: Session, viewer: Viewer, reply_id: int) -> SavedReply:
    row = db.get(SavedReply, reply_id)
    if row is None or row.owner_id not in (None, viewer.user_id):
        raise NotFound(_("This saved reply no longer exists."))
    if row.owner_id is None and not viewer.is_admin:
        raise PermissionDenied(_("Only administrators can change shared replies."))
    return row


def _texts(db: Session, ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    if not ids:
        return found
    for text in db.exec(select(SavedReplyText).where(col(SavedReplyText.reply_id).in_(ids))):
        found.setdefault(text.reply_id, {})[text.locale] = text.body
    return found


def _public(row: SavedReply, viewer: Viewer, texts: dict[str, str]) -> SavedReplyPublic:
    shared = row.owner_id is None
    return SavedReplyPublic(
        id=row.id or 0,
        title=row.title,
        shared=shared,
        mine=viewer.is_admin if shared else row.owner_id == viewer.user_id,
        texts=dict(texts),
        usage_count=row.usage_count,
        actions=macro_actions.of(row),
    )


def _customer_name(ticket: Ticket, customer: User | None) -> str:
    if customer is not None:
        return customer.name
    return ticket.guest_name or ""
