"""A ticket's custom field values (issue 15): checked per kind, stored typed in
ticket_field_values (one column per kind), and read back for whoever may see them.

Customers only ever receive the fields marked visible to them (A5); what a customer submits
for a field they may not fill in is ignored (A3).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, delete, select

from support_portal.i18n import _
from support_portal.models import CategoryField, Ticket, TicketCategory, TicketFieldValue, utcnow
from support_portal.services.errors import InvalidInput

MAX_SHORT = 200
MAX_LONG = 5_000
MAX_NUMBER = 1e15  # beyond this a float no longer holds every whole number exactly
TRUE_WORDS = ("on", "true", "1", "yes")
FALSE_WORDS = ("", "off", "false", "0", "no")
COLUMN = {
    "short_text": "value_text",
    "dropdown": "value_text",
    "long_text": "value_long",
    "number": "value_number",
    "date": "value_date",
    "checkbox": "value_bool",
}


class FieldsInvalid(InvalidInput):
    """Some custom fields are wrong: `errors` maps each field's key to (message, params)."""

    message = _("Please check the highlighted fields.")

    def __init__(self, errors: dict[str, tuple[str, dict[str, Any]]]) -> None:
        # The first field named, for callers that show one (the REST API's problem).
        super().__init__(field=f"fields.{next(iter(errors), '')}")
        self.errors = errors


@dataclass(frozen=True)
class FieldValuePublic:
    key: str
    labels: dict[str, str]
    kind: str
    value: str  # canonical text: "12.5", "2026-12-02", "true"/"false", "" when empty
    options: tuple[str, ...] = ()
    required: bool = False
    customer_visible: bool = True


def parse(kind: str, raw: object, options: list[str] | tuple[str, ...] = ()) -> Any:
    """The typed value of `raw` for a field of `kind`; None when empty. Raises InvalidInput."""
    text = "".join(c for c in str(raw or "") if unicodedata.category(c) != "Cc" or c == "\n")
    text = text.strip()
    if kind == "checkbox":
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return None  # unticked: no value (a required box must be ticked)
        raise InvalidInput(_("Tick the box or leave it empty."))
    if not text:
        return None
    if kind == "short_text":
        text = " ".join(text.split())
        if len(text) > MAX_SHORT:
            raise InvalidInput(_("At most {n} characters."), n=MAX_SHORT)
        return text
    if kind == "long_text":
        if len(text) > MAX_LONG:
            raise InvalidInput(_("At most {n} characters."), n=MAX_LONG)
        return text.replace("\r\n", "\n")
    if kind == "number":
        return _number(text)
    if kind == "date":
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(_("Enter a date as YYYY-MM-DD.")) from None
        if not 1900 <= value.year <= 2200:
            raise InvalidInput(_("Enter a date as YYYY-MM-DD."))
        return value
    if kind == "dropdown":
        if text not in options:
            raise InvalidInput(_("Choose one of the options."))
        return text
    raise InvalidInput(_("Unknown kind of field."))


def _number(text: str) -> float:
    compact = text.replace(" ", "").replace("\u00a0", "")
    if "," in compact and "." not in compact:
        compact = compact.replace(",", ".")  # 12,5 as written in Czech
    try:
        value = float(compact)
    except ValueError:
        raise InvalidInput(_("Enter a number, for example 42 or 12.5.")) from None
    if math.isnan(value) or math.isinf(value) or abs(value) >= MAX_NUMBER:
        raise InvalidInput(_("Enter a number, for example 42 or 12.5."))
    return value


def canonical(kind: str, value: Any) -> str:
    """The text form of a typed value (what inputs show and searches compare)."""
    if value is None:
        return ""
    if kind == "checkbox":
        return "true" if value else "false"
    if kind == "number":
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if kind == "date":
        return value.isoformat()
    return str(value)


def check(
    fields: list[CategoryField], raw: dict[str, object], *, old: dict[int, Any] | None = None
) -> dict[int, Any]:
    """Every field's typed value from `raw` (keyed by field key). A required field must have a
    value; with `old` (an edit), only one that had a value can no longer be emptied. Every
    problem is reported at once, per field (FieldsInvalid)."""
    values: dict[int, Any] = {}
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for item in fields:
        try:
            value = parse(item.kind, raw.get(item.key, ""), item.options or ())
        except InvalidInput as exc:
            errors[item.key] = (exc.message, dict(exc.params))
            continue
        must = item.required and (old is None or old.get(item.id) is not None)  # type: ignore[arg-type]
        if value is None and must:
            missing = _("This field is required.")
            errors[item.key] = (_("Tick this box.") if item.kind == "checkbox" else missing, {})
            continue
        values[item.id] = value  # type: ignore[index]
    if errors:
        raise FieldsInvalid(errors)
    return values


def customer_fields(db: Session, category: TicketCategory) -> list[CategoryField]:
    """The fields a customer fills in on the new-ticket form for this category."""
    return list(
        db.exec(
            select(CategoryField)
            .where(
                CategoryField.category_id == category.id,
                CategoryField.is_active == True,
                CategoryField.customer_visible == True,
                CategoryField.customer_editable == True,
            )
            .order_by(col(CategoryField.position), col(CategoryField.id))
        ).all()
    )


def write(db: Session, *, ticket_id: int, item: CategoryField, value: Any) -> None:
    """Store (or with None remove) one field's value on a ticket."""
    row = db.exec(
        select(TicketFieldValue).where(
            TicketFieldValue.ticket_id == ticket_id, TicketFieldValue.field_id == item.id
        )
    ).first()
    if value is None:
        if row is not None:
            db.exec(delete(TicketFieldValue).where(col(TicketFieldValue.id) == row.id))
        return
    if row is None:
        row = TicketFieldValue(ticket_id=ticket_id, field_id=item.id)  # type: ignore[arg-type]
        db.add(row)
    setattr(row, COLUMN[item.kind], value)
    row.updated_at = utcnow()


def stored(db: Session, ticket_id: int) -> dict[int, Any]:
    """The ticket's typed values by field id."""
    found: dict[int, Any] = {}
    for row, kind in db.exec(
        select(TicketFieldValue, CategoryField.kind)
        .join(CategoryField, col(CategoryField.id) == TicketFieldValue.field_id)
        .where(TicketFieldValue.ticket_id == ticket_id)
    ):
        found[row.field_id] = getattr(row, COLUMN[kind])
    return found


def customer_values(db: Session, ticket: Ticket) -> tuple[FieldValuePublic, ...]:
    """What the customer's ticket page shows: the customer-visible fields that have a value."""
    values = stored(db, ticket.id)  # type: ignore[arg-type]
    if not values:
        return ()
    rows = db.exec(
        select(CategoryField)
        .where(col(CategoryField.id).in_(list(values)), CategoryField.customer_visible == True)
        .order_by(col(CategoryField.position), col(CategoryField.id))
    ).all()
    return tuple(_public(r, values.get(r.id)) for r in rows)


def agent_fields(db: Session, ticket: Ticket) -> list[CategoryField]:
    """What an agent sees and edits: the active fields of the ticket's category, and any other
    field that holds a value on it (deactivated since, or from a former category)."""
    values = stored(db, ticket.id)  # type: ignore[arg-type]
    category_id = select(TicketCategory.id).where(TicketCategory.key == ticket.category)
    rows = db.exec(
        select(CategoryField)
        .where(
            (col(CategoryField.category_id).in_(category_id) & (CategoryField.is_active == True))
            | col(CategoryField.id).in_(list(values) or [-1])
        )
        .order_by(col(CategoryField.position), col(CategoryField.id))
    ).all()
    return list(rows)


def agent_values(db: Session, ticket: Ticket) -> tuple[FieldValuePublic, ...]:
    values = stored(db, ticket.id)  # type: ignore[arg-type]
    return tuple(_public(r, values.get(r.id)) for r in agent_fields(db, ticket))


def _public(row: CategoryField, value: Any) -> FieldValuePublic:
    return FieldValuePublic(
        key=row.key,
        labels=dict(row.labels),
        kind=row.kind,
        value=canonical(row.kind, value),
        options=tuple(row.options or ()),
        required=row.required,
        customer_visible=row.customer_visible,
    )
