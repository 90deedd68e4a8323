"""Account preferences."""

from __future__ import annotations

from sqlmodel import Session

from support_portal import i18n
from support_portal.models import User
from support_portal.services.dto import Viewer
from support_portal.services.errors import NotAuthenticated


def set_locale(db: Session, *, viewer: Viewer | None, locale: str) -> str:
    if viewer is None or viewer.user_id is None:
        raise NotAuthenticated()
    user = db.get(User, viewer.user_id)
    if user is None:
        raise NotAuthenticated()
    user.locale = i18n.normalize_locale(locale)
    return user.locale
