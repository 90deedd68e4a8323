"""Custom fields per category (issue 15), as administrators define them: short text, long text,
number, dropdown, date or checkbox; required or not; seen by the customer or by agents only;
filled in by the customer on the new-ticket form or by agents.

A field's key (its name in queue searches, `field:order_id=123`) and its kind never change once
it exists: stored values keep their meaning and their column. Fields are deactivated, never
deleted, so old tickets keep their values.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from support_portal.i18n import _
from support_portal.models import CategoryField, TicketCategory
from support_portal.services import access, audit
from support_portal.services.categories import (
    FieldDefinition,
    admin_lock,
    clean_names,
    definition,
    slug,
)
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotFound
from support_portal.services.ordering import move_one_place

KINDS = ("short_text", "long_text", "number", "dropdown", "date", "checkbox")
MAX_LABEL = 80
MAX_OPTION = 100
MAX_OPTIONS = 50
MAX_FIELDS_PER_CATEGORY = 30


def save_field(
    db: Session,
    *,
    viewer: Viewer | None,
    category_id: int,
    labels: dict[str, str],
    kind: str,
    options: list[str] | None = None,
    required: bool = False,
    customer_visible: bool = True,
    customer_editable: bool = True,
    field_id: int | None = None,
) -> FieldDefinition:
    """Add a field to a category (no `field_id`; it goes last) or change one. The kind of an
    existing field stays what it is."""
    viewer = access.require_admin(db, viewer, action="custom_fields.save")
    admin_lock(db)
    category = db.get(TicketCategory, category_id) if isinstance(category_id, int) else None
    if category is None:
        raise NotFound(_("This category no longer exists."))
    cleaned = clean_names(labels, prefix="label", limit=MAX_LABEL)
    required, customer_visible = required is True, customer_visible is True
    customer_editable = customer_editable is True
    if customer_editable and not customer_visible:
        raise InvalidInput(
            _("A field the customer fills in is visible to the customer."), field="visibility"
        )
    existing = _field(db, field_id) if field_id is not None else None
    if existing is None and kind not in KINDS:
        raise InvalidInput(_("Choose the kind of field."), field="kind")
    kind = existing.kind if existing is not None else kind  # the kind never changes
    cleaned_options = clean_options(options) if kind == "dropdown" else []
    if existing is None:
        count = db.exec(
            select(func.count(col(CategoryField.id))).where(
                CategoryField.category_id == category.id
            )
        ).one()
        if count >= MAX_FIELDS_PER_CATEGORY:
            raise InvalidInput(
                _("A category has at most {n} fields."), field="label_en", n=MAX_FIELDS_PER_CATEGORY
            )
        row = CategoryField(
            category_id=category.id,  # type: ignore[arg-type]
            key=_new_key(db, cleaned["en"]),
            labels=cleaned,
            kind=kind,
            position=count,
        )
        db.add(row)
        action = "custom_field.created"
    else:
        row = existing
        if row.category_id != category.id:
            raise NotFound(_("This field no longer exists."))
        row.labels = cleaned
        action = "custom_field.changed"
    row.options = cleaned_options
    row.required, row.customer_visible = required, customer_visible
    row.customer_editable = customer_editable
    db.flush()
    audit.record(
        db,
        action=action,
        actor_kind="agent",
        actor_id=viewer.user_id,
        detail={"field": row.key, "category": category.key, "kind": row.kind},
    )
    return definition(row)


def set_field_active(
    db: Session, *, viewer: Viewer | None, field_id: int, active: bool
) -> FieldDefinition:
    """Deactivate a field (no longer asked or shown to fill in; values stay) or reactivate it."""
    viewer = access.require_admin(db, viewer, action="custom_fields.activate")
    admin_lock(db)
    row = _field(db, field_id)
    if row.is_active != (active is True):
        row.is_active = active is True
        audit.record(
            db,
            action="custom_field.activated" if row.is_active else "custom_field.deactivated",
            actor_kind="agent",
            actor_id=viewer.user_id,
            detail={"field": row.key},
        )
    return definition(row)


def move_field(db: Session, *, viewer: Viewer | None, field_id: int, offset: int) -> None:
    """Move a field one place up (-1) or down (+1) among its category's fields."""
    viewer = access.require_admin(db, viewer, action="custom_fields.move")
    admin_lock(db)
    row = _field(db, field_id)
    rows = list(
        db.exec(
            select(CategoryField)
            .where(CategoryField.category_id == row.category_id)
            .order_by(col(CategoryField.position), col(CategoryField.id))
            .with_for_update()
        ).all()
    )
    index = next(i for i, r in enumerate(rows) if r.id == row.id)
    target = move_one_place(rows, index, offset)
    if target is not None:
        audit.record(
            db,
            action="custom_field.moved",
            actor_kind="agent",
            actor_id=viewer.user_id,
            detail={"field": row.key, "position": target},
        )


def clean_options(options: list[str] | None) -> list[str]:
    """A dropdown's choices: trimmed, without repeats, 1 to MAX_OPTIONS of them."""
    cleaned: list[str] = []
    for raw in options or []:
        value = " ".join(str(raw).split())
        if not value or value in cleaned:
            continue
        if len(value) > MAX_OPTION:
            raise InvalidInput(
                _("An option has at most {n} characters."), field="options", n=MAX_OPTION
            )
        cleaned.append(value)
    if not cleaned:
        raise InvalidInput(_("List the choices, one per line."), field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise InvalidInput(_("At most {n} choices."), field="options", n=MAX_OPTIONS)
    return cleaned


def _new_key(db: Session, label: str) -> str:
    base = slug(label, limit=36) or "field"
    key, n = base, 1
    while db.exec(select(CategoryField.id).where(CategoryField.key == key)).first() is not None:
        n += 1
        key = f"{base}_{n}"
    return key


def _field(db: Session, field_id: int) -> CategoryField:
    row = db.get(CategoryField, field_id) if isinstance(field_id, int) else None
    if row is None:
        raise NotFound(_("This field no longer exists."))
    return row
