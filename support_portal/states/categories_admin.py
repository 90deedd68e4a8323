"""/admin/categories: administrators add, rename, reorder and deactivate categories, and define
each category's custom fields (issue 15). Every action is one service call that re-checks the
administrator (A2); the page then re-reads the list."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from support_portal.i18n import _
from support_portal.services import categories, custom_fields
from support_portal.states.actions import dashboard_call, dashboard_viewer
from support_portal.states.base import SessionState

CATEGORY_FORM = "category-form"
FIELD_FORM = "field-form"
VISIBILITY = {  # the field form's one choice -> (customer_visible, customer_editable)
    "customer_fills": (True, True),
    "customer_sees": (True, False),
    "agents_only": (False, False),
}


@dataclass
class FieldAdminView:
    id: int
    key: str
    label: str
    label_en: str
    label_cs: str
    kind: str
    options_text: str  # one per line
    required: bool
    visibility: str  # a VISIBILITY key
    is_active: bool


@dataclass
class CategoryAdminView:
    id: int
    key: str
    name: str
    name_en: str
    name_cs: str
    is_active: bool
    fields: list[FieldAdminView] = field(default_factory=list)


def _visibility(f: categories.FieldDefinition) -> str:
    if f.customer_editable:
        return "customer_fills"
    return "customer_sees" if f.customer_visible else "agents_only"


def category_view(c: categories.CategoryPublic, locale: str) -> CategoryAdminView:
    return CategoryAdminView(
        id=c.id,
        key=c.key,
        name=categories.display_name(c.names, locale),
        name_en=c.names.get("en", ""),
        name_cs=c.names.get("cs", ""),
        is_active=c.is_active,
        fields=[
            FieldAdminView(
                id=f.id,
                key=f.key,
                label=categories.display_name(f.labels, locale),
                label_en=f.labels.get("en", ""),
                label_cs=f.labels.get("cs", ""),
                kind=f.kind,
                options_text="\n".join(f.options),
                required=f.required,
                visibility=_visibility(f),
                is_active=f.is_active,
            )
            for f in c.fields
        ],
    )


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def _ticked(form: dict, name: str) -> bool:
    return str(form.get(name, "")).lower() in ("on", "true", "1")


class CategoriesAdminState(SessionState):
    categories: list[CategoryAdminView] = []
    loaded: bool = False
    forbidden: bool = False
    error: str = ""
    notice: str = ""
    busy: str = ""  # the action running: "save", "field", "move-3", ...
    field_errors: dict[str, str] = {}
    editing_id: int = 0  # the category the form renames (0: a new one)
    form_name_en: str = ""
    form_name_cs: str = ""
    field_category_id: int = 0  # the category whose field form is open (0: none)
    # The field form: the field it changes (0: a new one) and what it starts with.
    form_field_id: int = 0
    form_label_en: str = ""
    form_label_cs: str = ""
    form_kind: str = "short_text"
    form_options: str = ""
    form_required: bool = False
    form_visibility: str = "customer_fills"
    _fetching: bool = False

    @rx.event
    async def load(self):
        _, away = await dashboard_viewer(self)
        if away is not None:
            yield away
            return
        self.error = self.notice = ""
        self.editing_id = 0
        self._field_form(0, None)
        await self._fetch()
        self.loaded = True

    async def _fetch(self) -> None:
        done = await dashboard_call(self, categories.list_categories, busy="_fetching")
        if self.forbidden:
            self.categories = []
        elif done.ok:
            self.categories = [category_view(c, self.locale) for c in done.value]

    async def _run(self, busy: str, use_case, notice: str = "", **kwargs) -> bool:
        """One administrator action, then the list again. True when it was done."""
        self.notice = ""
        done = await dashboard_call(
            self, use_case, busy="busy", busy_value=busy, field_errors="field_errors", **kwargs
        )
        if self.forbidden:
            self.categories = []
            return False
        if done.ok:
            self.notice = self._t(notice) if notice else ""
            await self._fetch()
        return done.ok

    # --- categories -------------------------------------------------------------------------

    @rx.event
    def rename(self, category_id: int):
        found = next((c for c in self.categories if c.id == _int(category_id)), None)
        self.editing_id = found.id if found else 0
        self.form_name_en = found.name_en if found else ""
        self.form_name_cs = found.name_cs if found else ""
        self.field_errors, self.notice = {}, ""
        return rx.set_focus("category-name-en")

    @rx.event
    def new_category(self):
        self.editing_id, self.field_errors = 0, {}
        self.form_name_en = self.form_name_cs = ""

    @rx.event
    async def save_category(self, form: dict):
        names = {"en": str(form.get("name_en", "")), "cs": str(form.get("name_cs", ""))}
        if await self._run(
            "save",
            categories.save_category,
            _("The category is saved."),
            names=names,
            category_id=self.editing_id or None,
        ):
            self.editing_id = 0
            self.form_name_en = self.form_name_cs = ""
            yield rx.call_script(f"document.getElementById('{CATEGORY_FORM}')?.reset()")

    @rx.event
    async def move_category(self, category_id: int, offset: int):
        await self._run(
            f"move-{category_id}",
            categories.move_category,
            category_id=_int(category_id),
            offset=1 if _int(offset) > 0 else -1,
        )

    @rx.event
    async def set_category_active(self, category_id: int, active: bool):
        await self._run(
            f"active-{category_id}",
            categories.set_active,
            _("The category is activated.")
            if active is True
            else _("The category is deactivated."),
            category_id=_int(category_id),
            active=active is True,
        )

    # --- fields -----------------------------------------------------------------------------

    def _field_form(self, category_id: int, found: FieldAdminView | None) -> None:
        self.field_category_id = category_id
        self.form_field_id = found.id if found else 0
        self.form_label_en = found.label_en if found else ""
        self.form_label_cs = found.label_cs if found else ""
        self.form_kind = found.kind if found else "short_text"
        self.form_options = found.options_text if found else ""
        self.form_required = found.required if found else False
        self.form_visibility = found.visibility if found else "customer_fills"
        self.field_errors = {}

    @rx.event
    def new_field(self, category_id: int):
        self._field_form(_int(category_id), None)
        self.notice = ""
        return rx.set_focus("field-label-en")

    @rx.event
    def edit_field(self, category_id: int, field_id: int):
        owner = next((c for c in self.categories if c.id == _int(category_id)), None)
        fields = owner.fields if owner else []
        found = next((f for f in fields if f.id == _int(field_id)), None)
        if owner is None or found is None:
            return None
        self._field_form(owner.id, found)
        self.notice = ""
        return rx.set_focus("field-label-en")

    @rx.event
    def close_field_form(self):
        self._field_form(0, None)

    @rx.event
    def set_form_kind(self, kind: str):
        self.form_kind = str(kind)[:16]

    @rx.event
    async def save_field(self, form: dict):
        visible, editable = VISIBILITY.get(str(form.get("visibility", "")), (True, True))
        options = str(form.get("options", "")).splitlines()[:100]
        if await self._run(
            "field",
            custom_fields.save_field,
            _("The field is saved."),
            category_id=self.field_category_id,
            field_id=self.form_field_id or None,
            labels={"en": str(form.get("label_en", "")), "cs": str(form.get("label_cs", ""))},
            kind=str(form.get("kind", "")),
            options=options,
            required=_ticked(form, "required"),
            customer_visible=visible,
            customer_editable=editable,
        ):
            self._field_form(0, None)

    @rx.event
    async def move_field(self, field_id: int, offset: int):
        await self._run(
            f"field-move-{field_id}",
            custom_fields.move_field,
            field_id=_int(field_id),
            offset=1 if _int(offset) > 0 else -1,
        )

    @rx.event
    async def set_field_active(self, field_id: int, active: bool):
        await self._run(
            f"field-active-{field_id}",
            custom_fields.set_field_active,
            _("The field is activated.") if active is True else _("The field is deactivated."),
            field_id=_int(field_id),
            active=active is True,
        )
