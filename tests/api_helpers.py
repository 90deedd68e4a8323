"""Shared by the API tests: users, tokens and tickets made through the services, and the API
app (FastAPI, in this process) with a test client."""

from __future__ import annotations

from support_portal.db import session_scope
from support_portal.models import Role
from support_portal.services import api_tokens, auth, tickets

PASSWORD = "correct horse battery"


def make_user(email: str, *, role: Role = Role.agent, name: str | None = None) -> int:
    with session_scope() as db:
        user = auth.create_user(
            db,
            name=name or email.split("@")[0].title(),
            email=email,
            password=PASSWORD,
            role=role,
            email_verified=True,
        )
        return user.id  # type: ignore[return-value]


def make_token(email: str, *, scopes: tuple[str, ...] = ("read", "write"), days=90) -> str:
    with session_scope() as db:
        return api_tokens.create_token_for_email(
            db, email=email, name="test", scopes=list(scopes), days=days
        ).secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def customer_ticket(email: str = "cara@example.com", subject: str = "Deposit missing") -> int:
    """A ticket opened by the customer with this email (made when missing); its number."""
    from sqlmodel import select

    from support_portal.models import SessionKind, User
    from support_portal.services.dto import Viewer

    with session_scope() as db:
        user = db.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = auth.create_user(
                db, name="Cara", email=email, password=PASSWORD, email_verified=True
            )
        viewer = Viewer(
            kind=SessionKind.user,
            session_id=1,
            name=user.name,
            email=user.email,
            user_id=user.id,
            role=user.role,
        )
        return tickets.create_ticket(
            db, viewer=viewer, subject=subject, category="other", description="Please help."
        ).number
