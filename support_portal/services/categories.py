"""Ticket categories as data (issue 15): administrators add, rename, reorder and deactivate
them; the new-ticket form offers the active ones, and every ticket keeps its category's key.

Categories are never deleted: a ticket's stored key always names one. An inactive category is
not offered for new tickets but still shows its name on the tickets that have it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from support_portal.i18n import SUPPORTED, _
from support_portal.models import CategoryField, TicketCategory, utcnow
from support_portal.services import access, audit, throttle
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotFound
from support_portal.services.ordering import move_one_place
from support_portal.settings import get_settings

MAX_NAME = 80
MAX_CATEGORIES = 100


@dataclass(frozen=True)
class FieldDefinition:
    id: int
    key: str
    labels: dict[str, str]  # locale -> label
    kind: str
    options: tuple[str, ...] = ()
    required: bool = False
    customer_visible: bool = True
    customer_editable: bool = True
    position: int = 0
    is_active: bool = True


@dataclass(frozen=True)
class CategoryPublic:
    id: int
    key: str
    names: dict[str, str]  # locale -> name
    position: int
    is_active: bool
    fields: tuple[FieldDefinition, ...] = field(default_factory=tuple)


def display_name(names: dict[str, str], locale: str | None) -> str:
    """The name in `locale`, else in the default language, else in English, else any."""
    for wanted in (locale, get_settings().default_locale, "en"):
        if wanted and names.get(wanted):
            return names[wanted]
    return next((n for n in names.values() if n), "")


# --- what customers are offered -------------------------------------------------------------


def offered(db: Session) -> list[CategoryPublic]:
    """The active categories in their order, each with the fields a customer fills in on the
    new-ticket form (no agent-only field: anyone may call this, A5)."""
    rows = db.exec(
        select(TicketCategory)
        .where(TicketCategory.is_active == True)
        .order_by(col(TicketCategory.position), col(TicketCategory.id))
    ).all()
    fields = _fields_of(db, [r.id for r in rows if r.id is not None], customer_form=True)
    return [_public(r, fields.get(r.id, ())) for r in rows]


def require_offered(db: Session, key: str, *, allow_inactive: bool = False) -> TicketCategory:
    """The category a new ticket goes in: an active one (a follow-up may keep its original's
    inactive one)."""
    row = by_key(db, str(key or "")[:32])
    if row is None or not (row.is_active or allow_inactive):
        raise InvalidInput(_("Choose a category."), field="category")
    return row


def by_key(db: Session, key: str) -> TicketCategory | None:
    return db.exec(select(TicketCategory).where(TicketCategory.key == key)).first()


def names_by_key(db: Session) -> dict[str, dict[str, str]]:
    """Every category's names (inactive ones too: old tickets show theirs)."""
    rows = db.exec(select(TicketCategory.key, TicketCategory.names))
    return {key: dict(names) for key, names in rows}


# --- administration -------------------------------------------------------------------------


def list_categories(db: Session, *, viewer: Viewer | None) -> list[CategoryPublic]:
    """Every category, inactive ones too, with all their fields (administrators only)."""
    access.require_admin(db, viewer, action="categories.list")
    rows = db.exec(
        select(TicketCategory).order_by(col(TicketCategory.position), col(TicketCategory.id))
    ).all()
    fields = _fields_of(db, [r.id for r in rows if r.id is not None], customer_form=False)
    return [_public(r, fields.get(r.id, ())) for r in rows]


def save_category(
    db: Session, *, viewer: Viewer | None, names: dict[str, str], category_id: int | None = None
) -> CategoryPublic:
    """Add a category (no `category_id`; it goes last) or rename one."""
    viewer = access.require_admin(db, viewer, action="categories.save")
    admin_lock(db)
    cleaned = clean_names(names, prefix="name")
    _refuse_duplicate_name(db, cleaned["en"], category_id)
    if category_id is None:
        if db.exec(select(func.count(col(TicketCategory.id)))).one() >= MAX_CATEGORIES:
            raise InvalidInput(_("There can be at most {n} categories."), n=MAX_CATEGORIES)
        last = db.exec(select(func.max(TicketCategory.position))).one()
        row = TicketCategory(
            key=_new_key(db, cleaned["en"]), names=cleaned, position=(last or 0) + 1
        )
        db.add(row)
        action = "category.created"
    else:
        row = _category(db, category_id)
        row.names, row.updated_at = cleaned, utcnow()
        action = "category.renamed"
    db.flush()
    audit.record(
        db,
        action=action,
        actor_kind="agent",
        actor_id=viewer.user_id,
        detail={"category": row.key, "names": cleaned},
    )
    return _public(row, ())


def set_active(
    db: Session, *, viewer: Viewer | None, category_id: int, active: bool
) -> CategoryPublic:
    """Deactivate (no longer offered for new tickets; old tickets keep it) or reactivate."""
    viewer = access.require_admin(db, viewer, action="categories.activate")
    admin_lock(db)
    row = _category(db, category_id)
    active = active is True
    if row.is_active and not active:
        others = db.exec(
            select(func.count(col(TicketCategory.id))).where(
                TicketCategory.is_active == True, TicketCategory.id != row.id
            )
        ).one()
        if others == 0:
            raise InvalidInput(_("Keep at least one category active: customers need one."))
    if row.is_active != active:
        row.is_active, row.updated_at = active, utcnow()
        audit.record(
            db,
            action="category.activated" if active else "category.deactivated",
            actor_kind="agent",
            actor_id=viewer.user_id,
            detail={"category": row.key},
        )
    return _public(row, ())


def move_category(
    db: Session, *, viewer: Viewer | None, category_id: int, offset: int
) -> list[CategoryPublic]:
    """Move a category one place up (offset -1) or down (+1) in the form's order."""
    viewer = access.require_admin(db, viewer, action="categories.move")
    admin_lock(db)
    rows = list(
        db.exec(
            select(TicketCategory)
            .order_by(col(TicketCategory.position), col(TicketCategory.id))
            .with_for_update()
        ).all()
    )
    index = next((i for i, r in enumerate(rows) if r.id == category_id), None)
    if index is None:
        raise NotFound(_("This category no longer exists."))
    target = move_one_place(rows, index, offset)
    if target is not None:
        audit.record(
            db,
            action="category.moved",
            actor_kind="agent",
            actor_id=viewer.user_id,
            detail={"category": rows[target].key, "position": target},
        )
    return list_categories(db, viewer=viewer)


# --- helpers --------------------------------------------------------------------------------


def admin_lock(db: Session) -> None:
    """Changes to categories and fields queue on one lock until their transaction ends: the
    limits (how many, at least one active) and the unique keys hold under parallel admins."""
    throttle.lock(db, scope="categories", key="admin")


def clean_names(names: dict[str, str], *, prefix: str, limit: int = MAX_NAME) -> dict[str, str]:
    """A name per supported language; English is required (the fallback of the others)."""
    if not isinstance(names, dict):
        names = {}
    cleaned: dict[str, str] = {}
    for locale in SUPPORTED:
        value = " ".join(str(names.get(locale, "") or "").split())
        value = "".join(c for c in value if unicodedata.category(c)[0] != "C")
        if len(value) > limit:
            raise InvalidInput(_("At most {n} characters."), field=f"{prefix}_{locale}", n=limit)
        if value:
            cleaned[locale] = value
    if "en" not in cleaned:
        raise InvalidInput(_("Enter the name in English."), field=f"{prefix}_en")
    return cleaned


def slug(text: str, *, limit: int) -> str:
    """ "Card payments" -> "card_payments" (ASCII letters, digits and underscores)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:limit].strip("_")


def _new_key(db: Session, name: str) -> str:
    base = slug(name, limit=28) or "category"
    key, n = base, 1
    while by_key(db, key) is not None:
        n += 1
        key = f"{base}_{n}"
    return key


def _refuse_duplicate_name(db: Session, name_en: str, category_id: int | None) -> None:
    for row in db.exec(select(TicketCategory)).all():
        if row.id != category_id and str(row.names.get("en", "")).lower() == name_en.lower():
            raise InvalidInput(_("A category with this name already exists."), field="name_en")


def _category(db: Session, category_id: int) -> TicketCategory:
    row = db.get(TicketCategory, category_id) if isinstance(category_id, int) else None
    if row is None:
        raise NotFound(_("This category no longer exists."))
    return row


def _fields_of(
    db: Session, category_ids: list[int], *, customer_form: bool
) -> dict[int, tuple[FieldDefinition, ...]]:
    if not category_ids:
        return {}
    query = select(CategoryField).where(col(CategoryField.category_id).in_(category_ids))
    if customer_form:
        query = query.where(
            CategoryField.is_active == True,
            CategoryField.customer_visible == True,
            CategoryField.customer_editable == True,
        )
    found: dict[int, list[FieldDefinition]] = {}
    for row in db.exec(query.order_by(col(CategoryField.position), col(CategoryField.id))):
        found.setdefault(row.category_id, []).append(definition(row))
    return {key: tuple(value) for key, value in found.items()}


def definition(row: CategoryField) -> FieldDefinition:
    return FieldDefinition(
        id=row.id or 0,
        key=row.key,
        labels=dict(row.labels),
        kind=row.kind,
        options=tuple(row.options or ()),
        required=row.required,
        customer_visible=row.customer_visible,
        customer_editable=row.customer_editable,
        position=row.position,
        is_active=row.is_active,
    )


def _public(row: TicketCategory, fields: tuple[FieldDefinition, ...]) -> CategoryPublic:
    return CategoryPublic(
        id=row.id or 0,
        key=row.key,
        names=dict(row.names),
        position=row.position,
        is_active=row.is_active,
        fields=tuple(fields),
    )
