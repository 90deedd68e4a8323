"""Agent management: the list of agents, adding one, deactivating and reactivating (admins)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from support_portal.models import Role, User
from support_portal.services import access, audit
from support_portal.services.dto import Viewer
from support_portal.services.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class AgentPublic:
    id: int
    name: str
    email: str
    role: str
    is_active: bool
    two_factor: bool = False


def list_agents(
    db: Session, *, viewer: Viewer | None, include_inactive: bool = False
) -> list[AgentPublic]:
    access.require_agent(db, viewer, action="list_agents")
    query = select(User).where(col(User.role).in_([Role.agent, Role.admin])).order_by(User.name)
    if not include_inactive:
        query = query.where(User.is_active == True)
    return [
        AgentPublic(
            id=u.id,  # type: ignore[arg-type]
            name=u.name,
            email=u.email,
            role=str(u.role),
            is_active=u.is_active,
            two_factor=bool(u.totp_secret),
        )
        for u in db.exec(query).all()
    ]


def add_agent(
    db: Session, *, viewer: Viewer | None, name: str, email: str, password: str, admin: bool = False
) -> AgentPublic:
    from support_portal.services.auth import create_user

    viewer = access.require_admin(db, viewer, action="add_agent")
    user = create_user(
        db,
        name=name,
        email=email,
        password=password,
        role=Role.admin if admin else Role.agent,
        email_verified=True,
    )
    audit.record(
        db,
        action="agent.added",
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"agent_id": user.id},
    )
    return AgentPublic(id=user.id, name=user.name, email=user.email, role=user.role, is_active=True)


def set_agent_active(db: Session, *, viewer: Viewer | None, agent_id: int, active: bool) -> None:
    from support_portal.services.session_endings import revoke_all_sessions

    viewer = access.require_admin(db, viewer, action="set_agent_active")
    agent = db.get(User, agent_id)
    if agent is None or agent.role not in (Role.agent, Role.admin):
        raise NotFound("No such agent.")
    if agent.id == viewer.user_id and not active:
        raise InvalidInput("You cannot deactivate yourself.")
    agent.is_active = bool(active)
    if not active:
        revoke_all_sessions(db, user_id=agent_id)
    audit.record(
        db,
        action="agent.activated" if active else "agent.deactivated",
        actor_id=viewer.user_id,
        actor_kind="agent",
        detail={"agent_id": agent_id},
    )
