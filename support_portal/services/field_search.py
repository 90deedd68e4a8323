"""The agent queue's custom field filter (issue 15): `field:order_id=123` in the search keeps
the tickets whose field `order_id` holds 123. Each kind compares its own typed column, through
the (field_id, value) indexes of ticket_field_values."""

from __future__ import annotations

from sqlalchemy import false
from sqlmodel import Session, col, select

from support_portal.i18n import _
from support_portal.models import CategoryField, Ticket, TicketCategory, TicketFieldValue
from support_portal.services import field_values
from support_portal.services.errors import InvalidInput

PREFIX = "field:"
LISTED = 500


def split_field(search: str) -> tuple[str, str, str]:
    """ "field:order_id=123 refund" -> ("refund", "order_id", "123"); the first such word."""
    words, key, value = [], "", ""
    for word in (search or "").split():
        if word.lower().startswith(PREFIX) and "=" in word and not key:
            key, _sep, value = word[len(PREFIX) :].partition("=")
            key = key.lower()[:40]
            value = value[: field_values.MAX_SHORT]
        else:
            words.append(word)
    return " ".join(words), key, value


def field_filter(db: Session, key: str, value: str):
    """The condition on Ticket for `key` = `value`, or None without a field term."""
    if not key:
        return None
    item = db.exec(select(CategoryField).where(CategoryField.key == key)).first()
    if item is None:
        raise InvalidInput(_("There is no field “{key}”."), key=key)
    if item.kind == "long_text":
        raise InvalidInput(_("Long text fields cannot be searched this way."))
    try:
        typed = field_values.parse(item.kind, value, item.options or ())
    except InvalidInput as exc:
        raise InvalidInput(exc.message, **exc.params) from None
    column = getattr(TicketFieldValue, field_values.COLUMN[item.kind])
    matching = select(TicketFieldValue.ticket_id).where(TicketFieldValue.field_id == item.id)
    if typed is None and item.kind == "checkbox":  # field:x=no: unticked or never set
        ticked = matching.where(column == True)
        category = select(TicketCategory.key).where(TicketCategory.id == item.category_id)
        return col(Ticket.category).in_(category) & col(Ticket.id).not_in(ticked)
    if typed is None:
        raise InvalidInput(_("Write the value to look for after “=”."))
    matching = matching.where(column == typed)
    # A value names few tickets (an order ID): their ids, read through the (field, value)
    # index first, let the page's query start from those rows, whatever else it filters by.
    # Past LISTED (a common dropdown choice) the database joins the values itself.
    found = list(db.exec(matching.limit(LISTED + 1)).all())
    if len(found) <= LISTED:
        return col(Ticket.id).in_(found) if found else false()
    return col(Ticket.id).in_(matching)
