"""What a macro does besides sending its reply (issue 15): the actions stored on a saved reply,
and how they are checked when an agent saves them."""

from __future__ import annotations

from dataclasses import dataclass

from support_portal.i18n import _
from support_portal.models import SavedReply
from support_portal.services.errors import InvalidInput
from support_portal.services.ticket_tags import MAX_TAGS_PER_TICKET, PRIORITIES, clean_tag

STATUSES = ("resolve", "close", "request_info")
ASSIGNS = ("me", "none")  # assign to the agent applying it; unassign


@dataclass(frozen=True)
class MacroActions:
    """Each None (or no tags): the macro leaves that as it is."""

    status: str | None = None
    assign: str | None = None
    priority: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.status or self.assign or self.priority or self.tags)


NONE = MacroActions()


def clean(
    *,
    status: str | None = None,
    assign: str | None = None,
    priority: str | None = None,
    tags: str | list[str] | tuple[str, ...] = (),
) -> MacroActions:
    """Checked actions from a form: "" or None leaves a field alone; tags come as a list or as
    one comma-separated string."""
    status, assign, priority = (str(v or "").strip() or None for v in (status, assign, priority))
    if status is not None and status not in STATUSES:
        raise InvalidInput(_("Choose a status."), field="macro_status")
    if assign is not None and assign not in ASSIGNS:
        raise InvalidInput(_("Choose whom to assign."), field="macro_assign")
    if priority is not None and priority not in PRIORITIES:
        raise InvalidInput(_("Choose a priority."), field="macro_priority")
    raw = str(tags).split(",") if isinstance(tags, str) else [str(t) for t in tags]
    cleaned: list[str] = []
    for item in raw:
        if not item.strip():
            continue
        try:
            tag = clean_tag(item)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="macro_tags", **exc.params) from None
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS_PER_TICKET:
        raise InvalidInput(
            _("A ticket has at most {n} tags."), field="macro_tags", n=MAX_TAGS_PER_TICKET
        )
    return MacroActions(status=status, assign=assign, priority=priority, tags=tuple(cleaned))


def of(row: SavedReply) -> MacroActions:
    return MacroActions(
        status=row.macro_status,
        assign=row.macro_assign,
        priority=row.macro_priority,
        tags=tuple(row.macro_tags or ()),
    )


def store(row: SavedReply, actions: MacroActions) -> None:
    row.macro_status, row.macro_assign = actions.status, actions.assign
    row.macro_priority = actions.priority
    row.macro_tags = list(actions.tags) or None
